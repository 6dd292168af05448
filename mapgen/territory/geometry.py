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
    if not parts:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.MultiLineString([shapely.LineString(p) for p in parts]))


def hold_polygons(cells: np.ndarray, polygons: list, area: shapely.Geometry) -> np.ndarray:
    """Give each place with a polygon all of it, taking it out of every other cell.

    ``polygons`` has one entry per cell (None where the place has no polygon).
    """
    owners = [k for k, p in enumerate(polygons) if p is not None]
    if not owners:
        return cells
    cells = cells.copy()
    own = {k: shapely.intersection(polygons[k], area, grid_size=GRID_SIZE_M) for k in owners}
    for k in owners:
        cells[k] = shapely.union(cells[k], own[k], grid_size=GRID_SIZE_M)
    tree = shapely.STRtree(cells)
    for k in owners:
        for i in tree.query(own[k], predicate="intersects"):
            if i != k:
                cells[i] = shapely.difference(cells[i], own[k], grid_size=GRID_SIZE_M)
    return polygonal(cells)


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
