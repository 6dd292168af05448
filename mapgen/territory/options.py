"""Options of the territory model, and the setting (study area, rivers, CRS) it runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from mapgen.errors import UnknownMethodError

DESERT_RULES = ("unassigned", "nearest")


@dataclass(frozen=True)
class TerritoryOptions:
    """How held places become held ground.

    Attributes
    ----------
    method
        Name of a registered method (``mapgen.territory.METHODS``): ``cost`` or ``voronoi``.
    desert
        ``unassigned``: ground beyond a place's reach stays white (control mapped only around
        populated places, as ISW does). ``nearest``: all ground goes to whoever holds the
        nearest place (as Wikipedia's detailed maps do).
    infer
        Let gazetteer places without events inherit the state of the nearest reported place
        on the same bank of the Euphrates/Tigris, within ``infer_max_km``.
    reach_km, reach_km_per_sqrt_million, max_reach_km
        A place's reach: ``reach_km + reach_km_per_sqrt_million * sqrt(population / 1e6)``,
        at most ``max_reach_km`` (about 10 km for a village, 42 km for Mosul).
    resolution_m, crossing_penalty_km, desert_friction, valley_km
        The ``cost`` method's grid, the extra cost of crossing a river (in km of valley
        travel), the friction of ground more than ``valley_km`` from a river (valley = 1).
    """

    method: str = "cost"
    desert: str = "unassigned"
    infer: bool = False
    infer_max_km: float = 40.0
    reach_km: float = 10.0
    reach_km_per_sqrt_million: float = 25.0
    max_reach_km: float = 60.0
    resolution_m: float = 2000.0
    crossing_penalty_km: float = 60.0
    desert_friction: float = 2.0
    valley_km: float = 8.0

    def check(self, methods: dict) -> None:
        """Raise UnknownMethodError for a method or desert rule that does not exist."""
        if self.method not in methods:
            raise UnknownMethodError(
                f"unknown territory method {self.method!r}; choose one of {', '.join(methods)}"
            )
        if self.desert not in DESERT_RULES:
            raise UnknownMethodError(
                f"unknown desert rule {self.desert!r}; choose one of {', '.join(DESERT_RULES)}"
            )

    def reach_m(self, population: np.ndarray) -> np.ndarray:
        """Each place's reach in metres from its population (NaN or 0: the base reach)."""
        pop = np.nan_to_num(np.asarray(population, dtype=float), nan=0.0)
        km = self.reach_km + self.reach_km_per_sqrt_million * np.sqrt(pop / 1e6)
        return np.minimum(km, self.max_reach_km) * 1000.0


@dataclass(frozen=True, eq=False)
class Setting:
    """Where a method works: the study area, rivers and lakes, all in ``crs`` (metres)."""

    area: BaseGeometry
    rivers: BaseGeometry
    main_rivers: BaseGeometry
    crs: CRS
    options: TerritoryOptions
    cache: dict = field(default_factory=dict)

    @cached_property
    def area_km2(self) -> float:
        return self.area.area / 1e6
