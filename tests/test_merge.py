"""Merging candidates into the events table the user named: in place, checked in memory,
saying what was skipped; and no command writing an output over one of its inputs."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from mapgen.cli import cli
from mapgen.errors import ValidationError
from mapgen.extract import default_extractor
from mapgen.extract.candidates import merge_rows
from mapgen.extract.merge import candidates_table, check_rows, choose_rows

EVENTS = (
    "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
    "E1,2017-10-01,hajin,isis,controlled,,Other report,,\n"
)
HEADER = "event_id,date,date_precision,place,controller,status,opponent,source,source_url,notes,"
HEADER += "confidence,evidence,evidence_start,evidence_end,article\n"


def row(event_id: str, place: str, confidence: str, date: str = "2017-11-03") -> str:
    return (f"{event_id},{date},day,{place},iraq,controlled,,Report 2017-11-04 [a.txt],,"
            f"extracted,{confidence},Iraqi forces took it.,0,20,a.txt\n")  # fmt: skip


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def reviewed(tmp_path):
    path = tmp_path / "reviewed.csv"
    path.write_text(
        HEADER
        + row("X1", "rawa", "0.90")
        + row("X2", "anah", "nan")
        + row("X3", "qaim", "high")
        + row("X4", "hit", "0.40")
        + row("X5", "hajin", "", date="2017-10-01").replace(",iraq,", ",isis,"),
        encoding="utf-8",
    )
    return path


def merged(reviewed, target, *extra):
    return invoke("extract", "--reviewed", str(reviewed), "--merge-into", str(target), *extra)


def test_merge_says_what_it_skipped_and_why(tmp_path, reviewed):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    result = merged(reviewed, events, "--min-confidence", "0.5")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "reviewed.csv:3: skipped: confidence: 'nan' is not a number" in out
    assert "reviewed.csv:4: skipped: confidence: 'high' is not a number" in out
    assert "reviewed.csv:5: skipped: confidence 0.40 is below the minimum 0.5" in out
    assert "already there (line 2 of" in out  # X5 repeats E1
    assert "1 row(s) added, 1 already there, 3 skipped" in out
    text = events.read_text(encoding="utf-8")
    assert text.startswith(EVENTS) and text.count("\n") == 3 and ",rawa,iraq," in text


def test_merge_appends_through_a_symbolic_link(tmp_path, reviewed):
    real = tmp_path / "data" / "events.csv"
    real.parent.mkdir()
    real.write_text(EVENTS, encoding="utf-8")
    link = tmp_path / "events.csv"
    link.symlink_to(real)
    assert merged(reviewed, link).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert ",rawa,iraq," in real.read_text(encoding="utf-8")


def test_merge_keeps_hard_links_and_mode(tmp_path, reviewed):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    os.chmod(events, 0o600)
    twin = tmp_path / "backup-name.csv"
    os.link(events, twin)
    inode = events.stat().st_ino
    assert merged(reviewed, events).exit_code == 0
    assert events.stat().st_ino == inode and events.stat().st_nlink == 2
    assert twin.read_bytes() == events.read_bytes()
    assert ",rawa,iraq," in twin.read_text(encoding="utf-8")
    assert stat.S_IMODE(events.stat().st_mode) == 0o600


def test_a_failed_append_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    rows = [{"event_id": "X1", "date": "2017-11-03", "place": "rawa", "controller": "iraq",
             "status": "controlled", "source": "Report"}]  # fmt: skip
    with pytest.raises(OSError, match="No space left"):
        merge_rows(events, rows)
    assert events.read_text(encoding="utf-8") == EVENTS


def test_candidate_rows_are_checked_in_memory_with_their_lines():
    extractor = default_extractor()
    table = candidates_table(
        [
            {"event_id": "X1", "date": "2017-11-03", "place": "rawa", "controller": "iraq",
             "source": "R"},
            {"event_id": "X2", "date": "٢٠١٧-١١-٠٣", "place": "rawa", "controller": "iraq",
             "source": "\x00"},
        ]
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        check_rows(table, extractor.gazetteer, extractor.controllers)
    lines = [(p.path, p.line, p.column) for p in caught.value.problems if p.severity == "error"]
    assert lines == [("candidates", 3, "date"), ("candidates", 3, "source")]
    chosen, skipped = choose_rows(table, min_confidence=0.5)
    assert len(chosen) == 2 and skipped == []  # no confidence: a reviewer's own row


def test_a_huge_field_in_the_files_of_a_merge_is_a_clear_error(tmp_path, reviewed):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS + 'E2,2017-10-02,hajin,isis,,,"' + "x" * 200_000 + '",,\n', "utf-8")
    before = events.read_bytes()
    result = merged(reviewed, events)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "events.csv: cannot be read to the end" in result.output
    assert events.read_bytes() == before
    big = tmp_path / "big.csv"
    big.write_text(HEADER + row("X1", "rawa", '"' + "9" * 200_000 + '"'), encoding="utf-8")
    result = merged(big, events)
    assert result.exit_code == 1 and "longer than 131,072 characters" in result.output
    assert events.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "{a}", "--date", "2017-11-04", "--out", "{a}"],
         "--out {a} is the same file as ARTICLE {a}"),
        (["extract", "{a}", "--date", "2017-11-04", "--out", "{e}", "--merge-into", "{e}"],
         "--out {e} is the same file as --merge-into {e}"),
        (["extract", "{a}", "--date", "2017-11-04", "--out", "{c}", "--unresolved", "{e}"],
         "--unresolved {e} is the same file as --merge-into"),
        (["extract", "--reviewed", "{e}", "--merge-into", "{e}"],
         "--merge-into {e} is the same file as --reviewed {e}"),
        (["extract", "{a}", "--date", "2017-11-04", "--out", "{link}"],
         "--out {link} is the same file as ARTICLE {a}"),
        (["import-acled", "{e}", "--out", "{e}"], "--out {e} is the same file as ACLED_CSV {e}"),
        (["build", "--events", "{e}", "--out", "{tmp}"],
         "the events file {e} is inside the output folder"),
        (["report", "--events", "{e}", "--out", "{e}"], "--out {e} is the same file as --events"),
    ],
)  # fmt: skip
def test_no_command_writes_an_output_over_an_input(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("Iraqi forces recaptured Rawa on Friday.\n", encoding="utf-8")
    events = tmp_path / "e.csv"
    events.write_text(EVENTS, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(article)
    names = {"a": "a.txt", "e": "e.csv", "c": "c.csv", "link": "link.txt", "tmp": "."}
    if "--unresolved" in args:
        args = [*args, "--merge-into", "e.csv"]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    result = invoke(*[a.format(**names) for a in args])
    assert result.exit_code == 1, result.output
    assert message.format(**names) in result.output
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
