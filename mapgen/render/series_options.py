"""What a series of static maps is drawn with: its days, the files' format and size, the
timelapse's pace. ``mapgen snapshots`` and ``mapgen build`` take the same options
(:func:`mapgen.cli.options.series_options`) into one :class:`SeriesOptions`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from mapgen.dates import check_range, check_within
from mapgen.errors import DateRangeError, OptionError

FORMATS = ("png", "svg")
DEFAULT_DPI = 150  # snapshots (the timelapse draws its frames at its own size)
DEFAULT_WIDTH_IN = 10.0
DEFAULT_FPS = 10.0
DEFAULT_PAUSE_S = 1.0


@dataclass(frozen=True)
class SeriesOptions:
    """The days of the snapshots (``dates``, else every ``every``-th day of the range),
    their format, resolution and width, and the timelapse's days per second and pause on
    change dates."""

    every: int = 1
    dates: tuple[pd.Timestamp, ...] | None = None
    fmt: str = FORMATS[0]
    dpi: int = DEFAULT_DPI
    width_in: float = DEFAULT_WIDTH_IN
    fps: float = DEFAULT_FPS
    pause_s: float = DEFAULT_PAUSE_S

    def days(
        self,
        first: pd.Timestamp,
        last: pd.Timestamp,
        *,
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> list[pd.Timestamp]:
        """The days to draw in a map whose range is ``first`` to ``last`` (see
        :func:`series_days`)."""
        return series_days(first, last, start=start, end=end, every=self.every, dates=self.dates)


def series_days(
    first: pd.Timestamp,
    last: pd.Timestamp,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    every: int = 1,
    dates: Iterable[pd.Timestamp | str] | None = None,
) -> list[pd.Timestamp]:
    """The days of a series in the range ``first`` to ``last``: ``dates`` if given, else
    every ``every``-th day from start to end (default: the range's first and last day).

    Raises DateRangeError for an inverted or empty range or a day outside the range,
    OptionError for a step below 1.
    """
    if dates is not None:
        days = sorted({pd.Timestamp(d).normalize() for d in dates})
        if not days:
            raise DateRangeError("no dates given: the list of days is empty", field="dates")
        check_within(days, first, last, field="dates")
        return days
    if every < 1:
        raise OptionError(f"every {every} days: the step must be 1 or more", field="every")
    lo = pd.Timestamp(start).normalize() if start is not None else first
    hi = pd.Timestamp(end).normalize() if end is not None else last
    check_range(lo, hi)
    check_within([lo], first, last, field="start")
    check_within([hi], first, last, field="end")
    return list(pd.date_range(lo, hi, freq=f"{every}D"))
