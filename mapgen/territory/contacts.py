"""Where cells meet: contact pieces between the cells of a day, cached per pair of shapes.

A frontline is made of contact pieces between the ground of two hostile sides. Pieces are
computed for each pair of cell geometries once and reused on every day both cells exist, so
a day on which a few cells change costs only their pairs. Each piece knows whether it lies on
an international border, and whether it lies near the land's edge (the coast, the study
area's outer border): there a contact with the default controller's ground is the gap
between two drawings of the coast, not a front (see ``EDGE_TOLERANCE_M``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.territory.geometry import GRID_SIZE_M, split_on

BORDER_TOLERANCE_M = 5.0
#: Where a polygon archive's coast or border runs inside the base layers' (DeepState's lies
#: up to ~2 km inside Natural Earth's), the strip between is the default controller's, and
#: its edge against the polygon is no front. A contact piece within this distance of the
#: land's edge, beside a cell that is on average thinner than this there (measured in a band
#: twice as wide), is such a strip; a thin polygon along a border (ground taken just across
#: it) keeps its front, the ground beside it being wide.
EDGE_TOLERANCE_M = 2000.0


@dataclass
class Contacts:
    """Contact pieces between registered geometries (``gid`` numbers).

    ``pieces`` holds every piece ever found (LineStrings, metric), ``on_border`` whether it
    lies on a border, ``thin`` the gids of the cells beside it (up to two, else -1) that
    are strips along ``edge`` (the land's edge, given when a default controller holds the
    rest) thinner than ``EDGE_TOLERANCE_M``, ``km`` its length.
    """

    borders: BaseGeometry
    edge: BaseGeometry = field(default_factory=shapely.MultiLineString)
    pieces: list[BaseGeometry] = field(default_factory=list)
    on_border: list[bool] = field(default_factory=list)
    thin: list[tuple[int, int]] = field(default_factory=list)
    km: list[float] = field(default_factory=list)
    _pairs: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    # the cells of the last call (gids, sorted) and the pairs of them touching (gids)
    _last: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _last_pairs: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    )
    _flags: tuple[np.ndarray, np.ndarray] | None = None  # on_border and thin as arrays

    def __post_init__(self) -> None:
        self._zone = (
            shapely.buffer(self.borders, BORDER_TOLERANCE_M)
            if not self.borders.is_empty
            else shapely.Polygon()
        )
        self._edge_zone = (
            shapely.buffer(self.edge, EDGE_TOLERANCE_M)
            if not self.edge.is_empty
            else shapely.Polygon()
        )

    def flags(self) -> tuple[np.ndarray, np.ndarray]:
        """``on_border`` (bool ``[pieces]``) and ``thin`` (``[pieces, 2]``) as arrays,
        converted once for as long as no piece is added."""
        if self._flags is None or len(self._flags[0]) != len(self.pieces):
            self._flags = (
                np.array(self.on_border, dtype=bool),
                np.array(self.thin, dtype=np.int64).reshape(-1, 2),
            )
        return self._flags

    def between(self, gids: np.ndarray, geoms: list[BaseGeometry]) -> tuple[np.ndarray, ...]:
        """Contacts among the cells ``gids`` (geometries in ``geoms`` by gid): arrays
        ``(i, j, piece)`` with ``i``/``j`` positions in ``gids`` and ``piece`` ids."""
        cells = np.array([geoms[g] for g in gids], dtype=object)
        a, b = self._touching_pairs(gids, cells)
        lo, hi = np.minimum(gids[a], gids[b]).tolist(), np.maximum(gids[a], gids[b]).tolist()
        keys = list(zip(lo, hi, strict=True))
        new = [k for k, key in enumerate(keys) if key not in self._pairs]
        if new:
            self._compute([(int(a[k]), int(b[k])) for k in new], gids, cells)
        found = [self._pairs[key] for key in keys]
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        return np.repeat(a, counts), np.repeat(b, counts), np.concatenate(found)

    def _touching_pairs(self, gids: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, ...]:
        """Positions ``(a, b)``, ``a < b``, of the cells that intersect: pairs of cells that
        were both there last time as found then, only the new cells queried."""
        if len(np.unique(gids)) != len(gids):  # a geometry twice: no reuse
            self._last = np.zeros(0, dtype=np.int64)
            self._last_pairs = (self._last, self._last)
        size = int(max(gids.max(initial=-1), self._last.max(initial=-1))) + 1
        position = np.full(size, -1, dtype=np.int64)
        position[gids] = np.arange(len(gids))
        fresh = np.flatnonzero(~np.isin(gids, self._last))
        a, b = position[self._last_pairs[0]], position[self._last_pairs[1]]
        kept = (a >= 0) & (b >= 0)
        first, second = [a[kept]], [b[kept]]
        if len(fresh):
            hit_a, hit_b = shapely.STRtree(cells).query(cells[fresh], predicate="intersects")
            x, y = fresh[hit_a], hit_b
            first.append(np.minimum(x, y))
            second.append(np.maximum(x, y))
        n = len(gids)
        code = np.unique(np.concatenate(first).astype(np.int64) * n + np.concatenate(second))
        found = np.stack([code // n, code % n], axis=1)  # sorted by (a, b), once each
        found = found[found[:, 0] != found[:, 1]]
        self._last = np.unique(gids)
        self._last_pairs = (gids[found[:, 0]], gids[found[:, 1]])
        return found[:, 0], found[:, 1]

    def _compute(self, pairs: list[tuple[int, int]], gids: np.ndarray, cells: np.ndarray) -> None:
        x = np.array([p[0] for p in pairs])
        y = np.array([p[1] for p in pairs])
        # the cells sit on one 0.5 m grid (the overlay snaps them), so their shared edges
        # have the same vertices and plain intersection finds them
        lines = shapely.intersection(
            shapely.boundary(cells[x]), shapely.boundary(cells[y]), grid_size=GRID_SIZE_M
        )
        owner, pieces, inside = split_on(lines, self._zone)
        which, pieces, near = split_on(pieces, self._edge_zone)
        owner, inside = owner[which], inside[which]
        thin = np.full((len(pieces), 2), -1, dtype=np.int64)
        if near.any():
            k = np.flatnonzero(near)
            pair = owner[k]
            thin[k] = _thin_sides(
                pieces[k], cells[x[pair]], cells[y[pair]], gids[x[pair]], gids[y[pair]]
            )
        found: dict[int, list[int]] = {k: [] for k in range(len(pairs))}
        for o, piece, flag, sides in zip(owner, pieces, inside, thin.tolist(), strict=True):
            found[int(o)].append(len(self.pieces))
            self.pieces.append(piece)
            self.on_border.append(bool(flag))
            self.thin.append((sides[0], sides[1]))
            self.km.append(float(shapely.length(piece)) / 1000.0)
        for k, (p, q) in enumerate(pairs):
            self._pairs[_key(gids, p, q)] = np.array(found[k], dtype=np.int64)


def _thin_sides(
    pieces: np.ndarray, a: np.ndarray, b: np.ndarray, gid_a: np.ndarray, gid_b: np.ndarray
) -> np.ndarray:
    """For each piece (between cells ``a`` and ``b``), the gids of the cells beside it that
    are on average thinner than ``EDGE_TOLERANCE_M`` there, -1 for a wider one: ``[n, 2]``."""
    reach = 2 * EDGE_TOLERANCE_M
    band = shapely.buffer(pieces, reach, cap_style="flat")
    full = np.maximum(shapely.length(pieces) * reach, 1.0)  # one side of the band
    share_a = shapely.area(shapely.intersection(band, a)) / full
    share_b = shapely.area(shapely.intersection(band, b)) / full
    return np.stack([np.where(share_a < 0.5, gid_a, -1), np.where(share_b < 0.5, gid_b, -1)], 1)


def _key(gids: np.ndarray, x: int, y: int) -> tuple[int, int]:
    a, b = int(gids[x]), int(gids[y])
    return (a, b) if a < b else (b, a)
