"""Polygons that override allocated ground: city polygons and areas (polygon events).

Bottom to top: the allocation (every unit's held ground and zone), then the city polygons
of the places held, then the areas in the order of the events that started them (a newer
report over an older one). Each polygon is its unit's held ground and is cut out of
everything below it. Results are cached per cell and per set of polygons over it, so a day
on which one area changes recomputes only the cells that area touches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.territory.allocation import Allocation
from mapgen.territory.geometry import snapped

HELD, ZONE = "held", "zone"


@dataclass(frozen=True, eq=False)
class Override:
    """A polygon that a unit holds whole: ``key`` names the polygon (stable across days),
    ``rank`` orders overrides (higher is on top)."""

    key: str
    unit: int
    geom: BaseGeometry
    rank: tuple


def overlay(
    allocation: Allocation,
    overrides: list[Override],
    cache: dict,
    rest: dict[int, BaseGeometry] | None = None,
) -> dict[tuple[int, str], BaseGeometry]:
    """Every unit's final held ground and zone: ``{(unit, "held"|"zone"): polygon}``.

    ``rest`` are tiles of the default controller's ground (by unit): each holds what no
    allocated cell and no polygon covers of it. The same allocation under the same polygons
    gives the very same dict (cached).
    """
    whole = ("overlay", allocation.key, *sorted((o.key, o.unit, o.rank) for o in overrides))
    if whole not in cache:
        cells = _overlay(allocation, overrides, cache)
        if rest:
            cells = {**cells, **_rest(allocation, overrides, rest, cache)}
        cache[whole] = cells
    return cache[whole]


def _rest(
    allocation: Allocation,
    overrides: list[Override],
    rest: dict[int, BaseGeometry],
    cache: dict,
) -> dict[tuple[int, str], BaseGeometry]:
    """Each tile minus the allocated cells and polygons over it, cached per set over it."""
    covers = [
        (("cell", allocation.key, u, k), g)
        for k, cells in ((HELD, allocation.held), (ZONE, allocation.zone))
        for u, g in cells.items()
    ]
    covers += [(("override", o.key), o.geom) for o in overrides]
    geoms = np.array([g for _, g in covers], dtype=object)
    tree = shapely.STRtree(geoms)
    out = {}
    tiles = list(rest.items())
    hits_of = (
        _hits(tree, np.array([t for _, t in tiles], dtype=object))
        if len(geoms)
        else [[] for _ in tiles]
    )
    for (unit, tile), hits in zip(tiles, hits_of, strict=True):
        over = {covers[i][0]: covers[i][1] for i in hits}
        key = ("rest", unit, *over)
        last = ("rest-last", unit)
        part = _cached(cache, key, lambda t=tile, o=over, k=last: _tile_rest(t, o, cache.get(k)))
        cache[last] = (over, part)
        if not part.is_empty:
            out[(unit, HELD)] = part
    return out


def _tile_rest(
    tile: BaseGeometry,
    over: dict[tuple, BaseGeometry],
    last: tuple[dict[tuple, BaseGeometry], BaseGeometry] | None,
) -> BaseGeometry:
    """The tile minus the polygons ``over`` it. From the tile's last result where few of
    them changed: the ground of those gone comes back, less what still covers it, and the
    new ones are cut out (far cheaper than the union of every polygon over the tile)."""
    if not over:
        return tile
    if last is not None:
        before, rest = last
        gone = [g for k, g in before.items() if k not in over]
        new = [g for k, g in over.items() if k not in before]
        if len(gone) + len(new) <= len(over) // 2:
            return _patched(tile, rest, gone, new, [g for k, g in over.items() if k in before])
    cover = snapped(shapely.union_all, np.array(list(over.values()), dtype=object))[0]
    return snapped(shapely.difference, tile, cover)[0]


def _patched(
    tile: BaseGeometry,
    rest: BaseGeometry,
    gone: list[BaseGeometry],
    new: list[BaseGeometry],
    kept: list[BaseGeometry],
) -> BaseGeometry:
    cut = list(new)
    if gone:
        back = snapped(shapely.union_all, np.array(gone, dtype=object))[0]
        back = snapped(shapely.intersection, back, tile)[0]
        rest = snapped(shapely.union, rest, back)[0]
        if kept:
            still = np.array(kept, dtype=object)
            shapely.prepare(back)
            cut += list(still[shapely.intersects(back, still)])
    if not cut:
        return rest
    return snapped(
        shapely.difference, rest, snapped(shapely.union_all, np.array(cut, dtype=object))[0]
    )[0]


def _overlay(
    allocation: Allocation, overrides: list[Override], cache: dict
) -> dict[tuple[int, str], BaseGeometry]:
    if not overrides:
        return {
            (unit, kind): cell
            for kind, cells in ((HELD, allocation.held), (ZONE, allocation.zone))
            for unit, cell in cells.items()
            if not cell.is_empty
        }
    ordered = sorted(overrides, key=lambda o: o.rank)
    geoms = np.array([o.geom for o in ordered], dtype=object)
    tree = shapely.STRtree(geoms)
    pieces: dict[tuple[int, str], list[tuple[tuple, BaseGeometry]]] = {}
    for kind, cells in ((HELD, allocation.held), (ZONE, allocation.zone)):
        units = list(cells)
        hits_of = _hits(tree, np.array([cells[u] for u in units], dtype=object))
        for n, unit in enumerate(units):
            cell = cells[unit]
            cut = [i for i in hits_of[n] if kind == ZONE or ordered[i].unit != unit]
            key = ("cell", allocation.key, unit, kind, *(ordered[i].key for i in cut))
            part = _cached(cache, key, lambda c=cell, k=cut: _minus(c, geoms[k], cache, ordered, k))
            pieces.setdefault((unit, kind), []).append((key, part))
    hits_of = _self_hits(tree, geoms, cache)
    for i, o in enumerate(ordered):
        above = [j for j in hits_of[i] if j > i]
        key = ("override", o.key, *(ordered[j].key for j in above))
        part = _cached(cache, key, lambda g=o.geom, k=above: _minus(g, geoms[k], cache, ordered, k))
        pieces.setdefault((o.unit, HELD), []).append((key, part))
    out = {}
    for cell_key, parts in pieces.items():
        parts = [(k, p) for k, p in parts if not p.is_empty]
        if not parts:
            continue
        if len(parts) == 1:
            out[cell_key] = parts[0][1]
            continue
        key = ("union", *sorted((k for k, _ in parts), key=repr))
        out[cell_key] = _cached(cache, key, lambda ps=parts: _union([p for _, p in ps]))
    return {k: g for k, g in out.items() if not g.is_empty}


def _hits(tree: shapely.STRtree, geoms: np.ndarray) -> list[list[int]]:
    """For each geometry, the sorted indices of the tree's geometries it intersects (one
    bulk query)."""
    found: list[list[int]] = [[] for _ in range(len(geoms))]
    if not len(geoms):
        return found
    which, hit = tree.query(geoms, predicate="intersects")
    order = np.lexsort((hit, which))
    for w, h in zip(which[order].tolist(), hit[order].tolist(), strict=True):
        found[w].append(h)
    return found


def _self_hits(tree: shapely.STRtree, geoms: np.ndarray, cache: dict) -> list[list[int]]:
    """``_hits(tree, geoms)`` for the tree's own geometries, from the last call's pairs:
    the pairs of geometries that were there last time are kept, only the new ones queried
    (a day of a polygon archive changes a few of its thousands of pieces)."""
    known = cache.setdefault(("self-hits", "ids"), {})  # id(geom) -> (geom, number)
    numbers = np.empty(len(geoms), dtype=np.int64)
    for k, g in enumerate(geoms):
        entry = known.get(id(g))
        if entry is None or entry[0] is not g:
            entry = known[id(g)] = (g, len(known))
        numbers[k] = entry[1]
    last = cache.get(("self-hits", "last"))
    if last is None or len(np.unique(numbers)) != len(numbers):
        which, hit = tree.query(geoms, predicate="intersects")
    else:
        position = np.full(len(known), -1, dtype=np.int64)
        position[numbers] = np.arange(len(numbers))
        before_a, before_b = last
        a, b = position[before_a], position[before_b]
        kept = (a >= 0) & (b >= 0)
        fresh = np.flatnonzero(~np.isin(numbers, before_a))
        new_a, new_b = tree.query(geoms[fresh], predicate="intersects")
        new_a = fresh[new_a]
        # intersecting is symmetric: a new geometry's pairs in both directions
        which = np.concatenate([a[kept], new_a, new_b])
        hit = np.concatenate([b[kept], new_b, new_a])
        pairs = np.unique(which * len(geoms) + hit)  # sorted by (which, hit), once each
        which, hit = pairs // len(geoms), pairs % len(geoms)
    cache[("self-hits", "last")] = (numbers[which], numbers[hit])
    found: list[list[int]] = [[] for _ in range(len(geoms))]
    order = np.lexsort((hit, which))
    for w, h in zip(which[order].tolist(), hit[order].tolist(), strict=True):
        found[w].append(h)
    return found


def _cached(cache: dict, key: tuple, make) -> BaseGeometry:
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _minus(
    geom: BaseGeometry,
    cuts: np.ndarray,
    cache: dict,
    ordered: list[Override],
    idx: list[int],
) -> BaseGeometry:
    if not len(cuts):
        return geom  # allocated cells and overriding shapes are on the grid already
    key = ("cut-union", *(ordered[i].key for i in idx))
    cut = _cached(cache, key, lambda: snapped(shapely.union_all, cuts)[0])
    return snapped(shapely.difference, geom, cut)[0]


def _union(parts: list[BaseGeometry]) -> BaseGeometry:
    return snapped(shapely.union_all, np.array(parts, dtype=object))[0]
