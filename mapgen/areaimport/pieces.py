"""A side's ground over time as a partition into stable pieces.

Each day's polygon is compared with the ground the pieces already cover:

- ground gained becomes new pieces (cut on a fixed grid of tiles, so that a later loss
  touches only the tiles it falls in);
- a piece that loses ground is ended, and what is left of it becomes a new piece;
- pieces that do not change are kept as they are, however many days pass.

So the number of pieces stored grows with the changes, not with the days. Changes smaller
than ``min_change`` (a share of the first day's area) are left out, which keeps redrawing
noise from ending pieces; every day's union of pieces still reproduces the day's polygon
to within that. All work is done on a fixed precision grid (``GRID_DEG``), and only the
polygonal parts of each overlay are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from mapgen.validity import valid_at

#: Precision grid of every coordinate (degrees; 1e-6° is about 0.1 m).
GRID_DEG = 1e-6
EMPTY = MultiPolygon()
REMAINDER = "remainder of "  # how the origin of what is left of an ended piece begins


@dataclass
class Piece:
    """A stable part of a side's ground: held from ``start`` until ``end`` (exclusive)."""

    id: str
    geometry: BaseGeometry
    start: pd.Timestamp
    end: pd.Timestamp | None = None
    origin: str = ""  # why it was made: first day, gained, remainder of another piece


@dataclass
class Partition:
    """The pieces of one side over a series of days, and what was seen on the way."""

    side: str
    pieces: list[Piece] = field(default_factory=list)
    days: list[pd.Timestamp] = field(default_factory=list)  # days the series has
    change_days: list[pd.Timestamp] = field(default_factory=list)

    def active_on(self, day: pd.Timestamp) -> list[Piece]:
        """The pieces valid on ``day``."""
        return [p for p in self.pieces if valid_at(p.start, p.end, day)]

    def ground_on(self, day: pd.Timestamp) -> BaseGeometry:
        """The side's ground on ``day``: the union of its pieces."""
        return shapely.union_all([p.geometry for p in self.active_on(day)], grid_size=GRID_DEG)


def polygonal(geom: BaseGeometry | None) -> BaseGeometry:
    """The polygonal parts of any geometry, as a (Multi)Polygon (empty if none)."""
    if geom is None or geom.is_empty:
        return EMPTY
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            parts.append(part)
        elif part.geom_type == "GeometryCollection":
            parts += [p for p in shapely.get_parts(polygonal(part)) if not p.is_empty]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return EMPTY
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def on_grid(geom: BaseGeometry) -> BaseGeometry:
    """A valid polygonal geometry snapped to the precision grid."""
    return polygonal(shapely.set_precision(shapely.make_valid(geom), GRID_DEG))


def _overlay(op: str, a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    if a.is_empty:
        return EMPTY if op != "union" else polygonal(b)
    if b.is_empty:
        return polygonal(a) if op != "intersection" else EMPTY
    return polygonal(getattr(shapely, op)(a, b, grid_size=GRID_DEG))


def deg2_per_m2(lat: float) -> float:
    """Square degrees per square metre at a latitude (for area thresholds)."""
    metres_per_deg = 111_320.0
    return 1.0 / (metres_per_deg**2 * max(math.cos(math.radians(lat)), 0.01))


class PartitionBuilder:
    """Feeds days in order into a :class:`Partition`."""

    def __init__(
        self,
        side: str,
        *,
        tile_deg: float = 0.25,
        min_change: float = 1e-7,
        min_area_m2: float = 1.0,
    ) -> None:
        self.partition = Partition(side)
        self.tile_deg = tile_deg
        self.min_change = min_change
        self.min_area_m2 = min_area_m2
        self._tolerance: float | None = None  # deg², set on the first day with ground
        self._active: dict[str, Piece] = {}
        self._ground: BaseGeometry = EMPTY  # the union of the active pieces
        self._previous: BaseGeometry = EMPTY  # the source polygon of the day before
        self._pending: BaseGeometry = EMPTY  # boxes around differences left out so far
        self._count = 0

    def add_day(self, day: pd.Timestamp, geometry: BaseGeometry) -> bool:
        """Take the side's polygon on ``day`` (after the previous day given); True if the
        pieces changed."""
        part = self.partition
        if part.days and day <= part.days[-1]:
            raise ValueError(f"days must be given in order: {day:%Y-%m-%d} after {part.days[-1]}")
        part.days.append(day)
        target = on_grid(geometry)
        if self._tolerance is None and not target.is_empty:
            lat = target.centroid.y
            floor = self.min_area_m2 * deg2_per_m2(lat)
            self._tolerance = max(target.area * self.min_change, floor)
        tol = self._tolerance or 0.0
        # Where the source changed since the day before, and where earlier changes too
        # small to store left the pieces apart from the source.
        window = changed_window(self._previous, target)
        self._previous = target
        if window is None and self._pending.is_empty:
            return False
        window = _overlay("union", window or EMPTY, self._pending)
        near_ground = _overlay("intersection", self._ground, window)
        near_target = _overlay("intersection", target, window)
        lost_all = _parts(_overlay("difference", near_ground, target))
        gained_all = _parts(_overlay("difference", near_target, self._ground))
        lost = [g for g in lost_all if g.area > tol]
        gained = [g for g in gained_all if g.area > tol]
        small = [g for g in lost_all + gained_all if g.area <= tol]
        self._pending = shapely.union_all(shapely.envelope(small)) if small else EMPTY
        if not lost and not gained:
            return False
        ended = self._end_losers(day, lost, target, tol) if lost else []
        for geom in self._tiles(gained):
            self._new(
                geom, day, "ground gained" if len(part.days) > 1 else "ground on the first day"
            )
        self._ground = _overlay(
            "union",
            _overlay("difference", self._ground, shapely.union_all([p.geometry for p in ended])),
            shapely.union_all(
                [p.geometry for p in self._active.values() if p.start == day], grid_size=GRID_DEG
            ),
        )
        part.change_days.append(day)
        return True

    def _end_losers(
        self, day: pd.Timestamp, lost: list[BaseGeometry], target: BaseGeometry, tol: float
    ) -> list[Piece]:
        ids = list(self._active)
        tree = shapely.STRtree([self._active[i].geometry for i in ids])
        loss = shapely.union_all(lost, grid_size=GRID_DEG)
        ended = []
        for k in sorted(set(tree.query(loss, predicate="intersects").tolist())):
            piece = self._active[ids[k]]
            if _overlay("intersection", piece.geometry, loss).area <= tol:
                continue
            piece.end = day
            del self._active[piece.id]
            ended.append(piece)
            remainder = _overlay("intersection", piece.geometry, target)
            for geom in _parts(remainder):
                if geom.area > tol:
                    self._new(geom, day, f"{REMAINDER}{piece.id}")
        return ended

    def _tiles(self, geoms: list[BaseGeometry]) -> list[BaseGeometry]:
        """Each geometry cut on the tile grid, one polygon per part per tile."""
        out: list[BaseGeometry] = []
        size = self.tile_deg
        for geom in geoms:
            x0, y0, x1, y1 = geom.bounds
            cols = range(math.floor(x0 / size), math.floor(x1 / size) + 1)
            rows = range(math.floor(y0 / size), math.floor(y1 / size) + 1)
            if len(cols) * len(rows) == 1:
                out.append(geom)
                continue
            cells = [
                shapely.box(c * size, r * size, (c + 1) * size, (r + 1) * size)
                for c in cols
                for r in rows
            ]
            cut = shapely.intersection(geom, np.array(cells, dtype=object), grid_size=GRID_DEG)
            out += [g for piece in cut for g in _parts(polygonal(piece))]
        return out

    def _new(self, geom: BaseGeometry, day: pd.Timestamp, origin: str) -> None:
        tol = self._tolerance or 0.0
        if geom.area <= tol:
            return
        self._count += 1
        piece = Piece(f"{self.partition.side}-{self._count:05d}", geom, day, None, origin)
        self._active[piece.id] = piece
        self.partition.pieces.append(piece)


def changed_window(before: BaseGeometry, after: BaseGeometry) -> BaseGeometry | None:
    """Boxes that hold every place where two polygonal geometries on the precision grid
    differ, or None if their edges are the same.

    Every region of their symmetric difference is bounded by a closed loop of edges that
    only one of them has, so the boxes around the connected groups of such edges hold it.
    Comparing edges is far cheaper than overlaying two large polygons.
    """
    changed = _edges(before) ^ _edges(after)
    if not changed:
        return None
    ends = np.array(sorted(changed), dtype=np.int64).reshape(-1, 2, 2) * GRID_DEG
    boxes = shapely.box(
        ends[:, :, 0].min(axis=1) - GRID_DEG,
        ends[:, :, 1].min(axis=1) - GRID_DEG,
        ends[:, :, 0].max(axis=1) + GRID_DEG,
        ends[:, :, 1].max(axis=1) + GRID_DEG,
    )
    count = -1
    while len(boxes) != count:  # merge touching boxes until every group has one box
        count = len(boxes)
        boxes = shapely.envelope(shapely.get_parts(shapely.union_all(boxes)))
    return shapely.union_all(boxes)


def _edges(geom: BaseGeometry) -> set[tuple[int, int, int, int]]:
    """The edges of a polygonal geometry as grid-integer tuples, direction ignored."""
    out: set[tuple[int, int, int, int]] = set()
    if geom.is_empty:
        return out
    for ring in shapely.get_rings(shapely.get_parts(geom)):
        xy = np.round(shapely.get_coordinates(ring) / GRID_DEG).astype(np.int64)
        pairs = np.hstack([xy[:-1], xy[1:]])
        flip = (pairs[:, 0] > pairs[:, 2]) | (
            (pairs[:, 0] == pairs[:, 2]) & (pairs[:, 1] > pairs[:, 3])
        )
        pairs[flip] = pairs[flip][:, [2, 3, 0, 1]]
        out.update(map(tuple, pairs.tolist()))
    return out


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    return [g for g in shapely.get_parts(geom) if not g.is_empty]
