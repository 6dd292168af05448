"""What a territory method gets (the sources of ground) and gives (held ground and zones).

A method turns the places that hold ground on a day (points with a reach) and the areas that
hold ground (polygons) into, for every source unit, the polygon of ground it *holds* and the
polygon of its *zone* (ground beyond every reach that is nearest to its held ground), never
across a country border. Units are numbered by the model; a method only sees their numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True, eq=False)
class Sources:
    """The sources of one allocation, in the setting's CRS.

    ``units``/``points``/``population``/``country``/``zone_ok``: the places held on the day
    that are point sources (one entry each; ``country`` indexes ``Setting.countries``, -1
    outside them; ``zone_ok`` whether the holder may get zones in that country).
    ``area_units``/``area_keys``/``area_geoms``/``area_zone_ok``: the areas in force (their
    held ground is their polygon; here they only seed zones), ``area_zone_ok[a, c]`` whether
    area ``a``'s holder may get zones in country ``c``.
    """

    units: np.ndarray
    points: np.ndarray
    population: np.ndarray
    country: np.ndarray
    zone_ok: np.ndarray
    area_units: np.ndarray
    area_keys: tuple[str, ...]
    area_geoms: np.ndarray
    area_zone_ok: np.ndarray

    def place_key(self) -> bytes:
        """Identifies the point sources (what the held ground depends on)."""
        return self.units.astype(np.int64).tobytes()


@dataclass(frozen=True, eq=False)
class Allocation:
    """Held ground and zone per unit (metric polygons); ``key`` identifies equal results."""

    key: bytes
    held: dict[int, BaseGeometry]
    zone: dict[int, BaseGeometry]


def group_polygons(parts: dict[int, list]) -> dict[int, BaseGeometry]:
    """One (Multi)Polygon per label from lists of polygons."""
    out = {}
    for label, polys in parts.items():
        polys = [p for p in polys if not p.is_empty]
        if polys:
            out[label] = polys[0] if len(polys) == 1 else shapely.union_all(polys)
    return out
