"""``cost``: ground goes to whoever reaches it first by travel cost.

A friction grid in the setting's metric CRS: 1 in river valleys, ``desert_friction`` in the
desert, a crossing penalty on river cells so that a river works as a line, nothing on lakes.
Each country of the study area has a graph of its own (cells touching its land), so ground
is never allocated across a border. In each country:

1. *held*: a multi-source Dijkstra (scipy) from the places held there gives every cell its
   nearest place by travel cost; cells within that place's reach are its held ground;
2. *zone* (with ``desert="zone"``): a second Dijkstra from the held ground, and from areas
   (polygon events) where they border ground nobody reaches, gives every other cell to the
   nearest held ground, as the zone of the unit holding it, unless its holder may not hold
   ground in that country (``controllers.csv`` ``countries``) or the cell is farther than
   ``zone_max_km``.

The labels are vectorised with ``rasterio.features.shapes``, smoothed with a coverage
simplification that keeps neighbours' shared edges, and cut to the country's land, so cells
of two countries meet exactly on the border.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from affine import Affine
from rasterio import features
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from mapgen.territory.allocation import Allocation, Sources, group_polygons
from mapgen.territory.geometry import GRID_SIZE_M, polygonal, snapped
from mapgen.territory.options import Setting
from mapgen.territory.voronoi import tessellate

_STEPS = ((0, 1), (1, 0), (1, 1), (1, -1))  # east, south, south-east, south-west
_BANK_CANDIDATES = 16  # good cells looked at for a place in a river cell


@dataclass(frozen=True)
class Grid:
    """The friction grid of the whole study area (built once per setting)."""

    transform: Affine
    shape: tuple[int, int]
    river: np.ndarray  # bool, 2-D
    friction: np.ndarray

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """Flat cell index of each (x, y); -1 outside the grid."""
        cols, rows = ~self.transform @ (xy[:, 0], xy[:, 1])
        rows, cols = np.floor(rows).astype(int), np.floor(cols).astype(int)
        inside = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        return np.where(inside, rows * self.shape[1] + cols, -1)

    def centres(self, cells: np.ndarray) -> np.ndarray:
        rows, cols = np.divmod(cells, self.shape[1])
        return np.column_stack(self.transform @ (cols + 0.5, rows + 0.5))


@dataclass(frozen=True)
class CountryGrid:
    """One country's cells (those touching its land) and their graph."""

    land: BaseGeometry
    passable: np.ndarray  # bool, 2-D
    good: np.ndarray  # bool, flat: passable and not a river cell (where places start)
    graph: sparse.csr_matrix


def grids_for(setting: Setting) -> tuple[Grid, list[CountryGrid]]:
    """The setting's grid and per-country graphs, built on first use (``setting.cache``)."""
    if "grids" not in setting.cache:
        setting.cache["grids"] = _build_grids(setting)
    return setting.cache["grids"]


def _build_grids(setting: Setting) -> tuple[Grid, list[CountryGrid]]:
    opts = setting.options
    res = opts.resolution_m
    x0, y0, x1, y1 = setting.area.bounds
    shape = (int(np.ceil((y1 - y0) / res)), int(np.ceil((x1 - x0) / res)))
    transform = Affine(res, 0, x0, 0, -res, y1)
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
    grid = Grid(transform, shape, river, friction)
    countries = []
    for _, _, land in setting.country_lands:
        passable = features.rasterize(
            [(land, 1)], out_shape=shape, transform=transform, all_touched=True
        ).astype(bool)
        graph = _graph(friction, passable, river, res)
        countries.append(CountryGrid(land, passable, (passable & ~river).ravel(), graph))
    return grid, countries


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
        (np.concatenate(weights), (np.concatenate(heads), np.concatenate(tails))),
        shape=(n, n),
    )


@dataclass(frozen=True)
class _Reach:
    """Held ground on the grid: per country a flat array of group labels (-1: not held);
    ``members[g]`` the source indices starting from group g's cell."""

    labels: list[np.ndarray]
    members: list[np.ndarray]
    boundary: list[np.ndarray]  # held cells next to ground nobody holds (zone seeds)


def allocate(sources: Sources, setting: Setting) -> Allocation:
    """Held ground and zones of every source unit (see the module docstring)."""
    reach = _cached(setting, ("reach", sources.place_key()), lambda: _reach(sources, setting))
    # areas matter to zones only as seeds: when no place and no area may seed a zone (a
    # default controller takes what nobody reaches), they are not looked at
    seeding = sources.zone_ok.any() or sources.area_zone_ok.any()
    relevant = _relevant_areas(sources, setting, reach) if setting.options.zones and seeding else []
    key = _zone_key(sources, relevant)
    cache_key = ("allocation", key)
    if cache_key not in setting.cache:
        setting.cache[cache_key] = _allocate(sources, setting, reach, relevant, key)
    return setting.cache[cache_key]


def _cached(setting: Setting, key: tuple, make) -> object:
    if key not in setting.cache:
        setting.cache[key] = make()
    return setting.cache[key]


def _zone_key(sources: Sources, relevant: list[tuple[int, int]]) -> bytes:
    parts = [sources.place_key(), sources.zone_ok.tobytes()]
    for a, c in relevant:
        parts.append(
            f"{sources.area_units[a]}:{sources.area_keys[a]}:{c}:"
            f"{int(sources.area_zone_ok[a, c])};".encode()
        )
    return b"|".join(parts)


def _reach(sources: Sources, setting: Setting) -> _Reach:
    grid, countries = grids_for(setting)
    reach_m = setting.options.reach_m(sources.population)
    labels, members, boundary = [], [], []
    offset = 0
    for c, cgrid in enumerate(countries):
        here = np.flatnonzero(sources.country == c)
        label = np.full(grid.shape[0] * grid.shape[1], -1, dtype=np.int64)
        if len(here):
            xy = shapely.get_coordinates(sources.points[here])
            cells = _source_cells(xy, grid, cgrid, setting.rivers)
            starts, group = np.unique(cells, return_inverse=True)
            reach = np.zeros(len(starts))
            np.maximum.at(reach, group, reach_m[here])
            graph = _with_entries(cgrid, grid, starts, _group_points(xy, cells, starts, group))
            n = len(label)
            dist, _, origin = csgraph.dijkstra(
                graph,
                indices=np.arange(n, n + len(starts)),
                min_only=True,
                limit=float(reach.max()),
                return_predecessors=True,
            )
            dist, origin = dist[:n], origin[:n]
            local = np.where(origin >= n, origin - n, -1)
            local[~np.isfinite(dist)] = -1
            local[(local >= 0) & (dist > reach[np.maximum(local, 0)])] = -1
            local[~cgrid.passable.ravel()] = -1
            label = np.where(local >= 0, local + offset, -1)
            members += [here[group == g] for g in range(len(starts))]
            offset += len(starts)
        labels.append(label)
        boundary.append(_boundary(label, cgrid))
    return _Reach(labels, members, boundary)


def _group_points(
    xy: np.ndarray, cells: np.ndarray, starts: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """Where each start cell's places stand, on average (``_with_entries`` uses the centre
    of the cell instead when that is outside it: places moved off a river or the border)."""
    total = np.zeros((len(starts), 2))
    count = np.zeros(len(starts))
    np.add.at(total, group, xy)
    np.add.at(count, group, 1.0)
    return total / count[:, None]


def _with_entries(
    cgrid: CountryGrid, grid: Grid, starts: np.ndarray, points: np.ndarray
) -> sparse.csr_matrix:
    """The country's graph with one entry node per start cell (numbered after the cells),
    joined to that cell and its good neighbours by the distance from where its places
    stand to their centres, times the friction there; the neighbours are those the cell
    has edges to, so an entry never slips diagonally through a river.

    Starting from the places rather than from the centres of their cells puts the line
    between two places where their costs are equal, not a cell off: scipy gives a cell
    two sources reach at the same cost to the later one, so the side to the south and
    east won every tie and, on a 2 km grid, half a cell along the whole front.
    """
    graph = cgrid.graph
    # the start cell and its neighbours in the graph (so never across a river), on land
    size = np.diff(graph.indptr)[starts]
    first = np.repeat(graph.indptr[starts] - (np.cumsum(size) - size), size)
    edges = first + np.arange(size.sum())
    head = np.concatenate([np.arange(len(starts)), np.repeat(np.arange(len(starts)), size)])
    tail = np.concatenate([starts, graph.indices[edges]])
    keep = cgrid.good[tail] | (tail == starts[head])
    head, tail = head[keep], tail[keep]
    inside = grid.cell_of(points) == starts
    where = np.where(inside[:, None], points, grid.centres(starts))
    length = np.hypot(*(where[head] - grid.centres(tail)).T)
    friction = grid.friction.ravel()
    weight = length * (friction[starts[head]] + friction[tail]) / 2.0
    weight = np.maximum(weight, 1e-9)  # an explicit zero would be no edge
    order = np.argsort(head, kind="stable")
    head, tail, weight = head[order], tail[order], weight[order]
    n, m = graph.shape[0], len(starts)
    indptr = np.concatenate([graph.indptr, graph.nnz + np.cumsum(np.bincount(head, minlength=m))])
    return sparse.csr_matrix(
        (
            np.concatenate([graph.data, weight]),
            np.concatenate([graph.indices, tail]),
            indptr,
        ),
        shape=(n + m, n + m),
    )


def _boundary(label: np.ndarray, cgrid: CountryGrid) -> np.ndarray:
    """Held cells with a passable neighbour that nobody holds."""
    held = (label >= 0).reshape(cgrid.passable.shape)
    open_ground = cgrid.passable & ~held
    return (held & ndimage.binary_dilation(open_ground)).ravel()


def _source_cells(
    xy: np.ndarray, grid: Grid, cgrid: CountryGrid, rivers: BaseGeometry
) -> np.ndarray:
    """The start cell of each point (x, y): its own cell, or the nearest passable non-river
    cell of the country on the point's side of every river. A town on the river bank starts
    on its own bank, so the river still separates it from the other bank."""
    cells = grid.cell_of(xy)
    moved = np.flatnonzero((cells < 0) | ~cgrid.good[np.maximum(cells, 0)])
    if not len(moved):
        return cells
    candidates = np.flatnonzero(cgrid.good)
    k = min(_BANK_CANDIDATES, len(candidates))
    _, nearest = cKDTree(grid.centres(candidates)).query(xy[moved], k=k)
    nearest = nearest.reshape(len(moved), k)
    choice = candidates[nearest[:, 0]]
    if not rivers.is_empty:
        shapely.prepare(rivers)
        centres = grid.centres(candidates[nearest.ravel()]).reshape(len(moved), k, 2)
        ends = np.repeat(xy[moved][:, None, :], k, axis=1)
        paths = shapely.linestrings(np.stack([ends, centres], axis=2).reshape(-1, 2, 2))
        crossing = shapely.intersects(rivers, paths).reshape(len(moved), k)
        same_bank = ~crossing
        first = np.argmax(same_bank, axis=1)
        found = same_bank.any(axis=1)
        choice = np.where(found, candidates[nearest[np.arange(len(moved)), first]], choice)
    cells[moved] = choice
    return cells


def _area_cells(sources: Sources, a: int, c: int, setting: Setting) -> np.ndarray:
    """Cells of area ``a`` in country ``c`` (centres inside; at least the cell of a point on
    it), cached per shape."""

    def make() -> np.ndarray:
        grid, countries = grids_for(setting)
        cgrid = countries[c]
        geom = sources.area_geoms[a]
        burnt = features.rasterize(
            [(geom, 1)], out_shape=grid.shape, transform=grid.transform
        ).astype(bool)
        cells = np.flatnonzero(burnt & cgrid.passable)
        if not len(cells):
            inside = shapely.intersection(geom, cgrid.land)
            if inside.is_empty:
                return cells
            point = shapely.get_coordinates(shapely.point_on_surface(inside))
            cell = grid.cell_of(point)
            cells = cell[(cell >= 0) & cgrid.passable.ravel()[np.maximum(cell, 0)]]
        return cells

    return _cached(setting, ("area-cells", sources.area_keys[a], c), make)


def _relevant_areas(sources: Sources, setting: Setting, reach: _Reach) -> list[tuple[int, int]]:
    """(area, country) pairs whose cells border ground nobody holds: they seed zones there."""
    relevant = []
    for c in range(len(reach.labels)):
        for a in range(len(sources.area_units)):
            cells = _area_cells(sources, a, c, setting)
            open_cells = reach.boundary[c][cells] | (reach.labels[c][cells] < 0)
            if len(cells) and open_cells.any():
                relevant.append((a, c))
    return relevant


def _allocate(
    sources: Sources,
    setting: Setting,
    reach: _Reach,
    relevant: list[tuple[int, int]],
    key: bytes,
) -> Allocation:
    grid, countries = grids_for(setting)
    n_groups = len(reach.members)
    zone_ok_group = np.array([bool(sources.zone_ok[m].any()) for m in reach.members], dtype=bool)
    parts: dict[int, list] = {}
    for c, cgrid in enumerate(countries):
        held = reach.labels[c]
        value = np.where(held >= 0, 2 * held, -1)
        if setting.options.zones:
            zone = _zones(sources, setting, reach, relevant, c, zone_ok_group, n_groups)
            value = np.where((value < 0) & (zone >= 0), 2 * zone + 1, value)
        # ground nobody reaches is part of the coverage while smoothing, then left out
        nobody = 2 * (n_groups + len(sources.area_units)) + 2
        value = np.where(value < 0, nobody, value)
        value[~cgrid.passable.ravel()] = -1
        for label, geom in _vectorise(value.reshape(grid.shape), grid, cgrid, setting).items():
            if label != nobody:
                parts.setdefault(label, []).append(geom)
    merged = group_polygons(parts)
    held_out: dict[int, BaseGeometry] = {}
    zone_out: dict[int, BaseGeometry] = {}
    for label, geom in merged.items():
        target = zone_out if label % 2 else held_out
        target[label // 2] = geom
    return _by_unit(sources, reach, held_out, zone_out, key, n_groups)


def _zones(
    sources: Sources,
    setting: Setting,
    reach: _Reach,
    relevant: list[tuple[int, int]],
    c: int,
    zone_ok_group: np.ndarray,
    n_groups: int,
) -> np.ndarray:
    """Zone labels of country ``c``: groups and areas (``n_groups + a``), -1 for none."""
    _, countries = grids_for(setting)
    held = reach.labels[c]
    seeds = np.full(len(held), -1, dtype=np.int64)
    if len(zone_ok_group):
        seeds = np.where(reach.boundary[c] & zone_ok_group[np.maximum(held, 0)], held, -1)
    for a, country in relevant:
        if country == c:
            cells = _area_cells(sources, a, c, setting)
            seeds[cells] = n_groups + a if sources.area_zone_ok[a, c] else -1
    starts = np.flatnonzero(seeds >= 0)
    zone = np.full(len(held), -1, dtype=np.int64)
    if not len(starts):
        return zone
    limit = setting.options.zone_max_km
    dist, _, origin = csgraph.dijkstra(
        countries[c].graph,
        indices=starts,
        min_only=True,
        limit=np.inf if limit is None else limit * 1000.0,
        return_predecessors=True,
    )
    reached = np.isfinite(dist) & (origin >= 0)
    zone[reached] = seeds[origin[reached]]
    return zone


def _vectorise(
    value: np.ndarray, grid: Grid, cgrid: CountryGrid, setting: Setting
) -> dict[int, BaseGeometry]:
    parts: dict[int, list] = {}
    for geom, v in features.shapes(
        value.astype(np.int32),
        mask=value >= 0,
        transform=grid.transform,
        connectivity=4,
    ):
        parts.setdefault(int(v), []).append(shapely.geometry.shape(geom))
    labels = sorted(parts)
    cells = np.array(
        [shapely.MultiPolygon(parts[v]) if len(parts[v]) > 1 else parts[v][0] for v in labels],
        dtype=object,
    )
    if not len(cells):
        return {}
    tolerance = setting.options.resolution_m * 1.5
    cells = shapely.coverage_simplify(cells, tolerance, simplify_boundary=False)
    shapely.prepare(cgrid.land)
    edge = ~shapely.contains_properly(cgrid.land, cells)  # only these reach the land's edge
    cells[edge] = polygonal(shapely.make_valid(shapely.intersection(cells[edge], cgrid.land)))
    # one 0.5 m grid for every cell, so that neighbours' shared edges have the same vertices
    cells = polygonal(shapely.set_precision(cells, GRID_SIZE_M))
    return {v: g for v, g in zip(labels, cells, strict=True) if not g.is_empty}


def _by_unit(
    sources: Sources,
    reach: _Reach,
    held: dict[int, BaseGeometry],
    zone: dict[int, BaseGeometry],
    key: bytes,
    n_groups: int,
) -> Allocation:
    """From group and area labels to units; places that start from one cell share it by a
    Voronoi split, so every place keeps ground however dense the places are."""
    held_units: dict[int, BaseGeometry] = {}
    zone_units: dict[int, BaseGeometry] = {}
    for label in sorted(set(held) | set(zone)):
        g_held, g_zone = held.get(label), zone.get(label)
        if label >= n_groups:
            unit = int(sources.area_units[label - n_groups])
            if g_zone is not None:
                zone_units[unit] = g_zone
            continue
        members = reach.members[label]
        if len(members) == 1:
            unit = int(sources.units[members[0]])
            if g_held is not None:
                held_units[unit] = g_held
            if g_zone is not None:
                zone_units[unit] = g_zone
            continue
        whole = shapely.union_all([g for g in (g_held, g_zone) if g is not None])
        pieces = tessellate(_starts(sources.points[members], whole), whole)
        for m, piece in zip(members, pieces, strict=True):
            unit = int(sources.units[m])
            for source, target in ((g_held, held_units), (g_zone, zone_units)):
                if source is not None:
                    part = snapped(shapely.intersection, piece, source)[0]
                    if not part.is_empty:
                        target[unit] = part
    return Allocation(key, held_units, zone_units)


def _starts(points: np.ndarray, whole: BaseGeometry) -> np.ndarray:
    """Points pulled into ``whole`` (a place standing in the river starts from the bank)."""
    inside = shapely.shortest_line(points, whole)
    return shapely.get_point(inside, -1)
