"""A day's change of an imported polygon series, in words: what ground changed hands, how
much, and where (``Ukraine → Russia, 12 km² near Pokrovsk, Selydove``).

``mapgen import-areas`` stores each side's ground as pieces: a piece that loses ground ends
and what is left of it becomes a new piece; ground gained becomes new pieces. Told piece by
piece, a day reads "russia ground from 2025-01-16: Ukraine → Russia (×7)" and a remainder
reads as if it had changed hands. Here a day's pieces are told as what they changed: per
side, the ground its new pieces cover that its ended pieces did not (gained) and the
reverse (lost), to within :data:`SLIVER_M2`; the ground is grouped into clusters no more
than :data:`CLUSTER_M` apart, each told with its area and the places it lies near
(:mod:`mapgen.landmarks`), the largest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from mapgen.areaimport.pieces import GRID_DEG
from mapgen.controllers import Controllers
from mapgen.dataset import Dataset
from mapgen.events import ENDED
from mapgen.landmarks import Landmarks, landmarks_for

CLUSTER_M = 10_000.0  # changed ground this close together is one change
SLIVER_M2 = 100.0  # smaller parts are left out (overlay noise, not ground)
EMPTY = shapely.MultiPolygon()


@dataclass(frozen=True)
class Moved:
    """Ground that went from one side to another on a day (``""``: no side)."""

    before: str
    after: str
    ground: shapely.Geometry  # lon/lat


def piece_lines(
    pieces: pd.DataFrame, dataset: Dataset, controllers: Controllers, default: str
) -> pd.DataFrame:
    """One row per cluster of ground that changed hands on a day: ``date``, ``line``,
    ``area_km2`` (largest first within a day). ``pieces``: the change rows of imported
    pieces (with ``kind``)."""
    columns = ["date", "line", "area_km2"]
    if pieces.empty:
        return pd.DataFrame(columns=columns)
    shapes = dataset.shapes.drop_duplicates("area").set_index("area").geometry
    extent = dataset.info.extent or tuple(float(v) for v in shapes.total_bounds)
    landmarks = landmarks_for(dataset, extent)
    rows = []
    for date, day in pieces.groupby("date", sort=True):
        told = []
        for moved in day_moves(day, shapes, default):
            for km2, where in _clusters(moved.ground, landmarks):
                before = controllers.name_of(moved.before, empty="no side")
                after = controllers.name_of(moved.after, empty="no side")
                line = f"{before} → {after}"
                line += f", {format_km2(km2)}" + (f" {where}" if where else "")
                told.append((date, line, km2))
        rows += sorted(told, key=lambda r: (-r[2], r[1]))
    return pd.DataFrame(rows, columns=columns)


def day_moves(day: pd.DataFrame, shapes: gpd.GeoSeries, default: str) -> list[Moved]:
    """What the pieces started and ended on one day moved from side to side."""
    gained: dict[str, shapely.Geometry] = {}
    lost: dict[str, shapely.Geometry] = {}
    ended = day["kind"] == ENDED
    sides = sorted(set(day.loc[~ended, "to_controller"]) | set(day.loc[ended, "from_controller"]))
    for side in sides:
        new = _union(shapes, day.loc[~ended & (day["to_controller"] == side), "polygon"])
        old = _union(shapes, day.loc[ended & (day["from_controller"] == side), "polygon"])
        gained[side] = shapely.difference(new, old, grid_size=GRID_DEG)
        lost[side] = shapely.difference(old, new, grid_size=GRID_DEG)
    moves = []
    for side in sides:
        others = [s for s in sides if s != side]
        for other in others:  # ground one side lost and another gained on the day
            moves.append(
                Moved(
                    other, side, shapely.intersection(gained[side], lost[other], grid_size=GRID_DEG)
                )
            )
        taken = shapely.union_all([lost[o] for o in others], grid_size=GRID_DEG)
        given = shapely.union_all([gained[o] for o in others], grid_size=GRID_DEG)
        moves.append(
            Moved(default, side, shapely.difference(gained[side], taken, grid_size=GRID_DEG))
        )
        moves.append(
            Moved(side, default, shapely.difference(lost[side], given, grid_size=GRID_DEG))
        )
    return [m for m in moves if not m.ground.is_empty]


def _union(shapes: gpd.GeoSeries, ids: pd.Series) -> shapely.Geometry:
    geoms = shapes.reindex(ids.astype(str)).dropna().to_numpy()
    return shapely.union_all(geoms, grid_size=GRID_DEG) if len(geoms) else EMPTY


def _clusters(ground: shapely.Geometry, landmarks: Landmarks) -> list[tuple[float, str]]:
    """The ground's clusters (parts within CLUSTER_M of each other): area in km² and where
    each lies, in words (``near Pokrovsk, Lazurnyi``; clustered in the landmarks' CRS)."""
    metric = gpd.GeoSeries(shapely.get_parts(ground), crs="EPSG:4326").to_crs(landmarks.crs)
    metric = metric[metric.area >= SLIVER_M2]
    if metric.empty:
        return []
    groups = shapely.get_parts(shapely.union_all(metric.buffer(CLUSTER_M / 2).to_numpy()))
    which = shapely.STRtree(groups).query(metric.representative_point().to_numpy(), "within")
    found = [metric.to_numpy()[which[0][which[1] == g]] for g in range(len(groups))]
    found = [parts for parts in found if len(parts)]
    where = landmarks.where_each([shapely.union_all(parts) for parts in found])
    return [
        (float(shapely.area(parts).sum()) / 1e6, place)
        for parts, place in zip(found, where, strict=True)
    ]


def format_km2(km2: float) -> str:
    """An area as a note says it: ``12 km²``, ``1.4 km²``, ``0.3 km²``, ``under 0.1 km²``."""
    if km2 < 0.05:
        return "under 0.1 km²"
    if km2 < 10:
        return f"{km2:.1f} km²"
    return f"{km2:,.0f} km²"
