"""From place and area control to territory: held ground, zones, frontlines and statistics.

The output contract (all EPSG:4326, ``valid_from`` inclusive, ``valid_to`` exclusive):

``areas``
    One row per unit, kind and interval of constant state and geometry: ``area_id`` (the
    row's id), ``unit`` (a place id, or ``polygon:<id>`` for an area event's polygon),
    ``place_id``, ``polygon`` (the area event's id), ``place`` (the name shown), ``kind``
    (``held``: within reach of a place the side holds, or inside a polygon it holds;
    ``zone``: ground beyond every reach allocated to the side whose held ground is
    nearest), ``controller``, ``status`` (controlled, contested,
    besieged, uncertain), ``opponent``, ``basis`` (reported, inferred, polygon),
    ``inferred_from``, ``sources`` (``;``-joined event ids), ``valid_from``, ``valid_to``,
    ``area_km2``. Ground in no row is unassigned.
``frontlines``
    One row per pair of hostile sides and interval: ``side_a``, ``side_b`` (sorted ids),
    ``valid_from``, ``valid_to``, ``length_km``; (Multi)LineStrings where the two sides'
    ground meets (on an international border only where one of them holds, not merely zones,
    the ground there). Allied and neutral sides (``relations.csv``) have no frontline.
``places``
    The place states behind the areas: the timeline's intervals plus, with inference on,
    the inferred ones, each with its ``basis``.

Geometry is computed per period (days between two change dates share it). Allocation runs
only when the set of places holding ground changes; polygons are laid over it and contacts
found cell pair by cell pair, each cached, so a day costs what changed on it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from mapgen.boundaries import countries_extent, main_rivers, read_layer, study_area
from mapgen.dates import check_within, parse_day
from mapgen.territory import cost, voronoi
from mapgen.territory.allocation import Allocation, Sources
from mapgen.territory.contacts import Contacts
from mapgen.territory.geometry import border_lines, polygonal
from mapgen.territory.options import Setting, TerritoryOptions, grid_for_places
from mapgen.territory.overlay import HELD, ZONE, Override, overlay
from mapgen.territory.units import Units, build_units, split_periods
from mapgen.timeline import UNCERTAIN, Timeline
from mapgen.validity import valid_on, valid_on_days

if TYPE_CHECKING:
    import folium

AllocationMethod = Callable[[Sources, Setting], Allocation]
METHODS: dict[str, AllocationMethod] = {
    "cost": cost.allocate,
    "voronoi": voronoi.allocate,
}
logger = logging.getLogger(__name__)
WGS84 = "EPSG:4326"
UNASSIGNED = "unassigned"
KINDS = (HELD, ZONE)
#: The columns of ``Territory.areas`` besides its geometry, in order (see the contract above).
AREA_COLUMNS = [
    "area_id",
    "unit",
    "place_id",
    "polygon",
    "place",
    "kind",
    "controller",
    "status",
    "opponent",
    "basis",
    "inferred_from",
    "sources",
    "valid_from",
    "valid_to",
    "area_km2",
]


@dataclass(frozen=True)
class DayState:
    """What holds on one day: the areas, frontlines and place states valid then."""

    day: pd.Timestamp
    areas: gpd.GeoDataFrame
    frontlines: gpd.GeoDataFrame
    places: gpd.GeoDataFrame


@dataclass(frozen=True)
class Territory:
    """Control areas, frontlines and place states of a timeline, with their statistics."""

    areas: gpd.GeoDataFrame
    frontlines: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    timeline: Timeline
    options: TerritoryOptions
    study_area: BaseGeometry
    crs: CRS
    study_area_km2: float
    period_stats: pd.DataFrame = field(repr=False)
    periods: pd.DataFrame | None = field(default=None, repr=False)

    def on(self, day: pd.Timestamp | str) -> DayState:
        """Everything valid on ``day``."""
        day = pd.Timestamp(day)
        return DayState(
            day,
            self.areas[valid_on(self.areas, day)],
            self.frontlines[valid_on(self.frontlines, day)],
            self.places[valid_on(self.places, day)],
        )

    def areas_on(self, day: pd.Timestamp | str) -> gpd.GeoDataFrame:
        """The ground held and zoned on ``day``, one row per unit and kind (EPSG:4326).

        Columns as :attr:`areas` (see the module docstring): ``area_id``, ``unit``,
        ``place_id``, ``polygon``, ``place``, ``kind`` (held, zone), ``controller``,
        ``status``, ``opponent``, ``basis``, ``inferred_from``, ``sources`` (``;``-joined
        event ids), ``valid_from``, ``valid_to`` (exclusive, NaT open), ``area_km2`` and
        ``geometry``. ``day`` is a date inside the map's range (DateRangeError if not).
        """
        return _rows_on(self.areas, self._day(day))

    def frontlines_on(self, day: pd.Timestamp | str) -> gpd.GeoDataFrame:
        """The frontlines between hostile sides on ``day`` (EPSG:4326): ``frontline_id``,
        ``side_a``, ``side_b``, ``valid_from``, ``valid_to``, ``length_km``, ``geometry``."""
        return _rows_on(self.frontlines, self._day(day))

    def places_on(self, day: pd.Timestamp | str) -> gpd.GeoDataFrame:
        """The state of every place on ``day`` (EPSG:4326 points): ``place_id``, ``place``,
        ``polygon``, ``controller``, ``status``, ``opponent``, ``basis`` (reported,
        inferred, polygon, ...), ``inferred_from``, ``sources``, ``valid_from``,
        ``valid_to``, ``from_precision``/``to_precision`` (day, week, month, year),
        ``reported`` (the date as reported), ``geometry``."""
        return _rows_on(self.places, self._day(day))

    def explore(self, day: pd.Timestamp | str, **kwargs: Any) -> folium.Map:
        """One day's held ground, zones, frontlines and places on an interactive folium map.

        Needs folium (``pip install 'mapgen[folium]'``). Keywords as
        :func:`mapgen.render.explore.explore`: ``m=`` an existing map, ``tiles=``,
        ``width=``/``height=``, ``inline=True`` for a page that works offline.
        """
        from mapgen.render.explore import explore

        return explore(self, day, **kwargs)

    def _day(self, day: pd.Timestamp | str) -> pd.Timestamp:
        """``day`` as a Timestamp inside the map's range, or DateRangeError."""
        ts = parse_day(day, what="day") if isinstance(day, str) else pd.Timestamp(day)
        ts = ts.normalize()
        check_within([ts], self.timeline.start, self.timeline.end, field="day")
        return ts

    def stats(self) -> pd.DataFrame:
        """Area (km², equal-area), population and fronts of each side, for every day.

        Columns: ``date``, ``controller`` (``unassigned`` for ground no side reaches),
        ``held_km2``, ``zone_km2``, ``area_km2`` (both), ``contested_km2`` and
        ``uncertain_km2`` (parts of it), ``population`` (of the places held, unknown
        populations counted as 0), ``places``, ``frontline_km`` (all the side's fronts) and
        ``front_<side>_km`` (its front with each other side).
        """
        periods = self.periods if self.periods is not None else self.timeline.periods()
        days = pd.date_range(self.timeline.start, self.timeline.end, freq="D", name="date")
        period_of_day = np.searchsorted(periods["valid_from"].values, days.values, "right") - 1
        daily = pd.DataFrame({"date": days, "period": period_of_day})
        merged = daily.merge(self.period_stats, on="period", how="left")
        return merged.drop(columns="period").sort_values(["date", "controller"], kind="stable")

    def ground_changed(self) -> pd.DataFrame:
        """For each change date, the km² of ground whose controller, status or kind changed.

        Columns: ``date``, ``changed_km2``, ``places`` (ids of the places whose held ground
        changed hands or status, and ``polygon:<id>`` for area events).
        """
        return self._ground_changed.copy()

    @cached_property
    def _ground_changed(self) -> pd.DataFrame:
        """The table of :meth:`ground_changed`, computed once (the report asks twice).

        Only the rows that start or end on a change date can differ from the day before:
        a row valid on both days is the same state of the same unit and kind."""
        plain = self.areas
        dates = pd.DatetimeIndex(self.timeline.change_dates)
        after_on = valid_on_days(plain, dates.to_numpy())
        before_on = valid_on_days(plain, (dates - pd.Timedelta(days=1)).to_numpy())
        keys = list(zip(plain["unit"].tolist(), plain["kind"].tolist(), strict=True))
        state = list(zip(plain["controller"].tolist(), plain["status"].tolist(), strict=True))
        km2_of = plain["area_km2"].to_numpy(dtype=float)
        unit_of = plain["unit"].to_numpy(dtype=object)
        is_held = (plain["kind"] == HELD).to_numpy()
        rows = []
        for n, day in enumerate(dates):
            started = np.flatnonzero(after_on[n] & ~before_on[n])  # in table order
            ended = np.flatnonzero(before_on[n] & ~after_on[n])
            was = {keys[r]: state[r] for r in ended.tolist()}
            moved = [r for r in started.tolist() if was.get(keys[r]) != state[r]]
            now = {keys[r] for r in started.tolist()}
            lost = sorted((keys[r], r) for r in ended.tolist() if keys[r] not in now)
            km2 = pd.Series(km2_of[moved]).sum() + pd.Series(km2_of[[r for _, r in lost]]).sum()
            units = {keys[r][0] for r in moved} | {key[0] for key, _ in lost}
            held = set(unit_of[after_on[n] & is_held].tolist())
            units = sorted(u for u in units if u in held)
            rows.append({"date": day, "changed_km2": round(float(km2), 1), "places": units})
        return pd.DataFrame(rows, columns=["date", "changed_km2", "places"])

    def area_within(self, region: BaseGeometry, day: pd.Timestamp | str) -> pd.DataFrame:
        """km² of each side inside ``region`` (EPSG:4326) on ``day``: ``held_km2``,
        ``zone_km2`` and ``area_km2`` (both) per controller, with the rest of the region's
        part of the study area under ``unassigned``."""
        inside = _to_metric(region, self.crs).intersection(_to_metric(self.study_area, self.crs))
        areas = self.on(day).areas.to_crs(self.crs)
        km2 = areas.geometry.intersection(inside).area / 1e6
        table = km2.groupby([areas["controller"], areas["kind"]]).sum().unstack(fill_value=0.0)
        table = table.reindex(columns=list(KINDS), fill_value=0.0)
        table.columns = [f"{k}_km2" for k in KINDS]
        table.loc[UNASSIGNED] = [0.0, 0.0]
        table.loc[UNASSIGNED, "held_km2"] = max(inside.area / 1e6 - table.to_numpy().sum(), 0.0)
        table["area_km2"] = table["held_km2"] + table["zone_km2"]
        table.index.name = "controller"
        return table.round(1)


def _rows_on(frame: gpd.GeoDataFrame, day: pd.Timestamp) -> gpd.GeoDataFrame:
    return frame[valid_on(frame, day)].reset_index(drop=True)


def _to_metric(geom: BaseGeometry, crs: CRS) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(crs).iloc[0]


def build_territory(timeline: Timeline, options: TerritoryOptions | None = None) -> Territory:
    """Compute held ground, zones, frontlines and statistics for the timeline's range."""
    options = options or TerritoryOptions()
    options.check(METHODS)
    dataset = timeline.dataset
    setting = make_setting(timeline, options)
    periods = split_periods(timeline.periods(), dataset.relations.change_dates())
    units = build_units(timeline, setting, periods)
    builder = _Builder(timeline, setting, units)
    builder.run()
    return Territory(
        areas=builder.areas(),
        frontlines=builder.frontlines(),
        places=_output_places(units, timeline),
        timeline=timeline,
        options=setting.options,
        study_area=shapely.set_precision(_to_wgs84(setting.area, setting.crs), 1e-6),
        crs=setting.crs,
        study_area_km2=setting.area_km2,
        period_stats=builder.stats(),
        periods=periods,
    )


def make_setting(timeline: Timeline, options: TerritoryOptions) -> Setting:
    """The study area (the land of the sides' countries inside the extent), per country,
    with rivers, in an equal-area CRS fitted to the extent."""
    dataset = timeline.dataset
    countries = _study_countries(dataset)
    places = points = dataset.places.places.geometry.loc[timeline.intervals["place_id"].unique()]
    if points.empty and len(timeline.polygon_intervals):
        points = timeline.polygon_intervals.geometry.representative_point()
    extent = dataset.info.extent
    if extent is None and countries:
        # the sides name their countries: the map covers those countries whole
        extent = countries_extent(countries)
    area = study_area(points, extent, countries=countries)
    crs = area.crs
    near = area.geometry.buffer(0.1)
    layers = near.bounds  # the base layers covering the study area
    rivers = read_layer("rivers", extent=layers).geometry.union_all().intersection(near)
    lands = tuple(_to_metric(part, crs) for part in area.parts)
    area_m = _to_metric(area.geometry, crs)
    if options.resolution_m is None:
        xy = shapely.get_coordinates(places.to_crs(crs).values)
        x0, y0, x1, y1 = area_m.bounds
        options = replace(options, resolution_m=grid_for_places(xy, (x1 - x0) * (y1 - y0)))
        logger.info("cost grid: %g m cells for %d places", options.resolution_m, len(xy))
    return Setting(
        area=area_m,
        rivers=_to_metric(rivers, crs),
        main_rivers=_to_metric(main_rivers(layers).intersection(near), crs),
        crs=crs,
        options=options,
        countries=area.countries or ("",),
        lands=lands,
    )


def _study_countries(dataset: object) -> tuple[str, ...] | None:
    """The countries the sides may hold ground in, if every side says (else None: the
    countries holding the places)."""
    sides = list(dataset.controllers)
    if not sides or any(not c.countries for c in sides):
        return None
    return tuple(sorted({iso for c in sides for iso in c.countries}))


def _to_wgs84(geom: BaseGeometry, crs: CRS) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=crs).to_crs(WGS84).iloc[0]


@dataclass
class _Period:
    """What one period holds: per unit and kind the registered geometry (-1 none)."""

    gids: np.ndarray  # [units, 2]
    cells: np.ndarray  # positions (unit * 2 + kind) of the cells present, in order
    cell_gids: np.ndarray
    contact_i: np.ndarray
    contact_j: np.ndarray
    contact_piece: np.ndarray


def astuple_contacts(period: _Period) -> tuple:
    """A period's cells and contacts (everything but its gids)."""
    return (
        period.cells,
        period.cell_gids,
        period.contact_i,
        period.contact_j,
        period.contact_piece,
    )


class _Builder:
    """Walks the periods once: sources → allocation → overlay → contacts, each cached."""

    def __init__(self, timeline: Timeline, setting: Setting, units: Units) -> None:
        self.timeline, self.setting, self.units = timeline, setting, units
        self.dataset = timeline.dataset
        states = units.states
        self.sides = np.array(sorted(states["controller"].unique()), dtype=object)
        side_code = {s: n for n, s in enumerate(self.sides)}
        self.state_side = states["controller"].map(side_code).to_numpy()
        self.state_status = states["status"].to_numpy()
        # places that take their state from a polygon or the default hold no ground of
        # their own: the polygon's, or the default controller's tiles, are their ground
        self.state_follows = states["basis"].isin(["polygon", "default"]).to_numpy()
        self.state_shape = states["shape"].to_numpy()
        self.state_order = states["order"].to_numpy()
        self.state_start = states["valid_from"].to_numpy()
        self.state_place = states["place_id"].to_numpy()  # the place an area row names
        self.may_hold = self._may_hold()
        self.geometries: list[BaseGeometry] = []
        self._gid_of: dict[int, tuple[BaseGeometry, int]] = {}
        self._overlay_cache: dict = {}
        self.contacts = Contacts(
            border_lines(setting.lands) if len(setting.lands) > 1 else shapely.MultiLineString(),
            # with a default controller, its ground along the land's edge may be a sliver
            # between two drawings of the coast (see contacts.EDGE_TOLERANCE_M)
            edge=shapely.boundary(setting.area) if units.rest else shapely.MultiLineString(),
        )
        self.is_rest = np.isin(np.arange(units.n), list(units.rest))
        self.period_data: list[_Period] = []
        self._last_cells: dict | None = None

    def _may_hold(self) -> np.ndarray:
        """``may_hold[side, country]``: whether the side may get zones in the country."""
        controllers = self.dataset.controllers
        countries = self.setting.countries
        table = np.ones((len(self.sides), len(countries)), dtype=bool)
        for s, side in enumerate(self.sides):
            if side in controllers:
                for c, iso in enumerate(countries):
                    table[s, c] = not iso or controllers[side].may_hold(iso)
        return table

    def run(self) -> None:
        method = METHODS[self.setting.options.method]
        for p in range(len(self.units.periods)):
            sources, overrides = self._sources(p)
            allocation = method(sources, self.setting)
            overrides += self._newer_places(p, sources, overrides, allocation)
            cells = overlay(allocation, overrides, self._overlay_cache, self.units.rest)
            self.period_data.append(self._record(cells))

    def _sources(self, p: int) -> tuple[Sources, list[Override]]:
        u = self.units
        codes = u.codes[p]
        active = np.flatnonzero(codes >= 0)
        places = active[u.is_place[active]]
        places = places[~self.state_follows[codes[places]] & (u.country[places] >= 0)]
        areas = active[u.is_area[active]]
        shaped = [u.shapes.get(self.state_shape[codes[a]]) is not None for a in areas]
        areas = areas[np.array(shaped, dtype=bool)]
        side_of = self.state_side[codes]
        places = places[~self._in_own_pocket(places, areas, codes)]
        # a besieged unit is surrounded: the ground beyond its reach is the besieger's
        free = self.state_status[codes] != "besieged"
        zone_ok = self.may_hold[side_of[places], u.country[places]] & free[places]
        area_keys = tuple(str(self.state_shape[codes[a]]) for a in areas)
        area_geoms = np.array([u.shapes[k] for k in area_keys], dtype=object)
        area_zone_ok = self.may_hold[side_of[areas]] & free[areas, None]
        if self.dataset.info.default_controller:
            # ground nobody reaches is the default controller's, not anyone's zone
            zone_ok = np.zeros_like(zone_ok)
            area_zone_ok = np.zeros_like(area_zone_ok)
        sources = Sources(
            units=places,
            points=u.points[places],
            population=u.population[places],
            country=u.country[places],
            zone_ok=zone_ok,
            area_units=areas,
            area_keys=area_keys,
            area_geoms=area_geoms,
            area_zone_ok=area_zone_ok,
        )
        overrides = [
            Override(f"city:{u.ids[k]}", int(k), u.city[k], (0, int(k)))
            for k in places
            if u.city[k] is not None
        ]
        overrides += [
            Override(f"shape:{key}", int(a), geom, (1, int(self.state_order[codes[a]])))
            for a, key, geom in zip(areas, area_keys, area_geoms, strict=True)
        ]
        return sources, overrides

    def _newer_places(
        self, p: int, sources: Sources, overrides: list[Override], allocation: Allocation
    ) -> list[Override]:
        """A place whose state is newer than an area over it holds its own ground on top of
        that area (a newer report over an older one), under any newer area."""
        areas = [o for o in overrides if o.key.startswith("shape:")]
        if not areas or not len(sources.units):
            return []
        codes = self.units.codes[p]
        x, y = shapely.get_x(sources.points), shapely.get_y(sources.points)
        start = self.state_start[codes[sources.units]]
        above: dict[int, tuple] = {}
        for o in areas:
            hit = shapely.contains_xy(o.geom, x, y) & (start > self.state_start[codes[o.unit]])
            for k in sources.units[hit]:
                above[int(k)] = max(above.get(int(k), o.rank), o.rank)
        tag = hashlib.sha1(allocation.key).hexdigest()[:16]
        return [
            Override(f"place:{self.units.ids[k]}:{tag}", k, allocation.held[k], (*rank, 0.5))
            for k, rank in sorted(above.items())
            if k in allocation.held and not allocation.held[k].is_empty
        ]

    def _in_own_pocket(
        self, places: np.ndarray, areas: np.ndarray, codes: np.ndarray
    ) -> np.ndarray:
        """Which of ``places`` lie inside, or name, a contested or besieged area of their own
        side: the area is the reported extent of that fight, so they reach no further."""
        inside = np.zeros(len(places), dtype=bool)
        side_of = self.state_side[codes]
        for a in areas:
            if self.state_status[codes[a]] not in ("contested", "besieged"):
                continue
            own = side_of[places] == side_of[a]
            if not own.any():
                continue
            shape = self.units.shapes[self.state_shape[codes[a]]]
            points = self.units.points[places[own]]
            hit = shapely.contains_xy(shape, shapely.get_x(points), shapely.get_y(points))
            hit |= self.units.ids[places[own]] == self.state_place[codes[a]]
            inside[np.flatnonzero(own)[hit]] = True
        return inside

    def _record(self, cells: dict[tuple[int, str], BaseGeometry]) -> _Period:
        previous = self.period_data[-1] if self.period_data else None
        if previous is not None and cells is self._last_cells:
            return previous  # the overlay gave the very same cells
        self._last_cells = cells
        gids = np.full((self.units.n, 2), -1, dtype=np.int64)
        for (unit, kind), geom in cells.items():
            gids[unit, KINDS.index(kind)] = self._register(geom)
        flat = gids.ravel()
        if previous is not None and np.array_equal(previous.gids, gids):
            return _Period(gids, *astuple_contacts(previous))  # same cells, same contacts
        present = np.flatnonzero(flat >= 0)
        i, j, piece = self.contacts.between(flat[present], self.geometries)
        return _Period(gids, present, flat[present], i, j, piece)

    def _register(self, geom: BaseGeometry) -> int:
        known = self._gid_of.get(id(geom))
        if known is not None and known[0] is geom:
            return known[1]
        self.geometries.append(geom)
        self._gid_of[id(geom)] = (geom, len(self.geometries) - 1)
        return len(self.geometries) - 1

    # --- areas -------------------------------------------------------------------------

    def areas(self) -> gpd.GeoDataFrame:
        periods = self.units.periods
        starts = periods["valid_from"].to_numpy()
        ends = periods["valid_to"].to_numpy()
        codes = self.units.codes
        gids = (
            np.stack([d.gids for d in self.period_data])
            if self.period_data
            else np.zeros((0, self.units.n, 2), dtype=np.int64)
        )
        rows = []
        for kind in range(2):
            g = gids[:, :, kind]
            change = np.ones(g.shape, dtype=bool)
            change[1:] = (codes[1:] != codes[:-1]) | (g[1:] != g[:-1])
            for unit in range(self.units.n):
                first = np.flatnonzero(change[:, unit])
                for s, e in zip(first, [*first[1:], g.shape[0]], strict=True):
                    code, gid = codes[s, unit], g[s, unit]
                    if code >= 0 and gid >= 0:
                        rows.append((unit, KINDS[kind], code, gid, starts[s], ends[e - 1]))
        return self._area_frame(rows)

    def _area_frame(self, rows: list[tuple]) -> gpd.GeoDataFrame:
        u = self.units
        columns = ["place_id", "polygon", "controller", "status", "opponent", "basis"]
        columns += ["inferred_from", "sources"]
        state = u.states.iloc[[r[2] for r in rows]][columns].reset_index(drop=True)
        units = [r[0] for r in rows]
        unit_ids = [u.unit_id(k) for k in units]
        frame = pd.DataFrame(
            {
                "unit": pd.Series(unit_ids, dtype="str"),
                "kind": pd.Series([r[1] for r in rows], dtype="str"),
                "valid_from": pd.to_datetime([r[4] for r in rows]),
                "valid_to": pd.to_datetime([r[5] for r in rows]),
            }
        )
        frame = pd.concat([frame, state], axis=1)
        # the fighting of a contested or besieged place is in its held ground, not its zone
        calm = (frame["kind"] == ZONE) & frame["status"].isin(["contested", "besieged"])
        frame.loc[calm, ["status", "opponent"]] = ["controlled", ""]
        place_ids = (
            np.where(u.is_place[units], [u.ids[k] for k in units], state["place_id"])
            if rows
            else []
        )
        frame["place_id"] = pd.Series(place_ids, dtype="str")
        frame["polygon"] = pd.Series([u.ids[k] if u.is_area[k] else "" for k in units], dtype="str")
        frame["place"] = self._names(frame, u.states["shape"].iloc[[r[2] for r in rows]])
        gids = np.array([r[3] for r in rows], dtype=np.int64)
        geoms = self._wgs84(gids)
        frame["area_km2"] = (
            np.round(shapely.area(np.array(self.geometries, dtype=object)[gids]) / 1e6, 3)
            if len(gids)
            else []
        )
        frame.insert(
            0,
            "area_id",
            frame["unit"] + ":" + frame["kind"] + "@" + frame["valid_from"].dt.strftime("%Y-%m-%d"),
        )
        out = gpd.GeoDataFrame(frame[AREA_COLUMNS], geometry=list(geoms), crs=WGS84)
        return out.sort_values(["valid_from", "unit", "kind"], kind="stable").reset_index(drop=True)

    def _names(self, frame: pd.DataFrame, shapes: pd.Series) -> pd.Series:
        """The place's name; for an area its name, after the place it belongs to if any."""
        names = self.dataset.places.places["name"].to_dict()
        shown = pd.Series([names.get(p, "") for p in frame["place_id"]], dtype="str")
        area_names = self.dataset.shapes["name"]
        for k in np.flatnonzero(frame["polygon"].to_numpy() != ""):
            name = str(area_names.get(shapes.iat[k], frame["polygon"].iat[k]))
            label = shown.iat[k]
            shown.iat[k] = f"{label}: {name}" if label and label != name else name
        return shown

    def _wgs84(self, gids: np.ndarray) -> np.ndarray:
        unique = np.unique(gids)
        series = gpd.GeoSeries([self.geometries[g] for g in unique], crs=self.setting.crs).to_crs(
            WGS84
        )
        fixed = shapely.set_precision(shapely.make_valid(series.values), 1e-6)
        converted = dict(zip(unique, polygonal(fixed), strict=True))
        return np.array([converted[g] for g in gids], dtype=object)

    # --- frontlines --------------------------------------------------------------------

    def _front_pieces(self, p: int) -> dict[tuple[int, int], np.ndarray]:
        """Per pair of hostile sides, the ids of the contact pieces that are front on
        period ``p``."""
        data = self.period_data[p]
        codes = self.units.codes[p]
        unit = data.cells // 2
        kind = data.cells % 2
        side = self.state_side[codes[unit]]
        si, sj = side[data.contact_i], side[data.contact_j]
        held_either = (kind[data.contact_i] == 0) | (kind[data.contact_j] == 0)
        on_border, thin = self.contacts.flags()
        on_border = on_border[data.contact_piece]
        # the default controller's ground as a thin strip along the coast or outer border:
        # the gap between the polygons' drawing of the land's edge and the base layers'
        thin = thin[data.contact_piece]
        gi, gj = data.cell_gids[data.contact_i], data.cell_gids[data.contact_j]
        strip = (self.is_rest[unit[data.contact_i]] & (thin == gi[:, None]).any(axis=1)) | (
            self.is_rest[unit[data.contact_j]] & (thin == gj[:, None]).any(axis=1)
        )
        day = self.units.periods["valid_from"].iloc[p]
        relations = self.dataset.relations
        keep = (si != sj) & (~on_border | held_either) & ~strip
        pairs: dict[tuple[int, int], np.ndarray] = {}
        low, high = np.minimum(si, sj), np.maximum(si, sj)
        for a, b in sorted(set(zip(low[keep].tolist(), high[keep].tolist(), strict=True))):
            if not relations.hostile(self.sides[a], self.sides[b], day):
                continue
            chosen = keep & (low == a) & (high == b)
            pairs[(a, b)] = np.unique(data.contact_piece[chosen])
        return pairs

    def frontlines(self) -> gpd.GeoDataFrame:
        periods = self.units.periods
        starts, ends = periods["valid_from"].to_numpy(), periods["valid_to"].to_numpy()
        open_runs: dict[tuple[int, int], list] = {}
        finished: list[list] = []
        self._fronts = []
        for p in range(len(periods)):
            current = self._front_pieces(p)
            self._fronts.append(current)
            for pair in list(open_runs):
                if pair not in current or not np.array_equal(current[pair], open_runs[pair][4]):
                    run = open_runs.pop(pair)
                    run[3] = ends[p - 1]
                    finished.append(run)
            for pair, pieces in current.items():
                if pair not in open_runs:
                    open_runs[pair] = [None, pair, starts[p], None, pieces]
        for run in open_runs.values():
            run[3] = ends[-1]
            finished.append(run)
        return self._frontline_frame(finished)

    def _frontline_frame(self, runs: list[list]) -> gpd.GeoDataFrame:
        runs = sorted(runs, key=lambda r: (r[2], r[1]))
        pieces = np.array(self.contacts.pieces, dtype=object)
        sizes = [len(r[4]) for r in runs]
        chosen = np.concatenate([r[4] for r in runs]) if runs else np.zeros(0, dtype=np.int64)
        lines = shapely.multilinestrings(
            pieces[chosen], indices=np.repeat(np.arange(len(runs)), sizes)
        )
        merged = list(shapely.line_merge(lines)) if runs else []
        km = np.array(self.contacts.km)
        lengths = [round(float(km[r[4]].sum()), 3) for r in runs]
        frame = pd.DataFrame(
            {
                "side_a": pd.Series([self.sides[r[1][0]] for r in runs], dtype="str"),
                "side_b": pd.Series([self.sides[r[1][1]] for r in runs], dtype="str"),
                "valid_from": pd.to_datetime([r[2] for r in runs]),
                "valid_to": pd.to_datetime([r[3] for r in runs]),
                "length_km": pd.Series(lengths, dtype="float"),
            }
        )
        geoms = gpd.GeoSeries(merged, crs=self.setting.crs).to_crs(WGS84)
        frame.insert(
            0,
            "frontline_id",
            frame["side_a"]
            + "|"
            + frame["side_b"]
            + "@"
            + frame["valid_from"].dt.strftime("%Y-%m-%d"),
        )
        return gpd.GeoDataFrame(
            frame, geometry=shapely.set_precision(geoms.values, 1e-6), crs=WGS84
        )

    # --- statistics --------------------------------------------------------------------

    def stats(self) -> pd.DataFrame:
        u = self.units
        n_sides = len(self.sides)
        pop = np.nan_to_num(u.population, nan=0.0)
        km2_of = (
            shapely.area(np.array(self.geometries, dtype=object)) / 1e6
            if self.geometries
            else np.zeros(0)
        )
        fronts = getattr(self, "_fronts", None) or [
            self._front_pieces(p) for p in range(len(u.periods))
        ]
        rows = []
        for p, data in enumerate(self.period_data):
            codes = u.codes[p]
            unit, kind = data.cells // 2, data.cells % 2
            side = self.state_side[codes[unit]]
            status = self.state_status[codes[unit]]
            km2 = km2_of[data.cell_gids]
            held = np.bincount(side, weights=km2 * (kind == 0), minlength=n_sides)
            zone = np.bincount(side, weights=km2 * (kind == 1), minlength=n_sides)
            fought = (status == "contested") & (kind == 0)  # a zone is not under assault
            contested = np.bincount(side, weights=km2 * fought, minlength=n_sides)
            uncertain = np.bincount(side, weights=km2 * (status == UNCERTAIN), minlength=n_sides)
            places = np.flatnonzero((codes >= 0) & u.is_place)
            place_side = self.state_side[codes[places]]
            people = np.bincount(place_side, weights=pop[places], minlength=n_sides)
            count = np.bincount(place_side, minlength=n_sides)
            front = np.zeros((n_sides, n_sides))
            for (a, b), pieces in fronts[p].items():
                km = float(sum(self.contacts.km[i] for i in pieces))
                front[a, b] = front[b, a] = km
            for s in range(n_sides):
                rows.append(
                    (
                        p,
                        self.sides[s],
                        held[s],
                        zone[s],
                        contested[s],
                        uncertain[s],
                        people[s],
                        count[s],
                        front[s],
                    )
                )
            rest = max(self.setting.area_km2 - held.sum() - zone.sum(), 0.0)
            rows.append((p, UNASSIGNED, rest, 0.0, 0.0, 0.0, np.nan, 0, np.zeros(n_sides)))
        frame = pd.DataFrame(
            [r[:8] for r in rows],
            columns=[
                "period",
                "controller",
                "held_km2",
                "zone_km2",
                "contested_km2",
                "uncertain_km2",
                "population",
                "places",
            ],
        )
        frame.insert(4, "area_km2", frame["held_km2"] + frame["zone_km2"])
        fronts_km = np.array([r[8] for r in rows]) if rows else np.zeros((0, n_sides))
        frame["frontline_km"] = fronts_km.sum(axis=1) if len(rows) else []
        for s, side in enumerate(self.sides):
            frame[f"front_{side}_km"] = fronts_km[:, s] if len(rows) else []
        for column in frame.columns:
            if column.endswith(("_km2", "_km")):
                frame[column] = frame[column].astype(float).round(1)
        frame["population"] = frame["population"].round().astype("Int64")
        return frame


def _output_places(units: Units, timeline: Timeline) -> gpd.GeoDataFrame:
    states = units.states[units.is_place[units.states["unit"].to_numpy()]]
    names = timeline.dataset.places.places["name"]
    points = timeline.dataset.places.places.geometry
    out = states.drop(columns=["unit", "shape", "order"]).copy()
    out.insert(1, "place", out["place_id"].map(names))
    frame = gpd.GeoDataFrame(out, geometry=out["place_id"].map(points).values, crs=WGS84)
    return frame.sort_values(["place_id", "valid_from"], kind="stable").reset_index(drop=True)
