"""Exceptions raised by mapgen.

Every error is a :class:`MapgenError`; the ones about input also inherit the
built-in exception a caller would expect (``ValueError``, ``FileNotFoundError``),
in the manner of rasterio's ``RasterioIOError(RasterioError, OSError)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapgen.problems import Problem


class MapgenError(Exception):
    """Base class of every error mapgen raises on purpose.

    ``field`` names the argument the error is about, where there is one (``end``,
    ``dates``, ``fps``): the library's messages speak of values, and the command line puts
    the option's flag in front.
    """

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class InputFileError(MapgenError, FileNotFoundError):
    """An input file is missing or cannot be read."""


class ValidationError(MapgenError, ValueError):
    """Input data has one or more errors; all of them are in ``problems``."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} error(s) in the input:"]
        lines += [f"  {p}" for p in errors]
        super().__init__("\n".join(lines))


class DateRangeError(MapgenError, ValueError):
    """A requested date range is empty, inverted or not a date."""


class UnknownMethodError(MapgenError, ValueError):
    """A territory method or rule name that is not registered."""


class OptionError(MapgenError, ValueError):
    """An option's value mapgen cannot use: a frame rate, a step, an image format, a tile
    layer, an element id, a layer name, the size of a synthetic scenario."""


class OverwriteError(MapgenError, ValueError):
    """An output would be written over an input (or over another output)."""


class ClusterError(MapgenError, OSError):
    """A Dask scheduler cannot be reached, has no workers, or its workers cannot run this
    version of mapgen."""
