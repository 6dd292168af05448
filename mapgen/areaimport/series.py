"""Reading a series of dated control polygons from vector files.

One file per date (the date in the file name, e.g. ``…_20240708.geojson.gz``, or in a
field) or one file with a date field; GeoJSON (also gzip-compressed), GeoPackage,
Shapefile, KML and anything else GDAL reads. The side is given for the whole call or read
from a field. Every problem is collected with its file and feature number, then raised once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.areaimport.pieces import on_grid, polygonal
from mapgen.dates import parse_day
from mapgen.errors import InputFileError
from mapgen.names import slugify
from mapgen.problems import Problems, display_path

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
_SIDE_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass
class Series:
    """Each side's polygon per day, and where each came from."""

    days: dict[str, dict[pd.Timestamp, BaseGeometry]] = field(default_factory=dict)
    origin: dict[tuple[str, pd.Timestamp], str] = field(default_factory=dict)  # file name
    file_days: set[pd.Timestamp] = field(default_factory=set)  # days a file is for

    def add(self, side: str, day: pd.Timestamp, geom: BaseGeometry, origin: str) -> None:
        per_side = self.days.setdefault(side, {})
        if day in per_side:
            per_side[day] = shapely.union(per_side[day], geom)
            if origin not in self.origin[(side, day)]:
                self.origin[(side, day)] += f"; {origin}"
        else:
            per_side[day] = geom
            self.origin[(side, day)] = origin

    @property
    def sides(self) -> list[str]:
        return sorted(self.days)

    def all_days(self) -> list[pd.Timestamp]:
        """Days with a polygon or a file (a file with no polygon: nobody holds ground)."""
        return sorted({d for per_side in self.days.values() for d in per_side} | self.file_days)

    def missing_days(self) -> list[pd.Timestamp]:
        """Days between the first and the last that no file gives."""
        have = self.all_days()
        if not have:
            return []
        every = pd.date_range(have[0], have[-1], freq="D")
        return [d for d in every if d not in set(have)]

    def bounds(self) -> tuple[float, float, float, float]:
        geoms = [g for per_side in self.days.values() for g in per_side.values()]
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        return (float(x0), float(y0), float(x1), float(y1))


def date_from_name(path: Path) -> pd.Timestamp | None:
    """The last ``YYYYMMDD`` / ``YYYY-MM-DD`` / ``YYYY_MM_DD`` in a file name, if any."""
    for match in reversed(list(_DATE_IN_NAME.finditer(path.name))):
        try:
            return pd.Timestamp(f"{match[1]}-{match[2]}-{match[3]}")
        except ValueError:
            continue
    return None


def read_series(
    paths: list[Path],
    *,
    controller: str | None = None,
    side_field: str | None = None,
    date_field: str | None = None,
) -> Series:
    """Read every file into one series; raise ValidationError with every problem."""
    problems = Problems()
    if (controller is None) == (side_field is None):
        raise InputFileError("name the side: either one controller id or a side field")
    if controller is not None and not _SIDE_ID.match(controller):
        problems.error(
            "a controller id must be lower case letters, digits, '-' or '_'",
            value=controller,
            hint="e.g. 'russia'",
        )
    series = Series()
    for path in paths:
        _read_file(path, series, problems, controller, side_field, date_field)
    if not problems.errors and not series.all_days():
        problems.error("no polygon in the input", path=", ".join(display_path(p) for p in paths))
    for problem in problems.warnings:
        log.warning("%s", problem)
    problems.raise_if_errors()
    return series


def _read_file(
    path: Path,
    series: Series,
    problems: Problems,
    controller: str | None,
    side_field: str | None,
    date_field: str | None,
) -> None:
    shown = display_path(path)
    day_of_file = None
    if date_field is None:
        day_of_file = date_from_name(path)
        if day_of_file is None:
            problems.error(
                "no date in the file name",
                path=shown,
                hint="name files like areas_20240708.geojson, or give the date field",
            )
            return
    frame = read_vector(path)
    if day_of_file is not None:
        series.file_days.add(day_of_file)
    for column in (c for c in (date_field, side_field) if c):
        if column not in frame.columns:
            fields = ", ".join(c for c in frame.columns if c != "geometry") or "none"
            problems.error(f"no field {column!r}", path=shown, hint=f"fields: {fields}")
            return
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        where = {"path": f"{shown}, feature {number}"}
        geom = _polygon(row.geometry, problems, where)
        if geom is None:
            continue
        day = day_of_file or _day(getattr(row, date_field), date_field, problems, where)
        side = controller or _side(getattr(row, side_field), side_field, problems, where)
        if day is not None and side is not None:
            series.add(side, day, geom, path.name)


def read_vector(path: Path) -> gpd.GeoDataFrame:
    """Every layer of a vector file (gzip-compressed too) in EPSG:4326, one frame."""
    shown = display_path(path)
    if not path.is_file():
        raise InputFileError(f"{shown}: no such file")
    source = f"/vsigzip/{path}" if path.suffix.lower() == ".gz" else str(path)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(source)]
        frames = [gpd.read_file(source, layer=layer) for layer in layers]
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputFileError(f"{shown}: cannot read as a vector file ({exc})") from exc
    frames = [_to_wgs84(f, shown) for f in frames if len(f)]
    if not frames:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=WGS84))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)


def _to_wgs84(frame: gpd.GeoDataFrame, shown: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        log.warning("%s: no CRS given; taking longitude/latitude (EPSG:4326)", shown)
        return frame.set_crs(WGS84)
    return frame if frame.crs.equals(WGS84) else frame.to_crs(WGS84)


def _polygon(geom: BaseGeometry | None, problems: Problems, where: dict) -> BaseGeometry | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None  # points and lines (labels, arrows) are not ground
    if not geom.is_valid:
        problems.warning(
            f"invalid polygon repaired ({shapely.is_valid_reason(geom)})",
            hint="check the shape in QGIS ('Check validity')",
            **where,
        )
    fixed = on_grid(polygonal(shapely.make_valid(geom)) if not geom.is_valid else geom)
    return None if fixed.is_empty else fixed


def _day(value: object, column: str, problems: Problems, where: dict) -> pd.Timestamp | None:
    text = str(value)[:10] if value is not None else ""
    try:
        return parse_day(text, what=column)
    except ValueError as exc:
        problems.error(str(exc), column=column, value=str(value), **where)
        return None


def _side(value: object, column: str, problems: Problems, where: dict) -> str | None:
    side = slugify(str(value)) if value is not None else ""
    if not side or not side[0].isalpha():
        problems.error("the side field must name a side", column=column, value=str(value), **where)
        return None
    return side
