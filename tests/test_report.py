"""The report: one self-contained page with the map, key-date maps, chart, chronology and
method; checked as HTML here and in a real browser (screen and print) below."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from mapgen.dataset import load_dataset
from mapgen.errors import DateRangeError
from mapgen.report import report_html, write_report
from mapgen.report.text import key_dates
from mapgen.territory import TerritoryOptions, build_territory
from mapgen.timeline import build_timeline
from tests.conftest import TINY_EVENTS


class _Outline(HTMLParser):
    """What a reader would count on the page: chronology rows, key maps, links, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, int] = {}
        self.links: list[str] = []
        self.external: list[str] = []
        self.figure_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in (values.get("class") or "").split():
            self.classes[name] = self.classes.get(name, 0) + 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        for key in ("src", "href"):
            link = values.get(key) or ""
            if link.startswith(("http:", "https:", "//")) and tag != "a":
                self.external.append(link)
        if tag == "figure" and "key-map" in (values.get("class") or ""):
            self.figure_ids.append(values.get("id") or "")


def _outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def default_territory():
    return build_territory(build_timeline(load_dataset()), TerritoryOptions())


@pytest.fixture(scope="module")
def default_page(default_territory) -> str:
    return report_html(default_territory)


def _chronology_rows(territory) -> int:
    """The changes a chronology lists: every change but the day a month-dated change's
    uncertain window closes (no change of its own: the window's row, dated to the month,
    tells it; it is the uncertain state's end, with the same sources)."""
    changes = territory.timeline.changes()
    unit = changes["polygon"].where(changes["polygon"] != "", changes["place_id"])
    previous = changes.assign(unit=unit).groupby(unit)["sources"].shift()
    settled = (changes["from_status"] == "uncertain") & (changes["sources"] == previous)
    return len(changes) - int(settled.sum())


def test_chronology_has_one_row_per_change(default_territory, default_page) -> None:
    outline = _outline(default_page)
    changes = default_territory.timeline.changes()
    assert len(changes) > 20
    assert _chronology_rows(default_territory) < len(changes)  # the data has month-dated rows
    assert outline.classes["change"] == _chronology_rows(default_territory)


def test_key_maps_are_the_dates_with_most_ground_moved(default_territory, default_page) -> None:
    days = key_dates(default_territory)
    moved = default_territory.ground_changed().set_index("date")["changed_km2"]
    assert min(moved[d] for d in days) >= moved.drop(index=days).max()
    assert _outline(default_page).figure_ids == [f"map-{d:%Y-%m-%d}" for d in days]


def test_page_is_self_contained(default_page) -> None:
    outline = _outline(default_page)
    assert outline.external == []  # no script, style or image fetched from elsewhere
    assert default_page.count('<img src="data:image/png;base64,') == len(outline.figure_ids) + 1


def test_dates_option_and_its_errors(default_territory) -> None:
    page = report_html(default_territory, dates=[pd.Timestamp("2017-11-03")])
    assert _outline(page).figure_ids == ["map-2017-11-03"]
    assert "Al-Qaim" in page.split('id="map-2017-11-03"')[1].split("</figure>")[0]
    with pytest.raises(DateRangeError, match=r"2016-01-01 is outside the map's range 2017-07-01"):
        report_html(default_territory, dates=[pd.Timestamp("2016-01-01")])


def test_sources_link_where_a_url_is_known_and_text_is_escaped(tiny_files, tmp_path) -> None:
    events = TINY_EVENTS.replace(
        "T5,2020-01-15,bravo,blue,controlled,,Report D 2020-01-15,,",
        'T5,2020-01-15,bravo,blue,controlled,,"Report <b>D</b> & co",https://example.org/d,',
    )
    territory = build_territory(build_timeline(load_dataset(tiny_files(events=events))))
    path = write_report(territory, tmp_path / "report.html")
    page = path.read_text("utf-8")
    assert "https://example.org/d" in _outline(page).links
    assert "Report &lt;b&gt;D&lt;/b&gt; &amp; co" in page
    assert "<b>D</b>" not in page
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically, nothing left behind


# ---------- in a real browser: on screen and printed ----------


@pytest.fixture(scope="module")
def report_file(default_territory, tmp_path_factory) -> Path:
    return write_report(default_territory, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture
def report_page(browser, report_file):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: dict[str, list[str]] = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.goto(report_file.as_uri())
    page.wait_for_function("window.mapgen && mapgen.ready === true", timeout=15000)
    yield page, seen
    page.close()


def test_report_opens_offline_and_its_map_works(report_page, default_territory) -> None:
    page, seen = report_page
    fetched = [u for u in seen["requests"] if not u.startswith(("file:", "data:"))]
    assert fetched == [] and seen["errors"] == []
    rows = page.locator("#chronology tr.change").count()
    assert rows == _chronology_rows(default_territory)
    page.evaluate("mapgen.setDate('2017-11-20')")
    assert page.evaluate("mapgen.date()") == "2017-11-20"
    assert page.evaluate("mapgen.controllerOf('abu-kamal')") == "syria"
    assert page.locator("#interactive").is_visible()
    images = page.locator("#key-dates img")
    assert images.count() == 4
    assert all(images.nth(i).evaluate("i => i.naturalWidth > 500") for i in range(4))


def test_report_prints_static_maps_and_no_slider(report_page, default_territory, tmp_path):
    from pypdf import PdfReader

    page, _ = report_page
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    reader = PdfReader(pdf)
    texts = [p.extract_text() for p in reader.pages]
    everything = "\n".join(texts)
    assert "Interactive map" not in everything  # the slider section is screen-only
    assert "Play" not in everything and "mapgen.setDate" not in everything
    key_days = [f"{d:%Y-%m-%d}" for d in key_dates(default_territory)]
    for day in key_days:  # every key date's map is printed, on a page with its caption
        pages = [i for i, t in enumerate(texts) if f"{day}." in t]
        assert pages and reader.pages[pages[0]].images, day
    images = sum(len(p.images) for p in reader.pages)
    assert images == len(key_days) + 1  # the maps and the chart, nothing of the slider
    assert "Chronology of changes" in everything and "Natural Earth" in everything


def test_report_command(tmp_path) -> None:
    from click.testing import CliRunner

    from mapgen.cli import cli

    out = tmp_path / "r.html"
    runner = CliRunner()
    args = [
        "report",
        "--out",
        str(out),
        "--dates",
        "2017-11-19,2017-11-03",
        "--dates",
        "2017-11-08",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert _outline(out.read_text("utf-8")).figure_ids == [
        "map-2017-11-03",
        "map-2017-11-08",
        "map-2017-11-19",
    ]
    bad = runner.invoke(cli, ["report", "--out", str(tmp_path / "x.html"), "--dates", "2017-13-01"])
    assert bad.exit_code == 2 and "--dates" in bad.output and "2017-13-01" in bad.output
    assert not (tmp_path / "x.html").exists()


# ---------- the made-up campaign (tests/conftest.py) ----------


def test_table_gives_held_and_zone_apart_and_chronology_tells_every_kind(campaign) -> None:
    from mapgen.report.page import _summary
    from mapgen.report.text import chronology

    stats = campaign.stats().set_index(["date", "controller"])
    first, last = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-03-31")
    for row in _summary(campaign):
        side = next(c.id for c in campaign.timeline.dataset.controllers if c.name == row.name)
        assert (row.held_start, row.zone_start) == (
            stats.loc[(first, side), "held_km2"],
            stats.loc[(first, side), "zone_km2"],
        )
        assert (row.held_end, row.zone_end) == (
            stats.loc[(last, side), "held_km2"],
            stats.loc[(last, side), "zone_km2"],
        )
        assert row.zone_start > 10 * row.held_start  # zones are most of the ground here
    rows = [(r.date, r.place, r.area, r.after) for r in chronology(campaign)]
    assert rows == [
        ("2020-01-05", "Charlie", False, "Red side, contested (fighting with Blue side)"),
        ("2020-01-10", "Bravo", False, "Blue side"),
        ("2020-01-20", "Kasra pocket", True, "Blue side"),
        (
            "2020-02",
            "Delta",
            False,
            "Green side, during February 2020 (date known only to the month: drawn as "
            "uncertain until the month ends)",
        ),
        ("2020-03-05", "Kasra pocket", True, "area event ended: its places decide again"),
    ]
    page = report_html(campaign)
    table = page.split('id="summary"')[1].split("</table>")[0]
    assert "zone" in table and "held" in table
    rows = page.split('<table class="chronology">')[1].split("</table>")[0]
    assert rows.count('<span class="tag">area</span>') == 2


def test_a_build_makes_the_slider_map_once_for_map_html_and_the_report(
    tiny_files, tmp_path, monkeypatch
) -> None:
    from mapgen import build as build_module
    from mapgen.render.html_data import page_data

    calls = []
    make = build_module.slider_map

    def counted(*args, **kwargs):
        calls.append(kwargs.get("tiles"))
        return make(*args, **kwargs)

    monkeypatch.setattr(build_module, "slider_map", counted)
    options = build_module.BuildOptions(outputs=("html", "report"), tiles="none")
    build_module.build(load_dataset(tiny_files()), tmp_path / "out", options)
    assert calls == ["none"]
    # the report embeds the same map as map.html
    map_page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert page_data(report) == page_data(map_page)
