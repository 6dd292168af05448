"""Small geometry helpers shared by the territory methods."""

from __future__ import annotations

import numpy as np
import shapely

GRID_SIZE_M = 0.5  # snap-rounding grid for overlays in the metric CRS


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts of each geometry (an overlay can leave lines or points)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            out[i] = shapely.Polygon()
        elif g.geom_type in ("Polygon", "MultiPolygon"):
            out[i] = g
        else:
            polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and not p.is_empty]
            out[i] = shapely.MultiPolygon(polys) if polys else shapely.Polygon()
    return out


def snapped(operation, *geoms: object) -> np.ndarray:
    """A shapely overlay (``difference``, ``intersection``, ``union_all``...) on the 0.5 m
    grid, robust to the "TopologyException"s snap-rounding can raise on nearly coincident
    edges: the inputs are repaired and snapped first, then the operation is tried again,
    and at last done without the grid and snapped afterwards. Only polygonal parts are
    kept."""
    try:
        return polygonal(np.atleast_1d(operation(*geoms, grid_size=GRID_SIZE_M)))
    except shapely.errors.GEOSException:
        fixed = [shapely.set_precision(shapely.make_valid(g), GRID_SIZE_M) for g in geoms]
    try:
        return polygonal(np.atleast_1d(operation(*fixed, grid_size=GRID_SIZE_M)))
    except shapely.errors.GEOSException:
        loose = np.atleast_1d(shapely.make_valid(operation(*fixed)))
        return polygonal(shapely.set_precision(loose, GRID_SIZE_M))


def linear(geom: shapely.Geometry) -> shapely.Geometry:
    """The line parts of a geometry, merged into as few LineStrings as possible."""
    return merged_lines(np.array([geom], dtype=object))[0]


def border_lines(lands: tuple) -> shapely.Geometry:
    """Where the land of two countries meets: the international borders inside the area."""
    boundaries = [shapely.boundary(land) for land in lands]
    pieces = [
        linear(shapely.intersection(boundaries[a], boundaries[b], grid_size=GRID_SIZE_M))
        for a in range(len(lands))
        for b in range(a + 1, len(lands))
    ]
    pieces = [p for p in pieces if not p.is_empty]
    return shapely.union_all(pieces) if pieces else shapely.MultiLineString()


def line_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every LineString in each geometry, however nested: ``(parts, owner index)``."""
    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    multi = shapely.get_type_id(parts) >= 4
    while multi.any():
        sub, sub_owner = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][sub_owner]])
        multi = shapely.get_type_id(parts) >= 4
    keep = np.isin(shapely.get_type_id(parts), (1, 2)) & ~shapely.is_empty(parts)
    order = np.argsort(owner[keep], kind="stable")  # creation functions want sorted indices
    return parts[keep][order], owner[keep][order]


def merged_lines(geoms: np.ndarray) -> np.ndarray:
    """The line parts of each geometry merged into as few LineStrings as possible (one
    (Multi)LineString per geometry, empty where it has none)."""
    out = np.full(len(geoms), shapely.MultiLineString(), dtype=object)
    parts, owner = line_parts(geoms)
    if not len(parts):
        return out
    parts = shapely.linestrings(
        shapely.get_coordinates(parts),
        indices=np.repeat(np.arange(len(parts)), shapely.get_num_coordinates(parts)),
    )
    present = np.unique(owner)
    remap = np.searchsorted(present, owner)
    out[present] = shapely.line_merge(shapely.multilinestrings(parts, indices=remap))
    return out


def split_on(
    lines: np.ndarray, zone: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The LineString pieces of each line inside and outside ``zone``: ``(owner, piece,
    inside)`` arrays, ``owner`` indexing ``lines``; pieces shorter than a metre are dropped.
    Only the lines that reach ``zone`` are cut."""
    lines = np.asarray(lines, dtype=object)
    near = np.zeros(len(lines), dtype=bool)
    if not zone.is_empty and len(lines):
        shapely.prepare(zone)
        near = shapely.intersects(zone, lines)
    groups = [(False, np.flatnonzero(~near), lines[~near])]
    if near.any():
        idx = np.flatnonzero(near)
        local = _around(zone, lines[near])
        try:
            inside = shapely.intersection(lines[near], local)
            outside = shapely.difference(lines[near], local)
        except shapely.errors.GEOSException:  # a clipped zone can be invalid at the clip
            inside = shapely.intersection(lines[near], zone)
            outside = shapely.difference(lines[near], zone)
        groups += [(True, idx, inside), (False, idx, outside)]
    owners, pieces, flags = [], [], []
    for inside, index, part in groups:
        got, owner = shapely.get_parts(merged_lines(part), return_index=True)
        keep = shapely.length(got) > 1.0
        owners.append(index[owner[keep]])
        pieces.append(got[keep])
        flags.append(np.full(int(keep.sum()), inside))
    return np.concatenate(owners), np.concatenate(pieces), np.concatenate(flags)


def _around(zone: shapely.Geometry, lines: np.ndarray) -> np.ndarray:
    """``zone`` cut to each line's box (a metre wider): overlaying a line with a large zone
    (a country's coast, buffered) costs as much as the zone, with its box far less."""
    boxes = shapely.bounds(lines)
    return np.array(
        [shapely.clip_by_rect(zone, x0 - 1, y0 - 1, x1 + 1, y1 + 1) for x0, y0, x1, y1 in boxes],
        dtype=object,
    )
