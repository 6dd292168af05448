"""Who fights whom: the relations table and the controllers' countries."""

from __future__ import annotations

import pandas as pd

from mapgen.dataset import check_dataset, load_dataset
from tests.conftest import TINY_CONTROLLERS

HEADER = "side_a,side_b,relation,valid_from,valid_to,source,notes\n"
GREEN = "green,Green side,#009e73,,\n"


def test_dated_relations_and_unlisted_pairs_are_hostile(tiny_files):
    relations = HEADER + "Reds,blue,allied,,2020-01-10,R,\nblue,red,hostile,2020-01-10,,R,\n"
    files = tiny_files(controllers=TINY_CONTROLLERS + GREEN, relations=relations)
    rel = load_dataset(files).relations
    assert rel.relation("red", "blue", pd.Timestamp("2020-01-09")) == "allied"
    assert rel.relation("blue", "red", pd.Timestamp("2020-01-10")) == "hostile"
    assert rel.hostile("green", "red", pd.Timestamp("2020-01-01"))  # not listed
    assert not rel.hostile("red", "red", pd.Timestamp("2020-01-01"))
    assert rel.change_dates() == [pd.Timestamp("2020-01-10")]


def test_bad_relations_are_reported_with_line_column_and_hint(tiny_files):
    relations = (
        HEADER
        + "red,bleu,allied,,,R,\n"  # line 2: unknown side, close to blue
        + "red,blue,friends,,,R,\n"  # line 3: unknown relation
        + "red,red,allied,,,R,\n"  # line 4: itself
        + "red,blue,neutral,2020-02-01,2020-01-01,R,\n"  # line 5: inverted
        + "red,blue,allied,2020-13-01,,R,\n"  # line 6: not a date
    )
    _, problems = check_dataset(tiny_files(relations=relations))
    found = {(p.line, p.column): p for p in problems.errors}
    assert set(found) == {
        (2, "side_b"),
        (3, "relation"),
        (4, "side_b"),
        (5, "valid_to"),
        (6, "valid_from"),
    }
    assert "did you mean 'blue'" in str(found[(2, "side_b")])
    assert "hostile, allied, neutral" in str(found[(3, "relation")])


def test_overlapping_periods_of_one_pair_are_an_error(tiny_files):
    relations = HEADER + "red,blue,allied,,2020-01-10,R,\nblue,red,hostile,2020-01-05,,R,\n"
    _, problems = check_dataset(tiny_files(relations=relations))
    (error,) = problems.errors
    assert (error.line, error.column) == (3, "valid_from")
    assert "overlaps the one on line 2" in error.message


def test_controllers_countries_are_iso3_codes(tiny_files):
    controllers = "id,name,color,countries\nred,Red,#d55e00,syr|IRQ\nblue,Blue,#0072b2,Syria\n"
    dataset, problems = check_dataset(tiny_files(controllers=controllers))
    (error,) = [p for p in problems.errors if p.path.endswith("controllers.csv")]
    assert (error.line, error.column, error.value) == (3, "countries", "Syria")
    assert "ISO 3166-1 alpha-3" in error.message
    red = dataset.controllers["red"]
    assert red.countries == ("SYR", "IRQ")
    assert red.may_hold("IRQ") and not red.may_hold("TUR")
