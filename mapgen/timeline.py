"""The control timeline: for each place, intervals of (controller, status) with their sources.

This is the contract between the input and everything drawn or written from it. An interval
is valid from ``valid_from`` (inclusive) to ``valid_to`` (exclusive); ``NaT`` in ``valid_to``
means it is still open at the end of the data. Days between two change dates share one state,
so consumers work per change date, never per day.

Same-day events for one place are applied in file order and only the last one is a state
(earlier ones become sources of it). Consecutive events that report the same state extend the
interval and add their sources. A month- or year-precision event takes effect from the first
day it can have happened and keeps its precision in ``from_precision``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import pandas as pd

from mapgen.dataset import Dataset
from mapgen.dates import format_date
from mapgen.validity import valid_on

INTERVAL_COLUMNS = [
    "place_id",
    "controller",
    "status",
    "opponent",
    "valid_from",
    "valid_to",
    "from_precision",
    "to_precision",
    "sources",
]
_PRECISION_RANK = {"year": 0, "month": 1, "week": 2, "day": 3}
SOURCE_SEPARATOR = ";"


@dataclass(frozen=True)
class Timeline:
    """Per-place control intervals of a dataset, with the map's date range.

    Attributes
    ----------
    intervals
        GeoDataFrame (EPSG:4326 place points), one row per interval, ``INTERVAL_COLUMNS``;
        ``valid_from``/``valid_to`` are datetime64 with ``valid_to`` exclusive and NaT open;
        ``sources`` is the ``;``-joined event ids behind the interval.
    dataset
        The dataset it was built from (events, places, controllers, range).
    """

    intervals: gpd.GeoDataFrame
    dataset: Dataset

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

    @cached_property
    def change_dates(self) -> pd.DatetimeIndex:
        """The days in the range on which any place's state differs from the day before."""
        bounds = pd.concat([self.intervals["valid_from"], self.intervals["valid_to"]]).dropna()
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
        """One row per change of a place's state inside the range, in date order.

        Columns: ``date``, ``precision``, ``place_id``, ``place``, ``from_controller``,
        ``from_status``, ``to_controller``, ``to_status``, ``opponent``, ``sources``.
        """
        rows = []
        ordered = self.intervals.sort_values(["place_id", "valid_from"], kind="stable")
        for place_id, group in ordered.groupby("place_id", sort=True):
            previous = None
            for item in group.itertuples(index=False):
                inside = self.start < item.valid_from <= self.end
                if inside:
                    rows.append(_change_row(str(place_id), previous, item, self.dataset))
                previous = item
        frame = pd.DataFrame(rows, columns=_CHANGE_COLUMNS)
        return frame.sort_values(["date", "place"], kind="stable").reset_index(drop=True)

    def source_events(self, sources: str) -> pd.DataFrame:
        """The event rows behind a ``sources`` value (``;``-joined event ids)."""
        ids = [s for s in sources.split(SOURCE_SEPARATOR) if s]
        events = self.dataset.events.set_index("event_id")
        return events.loc[ids]

    def to_frame(self) -> pd.DataFrame:
        """The intervals as a plain table with dates written the way they were reported."""
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
                "sources": iv["sources"],
            }
        )


_CHANGE_COLUMNS = [
    "date",
    "precision",
    "place_id",
    "place",
    "from_controller",
    "from_status",
    "to_controller",
    "to_status",
    "opponent",
    "sources",
]


def _change_row(place_id: str, previous: object, item: object, dataset: Dataset) -> dict:
    return {
        "date": item.valid_from,
        "precision": item.from_precision,
        "place_id": place_id,
        "place": dataset.places.name(place_id),
        "from_controller": getattr(previous, "controller", ""),
        "from_status": getattr(previous, "status", ""),
        "to_controller": item.controller,
        "to_status": item.status,
        "opponent": item.opponent,
        "sources": item.sources,
    }


def build_timeline(dataset: Dataset) -> Timeline:
    """Turn a dataset's events into per-place control intervals."""
    events = dataset.events.assign(_rank=dataset.events["precision"].map(_PRECISION_RANK))
    events = events.sort_values(["place_id", "start", "_rank", "line"], kind="stable")
    days = events.groupby(["place_id", "start"], sort=False)
    # One state per place and day: the day's last row, with every row of the day as source.
    daily = days.tail(1).set_index(["place_id", "start"])
    daily["ids"] = days["event_id"].agg(SOURCE_SEPARATOR.join)
    daily = daily.reset_index()
    state = daily[["controller", "status", "opponent"]]
    same_place = daily["place_id"].eq(daily["place_id"].shift())
    same_state = (state == state.shift()).all(axis=1)
    daily["run"] = (~(same_place & same_state)).cumsum()
    runs = daily.groupby("run", sort=False)
    frame = runs.first()[["place_id", "controller", "status", "opponent", "start", "precision"]]
    frame = frame.rename(columns={"start": "valid_from", "precision": "from_precision"})
    frame["sources"] = runs["ids"].agg(SOURCE_SEPARATOR.join)
    next_same_place = frame["place_id"].eq(frame["place_id"].shift(-1))
    frame["valid_to"] = frame["valid_from"].shift(-1).where(next_same_place)
    frame["to_precision"] = frame["from_precision"].shift(-1).where(next_same_place, "")
    frame = frame.reset_index(drop=True)[INTERVAL_COLUMNS]
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    points = dataset.places.places.geometry
    intervals = gpd.GeoDataFrame(
        frame, geometry=frame["place_id"].map(points).values, crs=dataset.places.places.crs
    )
    return Timeline(intervals, dataset)
