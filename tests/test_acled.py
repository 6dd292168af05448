"""ACLED import: transfers become events, everything else is counted, bad input is named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mapgen.acled import AcledError, import_acled, read_actor_table
from mapgen.cli import cli
from mapgen.controllers import read_controllers
from mapgen.dataset import DATA_DIR, DatasetFiles, check_dataset
from mapgen.errors import ValidationError
from mapgen.gazetteer import read_places
from mapgen.problems import Problems

SAMPLE = Path(__file__).parent / "data" / "acled_sample.csv"


@pytest.fixture(scope="module")
def gazetteer():
    return read_places(DATA_DIR / "places.csv", Problems())


@pytest.fixture(scope="module")
def controllers():
    return read_controllers(DATA_DIR / "controllers.csv", Problems())


@pytest.fixture(scope="module")
def result(gazetteer, controllers):
    return import_acled(SAMPLE, gazetteer=gazetteer, controllers=controllers)


def test_transfers_become_events_with_the_gaining_side(result):
    events = result.events.set_index("event_id")
    assert list(events.index) == [
        "SYR90001",
        "SYR90002",
        "SYR90003",
        "SYR90004",
        "IRQ90005",
        "IRQ90006",
        "SYR90007",
        "SYR90008",
        "IRQ90014",
    ]
    assert events.loc["SYR90003", ["date", "place", "controller"]].tolist() == [
        "2017-11-09",
        "abu-kamal",
        "syria",
    ]
    assert events.loc["SYR90004", "controller"] == "isis"  # non-state actor takes it back
    assert events.loc["IRQ90006", ["place", "controller"]].tolist() == ["kirkuk", "iraq"]
    assert events.loc["IRQ90005", "date"] == "2017-11-03"  # API-style ISO date
    assert (events["status"] == "controlled").all()
    assert events.loc["SYR90002", "source"] == "Reuters (via ACLED)"
    assert "the SDF take the last districts" in events.loc["SYR90002", "notes"]


def test_precisions_are_kept(result):
    events = result.events.set_index("event_id")
    assert events.loc["SYR90007", ["date", "date_precision"]].tolist() == ["2017-10", "month"]
    assert events.loc["SYR90008", ["date", "date_precision"]].tolist() == ["2017-10-22", "week"]
    assert events.loc["SYR90001", "date_precision"] == "day"
    assert events.loc["SYR90007", ["time_precision", "geo_precision"]].tolist() == ["3", "2"]


def test_places_match_by_name_and_distance_or_are_added_once(result):
    events = result.events.set_index("event_id")
    assert events.loc["IRQ90014", "place"] == "anah"  # "Ana" names two places; the near one
    assert events.loc["SYR90001", "place"] == "mayadin"
    assert events.loc["SYR90007", "place"] == events.loc["SYR90008", "place"] == "al-ashara"
    assert result.new_places[["id", "name", "country", "origin"]].values.tolist() == [
        ["al-ashara", "Al Ashara", "SYR", "acled"]
    ]


def test_same_name_far_away_is_a_new_place(gazetteer, controllers, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("35.0198,40.4515", "33.0198,38.4515")
    moved = tmp_path / "moved.csv"
    moved.write_text(text, encoding="utf-8")
    result = import_acled(moved, gazetteer=gazetteer, controllers=controllers)
    events = result.events.set_index("event_id")
    assert events.loc["SYR90001", "place"] == "al-mayadin"
    assert "al-mayadin" in set(result.new_places["id"])


def test_other_rows_and_unmapped_actors_are_counted_not_dropped(result):
    assert result.rows == 14
    assert dict(result.skipped) == {"Armed clash": 2, "Air/drone strike": 1, "Peaceful protest": 1}
    assert dict(result.unmapped) == {"Unidentified Armed Group (Syria)": 1}
    used = len(result.events) + sum(result.skipped.values()) + sum(result.unmapped.values())
    assert used == result.rows
    summary = result.summary()
    assert "'Unidentified Armed Group (Syria)': 1 row(s)" in summary
    assert "skipped 2: sub_event_type 'Armed clash'" in summary
    assert "new place 'al-ashara'" in summary


def test_actor_table_is_editable(gazetteer, controllers, tmp_path):
    table = tmp_path / "actors.csv"
    table.write_text(
        (DATA_DIR / "acled_actors.csv").read_text(encoding="utf-8")
        + "Unidentified Armed Group (Syria),isis,assumed for the test\n",
        encoding="utf-8",
    )
    result = import_acled(SAMPLE, gazetteer=gazetteer, controllers=controllers, actors=table)
    assert not result.unmapped
    assert result.events.set_index("event_id").loc["SYR90009", "place"] == "hajin"


def test_actor_table_with_unknown_controller_is_an_error(controllers, tmp_path):
    table = tmp_path / "actors.csv"
    table.write_text("actor,controller\nSome Militia,militias\n", encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        read_actor_table(table, controllers)
    assert "unknown controller (value: 'militias'); use one of isis, syria" in str(error.value)


def test_imported_table_passes_validate_with_the_new_places(tmp_path):
    out = tmp_path / "events.csv"
    run = CliRunner().invoke(
        cli,
        ["import-acled", str(SAMPLE), "--out", str(out), "--new-places", str(tmp_path / "p.csv")],
        catch_exceptions=False,
    )
    assert run.exit_code == 0, run.output
    assert "9 used as events" in run.output
    files = DatasetFiles.from_options(events=out, extra_places=(tmp_path / "p.csv",))
    dataset, problems = check_dataset(files)
    assert not problems.items, [str(p) for p in problems.items]
    assert len(dataset.events) == 9
    assert dataset.events.set_index("event_id").loc["SYR90007", "precision"] == "month"
    assert len(dataset.places.polygons) > 0  # extra places keep the default city polygons
    validate = CliRunner().invoke(
        cli,
        ["validate", "--events", str(out), "--extra-places", str(tmp_path / "p.csv")],
        catch_exceptions=False,
    )
    assert validate.exit_code == 0
    assert "0 error(s), 0 warning(s); 9 events" in validate.output


def test_without_the_new_places_validate_names_the_unknown_place(tmp_path):
    out = tmp_path / "events.csv"
    CliRunner().invoke(cli, ["import-acled", str(SAMPLE), "--out", str(out)])
    assert (tmp_path / "events_new_places.csv").exists()
    _, problems = check_dataset(DatasetFiles.from_options(events=out))
    assert [p.value for p in problems.errors] == ["al-ashara", "al-ashara"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_non_acled_csv_is_one_clear_error(gazetteer, controllers, tmp_path):
    path = _write(tmp_path, (DATA_DIR / "events.csv").read_text(encoding="utf-8"))
    with pytest.raises(AcledError) as error:
        import_acled(path, gazetteer=gazetteer, controllers=controllers)
    message = str(error.value)
    assert "not an ACLED export: missing column(s) event_id_cnty, event_date" in message
    assert "(found: event_id, date, place" in message


def test_missing_columns_are_named(gazetteer, controllers, tmp_path):
    columns = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    text = ",".join(c for c in columns if c not in ("geo_precision", "latitude")) + "\n"
    with pytest.raises(AcledError, match=r"missing column\(s\) latitude, geo_precision;"):
        import_acled(_write(tmp_path, text), gazetteer=gazetteer, controllers=controllers)


def test_bad_dates_and_values_are_listed_at_once(gazetteer, controllers, tmp_path):
    text = (
        SAMPLE.read_text(encoding="utf-8")
        .replace("14 October 2017", "14 Octobre 2017")
        .replace("2017-11-03", "2017-11-31")
        .replace(",35.9528,39.0079,", ",95.9528,39.0079,")
    )
    with pytest.raises(ValidationError) as error:
        import_acled(_write(tmp_path, text), gazetteer=gazetteer, controllers=controllers)
    message = str(error.value)
    assert message.startswith("3 error(s) in the input:")
    assert "in.csv:2, column 'event_date': error: event_date is not a date" in message
    assert "(value: '14 Octobre 2017')" in message
    assert "(value: '2017-11-31')" in message
    assert "in.csv:3, column 'latitude'" in message


def test_cli_turns_a_bad_file_into_one_line(tmp_path):
    path = _write(tmp_path, "a,b\n1,2\n")
    run = CliRunner().invoke(cli, ["import-acled", str(path), "--out", str(tmp_path / "o.csv")])
    assert run.exit_code == 1
    assert "Error:" in run.output and "not an ACLED export" in run.output
    assert not (tmp_path / "o.csv").exists()


def test_output_is_deterministic(result, tmp_path):
    first = result.write(tmp_path / "a.csv", tmp_path / "pa.csv")
    second = result.write(tmp_path / "b.csv", tmp_path / "pb.csv")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert pd.read_csv(first[0]).columns[-2:].tolist() == ["time_precision", "geo_precision"]
