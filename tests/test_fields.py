"""The field rules every reader shares: dates, numbers, ids, text, polygons, input files."""

from __future__ import annotations

import os

import pytest
import shapely

from mapgen import fields
from mapgen._io import MAX_FIELD_CHARS, read_csv, read_text
from mapgen.dataset import check_dataset
from mapgen.dates import parse_date
from mapgen.errors import InputFileError
from mapgen.fields import FieldError
from mapgen.problems import Problems


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("2017-11-03", (2017, 11, 3, "day")),
        ("2017-11", (2017, 11, 1, "month")),
        ("2017", (2017, 1, 1, "year")),
        (" 2020-02-29 ", (2020, 2, 29, "day")),
        ("1700-01-01", (1700, 1, 1, "day")),
        ("2199-12-31", (2199, 12, 31, "day")),
    ],
)
def test_dates_that_are_valid(text, parts):
    assert fields.date_parts(text) == parts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("٢٠١٧-١١-٠٣", "non-ASCII digits"),  # Arabic-Indic digits
        ("２０１７-１１-０３", "non-ASCII digits"),  # full-width digits
        ("9999-12-31", "the year 9999 is outside"),
        ("2262-04-12", "the year 2262 is outside"),
        ("1677-09-20", "the year 1677 is outside"),
        ("1677", "the year 1677 is outside"),
        ("2019-02-29", "not a calendar date"),
        ("2017-13", "not a calendar date"),
        ("2017-11-03x", "not a date"),
        ("20171103", "not a date"),
        ("", "not a date"),
    ],
)
def test_dates_that_are_refused_say_what_is_valid(text, message):
    with pytest.raises(FieldError, match=message) as caught:
        fields.date_parts(text)
    assert "1700 to 2199" in str(caught.value) or "calendar" in str(caught.value)
    with pytest.raises(ValueError, match=message):  # the date model uses the same rule
        parse_date(text)


@pytest.mark.parametrize("text", ["34.45", "-0.5", "+35", ".5", "35.", "1e1", "90"])
def test_numbers_that_are_valid(text):
    assert fields.number(text, low=-90, high=90) == float(text)


@pytest.mark.parametrize(
    "text", ["3_4.45", "٣٤", "３４", "²", "①", "1e300", "nan", "inf", "1,5", "0x1F", "", " 1"]
)
def test_numbers_that_are_refused(text):
    with pytest.raises(FieldError, match="ASCII digits"):
        fields.number(text, low=-90, high=90)


def test_whole_numbers_stay_exact_in_a_web_page():
    assert fields.whole_number("9007199254740991") == 2**53 - 1
    for text in ["9007199254740992", "9223372036854775807", "18446744073709551616", "1" * 400]:
        with pytest.raises(FieldError, match="9,007,199,254,740,991"):
            fields.whole_number(text)
    for text in ["²", "①", "٣", "-1", "1.0", "1_000"]:
        with pytest.raises(FieldError, match="digits 0-9 only"):
            fields.whole_number(text)
    assert fields.optional_whole_number("") is None


def test_text_loses_control_and_direction_characters():
    assert fields.clean_text("Raqqa") == ("Raqqa", "")
    cleaned, note = fields.clean_text("\x00Ra\u202eqqa\u2066\x1b")
    assert cleaned == "Raqqa"
    assert note == "4 control character(s) (U+0000, U+001B, U+202E, U+2066)"
    # Bidi marks cannot reorder text: removed (they keep names from matching), no warning.
    assert fields.clean_text("الحولة\u200e\u200e") == ("الحولة", "")
    assert fields.clean_text("line\tone\r\ntwo") == ("line\tone\r\ntwo", "")


@pytest.mark.parametrize(
    ("geom", "message"),
    [
        (None, "not an empty geometry"),
        (shapely.Point(40, 35), "not Point"),
        (shapely.Polygon(), "empty"),
        (shapely.box(40, 35, 1e300, 36), "outside longitude/latitude"),
        (shapely.box(200, 35, 201, 36), "outside longitude/latitude"),
        (shapely.Polygon([(40, 35), (41, 36), (41, 35), (40, 36)]), "Self-intersection"),
    ],
)
def test_polygons_that_are_refused(geom, message):
    with pytest.raises(FieldError, match=message):
        fields.polygon(geom)


def test_wkt_polygons():
    square = fields.wkt_polygon("POLYGON ((40 35, 41 35, 41 36, 40 36, 40 35))")
    assert square.area == 1
    for text in ["POLYGON ((40 35", "POINT (40 35)", "POLYGON ((٤٠ 35, 41 35, 41 36, 40 35))"]:
        with pytest.raises(FieldError):
            fields.wkt_polygon(text)


def test_a_field_over_the_limit_is_a_clear_error_naming_the_limit(write):
    path = write("t.csv", 'a,b\n1,2\n3,"' + "x" * (MAX_FIELD_CHARS + 1) + '"\n5,6\n')
    problems = Problems()
    table = read_csv(path, problems)
    (error,) = problems.errors
    assert error.line == 3
    assert f"longer than {MAX_FIELD_CHARS:,} characters" in str(error)
    assert [r.line for r in table.rows] == [2] and not table.complete


def test_a_source_that_is_only_a_nul_is_no_source(tiny_files):
    from tests.conftest import TINY_EVENTS

    events = TINY_EVENTS.replace("Report B 2020-01-01", "\x00")
    _, problems = check_dataset(tiny_files(events=events))
    messages = [str(p) for p in problems.items]
    assert any("events.csv:4, column 'source': error: every event needs a source" in m
               for m in messages)  # fmt: skip
    assert any("removed 1 control character(s) (U+0000)" in m for m in messages)


def test_population_in_other_digits_or_too_large_is_an_error(tiny_files):
    from tests.conftest import TINY_PLACES

    for value in ["²", "①", "9223372036854775807", "9223372036854775808"]:
        places = TINY_PLACES.replace(",10000,", f",{value},")
        _, problems = check_dataset(tiny_files(places=places))
        (error,) = [p for p in problems.errors if "places.csv" in str(p.path)]
        assert (error.line, error.column, error.value) == (2, "population", value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)  # no writer: opening it for reading would wait for ever
    with pytest.raises(
        InputFileError, match=r"events.csv: is a named pipe \(FIFO\), not a regular"
    ):
        read_text(fifo)
    with pytest.raises(InputFileError, match="is a character device, not a regular file"):
        read_text("/dev/zero")
    with pytest.raises(InputFileError, match="is a directory"):
        read_text(tmp_path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from mapgen._io import read_bytes

    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(
        InputFileError, match=r"big\.csv: larger than 1,024 bytes, the most mapgen reads"
    ):
        read_bytes(path, limit=1024)
    assert read_bytes(path, limit=4096) == b"x" * 2048
