"""The embedded default dataset: valid, sourced, and complete for the campaign."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mapgen.dataset import DATA_DIR, DatasetFiles, check_dataset, load_dataset

CAMPAIGN = ["raqqa", "deir-ez-zor", "mosul", "hawija", "al-qaim", "rawa", "abu-kamal"]


@pytest.fixture(scope="module")
def default():
    return load_dataset()


def test_default_dataset_has_no_errors_and_no_warnings():
    _, problems = check_dataset()
    assert [str(p) for p in problems.items] == []


def test_every_event_has_a_source_and_the_range_is_the_campaign(default):
    assert default.events["source"].str.len().min() > 10
    assert default.start == pd.Timestamp("2017-07-01")
    assert default.end == pd.Timestamp("2019-03-31")
    assert default.events["event_id"].is_unique


def test_campaign_places_have_events_polygons_and_aliases(default):
    used = set(default.events["place_id"])
    assert set(CAMPAIGN) <= used
    assert set(CAMPAIGN) <= set(default.places.polygons.index)
    for place in CAMPAIGN:
        assert default.places.polygons.geometry[place].is_valid
        assert default.places.polygons.geometry[place].contains(
            default.places.places.geometry[place]
        )
    resolve = default.places.resolve
    assert resolve("البوكمال") == ["abu-kamal"]
    assert resolve("Μπουκάμαλ") == ["abu-kamal"]
    assert resolve("Abū Kemāla") == ["abu-kamal"]
    assert resolve("Al Qā’im") == ["al-qaim"]
    assert resolve("ديرالزور") == ["deir-ez-zor"]
    assert resolve("Husaybah border post") == ["husaybah-crossing"]


def test_gazetteer_is_built_from_geonames_with_hand_places_marked(default):
    places = default.places.places
    assert len(places) > 450
    assert set(places["origin"]) == {"geonames", "hand"}
    hand = places[places["origin"] == "hand"]
    # every hand place comes from tools/gazetteer/hand_places.csv (how each was placed)
    table = Path(__file__).parents[1] / "tools" / "gazetteer" / "hand_places.csv"
    with table.open(encoding="utf-8", newline="") as fh:
        assert set(hand.index) == {row["id"] for row in csv.DictReader(fh)}
    assert {"baghuz", "husaybah-crossing"} <= set(hand.index)
    assert hand["geonames_id"].isna().all()
    assert hand["notes"].str.contains("uncertainty").all()
    assert places.at["abu-kamal", "geonames_id"] == 174448
    assert places.at["abu-kamal", "governorate"] == "Deir ez-Zor"
    assert places.at["al-qaim", "country"] == "IRQ"


def test_controllers_have_colours_and_aliases_in_the_seed_languages(default):
    resolve = default.controllers.resolve
    assert resolve("Daesh") == ["isis"]
    assert resolve("داعش") == ["isis"]
    assert resolve("Irākas spēki") == ["iraq"]
    assert resolve("ιρακινές δυνάμεις") == ["iraq"]
    assert resolve("قوات سوريا الديمقراطية") == ["sdf"]
    assert resolve("Syrian allies") == ["syria"]
    assert len({c.color for c in default.controllers}) == len(default.controllers)


def test_broken_copy_lists_every_planted_problem_with_its_line(tmp_path):
    with (DATA_DIR / "events.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    planted = {
        5: ("date", "2014-1-5"),
        10: ("place", "Mosull"),
        20: ("controller", "Daeshh"),
        30: ("status", "held"),
        41: ("source", ""),
    }
    for line, (column, value) in planted.items():
        rows[line - 1][header.index(column)] = value
    broken = tmp_path / "events.csv"
    with broken.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    places = tmp_path / "places.csv"
    shutil.copy(DATA_DIR / "places.csv", places)
    shutil.copy(DATA_DIR / "areas.geojson", tmp_path / "areas.geojson")  # the area events' shapes
    original = broken.read_bytes()
    _, problems = check_dataset(DatasetFiles.from_options(events=broken, places=places))
    found = {(p.line, p.column) for p in problems.errors}
    assert found == {(line, column) for line, (column, _) in planted.items()}
    assert broken.read_bytes() == original
    messages = {p.line: str(p) for p in problems.errors}
    assert "did you mean 'mosul'" in messages[10].lower()
    assert "YYYY-MM-DD" in messages[5]
    assert "isis" in messages[20]
    assert "controlled, contested, besieged" in messages[30]
