"""``voronoi``: each place gets the ground nearer to it than to any other place.

Cells are clipped to the study area and, unless the desert goes to the nearest place, to a
disc of the place's reach, so empty desert stays unassigned.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint

from mapgen.territory.options import Setting


def catchments(points: gpd.GeoSeries, population: np.ndarray, setting: Setting) -> np.ndarray:
    """One cell per point (an array of geometries in the setting's CRS, empty if none)."""
    coords = shapely.get_coordinates(points.values)
    unique, first = np.unique(coords, axis=0, return_index=True)
    cells = np.full(len(points), shapely.Polygon(), dtype=object)
    if len(unique) == 1:
        cells[first] = [setting.area]
    else:
        frame = setting.area.envelope.buffer(1000.0)
        tessellation = shapely.voronoi_polygons(
            MultiPoint(coords[np.sort(first)]), extend_to=frame, ordered=True
        )
        cells[np.sort(first)] = shapely.get_parts(tessellation)
    shapely.prepare(setting.area)
    cells = shapely.intersection(cells, setting.area)
    if setting.options.desert == "unassigned":
        discs = shapely.buffer(points.values, setting.options.reach_m(population), quad_segs=16)
        cells = shapely.intersection(cells, discs)
    return cells
