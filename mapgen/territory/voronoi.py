"""``voronoi``: each place gets the ground nearer to it than to any other place of its country.

Within a place's reach (a disc) the ground is held; the rest of its cell is its zone (with
``desert="zone"``, and if its holder may hold ground in that country) or unassigned. Areas
(polygon events) hold their polygons (the model lays them over the cells) but do not seed
zones here: that needs travel cost, which is the ``cost`` method's.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPoint
from shapely.geometry.base import BaseGeometry

from mapgen.territory.allocation import Allocation, Sources
from mapgen.territory.geometry import GRID_SIZE_M, snapped
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
            MultiPoint(coords[first]),
            extend_to=frame.envelope.buffer(1000.0),
            ordered=True,
        )
        cells[first] = shapely.get_parts(tessellation)
    shapely.prepare(frame)
    return shapely.intersection(cells, frame)


def allocate(sources: Sources, setting: Setting) -> Allocation:
    """Held discs and zone remainders of every place's Voronoi cell, country by country."""
    key = b"|".join([sources.place_key(), sources.zone_ok.tobytes()])
    cache_key = ("voronoi", key)
    if cache_key in setting.cache:
        return setting.cache[cache_key]
    held: dict[int, BaseGeometry] = {}
    zone: dict[int, BaseGeometry] = {}
    reach = setting.options.reach_m(sources.population)
    for c, _, land in setting.country_lands:
        here = np.flatnonzero(sources.country == c)
        if not len(here):
            continue
        # on the 0.5 m grid first, so that neighbours' shared edges stay identical
        cells = shapely.set_precision(tessellate(sources.points[here], land), GRID_SIZE_M)
        discs = shapely.buffer(sources.points[here], reach[here], quad_segs=16)
        inner = snapped(shapely.intersection, cells, discs)
        outer = snapped(shapely.difference, cells, discs)
        for k, i in enumerate(here):
            unit = int(sources.units[i])
            if not inner[k].is_empty:
                held[unit] = inner[k]
            if setting.options.zones and sources.zone_ok[i] and not outer[k].is_empty:
                zone[unit] = outer[k]
    result = Allocation(key, held, zone)
    setting.cache[cache_key] = result
    return result
