"""The command line: help everywhere, exit codes, and the main job's outputs."""

from __future__ import annotations

import subprocess
import sys

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from mapgen.cli import cli
from tests.conftest import TINY_CONTROLLERS, TINY_EVENTS, TINY_PLACES


def invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def tiny_args(tmp_path, events=TINY_EVENTS):
    for name, text in [
        ("events.csv", events),
        ("places.csv", TINY_PLACES),
        ("controllers.csv", TINY_CONTROLLERS),
    ]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [
        "--events",
        str(tmp_path / "events.csv"),
        "--places",
        str(tmp_path / "places.csv"),
        "--controllers",
        str(tmp_path / "controllers.csv"),
    ]


def test_every_command_has_help():
    for name, command in cli.commands.items():
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert command.help and len(command.help) > 20, name
        assert "Example:" in command.help, name


def test_validate_default_passes():
    result = invoke("validate")
    assert result.exit_code == 0
    assert "0 error(s), 0 warning(s)" in result.output
    assert "range 2017-07-01 to 2019-03-31" in result.output


def test_validate_broken_exits_1_and_lists_problems(tmp_path):
    events = TINY_EVENTS + "T9,2020-02-30,alpha,red,,,R,,\nT10,2020-03-01,nowhere,red,,,R,,\n"
    result = invoke("validate", *tiny_args(tmp_path, events))
    assert result.exit_code == 1
    assert "events.csv:7, column 'date'" in result.output
    assert "events.csv:8, column 'place'" in result.output
    assert "2 error(s)" in result.output


def test_validate_reads_the_areas_and_relations_named_on_the_command_line(tmp_path):
    relations = tmp_path / "relations.csv"
    relations.write_text("side_a,side_b,relation\nsdf,martians,hostile\n", encoding="utf-8")
    result = invoke("validate", "--relations", str(relations))
    assert result.exit_code == 1
    assert "relations.csv:2, column 'side_b'" in result.output and "'martians'" in result.output
    areas = tmp_path / "areas.geojson"
    areas.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    result = invoke("validate", "--areas", str(areas))
    assert result.exit_code == 1  # the default events name areas this file lacks
    assert "unknown area (value: 'syw-tanf-zone')" in result.output


def test_build_writes_the_timeline(tmp_path):
    out = tmp_path / "out"
    result = invoke("build", *tiny_args(tmp_path), "--out", str(out))
    assert result.exit_code == 0, result.output
    timeline = pd.read_csv(out / "timeline.csv", keep_default_na=False)
    bravo = timeline[timeline["place_id"] == "bravo"]
    assert list(bravo["valid_from"]) == ["2020-01-01", "2020-01-10", "2020-01-15"]
    assert list(bravo["valid_to"]) == ["2020-01-10", "2020-01-15", ""]
    changes = pd.read_csv(out / "changes.csv", keep_default_na=False)
    assert list(changes["place_id"]) == ["bravo", "bravo"]


def test_build_only_and_skip_write_the_chosen_outputs(tmp_path):
    only = tmp_path / "only"
    result = invoke("build", *tiny_args(tmp_path), "--only", "tables, html", "--out", str(only))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in only.iterdir() if not p.name.startswith(".")) == [
        "changes.csv",
        "map.html",
        "stats.csv",
        "timeline.csv",
    ]
    skipped = tmp_path / "skipped"
    result = invoke(
        "build", *tiny_args(tmp_path), "--skip", "snapshots,report", "--out", str(skipped)
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in skipped.iterdir()}
    assert {"map.html", "mapgen.gpkg", "stats.csv", "control.tif"} <= names
    assert not names & {"snapshots", "report.html", "timelapse.gif", "timelapse.mp4"}


def test_quiet_build_prints_only_warnings_and_errors(tmp_path):
    duplicate = "T6,2020-01-15,bravo,blue,controlled,,Report D 2020-01-15,,\n"  # as T5
    args = [*tiny_args(tmp_path, TINY_EVENTS + duplicate), "--only", "tables"]
    loud = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "loud")])
    assert loud.exit_code == 0, loud.output
    assert "wrote " in loud.output and "the same event as line 6" in loud.output
    quiet = CliRunner().invoke(cli, ["-q", "build", *args, "--out", str(tmp_path / "quiet")])
    assert quiet.exit_code == 0, quiet.output
    assert (tmp_path / "quiet" / "timeline.csv").is_file()
    assert quiet.output.splitlines() == [
        line for line in loud.output.splitlines() if not line.startswith("wrote ")
    ]
    assert "the same event as line 6" in quiet.output
    failed = CliRunner().invoke(
        cli, ["-q", "build", *args, "--skip", "html", "--out", str(tmp_path / "x")]
    )
    assert failed.exit_code == 1 and "--skip: choose the outputs to write or" in failed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--skip", "snapshot"], "--skip: unknown output 'snapshot'; the outputs are tables, gis"),
        (["--only", "html", "--skip", "report"], "--skip: choose the outputs to write or"),
    ],
)
def test_build_refuses_unknown_or_conflicting_outputs(tmp_path, args, message):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", *tiny_args(tmp_path), *args, "--out", str(out)])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


def test_build_refuses_an_inverted_range_and_bad_dates(tmp_path):
    result = CliRunner().invoke(
        cli, ["build", *tiny_args(tmp_path), "--start", "2020-02-01", "--end", "2020-01-01"]
    )
    assert result.exit_code == 1
    assert "inverted" in result.output
    result = CliRunner().invoke(cli, ["build", "--start", "2020-02"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_build_with_errors_lists_them_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    events = TINY_EVENTS + "T9,2020-02-30,alpha,red,,,R,,\n"
    result = CliRunner().invoke(cli, ["build", *tiny_args(tmp_path, events), "--out", str(out)])
    assert result.exit_code == 1
    assert "events.csv:7, column 'date'" in result.output
    assert not out.exists()


@pytest.mark.parametrize("argv", [["-m", "mapgen", "--help"], ["-m", "mapgen", "validate"]])
def test_python_dash_m_works(argv):
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "mapgen" in done.stdout or "error(s)" in done.stdout


def test_synth_stops_when_nothing_is_left_to_attack(tmp_path):
    """Many events on few places in a short range: fewer rows, a warning, no endless loop."""
    from mapgen.synth import synthesize

    scenario = synthesize(places=40, events=600, days=60, sides=3, seed=1)
    events = scenario.write(tmp_path).events.read_text("utf-8").splitlines()
    assert 40 < len(events) - 1 < 600


def test_cli_reference_matches_the_commands():
    """docs/cli.md is generated from the commands (tools/cli_reference.py): it cannot go
    stale, and every command and option in it is the real one."""
    from tools.cli_reference import DOC, reference

    assert DOC.read_text(encoding="utf-8") == reference(), "run tools/cli_reference.py"


def test_the_command_list_says_what_each_command_says_of_itself():
    from mapgen.cli import COMMANDS

    root = click.Context(cli, info_name="mapgen")
    for name, (_, _, short) in COMMANDS.items():
        command = cli.get_command(root, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=1000) == short, name


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["build-many", "--help"]])
def test_help_loads_no_data_library(args):
    """The command line starts at once: help imports neither pandas, geopandas nor
    matplotlib (they take about a second of CPU to import), nor dask."""
    code = (
        "import sys\n"
        "from mapgen.cli import cli\n"
        f"try:\n    cli({args!r}, prog_name='mapgen')\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted({'pandas', 'geopandas', 'matplotlib', 'shapely', 'pyproj', 'dask',"
        " 'distributed'}"
        " & set(sys.modules))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "Usage: mapgen" in out
    assert out.strip().endswith("HEAVY []"), out[-300:]


def test_a_local_build_does_not_load_dask():
    """dask is imported for --scheduler only: ``mapgen build --help`` (which loads the
    build's modules) and a local build's code path leave it out."""
    code = (
        "import sys\n"
        "from mapgen.cli import cli\n"
        "import mapgen.build, mapgen.batch, mapgen.render.snapshots\n"
        "try:\n    cli(['build', '--help'], prog_name='mapgen')\n"
        "except SystemExit:\n    pass\n"
        "print('DASK', sorted({'dask', 'distributed'} & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "--scheduler ADDRESS" in out
    assert out.strip().endswith("DASK []"), out[-300:]
