"""What a valid value of an input field is: dates, numbers, ids, text and polygons.

Every reader (``validate``, ``build``, ``import-acled``, ``extract``, merging, the dataset
TOML, polygon files) checks its fields with these functions, so a value that passes one
command passes them all, and what ``validate`` accepts ``build`` can build.

Each check takes the text (or object) as read and returns the value, or raises
:class:`FieldError` whose message says what is wrong and whose ``hint`` says what would be
valid; :func:`checked` turns that into a problem with the file, line and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TypeVar

import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

from mapgen.problems import Problems, shown_value

T = TypeVar("T")

# --- dates: ASCII digits, years the model can hold with margin -------------------------------
# pandas holds days from 1677-09-21 to 2262-04-11; a range is widened by months and years
# on the way to a map, so dates stay well inside it.
FIRST_YEAR = 1700
LAST_YEAR = 2199
DATE_HINT = (
    f"use YYYY-MM-DD, YYYY-MM (month only) or YYYY (year only) with ASCII digits, "
    f"years {FIRST_YEAR} to {LAST_YEAR}"
)
_DATE_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII), "day"),
    (re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII), "month"),
    (re.compile(r"([0-9]{4})", re.ASCII), "year"),
]

# --- numbers: ASCII decimal notation only (no "3_4", no "٣٤", no "nan") ----------------------
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
# The largest whole number a web page's JavaScript holds exactly (map.html carries them).
MAX_WHOLE = 2**53 - 1

# --- ids ----------------------------------------------------------------------------------
PLACE_ID = re.compile(r"[a-z0-9][a-z0-9_-]*", re.ASCII)
CONTROLLER_ID = re.compile(r"[a-z][a-z0-9_-]*", re.ASCII)
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", re.ASCII)
AREA_ID = EVENT_ID  # areas: letters, digits, _ . : - (docs/data_model.md)
COUNTRY_CODE = re.compile(r"[A-Z]{3}", re.ASCII)
MAX_ID_CHARS = 200

# --- text: no control characters, no bidi controls --------------------------------------
# C0 and C1 controls (NUL included) except tab, newline and carriage return, and Unicode's
# Bidi_Control characters. Embeddings, overrides and isolates (LRE..RLO, LRI..PDI) can
# reorder the text around a name or source on a page (visual spoofing); the marks (ALM,
# LRM, RLM) cannot, but are invisible and keep names from matching (GeoNames has them).
# All are removed where text is read; all but the marks with a warning.
_CONTROLS = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)])
_BIDI_EMBEDDINGS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_MARKS = "\u061c\u200e\u200f"
_UNWANTED = re.compile(f"[{re.escape(_CONTROLS + _BIDI_EMBEDDINGS + _BIDI_MARKS)}]")
_REPORTED = re.compile(f"[{re.escape(_CONTROLS + _BIDI_EMBEDDINGS)}]")


class FieldError(ValueError):
    """A value that is not valid for its field; ``hint`` says what would be."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


def checked(
    problems: Problems,
    check: Callable[[str], T],
    text: str,
    *,
    column: str,
    **where: object,
) -> T | None:
    """``check(text)``, or None after adding its :class:`FieldError` to ``problems``."""
    try:
        return check(text)
    except FieldError as exc:
        problems.error(exc.message, column=column, value=text, hint=exc.hint, **where)
        return None


# --- dates ---------------------------------------------------------------------------------


def date_parts(text: str) -> tuple[int, int, int, str]:
    """``(year, month, day, precision)`` of ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    A month or year date has day (and month) 1. Raises FieldError for any other form, for
    digits other than ASCII, for a year outside FIRST_YEAR..LAST_YEAR and for a day that
    is not in the calendar.
    """
    value = text.strip()
    for pattern, precision in _DATE_FORMS:
        m = pattern.fullmatch(value)
        if m is None:
            continue
        parts = [int(g) for g in m.groups()] + [1] * (3 - len(m.groups()))
        year, month, day = parts
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise FieldError(
                f"the year {year} is outside what mapgen maps",
                f"use a year from {FIRST_YEAR} to {LAST_YEAR}",
            )
        if not 1 <= month <= 12 or not 1 <= day <= _days_in(year, month):
            raise FieldError(f"{text!r} is not a calendar date", DATE_HINT)
        return year, month, day, precision
    if value and any(ch.isdigit() and not ch.isascii() for ch in value):
        raise FieldError(f"{text!r} is not a date: it has non-ASCII digits", DATE_HINT)
    raise FieldError(f"{text!r} is not a date", DATE_HINT)


def _days_in(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def check_year(year: int) -> int:
    """``year`` if mapgen can map it (FIRST_YEAR..LAST_YEAR), else FieldError."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise FieldError(
            f"the year {year} is outside what mapgen maps",
            f"use a year from {FIRST_YEAR} to {LAST_YEAR}",
        )
    return year


# --- numbers -------------------------------------------------------------------------------


def number(text: str, *, low: float, high: float, example: str = "34.45226") -> float:
    """A finite decimal number from ``low`` to ``high`` written with ASCII digits."""
    hint = f"write a number from {low:g} to {high:g} with ASCII digits and a point, e.g. {example}"
    if not _DECIMAL.fullmatch(text):
        raise FieldError(f"{_shown(text)} is not a number", hint)
    value = float(text)
    if not math.isfinite(value) or not low <= value <= high:
        raise FieldError(f"{_shown(text)} is outside {low:g} to {high:g}", hint)
    return value


def whole_number(text: str, *, low: int = 0, high: int = MAX_WHOLE) -> int:
    """A whole number from ``low`` to ``high`` written with ASCII digits only."""
    hint = f"write a whole number from {low:,} to {high:,} with the digits 0-9 only"
    if not _WHOLE.fullmatch(text) or len(text) > 30:
        raise FieldError(f"{_shown(text)} is not a whole number", hint)
    value = int(text)
    if not low <= value <= high:
        raise FieldError(f"{_shown(text)} is outside {low:,} to {high:,}", hint)
    return value


def optional_whole_number(text: str) -> int | None:
    """None for an empty field, else :func:`whole_number`."""
    return whole_number(text) if text else None


def toml_number(value: object, *, low: float, high: float) -> float:
    """A TOML integer or float (not a boolean, not nan or inf) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(f"{value!r} is not a number", f"write a number from {low:g} to {high:g}")
    result = float(value)
    if not math.isfinite(result) or not low <= result <= high:
        raise FieldError(f"{value!r} is outside {low:g} to {high:g}")
    return result


# --- ids -----------------------------------------------------------------------------------


def identifier(text: str, pattern: re.Pattern[str], *, rule: str, example: str) -> str:
    """``text`` if it is a whole match of ``pattern`` (ASCII) and at most MAX_ID_CHARS long."""
    if not pattern.fullmatch(text) or len(text) > MAX_ID_CHARS:
        raise FieldError(
            f"{_shown(text)} is not a valid id", f"{rule}, at most {MAX_ID_CHARS}, e.g. {example}"
        )
    return text


# --- text ----------------------------------------------------------------------------------


def clean_text(text: str) -> tuple[str, str]:
    """``text`` without control and bidi control characters, and a note of what was removed.

    The note is empty when nothing worth a warning was removed (nothing, or only bidi
    marks), else e.g. ``"2 control character(s) (U+0000, U+202E)"``.
    """
    if _UNWANTED.search(text) is None:
        return text, ""
    found = _REPORTED.findall(text)
    note = ""
    if found:
        names = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in found}))
        note = f"{len(found)} control character(s) ({names})"
    return _UNWANTED.sub("", text), note


def toml_text(value: object) -> str:
    """A TOML string, cleaned (:func:`clean_text`); FieldError for any other type."""
    if not isinstance(value, str):
        raise FieldError(f"{value!r} is not text", 'write it as a quoted string, "like this"')
    return clean_text(value)[0]


def _shown(text: str) -> str:
    return shown_value(text, most=40)


# --- polygons ------------------------------------------------------------------------------

POLYGON_HINT = "repair it, e.g. with QGIS 'Fix geometries' or shapely.make_valid, then save again"
WKT_HINT = "e.g. POLYGON ((40.1 35.3, 40.2 35.3, 40.2 35.4, 40.1 35.3))"


def polygon(geom: object) -> BaseGeometry:
    """A valid, non-empty Polygon or MultiPolygon inside longitude/latitude bounds."""
    if not isinstance(geom, BaseGeometry):
        raise FieldError(
            "needs a Polygon or MultiPolygon, not an empty geometry",
            "give it a Polygon or MultiPolygon in longitude/latitude",
        )
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise FieldError(f"needs a Polygon or MultiPolygon, not {geom.geom_type}")
    if geom.is_empty:
        raise FieldError(
            "needs a Polygon or MultiPolygon, not an empty geometry",
            "give it at least one ring of 4 points",
        )
    lon0, lat0, lon1, lat1 = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds) or not (
        -180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90
    ):
        raise FieldError(
            f"coordinates outside longitude/latitude ({lon0:g}, {lat0:g}, {lon1:g}, {lat1:g})",
            "write longitude first, then latitude, in degrees (EPSG:4326)",
        )
    if not geom.is_valid:
        raise FieldError(f"invalid polygon ({shapely.is_valid_reason(geom)})", POLYGON_HINT)
    return geom


def wkt_polygon(text: str) -> BaseGeometry:
    """A WKT ``POLYGON``/``MULTIPOLYGON`` in longitude/latitude, checked by :func:`polygon`."""
    if not text.isascii():
        raise FieldError("not valid WKT (characters other than ASCII)", WKT_HINT)
    try:
        geom = shapely.from_wkt(text)
    except shapely.errors.ShapelyError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise FieldError(f"not valid WKT ({reason})", WKT_HINT) from exc
    return polygon(geom)
