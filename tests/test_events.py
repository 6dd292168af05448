"""Reading the events table: formats, errors with their place, warnings."""

from __future__ import annotations

import pandas as pd
import pytest

from mapgen.dataset import check_dataset, load_dataset
from mapgen.errors import InputFileError, ValidationError
from tests.conftest import TINY_EVENTS

HEADER = "event_id,date,place,controller,status,opponent,source,source_url,notes\n"


def problems_of(tiny_files, events):
    _, problems = check_dataset(tiny_files(events=events))
    return problems


def test_reads_bom_crlf_quoted_commas_arabic_and_multiline_notes(tiny_files):
    events = (
        "\ufeff"
        + HEADER.replace("\n", "\r\n")
        + 'T1,2020-01-01,الفا,الحمر,,,"Report, with comma",,"line one\r\nline two"\r\n'
        + "T2,2020-01-02,Bravo Town,Blues,,,Report,,\r\n"
    )
    dataset = load_dataset(tiny_files(events=events))
    first = dataset.events.iloc[0]
    assert (first.place_id, first.controller, first.status) == ("alpha", "red", "controlled")
    assert first.source == "Report, with comma"
    assert first.notes == "line one\r\nline two" or first.notes == "line one\nline two"
    second = dataset.events.iloc[1]
    assert (second.place_id, second.controller, second.line) == ("bravo", "blue", 4)


def test_month_and_year_precision_keep_their_precision(tiny_files):
    events = HEADER + "T1,2020-03,alpha,red,,,R,,\nT2,2019,bravo,blue,,,R,,\n"
    ev = load_dataset(tiny_files(events=events)).events.set_index("event_id")
    assert ev.at["T1", "start"] == pd.Timestamp("2020-03-01")
    assert ev.at["T1", "precision"] == "month"
    assert ev.at["T2", "precision"] == "year"
    assert ev.at["T1", "date"] == "2020-03"


def test_every_error_is_reported_with_line_column_and_hint(tiny_files):
    events = (
        HEADER
        + "T1,2020-13-01,alpha,red,,,R,,\n"  # line 2: not a calendar date
        + "T2,01/02/2020,alpha,red,,,R,,\n"  # line 3: wrong format
        + "T3,2020-01-03,Alpah,red,,,R,,\n"  # line 4: unknown place, close to Alpha
        + "T4,2020-01-03,bravo,greens,,,R,,\n"  # line 5: unknown controller
        + "T5,2020-01-03,bravo,red,captured,,R,,\n"  # line 6: bad status
        + "T6,2020-01-03,bravo,red,,,,,\n"  # line 7: no source
        + "T7,2020-01-03,bravo,red,contested,red,R,,\n"  # line 8: opponent is itself
        + "T8,2020-01-03,bravo,red,,,R,ftp://x,\n"  # line 9: bad url
        + "T1,2020-01-04,bravo,red,,,R,,\n"  # line 10: duplicate id
    )
    problems = problems_of(tiny_files, events)
    found = {(p.line, p.column) for p in problems.errors}
    assert found == {
        (2, "date"),
        (3, "date"),
        (4, "place"),
        (5, "controller"),
        (6, "status"),
        (7, "source"),
        (8, "opponent"),
        (9, "source_url"),
        (10, "event_id"),
    }
    by_line = {p.line: p for p in problems.errors}
    assert "YYYY-MM-DD" in by_line[3].message
    assert "'Alpha'" in by_line[4].hint
    assert "red, blue" in by_line[5].hint
    assert by_line[4].path.endswith("events.csv")
    assert "events.csv:4, column 'place'" in str(by_line[4])


def test_missing_required_column_names_it(tiny_files):
    problems = problems_of(tiny_files, "date,place,controller\n2020-01-01,alpha,red\n")
    assert len(problems.errors) == 1
    assert "missing column(s) source" in problems.errors[0].message
    assert problems.errors[0].line == 1


def test_ragged_row_is_an_error_with_its_line(tiny_files):
    problems = problems_of(tiny_files, HEADER + "T1,2020-01-01,alpha,red\n")
    assert [(p.line, "fields" in p.message) for p in problems.errors] == [(2, True)]


def test_warnings_for_suspicious_but_possible_rows(tiny_files):
    events = (
        HEADER
        + "T1,2020-01-01,alpha,red,,,R,,\n"
        + "T2,2020-01-01,alpha,red,,,R,,\n"  # same as line 2
        + "T3,2020-01-05,bravo,red,,,R,,\n"
        + "T4,2020-01-05,bravo,blue,,,S,,\n"  # disagrees with line 4 the same day
        + "T5,2020-02-01,alpha,blue,,,?,,\n"  # change of controller, no real source
    )
    problems = problems_of(tiny_files, events)
    assert problems.errors == []
    lines = sorted((p.line, p.column) for p in problems.warnings)
    assert lines == [(3, None), (5, "controller"), (6, "source")]


def test_event_after_the_range_is_a_warning(tiny_files):
    _, problems = check_dataset(tiny_files(), end=pd.Timestamp("2020-01-12"))
    assert [(p.line, p.column) for p in problems.warnings] == [(6, "date")]


def test_load_raises_once_with_all_errors(tiny_files):
    events = HEADER + "T1,2020-13-01,alpha,red,,,R,,\nT2,2020-01-01,nowhere,red,,,R,,\n"
    with pytest.raises(ValidationError) as info:
        load_dataset(tiny_files(events=events))
    text = str(info.value)
    assert "2 error(s)" in text and ":2, column 'date'" in text and ":3, column 'place'" in text


def test_not_utf8_and_missing_file_are_clear(tiny_files, write):
    files = tiny_files()
    bad = write(
        "latin1.csv", HEADER.encode() + "T1,2020-01-01,alpha,red,,,Caf\xe9,,\n".encode("latin-1")
    )
    with pytest.raises(InputFileError, match=r"latin1.csv:2: not UTF-8"):
        check_dataset(files.__class__(bad, files.places, files.controllers, None, None))
    with pytest.raises(InputFileError, match="no such file"):
        check_dataset(
            files.__class__(
                files.events.with_name("nope.csv"), files.places, files.controllers, None, None
            )
        )


def test_input_files_are_not_modified(tiny_files):
    files = tiny_files(events=TINY_EVENTS.replace("\n", "\r\n"))
    before = {p: p.read_bytes() for p in (files.events, files.places, files.controllers)}
    check_dataset(files)
    assert {p: p.read_bytes() for p in before} == before
