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


def linear(geom: shapely.Geometry) -> shapely.Geometry:
    """The line parts of a geometry, merged into as few LineStrings as possible."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("LineString", "LinearRing")]
    parts += [
        q
        for p in shapely.get_parts(geom)
        if p.geom_type == "MultiLineString"
        for q in shapely.get_parts(p)
    ]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.MultiLineString([shapely.LineString(p) for p in parts]))


def shared_edges(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of cells that share an edge: index arrays ``i < j`` and one LineString each
    (a pair whose shared boundary has several pieces appears once per piece)."""
    present = np.flatnonzero(~shapely.is_empty(cells))
    tree = shapely.STRtree(cells[present])
    a, b = tree.query(cells[present], predicate="intersects")
    keep = a < b
    i, j = present[a[keep]], present[b[keep]]
    lines = shapely.intersection(
        shapely.boundary(cells[i]), shapely.boundary(cells[j]), grid_size=GRID_SIZE_M
    )
    lines = np.array([linear(g) for g in lines], dtype=object)
    parts, owner = shapely.get_parts(lines, return_index=True)
    has_length = shapely.length(parts) > 1.0
    return i[owner][has_length], j[owner][has_length], parts[has_length]


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


def split_on(
    lines: np.ndarray, zone: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The LineString pieces of each line inside and outside ``zone``: ``(owner, piece,
    inside)`` arrays, ``owner`` indexing ``lines``; pieces shorter than a metre are dropped."""
    if zone.is_empty:
        parts = [(False, lines)]
    else:
        shapely.prepare(zone)
        parts = [
            (True, shapely.intersection(lines, zone)),
            (False, shapely.difference(lines, zone)),
        ]
    owners, pieces, flags = [], [], []
    for inside, part in parts:
        merged = np.array([linear(g) for g in part], dtype=object)
        got, owner = shapely.get_parts(merged, return_index=True)
        keep = shapely.length(got) > 1.0
        owners.append(owner[keep])
        pieces.append(got[keep])
        flags.append(np.full(int(keep.sum()), inside))
    return np.concatenate(owners), np.concatenate(pieces), np.concatenate(flags)
