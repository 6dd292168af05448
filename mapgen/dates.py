"""Dates with a precision: a day, an approximate week, a month or a year.

An event written "2017-11" happened some time in November 2017. mapgen keeps that: the
precision travels with the date into the timeline and every output, and a date is shown
the way it was reported. Where a single day is needed to order events or draw a map, the
first day the event can have happened is used (:attr:`ReportedDate.start`); nothing else is
invented.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from mapgen.errors import DateRangeError
from mapgen.fields import date_parts

Precision = Literal["day", "week", "month", "year"]
PRECISIONS: tuple[Precision, ...] = ("day", "week", "month", "year")


@dataclass(frozen=True)
class ReportedDate:
    """A date as reported: its first possible day and its precision."""

    start: pd.Timestamp
    precision: Precision

    @property
    def end(self) -> pd.Timestamp:
        """The day after the last day the date can mean (exclusive)."""
        if self.precision == "month":
            return self.start + pd.offsets.MonthBegin(1)
        if self.precision == "year":
            return self.start + pd.offsets.YearBegin(1)
        if self.precision == "week":
            return self.start + pd.Timedelta(days=7)
        return self.start + pd.Timedelta(days=1)

    def __str__(self) -> str:
        return format_date(self.start, self.precision)


@functools.lru_cache(maxsize=65536)
def parse_date(text: str, precision: str = "") -> ReportedDate:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; raise ValueError naming what is valid.

    ``precision`` may say ``week`` for a day date that is only approximately right (an
    article's "about a week ago"); it must otherwise agree with the date's form.
    """
    year, month, day, found = date_parts(text)  # FieldError (a ValueError) if not a date
    start = pd.Timestamp(year=year, month=month, day=day)
    return ReportedDate(start, _precision(found, precision, text))  # type: ignore[arg-type]


def _precision(found: Precision, declared: str, text: str) -> Precision:
    if not declared or declared == found:
        return found
    if declared == "week" and found == "day":
        return "week"
    if declared not in PRECISIONS:
        raise ValueError(f"precision {declared!r} is not one of {', '.join(PRECISIONS)}")
    raise ValueError(
        f"date {text!r} has {found} precision but the row says {declared!r}; "
        "write the date with only the parts that are known"
    )


def format_date(day: pd.Timestamp, precision: str = "day") -> str:
    """Show a date the way it was reported: ``2017-11-09``, ``≈2017-10-27``, ``2017-11``."""
    if precision == "month":
        return day.strftime("%Y-%m")
    if precision == "year":
        return day.strftime("%Y")
    if precision == "week":
        return "≈" + day.strftime("%Y-%m-%d")
    return day.strftime("%Y-%m-%d")


def parse_day(text: str, *, what: str = "date") -> pd.Timestamp:
    """A single day from ``YYYY-MM-DD`` (a command-line option), or DateRangeError."""
    try:
        reported = parse_date(text)
    except ValueError as exc:
        raise DateRangeError(f"{what}: {exc}") from exc
    if reported.precision != "day":
        raise DateRangeError(f"{what}: {text!r} is not a single day; use YYYY-MM-DD")
    return reported.start


def day_range(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Every day from ``start`` to ``end`` inclusive; DateRangeError if the range is inverted."""
    check_range(start, end)
    return pd.date_range(start, end, freq="D")


def check_range(start: pd.Timestamp, end: pd.Timestamp) -> None:
    """DateRangeError (about ``end``) if ``end`` is before ``start``."""
    if end < start:
        raise DateRangeError(
            f"the range is inverted: end {end:%Y-%m-%d} is before start {start:%Y-%m-%d}",
            field="end",
        )


def check_within(
    days: Iterable[pd.Timestamp], start: pd.Timestamp, end: pd.Timestamp, *, field: str
) -> None:
    """DateRangeError (about ``field``) naming the first of ``days`` outside ``start`` to
    ``end`` (inclusive) and how many are outside."""
    outside = [d for d in days if not start <= d <= end]
    if outside:
        more = f" ({len(outside)} days are outside)" if len(outside) > 1 else ""
        raise DateRangeError(
            f"{outside[0]:%Y-%m-%d} is outside the map's range {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d}{more}",
            field=field,
        )
