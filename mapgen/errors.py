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
    """Base class of every error mapgen raises on purpose."""


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
    """A method, format or option name that is not registered."""


class OverwriteError(MapgenError, ValueError):
    """An output would be written over an input (or over another output)."""
