"""Units: everything that can hold ground (places, then areas), their states and periods.

A *place* unit holds ground around its point (within its reach) and, if it has one, its city
polygon; an *area* unit holds its polygon (a polygon event's shape). ``codes[p, u]`` is the
row of ``states`` valid for unit ``u`` in period ``p`` (-1: no state).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.territory.geometry import snapped
from mapgen.territory.inference import infer_states
from mapgen.territory.options import Setting
from mapgen.timeline import Timeline

STATE_COLUMNS = [
    "unit",
    "place_id",
    "polygon",
    "shape",
    "controller",
    "status",
    "opponent",
    "basis",
    "inferred_from",
    "sources",
    "valid_from",
    "valid_to",
    "from_precision",
    "to_precision",
    "reported",
    "order",
]


@dataclass(frozen=True, eq=False)
class Units:
    """The units of a territory, in the setting's CRS."""

    ids: np.ndarray  # place id, or area id for areas
    is_area: np.ndarray
    points: np.ndarray  # place points (None for areas)
    population: np.ndarray  # NaN for areas and unknown populations
    country: np.ndarray  # index into Setting.countries; -1 outside them (and for areas)
    city: list  # a place's city polygon (None if it has none)
    states: pd.DataFrame
    codes: np.ndarray
    periods: pd.DataFrame
    shapes: dict[str, BaseGeometry]  # area shapes cut to the study area
    rest: dict[int, BaseGeometry]  # tiles of the default controller's ground, by unit

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def is_place(self) -> np.ndarray:
        return ~self.is_area & ~np.isin(np.arange(self.n), list(self.rest))

    def unit_id(self, k: int) -> str:
        """How a unit is named in outputs: a place id, ``polygon:<id>`` or ``rest:<n>``."""
        if k in self.rest:
            return str(self.ids[k])
        return f"polygon:{self.ids[k]}" if self.is_area[k] else str(self.ids[k])


def build_units(timeline: Timeline, setting: Setting, periods: pd.DataFrame) -> Units:
    """The place and area units of a timeline, their states and state codes per period."""
    places = _place_states(timeline, setting)
    place_ids = sorted(places["place_id"].unique())
    areas = timeline.polygon_intervals
    area_ids = sorted(areas["polygon"].unique()) if len(areas) else []
    ids = np.array([*place_ids, *area_ids], dtype=object)
    unit_of_place = {pid: k for k, pid in enumerate(place_ids)}
    unit_of_area = {aid: len(place_ids) + k for k, aid in enumerate(area_ids)}
    states = pd.concat(
        [
            _states(places, places["place_id"].map(unit_of_place), area=False),
            _states(areas, areas["polygon"].map(unit_of_area), area=True),
        ],
        ignore_index=True,
    )
    gazetteer = timeline.dataset.places
    metric_points = gazetteer.places.geometry.to_crs(setting.crs)
    points = np.array([metric_points.get(p) for p in place_ids] + [None] * len(area_ids))
    population = np.concatenate(
        [
            gazetteer.places["population"].reindex(place_ids).astype("float").to_numpy(),
            np.full(len(area_ids), np.nan),
        ]
    )
    country = np.concatenate(
        [
            _countries(gazetteer.places.reindex(place_ids), points[: len(place_ids)], setting),
            np.full(len(area_ids), -1),
        ]
    )
    cities = gazetteer.polygons.to_crs(setting.crs).geometry
    city = [_clip(cities.get(p), setting) for p in place_ids] + [None] * len(area_ids)
    shapes = {
        key: _clip(geom, setting)
        for key, geom in timeline.dataset.shapes.to_crs(setting.crs).geometry.items()
    }
    rest_tiles = _rest_tiles(setting) if timeline.dataset.info.default_controller else []
    if rest_tiles:
        first = len(ids)
        ids = np.array([*ids, *(f"rest:{n}" for n in range(len(rest_tiles)))], dtype=object)
        states = pd.concat(
            [states, _rest_states(timeline, first, len(rest_tiles), periods)], ignore_index=True
        )
        points = np.array([*points, *([None] * len(rest_tiles))], dtype=object)
        population = np.concatenate([population, np.full(len(rest_tiles), np.nan)])
        country = np.concatenate([country, np.full(len(rest_tiles), -1)])
        city = city + [None] * len(rest_tiles)
    rest = {len(ids) - len(rest_tiles) + n: tile for n, tile in enumerate(rest_tiles)}
    is_area = np.arange(len(ids)) >= len(place_ids)
    is_area[list(rest)] = False
    codes = _state_codes(states, len(ids), periods)
    return Units(
        ids, is_area, points, population, country, city, states, codes, periods, shapes, rest
    )


def _place_states(timeline: Timeline, setting: Setting) -> pd.DataFrame:
    reported = timeline.intervals.assign(inferred_from="")
    if not setting.options.infer:
        return reported
    places = timeline.dataset.places.places.to_crs(setting.crs)
    minor = places[~places.index.isin(reported["place_id"])]
    minor = minor[minor.within(setting.area)]
    own = reported[reported["basis"] == "reported"].to_crs(setting.crs)
    inferred = infer_states(own, minor, setting).to_crs(reported.crs)
    return pd.concat([reported, inferred], ignore_index=True)


def _states(frame: pd.DataFrame, unit: pd.Series, *, area: bool) -> pd.DataFrame:
    n = len(frame)
    out = pd.DataFrame(
        {
            "unit": unit.to_numpy(dtype=np.int64) if n else np.zeros(0, dtype=np.int64),
            "place_id": frame["place_id"].fillna("").astype(str).to_numpy() if n else [],
            "polygon": frame["polygon"].fillna("").astype(str).to_numpy() if n else [],
            "shape": frame["shape"].astype(str).to_numpy() if area and n else [""] * n,
            "controller": frame["controller"].to_numpy() if n else [],
            "status": frame["status"].to_numpy() if n else [],
            "opponent": frame["opponent"].fillna("").to_numpy() if n else [],
            "basis": ["reported"] * n if area else (frame["basis"].to_numpy() if n else []),
            "inferred_from": [""] * n
            if area
            else (frame["inferred_from"].fillna("").to_numpy() if n else []),
            "sources": frame["sources"].to_numpy() if n else [],
            "valid_from": frame["valid_from"].to_numpy() if n else [],
            "valid_to": frame["valid_to"].to_numpy() if n else [],
            "from_precision": frame["from_precision"].to_numpy() if n else [],
            "to_precision": frame["to_precision"].fillna("").to_numpy() if n else [],
            "reported": frame["reported"].to_numpy() if n else [],
            "order": frame["order"].to_numpy(dtype=np.int64) if area and n else np.full(n, -1),
        },
        columns=STATE_COLUMNS,
    )
    for column in ("valid_from", "valid_to"):
        out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
    return out


def _countries(places: pd.DataFrame, points: np.ndarray, setting: Setting) -> np.ndarray:
    """Each place's country index: its ``country`` column if that is one of the study
    area's countries and the point is on (or within 5 km of) its land, else the land the
    point is on or nearest to (within 5 km); -1 for none."""
    lands = [land for _, _, land in setting.country_lands]
    index = {iso: c for c, iso, _ in setting.country_lands}
    out = np.full(len(points), -1, dtype=np.int64)
    for k, point in enumerate(points):
        if point is None:
            continue
        distances = [shapely.distance(point, land) for land in lands]
        declared = index.get(str(places["country"].iloc[k] or "")) if "country" in places else None
        if declared is not None and distances[declared] <= 5000.0:
            out[k] = declared
        elif min(distances) <= 5000.0:
            out[k] = int(np.argmin(distances))
    return out


def _clip(geom: BaseGeometry | None, setting: Setting) -> BaseGeometry | None:
    if geom is None:
        return None
    cut = snapped(shapely.intersection, geom, setting.area)[0]
    return None if cut.is_empty else cut


def _state_codes(states: pd.DataFrame, n_units: int, periods: pd.DataFrame) -> np.ndarray:
    """``codes[p, u]``: the row of ``states`` valid for unit u in period p, or -1."""
    starts = periods["valid_from"].values
    codes = np.full((len(starts), n_units), -1, dtype=np.int64)
    first = np.searchsorted(starts, states["valid_from"].values, "left")
    valid_to = states["valid_to"].values
    last = np.where(pd.isna(valid_to), len(starts), np.searchsorted(starts, valid_to, "left"))
    for code, (unit, p0, p1) in enumerate(zip(states["unit"], first, last, strict=True)):
        if p1 > p0:
            codes[p0:p1, unit] = code
    return codes


def split_periods(periods: pd.DataFrame, days: list[pd.Timestamp]) -> pd.DataFrame:
    """Periods cut at extra days (e.g. when two sides' relation changes)."""
    start, end = periods["valid_from"].iloc[0], periods["valid_to"].iloc[-1]
    bounds = sorted({*periods["valid_from"], *(d for d in days if start < d < end)})
    return pd.DataFrame({"valid_from": bounds, "valid_to": [*bounds[1:], end]})


def to_gdf(geoms: list, crs: object) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=crs)


REST_TILE_M = 100_000.0  # the default controller's ground comes in tiles of this size


def _rest_tiles(setting: Setting) -> list[BaseGeometry]:
    """Square tiles over the study area's land: the default controller's ground is stored
    per tile, so a change near the front rewrites a few tiles, not the whole country."""
    x0, y0, x1, y1 = setting.area.bounds
    xs = np.arange(np.floor(x0 / REST_TILE_M), np.ceil(x1 / REST_TILE_M)) * REST_TILE_M
    ys = np.arange(np.floor(y0 / REST_TILE_M), np.ceil(y1 / REST_TILE_M)) * REST_TILE_M
    boxes = [shapely.box(x, y, x + REST_TILE_M, y + REST_TILE_M) for y in ys for x in xs]
    tiles = snapped(shapely.intersection, np.array(boxes, dtype=object), setting.area)
    return [t for t in tiles if not t.is_empty]


def _rest_states(timeline: Timeline, first: int, count: int, periods: pd.DataFrame) -> pd.DataFrame:
    """One open state per tile: the default controller's, from the range's first day."""
    side = timeline.dataset.info.default_controller
    frame = pd.DataFrame(
        {
            "unit": np.arange(first, first + count, dtype=np.int64),
            "place_id": "",
            "polygon": "",
            "shape": "",
            "controller": side,
            "status": "controlled",
            "opponent": "",
            "basis": "default",
            "inferred_from": "",
            "sources": "",
            "valid_from": periods["valid_from"].iloc[0],
            "valid_to": pd.NaT,
            "from_precision": "day",
            "to_precision": "",
            "reported": "",
            "order": -1,
        },
        columns=STATE_COLUMNS,
    )
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame
