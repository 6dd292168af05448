"""Read an imported dataset's area events back into each side's ground, change by change.

Used to check an import against its source polygons (tests, benchmarks): it reads only the
written ``events.csv`` and ``areas.geojson``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.areaimport.pieces import EMPTY, GRID_DEG, polygonal


def ground_changes(folder: Path | str) -> dict[str, list[tuple[pd.Timestamp, BaseGeometry]]]:
    """For each side, ``(day, ground from that day)`` at every day its pieces change."""
    folder = Path(folder)
    shapes = gpd.read_file(folder / "areas.geojson").set_index("id").geometry
    with (folder / "events.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("area")]
    by_day: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for row in rows:
        ended, started = by_day.setdefault((row["controller"], row["date"]), ([], []))
        (ended if row["status"] == "ended" else started).append(row["area"])
    ground: dict[str, BaseGeometry] = {}
    out: dict[str, list[tuple[pd.Timestamp, BaseGeometry]]] = {}
    for (side, day), (ended, started) in sorted(by_day.items(), key=lambda kv: kv[0][1]):
        now = ground.get(side, EMPTY)
        if ended:
            now = polygonal(shapely.difference(now, _union(shapes, ended), grid_size=GRID_DEG))
        if started:
            now = polygonal(shapely.union(now, _union(shapes, started), grid_size=GRID_DEG))
        ground[side] = now
        out.setdefault(side, []).append((pd.Timestamp(day), now))
    return out


def ground_on(changes: list[tuple[pd.Timestamp, BaseGeometry]], day: pd.Timestamp) -> BaseGeometry:
    """The ground valid on ``day`` from :func:`ground_changes` of one side."""
    current = EMPTY
    for start, geom in changes:
        if start > day:
            break
        current = geom
    return current


def _union(shapes: gpd.GeoSeries, ids: list[str]) -> BaseGeometry:
    return shapely.union_all(shapes.loc[ids].values, grid_size=GRID_DEG)


def iou(a: BaseGeometry, b: BaseGeometry) -> float:
    """Intersection over union of two areas (1.0 when both are empty)."""
    union = shapely.union(a, b).area
    return 1.0 if union == 0 else shapely.intersection(a, b).area / union
