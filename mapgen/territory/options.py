"""Options of the territory model, and the setting (study area, countries, rivers, CRS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from pyproj import CRS
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from mapgen.errors import UnknownMethodError

DESERT_RULES = ("zone", "unassigned")
# the ``cost`` grid fitted to the places (grid_for_places)
CELLS_BETWEEN_PLACES = 4
GRID_STEP_M = 250.0
FINEST_GRID_M = 1000.0
COARSEST_GRID_M = 2000.0
MAX_GRID_CELLS = 4_000_000  # about 0.4 GB of graph; Ukraine at 1 km is 1.2 million


@dataclass(frozen=True)
class TerritoryOptions:
    """How held places become held ground, zones and frontlines.

    Attributes
    ----------
    method
        Name of a registered method (``mapgen.territory.METHODS``): ``cost`` or ``voronoi``.
    desert
        Ground beyond every place's reach. ``zone`` (the default): allocated to the side
        whose held ground is nearest by travel cost, counted and drawn as that side's
        *zone*, apart from held ground (ISW's support zones, Wikipedia's desert colouring).
        ``unassigned``: left white.
    zone_max_km
        With ``zone``: ground farther than this (in km of travel cost) from all held ground
        stays unassigned. ``None``: no limit.
    infer
        Let gazetteer places without events inherit the state of the nearest reported place
        on the same bank of the Euphrates/Tigris, within ``infer_max_km``.
    reach_km, reach_km_per_sqrt_million, max_reach_km
        A place's reach (the ground it *holds*): ``reach_km + reach_km_per_sqrt_million *
        sqrt(population / 1e6)``, at most ``max_reach_km`` (about 10 km for a village, 42 km
        for Mosul), in km of travel cost.
    resolution_m, crossing_penalty_km, desert_friction, valley_km
        The ``cost`` method's grid, the extra cost of crossing a river (in km of valley
        travel), the friction of ground more than ``valley_km`` from a river (valley = 1).
        ``resolution_m=None`` (the default) fits the grid to the places: a quarter of their
        typical spacing (see :func:`grid_for_places`), so that a line can run between two
        neighbouring places; the territory's ``options`` say what was used.
    """

    method: str = "cost"
    desert: str = "zone"
    zone_max_km: float | None = None
    infer: bool = False
    infer_max_km: float = 40.0
    reach_km: float = 10.0
    reach_km_per_sqrt_million: float = 25.0
    max_reach_km: float = 60.0
    resolution_m: float | None = None
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
        if self.resolution_m is not None and not self.resolution_m > 0:
            raise UnknownMethodError(
                f"the grid resolution must be a positive number of metres, "
                f"not {self.resolution_m!r}"
            )
        if self.zone_max_km is not None and not self.zone_max_km > 0:
            raise UnknownMethodError(
                f"the zone limit must be a positive number of km, not {self.zone_max_km!r}"
            )

    @property
    def zones(self) -> bool:
        return self.desert == "zone"

    def reach_m(self, population: np.ndarray) -> np.ndarray:
        """Each place's reach in metres from its population (NaN or 0: the base reach)."""
        pop = np.nan_to_num(np.asarray(population, dtype=float), nan=0.0)
        km = self.reach_km + self.reach_km_per_sqrt_million * np.sqrt(pop / 1e6)
        return np.minimum(km, self.max_reach_km) * 1000.0


def grid_for_places(xy: np.ndarray, bounds_m2: float = 0.0) -> float:
    """The cell size (m) for places at metric coordinates ``xy``: a quarter of the median
    distance from a place to its nearest neighbour, in steps of ``GRID_STEP_M``, within
    ``FINEST_GRID_M``..``COARSEST_GRID_M``, and no finer than ``MAX_GRID_CELLS`` cells over
    the study area's bounding box (``bounds_m2``).

    Four cells between two neighbouring places let the line between them run near where
    their reaches meet; a coarser grid draws it in steps of a cell (on Ukraine's 5,488
    GeoNames places, 4.5 km apart, 1 km cells follow DeepState's line better than 2 km:
    IoU 0.9702 against 0.9689 over Ukraine). Sparse places (the Euphrates campaign's, 9 km
    apart) keep the coarsest grid. No grid is finer than 1 km, nor than 4 million cells over
    the study area's bounding box (a continent of dense villages gets coarser cells, up to
    2 km).
    """
    if len(xy) < 2:
        return COARSEST_GRID_M
    distance, _ = cKDTree(xy).query(xy, k=2)
    spacing = float(np.median(distance[:, 1]))
    cell = np.floor(spacing / CELLS_BETWEEN_PLACES / GRID_STEP_M) * GRID_STEP_M
    smallest = np.ceil(np.sqrt(bounds_m2 / MAX_GRID_CELLS) / GRID_STEP_M) * GRID_STEP_M
    return float(np.clip(max(cell, smallest), FINEST_GRID_M, COARSEST_GRID_M))


@dataclass(frozen=True, eq=False)
class Setting:
    """Where a method works, all in ``crs`` (metres): the study area, its countries' land
    (``countries`` ISO3 codes, ``""`` for a study area outside the base layers, and
    ``lands`` in the same order), rivers and lakes.

    Allocation never crosses from one country's land to another's.
    """

    area: BaseGeometry
    rivers: BaseGeometry
    main_rivers: BaseGeometry
    crs: CRS
    options: TerritoryOptions
    countries: tuple[str, ...] = ("",)
    lands: tuple[BaseGeometry, ...] = ()
    cache: dict = field(default_factory=dict)

    @cached_property
    def area_km2(self) -> float:
        return self.area.area / 1e6

    @property
    def country_lands(self) -> list[tuple[int, str, BaseGeometry]]:
        """(index, ISO3, land) of each country of the study area."""
        lands = self.lands or (self.area,)
        pairs = zip(self.countries, lands, strict=True)
        return [(c, iso, land) for c, (iso, land) in enumerate(pairs)]
