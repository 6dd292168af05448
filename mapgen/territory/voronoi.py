"""``voronoi``: each place gets the ground nearer to it than to any other place.

Cells are clipped to the study area and, unless the desert goes to the nearest place, to a
disc of the place's reach, so empty desert stays unassigned.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint
from shapely.geometry.base import BaseGeometry

from mapgen.territory.options import Setting


def tessellate(points: np.ndarray, frame: BaseGeometry) -> np.ndarray:
    """Voronoi cells of point geometries, in their order, within ``frame``.

    Points at the same spot: the first one gets the cell, the others an empty polygon.
    """
    coords = shapely.get_coordinates(points)
    _, first = np.unique(coords, axis=0, return_index=True)
    first = np.sort(first)
    cells = np.full(len(points), shapely.Polygon(), dtype=object)
    if len(first) == 1:
        cells[first] = [frame]
    else:
        tessellation = shapely.voronoi_polygons(
            MultiPoint(coords[first]), extend_to=frame.envelope.buffer(1000.0), ordered=True
        )
        cells[first] = shapely.get_parts(tessellation)
    shapely.prepare(frame)
    return shapely.intersection(cells, frame)


def catchments(points: gpd.GeoSeries, population: np.ndarray, setting: Setting) -> np.ndarray:
    """One cell per point (an array of geometries in the setting's CRS, empty if none)."""
    cells = tessellate(points.values, setting.area)
    if setting.options.desert == "unassigned":
        discs = shapely.buffer(points.values, setting.options.reach_m(population), quad_segs=16)
        cells = shapely.intersection(cells, discs)
    return cells
