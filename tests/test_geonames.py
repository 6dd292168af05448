"""``mapgen gazetteer``: places for any countries from GeoNames cities500."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from mapgen.cli import cli
from mapgen.gazetteer import read_places
from mapgen.problems import Problems
from mapgen.world.geonames import resolve_countries, select_places

KHARKIV_AREA = "35.8,49.7,36.7,50.2"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_gazetteer_writes_a_valid_places_table_with_names_in_other_scripts(tmp_path: Path) -> None:
    out = tmp_path / "places.csv"
    result = run("gazetteer", "--countries", "ua", "--extent", KHARKIV_AREA, "--out", str(out))
    assert result.exit_code == 0, result.output
    problems = Problems()
    places = read_places(out, problems).places
    assert problems.items == []
    assert f"{len(places)} places" in result.output
    kharkiv = places.loc["kharkiv"]
    assert kharkiv["geonames_id"] == 706483
    assert kharkiv["country"] == "UKR" and kharkiv["governorate"] == "UA.07"
    assert kharkiv["population"] > 1_000_000 and kharkiv["origin"] == "geonames"
    assert {"Харків", "Харьков", "Charków"} <= set(kharkiv["aliases"])
    assert "HRK" not in kharkiv["aliases"]  # codes are not names
    assert places.geometry.x.between(35.8, 36.7).all()
    assert places.geometry.y.between(49.7, 50.2).all()


def test_every_place_of_ukraine_with_crimea_and_unique_ids() -> None:
    rows = select_places(["UKR"])
    assert len(rows) == 5488
    assert len({r["id"] for r in rows}) == len(rows)
    names = {r["name"] for r in rows}
    assert {"Sevastopol", "Simferopol", "Kherson", "Bakhmut"} <= names


def test_names_in_another_script_get_a_latin_id() -> None:
    rows = select_places(["RU"], extent=(131.9, 43.4, 132.0, 43.5))
    by_name = {r["name"]: r["id"] for r in rows}
    assert by_name["Кипарисово-2"] == "geonames-8629392"  # no Latin name in GeoNames
    assert all(r["id"].isascii() for r in rows)


def test_country_codes_in_either_form_and_unknown_ones_named() -> None:
    assert resolve_countries(["ua", "RUS", "UA"]) == ["UA", "RU"]
    result = run("gazetteer", "--countries", "UA,XX", "--out", "never.csv")
    assert result.exit_code == 1
    assert "unknown country code 'XX'" in result.output
    assert not Path("never.csv").exists()


def test_a_bad_extent_is_named() -> None:
    result = run("gazetteer", "--countries", "UA", "--extent", "40,50,30,45", "--out", "x.csv")
    assert result.exit_code == 2
    assert "'40,50,30,45' is not a box" in result.output
