"""Shapes of polygon events: the areas file and WKT geometries in the events table.

An area event's ground is a polygon: a district, half of a city, a pocket, a desert sector.
Its shape comes from the areas file (a GeoJSON FeatureCollection, EPSG:4326, features with
``id``, ``name``, ``method`` and optional ``notes``) or from the event row's own ``geometry``
(WKT). Every shape is checked the same way: a non-empty, valid Polygon or MultiPolygon in
longitude/latitude.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.errors import InputFileError
from mapgen.problems import Problems, did_you_mean, display_path

CRS = "EPSG:4326"
AREA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
SHAPE_COLUMNS = ["area", "name", "method", "notes"]
FIX_HINT = "repair it, e.g. with QGIS 'Fix geometries' or shapely.make_valid, then save again"


def shape_problem(geom: BaseGeometry | None) -> tuple[str, str | None] | None:
    """What is wrong with a polygon event's shape (message, hint), or None if it is good."""
    if geom is None or geom.is_empty:
        return "needs a Polygon or MultiPolygon, not an empty geometry", None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"needs a Polygon or MultiPolygon, not {geom.geom_type}", None
    x0, y0, x1, y1 = geom.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        return (
            f"coordinates outside longitude/latitude ({x0:g}, {y0:g}, {x1:g}, {y1:g})",
            "write longitude first, then latitude, in degrees (EPSG:4326)",
        )
    if not geom.is_valid:
        return f"invalid polygon ({shapely.is_valid_reason(geom)})", FIX_HINT
    return None


def empty_shapes() -> gpd.GeoDataFrame:
    """A shapes table with no rows: index = shape key, ``SHAPE_COLUMNS``, EPSG:4326."""
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in SHAPE_COLUMNS})
    frame.index = pd.Index([], name="shape", dtype="str")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def read_areas(path: Path | str, problems: Problems) -> gpd.GeoDataFrame:
    """Read and check an areas file; the good features, indexed by their ``id``."""
    shown = display_path(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        if not Path(path).exists():
            raise InputFileError(f"{shown}: no such file") from exc
        raise InputFileError(f"{shown}: cannot read as a vector file ({exc})") from exc
    if "id" not in frame.columns:
        problems.error(
            "the areas need an 'id' property",
            path=shown,
            hint=f"found properties: {', '.join(c for c in frame.columns if c != 'geometry')}",
        )
        return empty_shapes()
    if frame.crs is not None and not frame.crs.equals(CRS):
        frame = frame.to_crs(CRS)
    rows: dict[str, dict] = {}
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        record = _area_record(row, number, shown, problems, rows)
        if record is not None:
            rows[record["area"]] = record
    if not rows:
        return empty_shapes()
    table = gpd.GeoDataFrame(list(rows.values()), geometry="geometry", crs=CRS)
    return table.set_index(pd.Index(list(rows), name="shape", dtype="str"))[
        [*SHAPE_COLUMNS, "geometry"]
    ]


def _area_record(
    row: object, number: int, path: str, problems: Problems, seen: dict[str, dict]
) -> dict | None:
    raw = row.id  # type: ignore[attr-defined]
    area_id = "" if pd.isna(raw) else str(raw).strip()
    where = {"path": path, "column": "id", "value": area_id}
    feature = f"feature {number}"
    if not AREA_ID.match(area_id):
        problems.error(
            f"{feature}: an area id may hold letters, digits and _ . : - only",
            hint="e.g. 'mosul-east'",
            **where,
        )
        return None
    if area_id in seen:
        problems.error(f"{feature}: a second area with the same id", **where)
        return None
    problem = shape_problem(row.geometry)
    if problem is not None:
        problems.error(f"{feature}: {problem[0]}", hint=problem[1], **where)
        return None
    return {
        "area": area_id,
        "name": _text(row, "name") or area_id,
        "method": _text(row, "method"),
        "notes": _text(row, "notes"),
        "geometry": row.geometry,
    }


def _text(row: object, name: str) -> str:
    value = getattr(row, name, "")
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def parse_wkt(text: str) -> tuple[BaseGeometry | None, str | None, str | None]:
    """A shape from WKT: (geometry, None, None) or (None, message, hint)."""
    try:
        geom = shapely.from_wkt(text)
    except shapely.errors.ShapelyError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "unreadable"
        return None, f"not valid WKT ({reason})", "e.g. POLYGON ((40.1 35.3, 40.2 35.3, ...))"
    problem = shape_problem(geom)
    if problem is not None:
        return None, problem[0], problem[1]
    return geom, None, None


def resolve_shapes(
    events: pd.DataFrame, areas: gpd.GeoDataFrame, problems: Problems, path: str
) -> tuple[pd.Series, gpd.GeoDataFrame]:
    """The shape key of every event (``""`` for place events) and the table of all shapes.

    An area event's shape is its own WKT geometry, else the shape its area had on the
    previous event, else the areas file's feature with its id. WKT shapes are keyed by the
    event id.
    """
    keys = pd.Series("", index=events.index, dtype="str")
    wkt_rows: dict[str, dict] = {}
    area_events = events[events["area"] != ""].sort_values(["area", "start", "line"])
    current: dict[str, str] = {}
    for index, row in area_events.iterrows():
        if row["geometry"] is not None:
            key = str(row["event_id"])
            wkt_rows[key] = {
                "area": row["area"],
                "name": row["area"],
                "method": f"WKT geometry in the events table, line {row['line']}",
                "notes": "",
                "geometry": row["geometry"],
            }
        elif row["area"] in current:
            key = current[row["area"]]
        elif row["area"] in areas.index:
            key = str(row["area"])
        else:
            problems.error(
                "unknown area",
                path=path,
                line=int(row["line"]),
                column="area",
                value=row["area"],
                hint=_area_hint(row["area"], areas),
            )
            continue
        current[row["area"]] = key
        keys[index] = key
    if not wkt_rows:
        return keys, areas
    extra = gpd.GeoDataFrame(list(wkt_rows.values()), geometry="geometry", crs=CRS)
    extra.index = pd.Index(list(wkt_rows), name="shape", dtype="str")
    combined = pd.concat([areas, extra[[*SHAPE_COLUMNS, "geometry"]]])
    return keys, gpd.GeoDataFrame(combined, geometry="geometry", crs=CRS)


def _area_hint(area: str, areas: gpd.GeoDataFrame) -> str:
    suggestion = did_you_mean(area, list(areas.index))
    base = "add it to the areas file, or give the row a WKT geometry"
    return f"{suggestion} {base}" if suggestion else base
