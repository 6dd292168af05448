"""Change notes in words: an area redrawn from a newer report is one change, not two."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import CAMPAIGN_AREAS, CAMPAIGN_EVENTS, campaign_files

from mapgen.dataset import load_dataset
from mapgen.render.changes import change_note, change_notes
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline

# On 2020-03-05 the red side's Kasra pocket of January is redrawn smaller (a newer report),
# a red area elsewhere begins (Echo's hills, not over the pocket's ground) and the blue
# pocket ends without a successor; "Bravo hills" names the place Bravo, and the area is
# named as the place is.
AREAS = json.loads(CAMPAIGN_AREAS)
AREAS["features"] += [
    {
        "type": "Feature",
        "properties": {"id": f, "name": n, "method": "made up for the tests"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    for f, n, ring in (
        ("red-a", "Amber ridge", [[40.3, 35.3], [40.5, 35.3], [40.5, 35.5], [40.3, 35.5]]),
        ("red-b", "Amber ridge, later", [[40.4, 35.3], [40.5, 35.3], [40.5, 35.4], [40.4, 35.4]]),
        ("red-c", "Echo's hills", [[40.7, 35.65], [40.8, 35.65], [40.8, 35.75], [40.7, 35.75]]),
        ("bravo-town", "Bravo", [[40.43, 35.0], [40.47, 35.0], [40.47, 35.03], [40.43, 35.03]]),
    )
]
for feature in AREAS["features"][1:]:
    feature["geometry"]["coordinates"][0].append(feature["geometry"]["coordinates"][0][0])
EVENTS = CAMPAIGN_EVENTS + (
    "R1,2020-02-01,,red-a,red,,,Report 7,,\n"
    "R2,2020-03-05,,red-a,,ended,,Report 8,,\n"
    "R3,2020-03-05,,red-b,red,,,Report 8,,\n"
    "R4,2020-03-05,,red-c,red,,,Report 8,,\n"
    "B1,2020-03-10,bravo,bravo-town,blue,contested,red,Report 9,,\n"
)


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    files = campaign_files(tmp_path_factory.mktemp("redrawn"))
    files.events.write_text(EVENTS, encoding="utf-8")
    files.areas.write_text(json.dumps(AREAS), encoding="utf-8")
    return change_notes(build_territory(build_timeline(load_dataset(files))))


def lines(notes, day: str) -> list[str]:
    """The changes of ``day`` in words (without the date a week's note puts before them)."""
    return notes.table.loc[notes.table["date"] == pd.Timestamp(day), "line"].to_list()


def test_an_area_redrawn_the_day_it_ends_is_one_change(notes):
    day = lines(notes, "2020-03-05")
    assert "Amber ridge, later: redrawn, Red side" in day
    assert not any(line.startswith("Amber ridge:") for line in day)  # its end is not told
    # a new area of the same side elsewhere is news of its own, and so is an end
    assert "Echo's hills: nobody → Red side" in day
    assert "Kasra pocket: Blue side → area no longer drawn as a whole (its places decide)" in day
    assert "redrawn" in change_note(notes.on(pd.Timestamp("2020-03-05")), width=500)
    assert set(notes.on(pd.Timestamp("2020-03-05")).units) >= {"polygon:red-b", "polygon:red-c"}


def test_an_area_named_as_its_place_is_named_once(notes):
    assert "Bravo: nobody → Blue side (contested by Red side)" in lines(notes, "2020-03-10")


def test_a_note_tells_changes_of_hands_before_areas_redrawn_or_ended(notes):
    """A note cut to two lines keeps the news: changes of hands first (newest first), then
    changes of status, then areas redrawn or no longer drawn."""
    told = notes.on(pd.Timestamp("2020-03-10")).lines
    assert [line.split(": ", 1)[1] for line in told] == [
        "Bravo: nobody → Blue side (contested by Red side)",
        "Echo's hills: nobody → Red side",
        "Amber ridge, later: redrawn, Red side",
        "Kasra pocket: Blue side → area no longer drawn as a whole (its places decide)",
    ]


def test_an_import_tells_its_pieces_once_and_the_default_controller_by_name(tmp_path):
    """With a default controller (an import of polygons: ground no polygon covers is
    Ukraine's), a new area was that side's ground, an ended one goes back to it, and the
    pieces of one polygon that change on a day are one line with their number."""
    from conftest import CAMPAIGN_INFO

    areas = json.loads(CAMPAIGN_AREAS)
    for n, (x, y) in enumerate(((40.3, 35.3), (40.6, 35.3))):
        ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
        areas["features"].append(
            {
                "type": "Feature",
                "properties": {"id": f"piece-{n}", "name": "Red ground", "method": "test"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    files = campaign_files(tmp_path, info=CAMPAIGN_INFO + 'default_controller = "green"\n')
    files.events.write_text(
        CAMPAIGN_EVENTS
        + "P1,2020-03-05,,piece-0,red,,,Report 7,,\nP2,2020-03-05,,piece-1,red,,,Report 7,,\n",
        encoding="utf-8",
    )
    files.areas.write_text(json.dumps(areas), encoding="utf-8")
    notes = change_notes(build_territory(build_timeline(load_dataset(files))))
    told = notes.on(pd.Timestamp("2020-03-05")).lines  # with Delta's month, of 1 March
    assert [line for line in told if line.startswith("5 March")] == [
        "5 March: Red ground: Green side → Red side (×2)",
        "5 March: Kasra pocket: Blue side → Green side (area no longer drawn)",
    ]
