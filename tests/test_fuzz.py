"""Hostile input, seeded: never a traceback, never a changed input byte (tests/fuzzing.py)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from click.testing import CliRunner

from mapgen.cli import cli
from tests.fuzzing import (
    command_variants,
    run_command_variant,
    run_variant,
    special_files,
    variants,
)

SEED = 14
COUNT = 300


def test_mutated_datasets_give_a_clean_error_or_a_clean_result(tmp_path):
    outcomes = [run_variant(v, tmp_path / "v") for v in variants(SEED, COUNT)]
    kinds = Counter(o.kind for o in outcomes)
    crashes = [f"{o.label}\n{o.detail}" for o in outcomes if o.kind == "crash"]
    assert crashes == []
    # Both outcomes occur: the mutations are hostile, and not all of them are fatal.
    assert kinds["clean error"] > COUNT / 2 and kinds["clean result"] > COUNT / 10


def test_mutated_inputs_of_the_other_commands_give_a_clean_error_or_result(tmp_path):
    # import-acled, extract and extract --reviewed --merge-into, each on its own input
    outcomes = [run_command_variant(v, tmp_path / "c") for v in command_variants(SEED, 24)]
    crashes = [f"{o.label}\n{o.detail}" for o in outcomes if o.kind == "crash"]
    assert crashes == []
    kinds = Counter(o.kind for o in outcomes)
    assert kinds["clean error"] >= 3 and kinds["clean result"] >= 3, kinds


def test_the_variants_are_the_same_for_the_same_seed():
    first = [v.label for v in variants(SEED, 50)]
    assert first == [v.label for v in variants(SEED, 50)]
    assert first != [v.label for v in variants(SEED + 1, 50)]


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero")
def test_inputs_that_are_not_regular_files_are_refused_at_once(tmp_path):
    runner = CliRunner()
    for label, argv in special_files(tmp_path):
        if "fifo" in label or "zero" in label:
            continue  # below, in a process of their own: a regression would hang
        result = runner.invoke(cli, argv)
        assert result.exit_code in (1, 2) and "Traceback" not in result.output, label
        assert (
            "is a directory" in result.output
            or "does not exist" in result.output
            or ("no such file" in result.output)
        ), label
    for name, kind in [("fifo.csv", "named pipe (FIFO)"), ("zero.csv", "character device")]:
        done = subprocess.run(
            [sys.executable, "-m", "mapgen", "validate", "--events", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert f"{name}: is a {kind}, not a regular file" in done.stderr
        assert "Traceback" not in done.stderr


def test_what_validate_accepts_at_the_ends_of_the_date_range_builds(tiny_files, tmp_path):
    from mapgen.dataset import load_dataset
    from mapgen.export import write_stats_csv
    from mapgen.territory import build_territory
    from mapgen.timeline import build_timeline
    from tests.conftest import TINY_EVENTS

    events = TINY_EVENTS.replace("T1,2020-01-01", "T1,1700-01-01").replace(
        "T5,2020-01-15", "T5,2199-12"
    )
    territory = build_territory(build_timeline(load_dataset(tiny_files(events=events))))
    path = write_stats_csv(territory, tmp_path / "stats.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1700-01-01,") and lines[-1].startswith("2199-12-01,")
