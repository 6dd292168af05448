"""One day's layers as GeoDataFrames (Territory.areas_on, frontlines_on, places_on)."""

from __future__ import annotations

import pandas as pd
import pytest

from mapgen.dataset import load_dataset
from mapgen.errors import DateRangeError
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline

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
    "geometry",
]
FRONTLINE_COLUMNS = [
    "frontline_id",
    "side_a",
    "side_b",
    "valid_from",
    "valid_to",
    "length_km",
    "geometry",
]
PLACE_COLUMNS = [
    "place_id",
    "place",
    "polygon",
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
    "geometry",
]


@pytest.fixture(scope="module")
def territory():
    return build_territory(build_timeline(load_dataset()))


@pytest.mark.parametrize("day", ["2017-07-01", "2017-11-10", "2019-03-31"])
def test_a_days_layers_are_what_is_valid_that_day(territory, day):
    d = pd.Timestamp(day)
    for name, columns, method in (
        ("areas", AREA_COLUMNS, territory.areas_on),
        ("frontlines", FRONTLINE_COLUMNS, territory.frontlines_on),
        ("places", PLACE_COLUMNS, territory.places_on),
    ):
        frame = method(day)
        assert list(frame.columns) == columns, name
        assert frame.crs.to_epsg() == 4326
        assert list(frame.index) == list(range(len(frame)))
        assert (frame["valid_from"] <= d).all()
        assert (frame["valid_to"].isna() | (frame["valid_to"] > d)).all()
        whole = getattr(territory, name)
        valid = (whole["valid_from"] <= d) & (whole["valid_to"].isna() | (whole["valid_to"] > d))
        assert len(frame) == int(valid.sum()), name


def test_areas_of_a_day_add_up_to_the_days_statistics(territory):
    day = "2017-11-10"
    areas = territory.areas_on(day)
    km2 = areas.groupby(["controller", "kind"])["area_km2"].sum().unstack(fill_value=0.0)
    stats = territory.stats().set_index(["date", "controller"]).loc[pd.Timestamp(day)]
    for side, row in km2.iterrows():
        assert row.get("held", 0.0) == pytest.approx(stats.loc[side, "held_km2"], abs=0.5)
        assert row.get("zone", 0.0) == pytest.approx(stats.loc[side, "zone_km2"], abs=0.5)


def test_places_of_a_day_follow_the_events(territory):
    # data/events.csv: Iraqi forces took Al-Qaim on 2017-11-03, Syrian government forces
    # entered Abu Kamal on 2017-11-08 (contested) and took it on 2017-11-19.
    places = territory.places_on("2017-11-10").set_index("place_id")
    timeline = territory.timeline.state_on("2017-11-10")
    for place in ("al-qaim", "abu-kamal"):
        assert places.loc[place, "controller"] == timeline.loc[place, "controller"]
        assert places.loc[place, "status"] == timeline.loc[place, "status"]
    assert places.loc["al-qaim", "controller"] == "iraq"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2016-05-01", "2016-05-01 is outside the map's range 2017-07-01 to 2019-03-31"),
        ("2017-13-01", "2017-13-01"),
        ("2017-11", "not a single day"),
    ],
)
def test_a_day_outside_the_range_or_not_a_day_is_refused(territory, day, message):
    for method in (territory.areas_on, territory.frontlines_on, territory.places_on):
        with pytest.raises(DateRangeError, match=message):
            method(day)


def test_timestamps_and_dates_are_days_too(territory):
    a = territory.areas_on(pd.Timestamp("2017-11-10 15:30"))
    b = territory.areas_on("2017-11-10")
    assert a["area_id"].tolist() == b["area_id"].tolist()
