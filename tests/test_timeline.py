"""The control timeline on the hard cases: reversals, month precision, same day, contested."""

from __future__ import annotations

import pandas as pd
import pytest

from mapgen.dataset import load_dataset
from mapgen.timeline import build_timeline

HEADER = "event_id,date,place,controller,status,opponent,source,source_url,notes\n"


@pytest.fixture(scope="module")
def default_timeline():
    return build_timeline(load_dataset())


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
        "2014-07-01",
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


def test_month_precision_is_kept_and_starts_on_the_first_possible_day(default_timeline):
    dhiban = default_timeline.history("dhiban").iloc[-1]  # SDF from "2017-12" (month)
    assert dhiban.valid_from == pd.Timestamp("2017-12-01")
    assert dhiban.from_precision == "month"
    frame = default_timeline.to_frame()
    assert frame.loc[frame["place_id"] == "dhiban", "valid_from"].iloc[-1] == "2017-12"
    assert controller_on(default_timeline, "dhiban", "2017-11-30") == ("isis", "controlled")


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
