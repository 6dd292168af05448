"""Shapes of polygon events: the areas file and WKT geometries in the events table.

An area event's ground is a polygon: a district, half of a city, a pocket, a desert sector.
Its shape comes from the areas file (a GeoJSON FeatureCollection, EPSG:4326, features with
``id``, ``name``, ``method`` and optional ``notes``) or from the event row's own ``geometry``
(WKT). Every shape is checked the same way: a non-empty, valid Polygon or MultiPolygon in
longitude/latitude.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from mapgen import fields
from mapgen._vector import Feature, read_features
from mapgen.fields import FieldError, clean_text, polygon, wkt_polygon
from mapgen.problems import Problems, did_you_mean, display_path

CRS = "EPSG:4326"
AREA_ID = fields.AREA_ID
SHAPE_COLUMNS = ["area", "name", "method", "notes"]


def shape_problem(geom: BaseGeometry | None) -> tuple[str, str | None] | None:
    """What is wrong with a polygon event's shape (message, hint), or None if it is good
    (the rule of :func:`mapgen.fields.polygon`)."""
    try:
        polygon(geom)
    except FieldError as exc:
        return exc.message, exc.hint
    return None


def empty_shapes() -> gpd.GeoDataFrame:
    """A shapes table with no rows: index = shape key, ``SHAPE_COLUMNS``, EPSG:4326."""
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in SHAPE_COLUMNS})
    frame.index = pd.Index([], name="shape", dtype="str")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def read_areas(path: Path | str, problems: Problems) -> gpd.GeoDataFrame:
    """Read and check an areas file; the good features, indexed by their ``id``."""
    shown = display_path(path)
    names, features = read_features(path)
    if "id" not in names:
        problems.error(
            "the areas need an 'id' property",
            path=shown,
            hint=f"found properties: {', '.join(names) or 'none'}",
        )
        return empty_shapes()
    rows: dict[str, dict] = {}
    for feature in features:
        record = _area_record(feature, shown, problems, rows)
        if record is not None:
            rows[record["area"]] = record
    if not rows:
        return empty_shapes()
    table = gpd.GeoDataFrame(list(rows.values()), geometry="geometry", crs=CRS)
    return table.set_index(pd.Index(list(rows), name="shape", dtype="str"))[
        [*SHAPE_COLUMNS, "geometry"]
    ]


def _area_record(
    feature: Feature, path: str, problems: Problems, seen: dict[str, dict]
) -> dict | None:
    label = f"feature {feature.number}"
    raw = feature.properties.get("id")
    area_id = clean_text(str(raw))[0].strip() if isinstance(raw, str | int) else ""
    where = {"path": path, "column": "id", "value": area_id}
    if not AREA_ID.fullmatch(area_id):
        problems.error(
            f"{label}: an area id may hold letters, digits and _ . : - only",
            hint="e.g. 'mosul-east'",
            **where,
        )
        return None
    if area_id in seen:
        problems.error(f"{label}: a second area with the same id", **where)
        return None
    problem = shape_problem(feature.geometry)
    if problem is not None:
        problems.error(f"{label}: {problem[0]}", hint=problem[1], **where)
        return None
    return {
        "area": area_id,
        "name": _text(feature, "name") or area_id,
        "method": _text(feature, "method"),
        "notes": _text(feature, "notes"),
        "geometry": feature.geometry,
    }


def _text(feature: Feature, name: str) -> str:
    try:
        return feature.text(name)
    except FieldError:  # absent, or not text: the name falls back to the id
        return ""


def parse_wkt(text: str) -> tuple[BaseGeometry | None, str | None, str | None]:
    """A shape from WKT: (geometry, None, None) or (None, message, hint)
    (the rule of :func:`mapgen.fields.wkt_polygon`)."""
    try:
        return wkt_polygon(text), None, None
    except FieldError as exc:
        return None, exc.message, exc.hint


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
