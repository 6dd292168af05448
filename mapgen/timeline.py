"""The control timeline: per place and per area, intervals of (controller, status) with sources.

This is the contract between the input and everything drawn or written from it. An interval
is valid from ``valid_from`` (inclusive) to ``valid_to`` (exclusive); ``NaT`` in ``valid_to``
means it is still open at the end of the data. Days between two change dates share one state,
so consumers work per change date, never per day.

Same-day events for one place (or area) are applied in file order and only the last one is a
state (earlier ones become sources of it). Consecutive events that report the same state
extend the interval and add their sources.

Honest dates: a change of hands known only to the month (or year) is *uncertain* for the days
on which it may not yet have happened. From the first day of the month to its last, the place
keeps its previous holder with status ``uncertain`` and the new holder in ``opponent``; the
new holder's interval starts the day after (``from_precision`` ``day``: it is certain from
then). A later event inside the window ends it early. ``reported`` keeps the date as written.

Areas (polygon events) have intervals of their own (:attr:`Timeline.areas`). A place with no
state of its own on a day takes the state of the newest area event covering it that day
(``basis`` ``polygon``, the area's id in ``polygon``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapgen.dataset import Dataset
from mapgen.dates import ReportedDate, format_date
from mapgen.events import ENDED
from mapgen.validity import valid_at, valid_on

# A dated state and where it comes from: the middle of both tables below.
_DATED_STATE = [
    "controller",
    "status",
    "opponent",
    "valid_from",
    "valid_to",
    "from_precision",
    "to_precision",
    "reported",
    "sources",
]
INTERVAL_COLUMNS = ["place_id", *_DATED_STATE, "basis", "polygon"]
POLYGON_COLUMNS = ["polygon", "shape", "place_id", *_DATED_STATE, "order"]
UNCERTAIN = "uncertain"
_PRECISION_RANK = {"year": 0, "month": 1, "week": 2, "day": 3}
_UNCERTAIN_PRECISIONS = ("month", "year")
SOURCE_SEPARATOR = ";"
_STATE = ["controller", "status", "opponent", "shape"]


@dataclass(frozen=True)
class Timeline:
    """Per-place and per-area control intervals of a dataset, with the map's date range.

    Attributes
    ----------
    intervals
        GeoDataFrame (EPSG:4326 place points), one row per place interval,
        ``INTERVAL_COLUMNS``; ``valid_from``/``valid_to`` are datetime64 with ``valid_to``
        exclusive and NaT open; ``sources`` is the ``;``-joined event ids behind the
        interval; ``basis`` is ``reported`` (the place's own events) or ``polygon`` (taken
        from the area event whose id is in ``polygon``).
    polygons
        GeoDataFrame (EPSG:4326 polygons), one row per area-event interval, ``POLYGON_COLUMNS``;
        ``shape`` keys ``dataset.shapes``; ``order`` ranks the events that began them (a
        higher order wins where areas overlap).
    dataset
        The dataset it was built from (events, places, controllers, range).
    """

    intervals: gpd.GeoDataFrame
    dataset: Dataset
    polygons: gpd.GeoDataFrame | None = None

    @property
    def start(self) -> pd.Timestamp:
        return self.dataset.start

    @property
    def end(self) -> pd.Timestamp:
        """The last day of the range (inclusive)."""
        return self.dataset.end

    def state_on(self, day: pd.Timestamp | str) -> gpd.GeoDataFrame:
        """The state of every place with a known state on ``day``, indexed by place id."""
        return self.intervals[valid_on(self.intervals, day)].set_index("place_id")

    def polygons_on(self, day: pd.Timestamp | str) -> gpd.GeoDataFrame:
        """The polygon (area) events in force on ``day``, indexed by polygon id."""
        polygons = self.polygon_intervals
        return polygons[valid_on(polygons, day)].set_index("polygon")

    @property
    def polygon_intervals(self) -> gpd.GeoDataFrame:
        return self.polygons if self.polygons is not None else _empty_polygons()

    @cached_property
    def change_dates(self) -> pd.DatetimeIndex:
        """The days in the range on which any place's or area's state differs from the day
        before."""
        frames = [self.intervals, self.polygon_intervals]
        bounds = pd.concat([f[c] for f in frames for c in ("valid_from", "valid_to")]).dropna()
        inside = bounds[(bounds > self.start) & (bounds <= self.end)]
        return pd.DatetimeIndex(sorted(inside.unique()), name="date")

    def periods(self) -> pd.DataFrame:
        """Spans of constant state covering the range: ``valid_from``, ``valid_to`` (exclusive)."""
        starts = [self.start, *self.change_dates]
        ends = [*self.change_dates, self.end + pd.Timedelta(days=1)]
        return pd.DataFrame({"valid_from": starts, "valid_to": ends})

    def history(self, place_id: str) -> gpd.GeoDataFrame:
        """Every interval of one place, oldest first."""
        iv = self.intervals
        return iv[iv["place_id"] == place_id].sort_values("valid_from")

    def changes(self) -> pd.DataFrame:
        """One row per change of a place's or an area's state inside the range, in date order.

        Columns: ``date``, ``precision``, ``place_id``, ``polygon`` (the area id of an area
        change, else empty), ``place`` (the name shown), ``from_controller``,
        ``from_status``, ``to_controller``, ``to_status``, ``opponent``, ``sources``.
        A place that merely follows an area (``basis`` ``polygon``) is not listed: its area is.
        """
        rows = []
        own = self.intervals[self.intervals["basis"] == "reported"]
        for unit, group in _by_unit(own, "place_id"):
            rows += self._unit_changes(group, str(unit), "")
        for unit, group in _by_unit(self.polygon_intervals, "polygon"):
            rows += self._unit_changes(group, "", str(unit))
        frame = pd.DataFrame(rows, columns=_CHANGE_COLUMNS)
        return frame.sort_values(["date", "place"], kind="stable").reset_index(drop=True)

    def _unit_changes(self, group: pd.DataFrame, place_id: str, area: str) -> list[dict]:
        rows, previous = [], None
        for item in group.itertuples(index=False):
            if previous is not None and previous.valid_to != item.valid_from:
                rows += self._ended(previous, place_id, area)
                previous = None  # an area that was ended and later started again
            if self.start < item.valid_from <= self.end:
                rows.append(_change_row(place_id, area, previous, item, self.dataset))
            previous = item
        if previous is not None:
            rows += self._ended(previous, place_id, area)
        return rows

    def _ended(self, item: object, place_id: str, area: str) -> list[dict]:
        """The row of an area event ended inside the range (``to_status`` ``ended``)."""
        end = item.valid_to
        if not area or pd.isna(end) or not self.start < end <= self.end:
            return []
        row = _change_row(place_id, area, item, item, self.dataset)
        ids = self.dataset.events
        ended = ids[(ids["area"] == area) & (ids["start"] == end) & (ids["status"] == ENDED)]
        return [
            {
                **row,
                "date": end,
                "precision": ended["precision"].iloc[0] if len(ended) else "day",
                "to_controller": "",
                "to_status": ENDED,
                "opponent": "",
                "sources": SOURCE_SEPARATOR.join(ended["event_id"]),
            }
        ]

    def source_events(self, sources: str) -> pd.DataFrame:
        """The event rows behind a ``sources`` value (``;``-joined event ids)."""
        ids = [s for s in sources.split(SOURCE_SEPARATOR) if s]
        events = self.dataset.events.set_index("event_id")
        return events.loc[ids]

    def to_frame(self) -> pd.DataFrame:
        """The place intervals as a plain table, dates written with their precision."""
        iv = self.intervals
        names = self.dataset.places.places["name"]
        return pd.DataFrame(
            {
                "place_id": iv["place_id"],
                "place": iv["place_id"].map(names),
                "controller": iv["controller"],
                "status": iv["status"],
                "opponent": iv["opponent"],
                "valid_from": [
                    format_date(d, p)
                    for d, p in zip(iv["valid_from"], iv["from_precision"], strict=True)
                ],
                "valid_to": [
                    "" if pd.isna(d) else format_date(d, p)
                    for d, p in zip(iv["valid_to"], iv["to_precision"], strict=True)
                ],
                "reported": iv["reported"],
                "basis": iv["basis"],
                "polygon": iv["polygon"],
                "sources": iv["sources"],
            }
        )


_CHANGE_COLUMNS = [
    "date",
    "precision",
    "place_id",
    "polygon",
    "place",
    "from_controller",
    "from_status",
    "to_controller",
    "to_status",
    "opponent",
    "sources",
]


def _by_unit(frame: pd.DataFrame, key: str):
    ordered = frame.sort_values([key, "valid_from"], kind="stable")
    return ordered.groupby(key, sort=True)


def _change_row(place_id: str, area: str, previous: object, item: object, dataset: Dataset) -> dict:
    if area:
        shapes = dataset.shapes
        label = item.place_id or ""
        name = str(shapes.at[item.shape, "name"]) if item.shape in shapes.index else area
        place = dataset.places.name(label) if label else ""
        shown = f"{place}: {name}" if place and place != name else name
    else:
        shown = dataset.places.name(place_id)
    return {
        "date": item.valid_from,
        "precision": item.from_precision,
        "place_id": place_id or getattr(item, "place_id", ""),
        "polygon": area,
        "place": shown,
        "from_controller": getattr(previous, "controller", ""),
        "from_status": getattr(previous, "status", ""),
        "to_controller": item.controller,
        "to_status": item.status,
        "opponent": item.opponent,
        "sources": item.sources,
    }


def build_timeline(dataset: Dataset) -> Timeline:
    """Turn a dataset's events into per-place and per-area control intervals."""
    events = dataset.events.assign(
        _rank=dataset.events["precision"].map(_PRECISION_RANK),
        order=_event_order(dataset.events),
        shape=dataset.events.get("shape", ""),
    )
    place_events = events[events["area"] == ""] if "area" in events else events
    area_events = events[events["area"] != ""] if "area" in events else events.iloc[0:0]
    own = _uncertain_windows(_runs(place_events, "place_id"), "place_id")
    own = own.assign(basis="reported", polygon="")
    areas = _uncertain_windows(_runs(area_events, "area"), "area")
    areas = areas[areas["status"] != ENDED].rename(columns={"area": "polygon"})
    areas = areas.reset_index(drop=True)
    area_frame = _area_frame(areas, dataset)
    followers = _followers(own, area_frame, dataset)
    defaults = _defaults(pd.concat([own, followers], ignore_index=True), dataset)
    frame = pd.concat([own, followers, defaults], ignore_index=True)[INTERVAL_COLUMNS]
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame = frame.sort_values(["place_id", "valid_from"], kind="stable").reset_index(drop=True)
    points = dataset.places.places.geometry
    intervals = gpd.GeoDataFrame(
        frame, geometry=frame["place_id"].map(points).values, crs=dataset.places.places.crs
    )
    return Timeline(intervals, dataset, area_frame)


def _event_order(events: pd.DataFrame) -> pd.Series:
    """Each event's rank by (start, line): where areas overlap, the newer report wins."""
    ranked = events.sort_values(["start", "line"], kind="stable")
    return pd.Series(np.arange(len(ranked)), index=ranked.index).reindex(events.index)


def _runs(events: pd.DataFrame, key: str) -> pd.DataFrame:
    """Intervals of constant state per unit (``key``: place_id or area), from its events."""
    columns = [key, *_STATE, "valid_from", "valid_to", "from_precision", "to_precision"]
    columns += ["reported", "sources", "order", "place_id"]
    if events.empty:
        return pd.DataFrame(columns=list(dict.fromkeys(columns)))
    events = events.sort_values([key, "start", "_rank", "line"], kind="stable")
    days = events.groupby([key, "start"], sort=False)
    # One state per unit and day: the day's last row, with every row of the day as source.
    daily = days.tail(1).set_index([key, "start"])
    daily["ids"] = days["event_id"].agg(SOURCE_SEPARATOR.join)
    daily = daily.reset_index()
    state = daily[_STATE].fillna("")
    same_unit = daily[key].eq(daily[key].shift())
    same_state = (state == state.shift()).all(axis=1)
    daily["run"] = (~(same_unit & same_state)).cumsum()
    runs = daily.groupby("run", sort=False)
    first = runs.first()
    frame = pd.DataFrame(
        {
            key: first[key],
            **{c: first[c] for c in _STATE},
            "valid_from": first["start"],
            "from_precision": first["precision"],
            "reported": first["date"],
            "sources": runs["ids"].agg(SOURCE_SEPARATOR.join),
            "order": first["order"],
            "place_id": runs["place_id"].last(),
        }
    )
    next_same = frame[key].eq(frame[key].shift(-1))
    frame["valid_to"] = frame["valid_from"].shift(-1).where(next_same)
    frame["to_precision"] = frame["from_precision"].shift(-1).where(next_same, "")
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame.reset_index(drop=True)[list(dict.fromkeys(columns))]


def _uncertain_windows(runs: pd.DataFrame, key: str) -> pd.DataFrame:
    """Split each month- or year-precision change of hands into an uncertain window (the
    previous holder, status ``uncertain``, the new holder in ``opponent``) and the new
    state from the day after the window."""
    if runs.empty:
        return runs
    rows = []
    previous = None
    for row in runs.to_dict("records"):
        same_unit = previous is not None and previous[key] == row[key]
        prev = previous if same_unit and previous["valid_to"] == row["valid_from"] else None
        previous = row
        if row["from_precision"] not in _UNCERTAIN_PRECISIONS or row["status"] == ENDED:
            rows.append(row)
            continue
        if prev is not None and prev["controller"] == row["controller"]:
            rows.append(row)
            continue
        window_end = ReportedDate(row["valid_from"], row["from_precision"]).end
        if pd.notna(row["valid_to"]):
            window_end = min(window_end, row["valid_to"])
        held = prev if prev is not None and prev["status"] != ENDED else None
        rows.append(
            {
                **row,
                "controller": held["controller"] if held else row["controller"],
                "opponent": row["controller"] if held else "",
                "status": UNCERTAIN,
                "shape": held["shape"] if held and key == "area" else row["shape"],
                "valid_to": window_end,
                "to_precision": "day",
            }
        )
        if pd.isna(row["valid_to"]) or window_end < row["valid_to"]:
            rows.append({**row, "valid_from": window_end, "from_precision": "day"})
    return pd.DataFrame(rows, columns=runs.columns)


def _empty_polygons() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in POLYGON_COLUMNS})
    for column in ("valid_from", "valid_to"):
        frame[column] = frame[column].astype("datetime64[ns]")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _area_frame(areas: pd.DataFrame, dataset: Dataset) -> gpd.GeoDataFrame:
    if areas.empty:
        return _empty_polygons()
    frame = areas[POLYGON_COLUMNS].reset_index(drop=True)
    frame["place_id"] = frame["place_id"].fillna("")
    shapes = dataset.shapes.geometry
    return gpd.GeoDataFrame(
        frame, geometry=frame["shape"].map(shapes).values, crs=dataset.shapes.crs
    )


def _followers(own: pd.DataFrame, areas: gpd.GeoDataFrame, dataset: Dataset) -> pd.DataFrame:
    """Intervals of places that take the state of the newest area covering them on the days
    they have no state of their own."""
    columns = INTERVAL_COLUMNS
    if areas.empty:
        return pd.DataFrame(columns=columns)
    points = dataset.places.places.geometry
    tree = shapely.STRtree(areas.geometry.values)
    place_idx, area_idx = tree.query(points.values, predicate="covered_by")
    if not len(place_idx):
        return pd.DataFrame(columns=columns)
    own_spans = {
        pid: g[["valid_from", "valid_to"]].to_numpy() for pid, g in own.groupby("place_id")
    }
    rows: list[dict] = []
    order = np.argsort(place_idx, kind="stable")
    place_idx, area_idx = place_idx[order], area_idx[order]
    starts = np.flatnonzero(np.r_[True, place_idx[1:] != place_idx[:-1]])
    for s, e in zip(starts, [*starts[1:], len(place_idx)], strict=True):
        place_id = str(points.index[place_idx[s]])
        covering = areas.iloc[area_idx[s:e]]
        rows += _follow(place_id, covering, own_spans.get(place_id))
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def _defaults(known: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """With a default controller (``dataset.toml``), every place holds for it on the days
    it has no state of its own and no polygon covers it (``basis`` ``default``)."""
    side = dataset.info.default_controller
    if not side or dataset.events.empty:
        return pd.DataFrame(columns=INTERVAL_COLUMNS)
    start = dataset.start
    spans = known.groupby("place_id")[["valid_from", "valid_to"]]
    busy = {pid: g.to_numpy() for pid, g in spans}
    rows = []
    for place_id in dataset.places.places.index:
        for lo, hi in _gaps(busy.get(place_id), start):
            rows.append(
                {
                    "place_id": str(place_id),
                    "controller": side,
                    "status": "controlled",
                    "opponent": "",
                    "valid_from": lo,
                    "valid_to": hi,
                    "from_precision": "day",
                    "to_precision": "day",
                    "reported": "",
                    "sources": "",
                    "basis": "default",
                    "polygon": "",
                }
            )
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


def _gaps(spans: np.ndarray | None, start: pd.Timestamp) -> list[tuple]:
    """The spans from ``start`` on (open end) not covered by ``spans`` (from, to or NaT)."""
    if spans is None or not len(spans):
        return [(start, pd.NaT)]
    gaps, at = [], start
    for lo, hi in sorted(((f, t) for f, t in spans), key=lambda s: s[0]):
        if lo > at:
            gaps.append((at, lo))
        if pd.isna(hi):
            return gaps
        at = max(at, hi)
    return [*gaps, (at, pd.NaT)]


def _follow(place_id: str, covering: pd.DataFrame, own: np.ndarray | None) -> list[dict]:
    """One place's area-given intervals: on each span between bounds, the newest covering
    area interval, unless the place has its own state then."""
    bounds = set(covering["valid_from"]) | {v for v in covering["valid_to"] if pd.notna(v)}
    if own is not None:
        bounds |= {v for row in own for v in row if pd.notna(v)}
    bounds = sorted(bounds)
    rows: list[dict] = []
    for lo, hi in zip(bounds, [*bounds[1:], None], strict=True):
        if own is not None and any(valid_at(f, t, lo) for f, t in own):
            continue
        live = covering[valid_on(covering, lo)]
        if live.empty:
            continue
        best = live.loc[live["order"].idxmax()]
        state = (best["controller"], best["status"], best["opponent"], best["polygon"])
        end = pd.NaT if hi is None else hi
        if rows and rows[-1]["_state"] == state and rows[-1]["valid_to"] == lo:
            rows[-1]["valid_to"] = end
            continue
        rows.append(
            {
                "_state": state,
                "place_id": place_id,
                "controller": best["controller"],
                "status": best["status"],
                "opponent": best["opponent"],
                "valid_from": lo,
                "valid_to": end,
                "from_precision": "day" if lo != best["valid_from"] else best["from_precision"],
                "to_precision": "day",
                "reported": best["reported"],
                "sources": best["sources"],
                "basis": "polygon",
                "polygon": best["polygon"],
            }
        )
    for row in rows:
        del row["_state"]
    return rows
