"""Problems and their hints: 'did you mean' over the gazetteer's names."""

from __future__ import annotations

import random
import re

import pytest

from mapgen.dataset import DatasetFiles
from mapgen.gazetteer import read_places
from mapgen.problems import Problems, Suggester, did_you_mean


def _first(hint: str | None) -> str | None:
    return re.findall(r"'(.*?)'(?: or |\?)", hint)[0] if hint else None


def _misspelt(name: str, rng: random.Random) -> str:
    """``name`` with one letter deleted, inserted or replaced."""
    i = rng.randrange(len(name))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return {
        "delete": name[:i] + name[i + 1 :],
        "insert": name[:i] + letter + name[i:],
        "replace": name[:i] + letter + name[i + 1 :],
    }[rng.choice(["delete", "insert", "replace"])]


@pytest.fixture(scope="module")
def place_names() -> list[str]:
    gazetteer = read_places(DatasetFiles.from_options().places, Problems())
    return [*gazetteer.places.index, *gazetteer.places["name"]]


def test_suggester_finds_what_a_full_comparison_finds_on_misspelt_place_names(place_names):
    rng = random.Random(14)
    names = [n for n in place_names if len(n) >= 4]
    asked = [_misspelt(name, rng) for name in rng.sample(names, 200)]
    suggest = Suggester(place_names)
    same = sum(_first(suggest(v)) == _first(did_you_mean(v, place_names)) for v in asked)
    # the index narrows the comparison to 50 names; the best of them is the overall best
    assert same >= 196, f"{same} of 200 first suggestions agree with difflib over all names"


def test_suggester_keeps_the_spelling_of_the_choice_and_says_nothing_when_nothing_is_close():
    suggest = Suggester(["Abu Kamal", "al-qaim", "Deir ez-Zor"])
    assert suggest("abu kamel") == "did you mean 'Abu Kamal'?"
    assert suggest("AL-QAIM") == "did you mean 'al-qaim'?"
    assert suggest("Stockholm") is None
    assert suggest("") is None
    assert suggest("x" * 100_000) is None  # a long value is cut before it is compared
