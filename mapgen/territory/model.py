"""From place control to territory: control areas, frontlines and statistics.

The output contract (all EPSG:4326, ``valid_from`` inclusive, ``valid_to`` exclusive):

``areas``
    One row per place cell and interval of constant state and geometry: ``place_id``,
    ``controller``, ``status`` (controlled/contested/besieged), ``opponent``, ``basis``
    (reported/inferred), ``inferred_from``, ``sources`` (``;``-joined event ids),
    ``valid_from``, ``valid_to``, ``area_km2``.
``frontlines``
    One row per pair of sides and interval: ``side_a``, ``side_b`` (sorted ids), ``valid_from``,
    ``valid_to``, ``length_km``; (Multi)LineStrings where the two sides' areas meet.
``places``
    The place states behind the areas: the timeline's intervals plus, with inference on,
    the inferred ones, each with its ``basis``.

A place's cell depends only on which places have a known state, not on who holds them, so
cells are computed once per distinct set of places (in practice a handful of times), and
every day between two change dates shares one geometry. Areas and frontlines are computed
for the map's range only: they start no earlier than its first day and end no later than
the day after its last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from mapgen.boundaries import main_rivers, read_layer, study_area
from mapgen.territory import cost, voronoi
from mapgen.territory.geometry import GRID_SIZE_M, hold_polygons, polygonal, shared_edges
from mapgen.territory.inference import infer_states
from mapgen.territory.options import Setting, TerritoryOptions
from mapgen.timeline import Timeline

CatchmentMethod = Callable[[gpd.GeoSeries, np.ndarray, Setting], np.ndarray]
METHODS: dict[str, CatchmentMethod] = {"cost": cost.catchments, "voronoi": voronoi.catchments}
WGS84 = "EPSG:4326"
UNASSIGNED = "unassigned"


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

    def on(self, day: pd.Timestamp | str) -> DayState:
        """Everything valid on ``day``."""
        day = pd.Timestamp(day)
        return DayState(
            day, _valid(self.areas, day), _valid(self.frontlines, day), _valid(self.places, day)
        )

    def stats(self) -> pd.DataFrame:
        """Area (km², equal-area) and population held by each side, for every day.

        Columns: ``date``, ``controller`` (``unassigned`` for ground nobody is mapped to
        hold), ``area_km2``, ``contested_km2`` (the part of it under assault),
        ``population`` (of the places held, unknown populations counted as 0), ``places``.
        """
        periods = self.timeline.periods()
        days = pd.date_range(self.timeline.start, self.timeline.end, freq="D", name="date")
        period_of_day = np.searchsorted(periods["valid_from"].values, days.values, "right") - 1
        daily = pd.DataFrame({"date": days, "period": period_of_day})
        merged = daily.merge(self.period_stats, on="period", how="left")
        return merged.drop(columns="period").sort_values(["date", "controller"], kind="stable")

    def ground_changed(self) -> pd.DataFrame:
        """For each change date, the km² of ground whose controller or status changed.

        Columns: ``date``, ``changed_km2``, ``places`` (ids of the places whose cells changed).
        """
        rows = []
        for day in self.timeline.change_dates:
            before = self.on(day - pd.Timedelta(days=1)).areas.set_index("place_id")
            after = self.on(day).areas.set_index("place_id")
            key = ["controller", "status"]
            joined = after[[*key, "area_km2"]].merge(
                before[key], left_index=True, right_index=True, how="left", suffixes=("", "_before")
            )
            moved = (joined["controller"] != joined["controller_before"]) | (
                joined["status"] != joined["status_before"]
            )
            lost = before.index.difference(after.index)
            km2 = joined.loc[moved, "area_km2"].sum() + before.loc[lost, "area_km2"].sum()
            places = sorted([*joined.index[moved], *lost])
            rows.append({"date": day, "changed_km2": round(float(km2), 1), "places": places})
        return pd.DataFrame(rows, columns=["date", "changed_km2", "places"])

    def area_within(self, region: BaseGeometry, day: pd.Timestamp | str) -> pd.Series:
        """km² held by each side inside ``region`` (EPSG:4326) on ``day``, with the
        unassigned rest of the region's part of the study area under ``unassigned``."""
        inside = _to_metric(region, self.crs).intersection(_to_metric(self.study_area, self.crs))
        areas = self.on(day).areas.to_crs(self.crs)
        held = areas.geometry.intersection(inside).area / 1e6
        by_side = held.groupby(areas["controller"]).sum()
        by_side[UNASSIGNED] = inside.area / 1e6 - by_side.sum()
        return by_side.round(1)


def _to_metric(geom: BaseGeometry, crs: CRS) -> BaseGeometry:
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(crs).iloc[0]


def _valid(frame: gpd.GeoDataFrame, day: pd.Timestamp) -> gpd.GeoDataFrame:
    ok = (frame["valid_from"] <= day) & (frame["valid_to"].isna() | (frame["valid_to"] > day))
    return frame[ok]


def build_territory(timeline: Timeline, options: TerritoryOptions | None = None) -> Territory:
    """Compute control areas, frontlines and statistics for the timeline's range."""
    options = options or TerritoryOptions()
    options.check(METHODS)
    dataset = timeline.dataset
    area = study_area(timeline.intervals.geometry, dataset.info.extent)
    setting = _setting(area.geometry, area.crs, options)
    states = _place_states(timeline, setting)
    periods = timeline.periods()
    place_ids = np.array(sorted(states["place_id"].unique()), dtype=object)
    codes = _state_codes(states, place_ids, periods)
    builder = _Builder(timeline, setting, states, place_ids, codes, periods)
    builder.run()
    return Territory(
        areas=builder.areas(),
        frontlines=builder.frontlines(),
        places=_output_places(states, timeline),
        timeline=timeline,
        options=options,
        study_area=area.geometry,
        crs=area.crs,
        study_area_km2=setting.area_km2,
        period_stats=builder.stats(),
    )


def _setting(area: BaseGeometry, crs: CRS, options: TerritoryOptions) -> Setting:
    near = area.buffer(0.1)
    extent = near.bounds  # the base layers covering the study area
    rivers = read_layer("rivers", extent=extent).geometry.union_all().intersection(near)
    return Setting(
        area=_to_metric(area, crs),
        rivers=_to_metric(rivers, crs),
        main_rivers=_to_metric(main_rivers(extent).intersection(near), crs),
        crs=crs,
        options=options,
    )


def _place_states(timeline: Timeline, setting: Setting) -> gpd.GeoDataFrame:
    reported = timeline.intervals.to_crs(setting.crs)
    reported = reported.assign(basis="reported", inferred_from="")
    if not setting.options.infer:
        return reported.reset_index(drop=True)
    places = timeline.dataset.places.places.to_crs(setting.crs)
    minor = places[~places.index.isin(reported["place_id"])]
    minor = minor[minor.within(setting.area)]
    inferred = infer_states(reported, minor, setting)
    return gpd.GeoDataFrame(
        pd.concat([reported, inferred], ignore_index=True), crs=setting.crs
    ).reset_index(drop=True)


def _state_codes(states: pd.DataFrame, place_ids: np.ndarray, periods: pd.DataFrame) -> np.ndarray:
    """``codes[p, k]``: the row of ``states`` valid for place k in period p, or -1."""
    starts = periods["valid_from"].values
    column = {pid: k for k, pid in enumerate(place_ids)}
    codes = np.full((len(starts), len(place_ids)), -1, dtype=np.int64)
    first = np.searchsorted(starts, states["valid_from"].values, "left")
    valid_to = states["valid_to"].values
    last = np.where(pd.isna(valid_to), len(starts), np.searchsorted(starts, valid_to, "left"))
    for code, (pid, p0, p1) in enumerate(zip(states["place_id"], first, last, strict=True)):
        if p1 > p0:
            codes[p0:p1, column[pid]] = code
    return codes


@dataclass
class _Version:
    """Cells for one set of places with a known state."""

    geom_ids: np.ndarray  # per place: id in the geometry registry, -1 if no cell
    km2: np.ndarray
    edge_i: np.ndarray
    edge_j: np.ndarray
    edges: np.ndarray


class _Builder:
    """Walks the periods once: cells per set of places, then area and frontline runs."""

    def __init__(
        self,
        timeline: Timeline,
        setting: Setting,
        states: gpd.GeoDataFrame,
        place_ids: np.ndarray,
        codes: np.ndarray,
        periods: pd.DataFrame,
    ) -> None:
        self.timeline, self.setting, self.states = timeline, setting, states
        self.place_ids, self.codes, self.periods = place_ids, codes, periods
        gazetteer = timeline.dataset.places
        self.points = (
            states.drop_duplicates("place_id").set_index("place_id").geometry.loc[place_ids]
        )
        self.population = (
            gazetteer.places["population"].reindex(place_ids).astype("float").to_numpy()
        )
        polys = gazetteer.polygons.to_crs(setting.crs).geometry
        self.polygons = [polys.get(pid) for pid in place_ids]
        sides = sorted(states["controller"].unique())
        self.sides = np.array(sides, dtype=object)
        side_code = {s: n for n, s in enumerate(sides)}
        self.state_side = states["controller"].map(side_code).to_numpy()
        self.state_contested = (states["status"] == "contested").to_numpy()
        self.geometries: list[BaseGeometry] = []
        self._registry: dict[bytes, int] = {}
        self.versions: list[_Version] = []
        self.version_of_period = np.zeros(len(periods), dtype=np.int64)

    def run(self) -> None:
        cache: dict[bytes, int] = {}
        for p in range(len(self.periods)):
            active = self.codes[p] >= 0
            key = active.tobytes()
            if key not in cache:
                cache[key] = len(self.versions)
                self.versions.append(self._version(active))
            self.version_of_period[p] = cache[key]

    def _version(self, active: np.ndarray) -> _Version:
        k = np.flatnonzero(active)
        n = len(self.place_ids)
        geom_ids = np.full(n, -1, dtype=np.int64)
        km2 = np.zeros(n)
        edge_i = edge_j = np.zeros(0, dtype=np.int64)
        edges = np.zeros(0, dtype=object)
        if len(k):
            method = METHODS[self.setting.options.method]
            cells = method(self.points.iloc[k], self.population[k], self.setting)
            cells = hold_polygons(cells, [self.polygons[i] for i in k], self.setting.area)
            cells = polygonal(shapely.set_precision(cells, GRID_SIZE_M))
            km2[k] = shapely.area(cells) / 1e6
            geom_ids[k] = [self._register(c) for c in cells]
            a, b, edges = shared_edges(cells)
            edge_i, edge_j = k[a], k[b]
        return _Version(geom_ids, km2, edge_i, edge_j, edges)

    def _register(self, geom: BaseGeometry) -> int:
        if geom.is_empty:
            return -1
        key = shapely.to_wkb(geom)
        if key not in self._registry:
            self._registry[key] = len(self.geometries)
            self.geometries.append(geom)
        return self._registry[key]

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        starts = self.periods["valid_from"].to_numpy()
        ends = self.periods["valid_to"].to_numpy()
        return starts, ends

    def areas(self) -> gpd.GeoDataFrame:
        gids = np.stack([self.versions[v].geom_ids for v in self.version_of_period])
        codes = self.codes
        change = np.ones(codes.shape, dtype=bool)
        change[1:] = (codes[1:] != codes[:-1]) | (gids[1:] != gids[:-1])
        starts, ends = self._bounds()
        rows = []
        for k in range(codes.shape[1]):
            first = np.flatnonzero(change[:, k])
            for s, e in zip(first, [*first[1:], codes.shape[0]], strict=True):
                code, gid = codes[s, k], gids[s, k]
                if code >= 0 and gid >= 0:
                    rows.append((k, code, gid, starts[s], ends[e - 1]))
        return self._area_frame(rows)

    def _area_frame(self, rows: list[tuple]) -> gpd.GeoDataFrame:
        columns = ["controller", "status", "opponent", "basis", "inferred_from", "sources"]
        state = self.states.iloc[[r[1] for r in rows]][columns].reset_index(drop=True)
        gids = np.array([r[2] for r in rows], dtype=np.int64)
        frame = pd.DataFrame(
            {
                "place_id": pd.Series([self.place_ids[r[0]] for r in rows], dtype="str"),
                "valid_from": pd.to_datetime([r[3] for r in rows]),
                "valid_to": pd.to_datetime([r[4] for r in rows]),
            }
        )
        frame = pd.concat([frame, state], axis=1)
        geoms = self._wgs84(gids)
        frame["area_km2"] = (
            np.round(shapely.area(np.array(self.geometries, dtype=object)[gids]) / 1e6, 3)
            if len(gids)
            else []
        )
        names = self.timeline.dataset.places.places["name"]
        frame.insert(1, "place", frame["place_id"].map(names))
        frame.insert(
            0, "area_id", frame["place_id"] + "@" + frame["valid_from"].dt.strftime("%Y-%m-%d")
        )
        ordered = [
            "area_id",
            "place_id",
            "place",
            *columns[:5],
            "sources",
            "valid_from",
            "valid_to",
            "area_km2",
        ]
        out = gpd.GeoDataFrame(frame[ordered], geometry=list(geoms), crs=WGS84)
        return out.sort_values(["valid_from", "place_id"], kind="stable").reset_index(drop=True)

    def _wgs84(self, gids: np.ndarray) -> np.ndarray:
        unique = np.unique(gids)
        series = gpd.GeoSeries([self.geometries[g] for g in unique], crs=self.setting.crs).to_crs(
            WGS84
        )
        converted = dict(zip(unique, shapely.set_precision(series.values, 1e-6), strict=True))
        return np.array([converted[g] for g in gids], dtype=object)

    def frontlines(self) -> gpd.GeoDataFrame:
        starts, ends = self._bounds()
        open_runs: dict[tuple[int, int], list] = {}
        finished: list[list] = []
        for p in range(len(self.periods)):
            version = self.versions[self.version_of_period[p]]
            current = self._pairs(p, version)
            for pair in list(open_runs):
                if pair not in current or current[pair][0] != open_runs[pair][0]:
                    run = open_runs.pop(pair)
                    run[3] = ends[p - 1]
                    finished.append(run)
            for pair, (key, lines) in current.items():
                if pair not in open_runs:
                    open_runs[pair] = [key, pair, starts[p], None, lines]
        for run in open_runs.values():
            run[3] = ends[-1]
            finished.append(run)
        return self._frontline_frame(finished)

    def _pairs(self, p: int, version: _Version) -> dict[tuple[int, int], tuple]:
        codes = self.codes[p]
        ci, cj = codes[version.edge_i], codes[version.edge_j]
        si = np.where(ci >= 0, self.state_side[np.maximum(ci, 0)], -1)
        sj = np.where(cj >= 0, self.state_side[np.maximum(cj, 0)], -1)
        front = (si >= 0) & (sj >= 0) & (si != sj)
        low, high = np.minimum(si, sj)[front], np.maximum(si, sj)[front]
        index = np.flatnonzero(front)
        pairs: dict[tuple[int, int], tuple] = {}
        for a, b in set(zip(low.tolist(), high.tolist(), strict=True)):
            chosen = index[(low == a) & (high == b)]
            key = (id(version), chosen.tobytes())
            pairs[(a, b)] = (key, version.edges[chosen])
        return pairs

    def _frontline_frame(self, runs: list[list]) -> gpd.GeoDataFrame:
        runs = sorted(runs, key=lambda r: (r[2], r[1]))
        sizes = [len(r[4]) for r in runs]
        parts = np.concatenate([r[4] for r in runs]) if runs else np.zeros(0, dtype=object)
        lines = shapely.multilinestrings(parts, indices=np.repeat(np.arange(len(runs)), sizes))
        merged = shapely.line_merge(lines) if runs else []
        lengths = (
            np.round(shapely.length(np.array(merged, dtype=object)) / 1000.0, 3) if runs else []
        )
        frame = pd.DataFrame(
            {
                "side_a": pd.Series([self.sides[r[1][0]] for r in runs], dtype="str"),
                "side_b": pd.Series([self.sides[r[1][1]] for r in runs], dtype="str"),
                "valid_from": pd.to_datetime([r[2] for r in runs]),
                "valid_to": pd.to_datetime([r[3] for r in runs]),
                "length_km": lengths,
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

    def stats(self) -> pd.DataFrame:
        n_sides = len(self.sides)
        pop = np.nan_to_num(self.population, nan=0.0)
        rows = []
        for p in range(len(self.periods)):
            version = self.versions[self.version_of_period[p]]
            codes = self.codes[p]
            k = np.flatnonzero(codes >= 0)
            side = self.state_side[codes[k]]
            contested = self.state_contested[codes[k]]
            area = np.bincount(side, weights=version.km2[k], minlength=n_sides)
            disputed = np.bincount(side, weights=version.km2[k] * contested, minlength=n_sides)
            people = np.bincount(side, weights=pop[k], minlength=n_sides)
            count = np.bincount(side, minlength=n_sides)
            for s in range(n_sides):
                rows.append((p, self.sides[s], area[s], disputed[s], people[s], count[s]))
            rest = max(self.setting.area_km2 - area.sum(), 0.0)
            rows.append((p, UNASSIGNED, rest, 0.0, np.nan, 0))
        frame = pd.DataFrame(
            rows,
            columns=["period", "controller", "area_km2", "contested_km2", "population", "places"],
        )
        frame["area_km2"] = frame["area_km2"].round(1)
        frame["contested_km2"] = frame["contested_km2"].round(1)
        frame["population"] = frame["population"].round().astype("Int64")
        return frame


def _output_places(states: gpd.GeoDataFrame, timeline: Timeline) -> gpd.GeoDataFrame:
    names = timeline.dataset.places.places["name"]
    out = states.to_crs(WGS84).drop(columns=[], errors="ignore")
    out.insert(1, "place", out["place_id"].map(names))
    return out.sort_values(["place_id", "valid_from"], kind="stable").reset_index(drop=True)
