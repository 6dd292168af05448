"""GeoJSON (RFC 7946) writers: one file per layer, and per-day snapshots on request.

Coordinates are lon/lat (EPSG:4326) rounded to 6 decimals (about 0.1 m), polygons follow the
right-hand rule, one feature per line. Dates are ``YYYY-MM-DD`` strings and an open end is
JSON ``null``: GDAL then types the column as Date, which QGIS's Temporal Controller accepts.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from mapgen._io import write_text_atomic
from mapgen.export.layers import Layer

log = logging.getLogger(__name__)
COORDINATE_DECIMALS = 6
DAILY_LAYERS = ("areas", "frontlines", "places")
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.geojson$")


def write_geojson(layer: Layer, path: Path | str) -> Path:
    """Write one layer as a GeoJSON FeatureCollection named after the layer."""
    header = {"type": "FeatureCollection", "name": layer.name}
    return write_text_atomic(path, _collection_text(header, feature_lines(layer.frame)))


def write_frame(frame: gpd.GeoDataFrame, path: Path | str, *, name: str) -> Path:
    """Write a GeoDataFrame (EPSG:4326) as a FeatureCollection called ``name``, atomically."""
    header = {"type": "FeatureCollection", "name": name}
    return write_text_atomic(path, _collection_text(header, feature_lines(frame)))


def feature_lines(frame: gpd.GeoDataFrame, extra: dict[str, str] | None = None) -> list[str]:
    """Each feature of ``frame`` as one line of compact JSON, ``extra`` properties first."""
    geometries = _rfc7946_geometries(frame.geometry.values)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    records = frame[columns].to_dict("records")
    lines = []
    for record, geometry in zip(records, geometries, strict=True):
        properties = dict(extra or {})
        properties.update({k: _json_value(v) for k, v in record.items()})
        feature = {"type": "Feature", "properties": properties, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return lines


def write_daily(layers: list[Layer], periods: pd.DataFrame, folder: Path | str) -> list[Path]:
    """Write ``folder/YYYY-MM-DD.geojson`` for every day of ``periods``.

    A day's file holds the areas, frontlines and places valid on it, each feature with a
    ``layer`` property; the collection has a ``date`` member. The features of a period are
    serialised once and shared by its days. Day files of an earlier build that fall outside
    the range are removed, so the folder holds exactly the range.
    """
    folder = Path(folder)
    written: list[Path] = []
    for day, features in _daily_features(layers, periods):
        header = {"type": "FeatureCollection", "name": f"mapgen {day}", "date": day}
        written.append(
            write_text_atomic(folder / f"{day}.geojson", _collection_text(header, features))
        )
    keep = {p.name for p in written}
    for stale in sorted(folder.iterdir()):
        if _DAY_FILE.match(stale.name) and stale.name not in keep:
            log.info("removing %s: outside the range", stale)
            stale.unlink()
    return written


def _daily_features(layers: list[Layer], periods: pd.DataFrame) -> Iterator[tuple[str, list[str]]]:
    chosen = [layer for layer in layers if layer.name in DAILY_LAYERS]
    for start, end in zip(periods["valid_from"], periods["valid_to"], strict=True):
        features: list[str] = []
        for layer in chosen:
            frame = layer.frame
            valid = (frame[layer.start_field] <= start) & (
                frame[layer.end_field].isna() | (frame[layer.end_field] > start)
            )
            features += feature_lines(frame[valid], {"layer": layer.name})
        for day in pd.date_range(start, end - pd.Timedelta(days=1), freq="D"):
            yield f"{day:%Y-%m-%d}", features


def _collection_text(header: dict[str, str], lines: list[str]) -> str:
    opening = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    if not lines:
        return opening + ',"features":[]}\n'
    return opening + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _rfc7946_geometries(values: np.ndarray) -> list[dict | None]:
    """Geometries as GeoJSON dicts: counter-clockwise shells, rounded coordinates."""
    geoms = shapely.orient_polygons(np.asarray(values, dtype=object), exterior_cw=False)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return [None if g is None else _geometry_dict(g) for g in geoms]


def _geometry_dict(geom: BaseGeometry) -> dict:
    """``mapping(geom)`` with lists for tuples and Python floats, read ring by ring from
    the coordinate arrays (far faster than point by point for large polygons)."""
    kind = geom.geom_type
    if geom.is_empty or geom.has_z or kind not in _PARTS:
        return _plain(mapping(geom))
    if kind == "Point":
        return {"type": kind, "coordinates": _xy(geom)[0]}
    parts = _PARTS[kind]
    return {"type": kind, "coordinates": parts(geom)}


def _xy(geom: BaseGeometry) -> list[list[float]]:
    return shapely.get_coordinates(geom).tolist()


def _rings(polygon: BaseGeometry) -> list[list[list[float]]]:
    return [_xy(polygon.exterior), *(_xy(ring) for ring in polygon.interiors)]


_PARTS = {
    "Point": _xy,
    "LineString": _xy,
    "Polygon": _rings,
    "MultiLineString": lambda geom: [_xy(line) for line in geom.geoms],
    "MultiPolygon": lambda geom: [_rings(polygon) for polygon in geom.geoms],
}


def _plain(value: object) -> object:
    """Tuples to lists and numpy floats to Python floats, so that JSON is stable."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.floating):
        return float(value)
    return value


def _json_value(value: object) -> object:
    """A property value: dates as YYYY-MM-DD, missing values as null, numpy as Python."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value
