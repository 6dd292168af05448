"""``cost``: each cell of ground goes to the place that reaches it first.

A friction grid in the setting's metric CRS: 1 in river valleys, ``desert_friction`` in the
desert, a crossing penalty on river cells so that a river works as a line, nothing outside
the study area or on lakes. A multi-source Dijkstra (scipy) gives every cell its nearest
place by travel cost; cells beyond the place's reach stay unassigned unless the desert goes
to the nearest place. The allocation is vectorised back to polygons with
``rasterio.features.shapes`` and smoothed with a topology-preserving coverage
simplification, so neighbouring cells still share their edges exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio import features
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from mapgen.territory.options import Setting
from mapgen.territory.voronoi import tessellate

_STEPS = ((0, 1), (1, 0), (1, 1), (1, -1))  # east, south, south-east, south-west


@dataclass(frozen=True)
class Grid:
    """The friction grid and its graph (built once per setting)."""

    transform: Affine
    shape: tuple[int, int]
    passable: np.ndarray  # bool
    river: np.ndarray  # bool
    graph: sparse.csr_matrix

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """Flat cell index of each (x, y); -1 outside the grid."""
        cols, rows = ~self.transform @ (xy[:, 0], xy[:, 1])
        rows, cols = np.floor(rows).astype(int), np.floor(cols).astype(int)
        inside = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        return np.where(inside, rows * self.shape[1] + cols, -1)


def grid_for(setting: Setting) -> Grid:
    """The setting's grid, built on first use and kept in ``setting.cache``."""
    if "grid" not in setting.cache:
        setting.cache["grid"] = _build_grid(setting)
    return setting.cache["grid"]


def _build_grid(setting: Setting) -> Grid:
    opts = setting.options
    res = opts.resolution_m
    x0, y0, x1, y1 = setting.area.bounds
    shape = (int(np.ceil((y1 - y0) / res)), int(np.ceil((x1 - x0) / res)))
    transform = Affine(res, 0, x0, 0, -res, y1)
    passable = features.rasterize(
        [(setting.area, 1)], out_shape=shape, transform=transform, all_touched=True
    ).astype(bool)
    river = np.zeros(shape, dtype=bool)
    if not setting.rivers.is_empty:
        river = features.rasterize(
            [(setting.rivers, 1)], out_shape=shape, transform=transform
        ).astype(bool)
    valley_cells = round(opts.valley_km * 1000 / res)
    valley = (
        ndimage.binary_dilation(river, iterations=max(valley_cells, 1)) if river.any() else river
    )
    friction = np.where(valley, 1.0, opts.desert_friction)
    friction = np.where(river, 1.0 + opts.crossing_penalty_km * 1000 / res, friction)
    graph = _graph(friction, passable, river, res)
    return Grid(transform, shape, passable, river & passable, graph)


def _graph(
    friction: np.ndarray, passable: np.ndarray, river: np.ndarray, res: float
) -> sparse.csr_matrix:
    """Eight-neighbour graph: an edge costs its length times the mean friction of its ends.

    The river raster is a thin, eight-connected line, so a diagonal step between two cells
    whose two shared neighbours are both river cells would slip through it: such steps
    are left out.
    """
    rows, cols = friction.shape
    index = np.arange(rows * cols).reshape(rows, cols)
    heads, tails, weights = [], [], []
    for dr, dc in _STEPS:
        r0, r1 = 0, rows - dr
        c0, c1 = max(0, -dc), cols - max(0, dc)
        a = (slice(r0, r1), slice(c0, c1))
        b = (slice(r0 + dr, r1 + dr), slice(c0 + dc, c1 + dc))
        ok = passable[a] & passable[b]
        if dr and dc:
            corner_a = (slice(r0, r1), slice(c0 + dc, c1 + dc))
            corner_b = (slice(r0 + dr, r1 + dr), slice(c0, c1))
            ok &= ~(river[corner_a] & river[corner_b])
        step = res * (np.sqrt(2.0) if dr and dc else 1.0)
        w = step * (friction[a] + friction[b]) / 2.0
        heads += [index[a][ok], index[b][ok]]
        tails += [index[b][ok], index[a][ok]]
        weights += [w[ok], w[ok]]
    n = rows * cols
    return sparse.csr_matrix(
        (np.concatenate(weights), (np.concatenate(heads), np.concatenate(tails))), shape=(n, n)
    )


def catchments(points: gpd.GeoSeries, population: np.ndarray, setting: Setting) -> np.ndarray:
    """One polygon per point: the ground its place reaches before any other place.

    Places that start from the same grid cell share its catchment by a Voronoi split, so
    every place keeps a cell however dense the places are.
    """
    grid = grid_for(setting)
    cells = _source_cells(points, grid)
    sources, group = np.unique(cells, return_inverse=True)
    reach = np.zeros(len(sources))
    np.maximum.at(reach, group, setting.options.reach_m(population))
    nearest = setting.options.desert == "nearest"
    limit = np.inf if nearest else float(reach.max())
    dist, _, origin = csgraph.dijkstra(
        grid.graph, indices=sources, min_only=True, limit=limit, return_predecessors=True
    )
    group_of_node = np.full(grid.shape[0] * grid.shape[1], -1)
    group_of_node[sources] = np.arange(len(sources))
    label = np.where(origin >= 0, group_of_node[np.maximum(origin, 0)], -1)
    label[~np.isfinite(dist)] = -1
    if not nearest:
        label[(label >= 0) & (dist > reach[np.maximum(label, 0)])] = -1
    label[~grid.passable.ravel()] = -1
    shared = _vectorise(label.reshape(grid.shape), len(sources), grid, setting)
    return _split_shared(shared, group, points.values)


def _split_shared(shared: np.ndarray, group: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Each place's part of its start cell's catchment (the whole of it if alone there)."""
    cells = shared[group].copy()
    for g in np.flatnonzero(np.bincount(group) > 1):
        if shared[g].is_empty:
            continue
        members = np.flatnonzero(group == g)
        # a place standing in the river starts from the bank: pull its point into the cell
        inside = shapely.shortest_line(points[members], shared[g])
        starts = shapely.get_point(inside, -1)
        cells[members] = tessellate(starts, shared[g])
    return cells


def _source_cells(points: gpd.GeoSeries, grid: Grid) -> np.ndarray:
    """The start cell of each point: its own cell, or the nearest passable non-river cell.

    A town on the river bank starts on land, so the river still separates it from the
    other bank. The river cells are those the river line is burnt into (one cell wide).
    """
    xy = shapely.get_coordinates(points.values)
    good = (grid.passable & ~grid.river).ravel()
    cells = grid.cell_of(xy)
    moved = np.flatnonzero((cells < 0) | ~good[np.maximum(cells, 0)])
    if len(moved):
        candidates = np.flatnonzero(good)
        rows, cols = np.divmod(candidates, grid.shape[1])
        centres = np.column_stack(grid.transform @ (cols + 0.5, rows + 0.5))
        _, nearest = cKDTree(centres).query(xy[moved])
        cells[moved] = candidates[nearest]
    return cells


def _vectorise(label: np.ndarray, n: int, grid: Grid, setting: Setting) -> np.ndarray:
    parts: dict[int, list] = {}
    for geom, value in features.shapes(
        label.astype(np.int32), mask=label >= 0, transform=grid.transform, connectivity=4
    ):
        parts.setdefault(int(value), []).append(shapely.geometry.shape(geom))
    cells = np.full(n, shapely.Polygon(), dtype=object)
    for value, polys in parts.items():
        cells[value] = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
    present = np.flatnonzero(~shapely.is_empty(cells))
    tolerance = setting.options.resolution_m * 1.5
    cells[present] = shapely.coverage_simplify(cells[present], tolerance)
    shapely.prepare(setting.area)
    return shapely.make_valid(shapely.intersection(cells, setting.area))
