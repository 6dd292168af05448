"""The control timeline on the hard cases: reversals, month precision, same day, contested."""

from __future__ import annotations

import pandas as pd
import pytest

from mapgen.dataset import load_dataset
from mapgen.timeline import build_timeline


@pytest.fixture(scope="module")
def default_timeline():
    return build_timeline(load_dataset())


HEADER = "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
AREA_HEADER = (
    "event_id,date,place,area,controller,status,opponent,source,source_url,notes,geometry\n"
)


def controller_on(timeline, place, day):
    state = timeline.state_on(day)
    return (
        (state.at[place, "controller"], state.at[place, "status"]) if place in state.index else None
    )


def test_abu_kamal_taken_lost_and_retaken(default_timeline):
    tl = default_timeline
    assert controller_on(tl, "abu-kamal", "2017-11-07") == ("isis", "controlled")
    assert controller_on(tl, "abu-kamal", "2017-11-08") == ("isis", "contested")
    assert controller_on(tl, "abu-kamal", "2017-11-09") == ("syria", "controlled")
    assert controller_on(tl, "abu-kamal", "2017-11-10") == ("syria", "controlled")
    assert controller_on(tl, "abu-kamal", "2017-11-12") == ("isis", "contested")
    assert controller_on(tl, "abu-kamal", "2017-11-18") == ("isis", "contested")
    assert controller_on(tl, "abu-kamal", "2017-11-19") == ("syria", "controlled")
    history = tl.history("abu-kamal")
    assert list(history["valid_from"].dt.strftime("%Y-%m-%d")) == [
        "2014-07-01",  # reported as July 2014: uncertain all that month
        "2014-08-01",
        "2017-11-08",
        "2017-11-09",
        "2017-11-11",
        "2017-11-19",
    ]
    # exclusive ends: each interval ends where the next starts, the last one is open
    assert list(history["valid_to"].iloc[:-1]) == list(history["valid_from"].iloc[1:])
    assert pd.isna(history["valid_to"].iloc[-1])


def test_contested_period_names_both_sides(default_timeline):
    raqqa = default_timeline.history("raqqa").set_index("valid_from")
    contested = raqqa.loc[pd.Timestamp("2017-06-06")]
    assert (contested.controller, contested.status, contested.opponent) == (
        "isis",
        "contested",
        "sdf",
    )
    assert contested.valid_to == pd.Timestamp("2017-10-17")
    assert controller_on(default_timeline, "raqqa", "2017-10-16") == ("isis", "contested")
    assert controller_on(default_timeline, "raqqa", "2017-10-17") == ("sdf", "controlled")


def test_a_month_precision_change_is_uncertain_until_its_month_ends(tiny_files):
    events = HEADER + (
        "U1,2020-01-01,alpha,red,,,R,,\n"
        "U2,2020-02,alpha,blue,,,R,,\n"  # taken some time in February
        "U3,2020-02-01,bravo,red,,,R,,\n"
        "U4,2020-03,bravo,blue,,,R,,\n"  # March, but ...
        "U5,2020-03-10,bravo,red,contested,blue,R,,\n"  # ... a dated report cuts it short
        "U6,2020-04,charlie,blue,,,R,,\n"  # no previous state
        "U7,2020-04,alpha,blue,contested,red,R,,\n"  # not a change of hands: as reported
    )
    tl = build_timeline(load_dataset(tiny_files(events=events)))
    assert controller_on(tl, "alpha", "2020-01-31") == ("red", "controlled")
    assert controller_on(tl, "alpha", "2020-02-01") == ("red", "uncertain")
    assert tl.state_on("2020-02-29").at["alpha", "opponent"] == "blue"
    assert controller_on(tl, "alpha", "2020-03-01") == ("blue", "controlled")
    assert controller_on(tl, "alpha", "2020-04-01") == ("blue", "contested")
    assert controller_on(tl, "bravo", "2020-03-09") == ("red", "uncertain")
    assert controller_on(tl, "bravo", "2020-03-10") == ("red", "contested")
    assert controller_on(tl, "charlie", "2020-04-15") == ("blue", "uncertain")
    assert controller_on(tl, "charlie", "2020-05-01") == ("blue", "controlled")
    frame = tl.to_frame().set_index(["place_id", "status"])
    assert frame.loc[("alpha", "uncertain"), "valid_from"] == "2020-02"
    assert frame.loc[("alpha", "uncertain"), "valid_to"] == "2020-03-01"
    assert (
        frame.loc[("alpha", "uncertain"), "reported"],
        frame.loc[("alpha", "uncertain"), "sources"],
    ) == ("2020-02", "U2")
    changes = tl.changes().set_index(["place_id", "date"])
    first = changes.loc[("alpha", pd.Timestamp("2020-02-01"))]
    assert (first.precision, first.to_status, first.opponent) == ("month", "uncertain", "blue")
    second = changes.loc[("alpha", pd.Timestamp("2020-03-01"))]
    assert (second.precision, second.from_status, second.to_controller) == (
        "day",
        "uncertain",
        "blue",
    )


def test_places_without_events_take_the_newest_covering_area(tiny_files):
    square = "POLYGON ((39.9 34.9, 40.6 34.9, 40.6 35.1, 39.9 35.1, 39.9 34.9))"  # alpha, bravo
    small = "POLYGON ((40.4 34.9, 40.6 34.9, 40.6 35.1, 40.4 35.1, 40.4 34.9))"  # bravo
    events = AREA_HEADER + (
        "B1,2020-01-01,alpha,,red,,,R,,,\n"
        f'B2,2020-01-05,,north,blue,,,R,,,"{square}"\n'
        f'B3,2020-01-07,,pocket,red,besieged,blue,R,,,"{small}"\n'
        "B4,2020-01-12,,pocket,,ended,,R,,,\n"
        "B5,2020-01-20,,north,red,,,R,,,\n"
    )
    tl = build_timeline(load_dataset(tiny_files(events=events)))
    assert controller_on(tl, "alpha", "2020-01-06") == ("red", "controlled")  # its own state
    assert controller_on(tl, "bravo", "2020-01-04") is None
    assert controller_on(tl, "bravo", "2020-01-05") == ("blue", "controlled")
    assert controller_on(tl, "bravo", "2020-01-07") == ("red", "besieged")
    assert controller_on(tl, "bravo", "2020-01-12") == ("blue", "controlled")
    assert controller_on(tl, "bravo", "2020-01-20") == ("red", "controlled")
    bravo = tl.history("bravo")
    assert set(bravo["basis"]) == {"polygon"}
    assert list(bravo["polygon"]) == ["north", "pocket", "north", "north"]
    areas = tl.polygons_on("2020-01-08")
    assert sorted(areas.index) == ["north", "pocket"]
    assert areas.at["pocket", "order"] > areas.at["north", "order"]
    assert tl.polygons_on("2020-01-12").index.tolist() == ["north"]
    assert list(tl.change_dates.strftime("%m-%d")) == ["01-05", "01-07", "01-12", "01-20"]
    changes = tl.changes()
    # the followers are not listed; the pocket's end is
    assert list(changes["polygon"]) == ["north", "pocket", "pocket", "north"]
    assert list(changes["to_controller"]) == ["blue", "red", "", "red"]
    assert (changes["to_status"].iloc[2], changes["sources"].iloc[2]) == ("ended", "B4")


def test_besieged_enclave_then_siege_broken(default_timeline):
    dz = default_timeline
    assert controller_on(dz, "deir-ez-zor", "2017-07-01") == ("syria", "besieged")
    assert controller_on(dz, "deir-ez-zor", "2017-09-05") == ("syria", "controlled")
    assert controller_on(dz, "deir-ez-zor", "2017-11-03") == ("syria", "controlled")


def test_sources_follow_each_interval(default_timeline):
    last = default_timeline.history("abu-kamal").iloc[-1]
    events = default_timeline.source_events(last.sources)
    assert list(events.index) == ["E060"]
    assert "2017-11-19" in events.iloc[0]["source"]


def test_change_dates_and_periods_cover_the_range(default_timeline):
    tl = default_timeline
    dates = set(tl.change_dates.strftime("%Y-%m-%d"))
    assert {"2017-07-10", "2017-11-03", "2017-11-09", "2017-11-11", "2017-11-19"} <= dates
    assert "2017-11-10" not in dates
    periods = tl.periods()
    assert periods["valid_from"].iloc[0] == tl.start
    assert periods["valid_to"].iloc[-1] == tl.end + pd.Timedelta(days=1)
    assert (periods["valid_from"].iloc[1:].values == periods["valid_to"].iloc[:-1].values).all()
    days = (periods["valid_to"] - periods["valid_from"]).dt.days.sum()
    assert days == (tl.end - tl.start).days + 1


def test_changes_table_has_one_row_per_change_in_range(default_timeline):
    changes = default_timeline.changes()
    ak = changes[changes["place_id"] == "abu-kamal"]
    assert list(zip(ak["from_controller"], ak["to_controller"], strict=True)) == [
        ("isis", "isis"),
        ("isis", "syria"),
        ("syria", "isis"),
        ("isis", "syria"),
    ]
    assert changes["date"].is_monotonic_increasing


def test_same_day_events_last_row_wins_and_keeps_all_sources(tiny_files):
    events = (
        HEADER
        + "A1,2020-01-01,alpha,red,,,R1,,\n"
        + "A2,2020-01-05,alpha,red,contested,blue,R2,,\n"
        + "A3,2020-01-05,alpha,blue,,,R3,,\n"
    )
    tl = build_timeline(load_dataset(tiny_files(events=events)))
    history = tl.history("alpha")
    assert list(history["controller"]) == ["red", "blue"]
    assert history.iloc[1].sources == "A2;A3"
    assert history.iloc[0].valid_to == pd.Timestamp("2020-01-05")


def test_repeated_state_extends_the_interval(tiny_files):
    events = HEADER + "A1,2020-01-01,alpha,red,,,R1,,\nA2,2020-01-09,alpha,red,,,R2,,\n"
    history = build_timeline(load_dataset(tiny_files(events=events))).history("alpha")
    assert len(history) == 1
    assert history.iloc[0].sources == "A1;A2"
    assert pd.isna(history.iloc[0].valid_to)


def test_month_event_orders_before_a_day_event_of_the_same_first_day(tiny_files):
    events = HEADER + "A1,2020-02-01,alpha,blue,,,R1,,\nA2,2020-02,alpha,red,,,R2,,\n"
    history = build_timeline(load_dataset(tiny_files(events=events))).history("alpha")
    assert list(history["controller"]) == ["blue"]
    assert history.iloc[0].sources == "A2;A1"
