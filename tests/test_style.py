"""What every renderer shows alike: the credit line names only the data a map uses."""

from __future__ import annotations

import csv

from mapgen.dataset import DATA_DIR, load_dataset
from mapgen.render.style import GEONAMES_CREDIT, NATURAL_EARTH_CREDIT, attribution
from tests.conftest import TINY_EVENTS

FAR_PLACES = """id,name,lat,lon
alpha,Alpha,0.5,0.4
bravo,Bravo,0.3,0.7
charlie,Charlie,0.1,0.2
"""


def test_default_dataset_credits_every_source() -> None:
    credit = attribution(load_dataset())
    assert NATURAL_EARTH_CREDIT in credit and "GSHHG" in credit and GEONAMES_CREDIT in credit
    with (DATA_DIR / "events.csv").open(encoding="utf-8", newline="") as fh:
        sources = {row["source"] for row in csv.DictReader(fh)}
    assert len(sources) > 50 and credit.endswith(f"Events: {len(sources)} sources")


def test_own_places_far_from_the_base_layers_are_not_credited_to_them(tiny_files) -> None:
    credit = attribution(load_dataset(tiny_files(events=TINY_EVENTS, places=FAR_PLACES)))
    assert credit == "Events: 4 sources"


def test_geonames_is_credited_when_a_place_has_a_geonames_id(tiny_files) -> None:
    credit = attribution(load_dataset(tiny_files()))  # TINY_PLACES: ids 1 and 2, in Syria
    assert NATURAL_EARTH_CREDIT in credit and GEONAMES_CREDIT in credit
