"""Territory.explore: one day on a folium map, drawn in Chromium (mapgen.render.explore)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from mapgen.dataset import load_dataset
from mapgen.errors import DateRangeError, OptionError
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline
from tests.conftest import TINY_EVENTS, tiny_territory
from tests.pages import open_offline

folium = pytest.importorskip("folium")

HOSTILE = "<img src=x onerror='window.__pwned=1'>{{ 7*7 }}"
HOSTILE_URL = "https://example.org/?q='\"><img/src=x/onerror=window.__pwned=2>"
EVENTS = TINY_EVENTS.replace(
    "T4,2020-01-10,bravo,red,contested,blue,Report C 2020-01-10,,",
    f'T4,2020-01-10,bravo,red,contested,blue,"Report C {HOSTILE}",'
    f'"{HOSTILE_URL.replace(chr(34), chr(34) * 2)}","{HOSTILE}"',
)
DAY = "2020-01-12"  # Bravo contested: Red holds it, Blue attacks


@pytest.fixture(scope="module")
def territory(tmp_path_factory):
    return tiny_territory(tmp_path_factory.mktemp("tiny"), EVENTS)


@pytest.fixture(scope="module")
def saved(territory, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("explore") / "explore.html"
    territory.explore(DAY, tiles=None, inline=True).save(str(path))
    return path


def test_explore_draws_the_day_as_the_slider_map_does(browser, saved, territory):
    opened = open_offline(browser, saved)
    page = opened.page
    page.wait_for_selector("path.mapgen-place")
    areas, places = territory.areas_on(DAY), territory.places_on(DAY)
    controllers = territory.timeline.dataset.controllers
    fills = page.eval_on_selector_all(
        "path.mapgen-area", "ps => ps.map(p => p.getAttribute('fill'))"
    )
    want = Counter()
    for area in areas.itertuples():
        side = controllers[area.controller]
        if area.kind == "zone":
            want[side.zone_color] += 1
        elif area.status == "contested":
            want["url(#{map}-hatch-red-blue-45)"] += 1
        else:
            want[side.color] += 1
    map_name = page.evaluate("document.querySelector('.folium-map').id")
    assert Counter(f.replace(map_name, "{map}") for f in fills) == want
    stripes = page.eval_on_selector_all(
        f"pattern#{map_name}-hatch-red-blue-45 rect", "rs => rs.map(r => r.getAttribute('fill'))"
    )
    assert stripes == [controllers["blue"].color, controllers["red"].color]
    markers = page.eval_on_selector_all(
        "path.mapgen-place", "ps => ps.map(p => p.getAttribute('fill'))"
    )
    assert Counter(markers) == Counter(controllers[c].color for c in places["controller"])
    legend = page.inner_text(".mapgen-legend")
    assert DAY in legend and "Red side" in legend and "Blue side" in legend
    assert opened.network == [] and opened.errors == []
    page.close()


def test_popups_carry_the_sources_as_text(browser, saved, territory):
    opened = open_offline(browser, saved)
    page = opened.page
    page.wait_for_selector("path.mapgen-place")
    bravo = territory.places_on(DAY).set_index("place_id").loc["bravo"]
    to_pixel = (
        "([lat, lon]) => { const m = Object.values(window).find(v => v instanceof L.Map);"
        " const p = m.latLngToContainerPoint([lat, lon]);"
        " const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }"
    )
    x, y = page.evaluate(to_pixel, [bravo.geometry.y, bravo.geometry.x])
    page.mouse.click(x, y)
    page.wait_for_selector(".mapgen-popup")
    text = page.inner_text(".mapgen-popup")
    assert "Bravo" in text and "held by Red side, contested (under assault by Blue side)" in text
    assert f"T4 (2020-01-10): Report C {HOSTILE}" in text  # shown, not run, not templated
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all(".mapgen-popup img", "xs => xs.length") == 0
    links = page.eval_on_selector_all(
        ".mapgen-popup a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert links == [HOSTILE_URL]  # a link, whole, in its attribute
    page.close()


def test_explore_on_a_map_of_ones_own_and_its_keywords(territory):
    m = folium.Map(location=[35, 40.5], zoom_start=8)
    assert territory.explore(DAY, m=m) is m
    page = m.get_root().render()
    assert "tile.openstreetmap.org" in page and "fitBounds" not in page
    fitted = territory.explore(DAY, height=400).get_root().render()
    assert "fitBounds" in fitted and "height: 400.0px" in fitted
    placed = territory.explore(DAY, location=[35, 40.5], zoom_start=9).get_root().render()
    assert "fitBounds" not in placed and '"zoom": 9' in placed
    with pytest.raises(OptionError, match=r"unknown keyword\(s\) colour"):
        territory.explore(DAY, colour="red")
    with pytest.raises(DateRangeError, match="outside the map's range"):
        territory.explore("2019-01-01")


def test_default_campaign_explored(browser, tmp_path):
    territory = build_territory(build_timeline(load_dataset()))
    path = tmp_path / "2017-11-10.html"
    territory.explore("2017-11-10", tiles=None, inline=True).save(str(path))
    opened = open_offline(browser, path)
    page = opened.page
    page.wait_for_selector("path.mapgen-place")
    count = page.eval_on_selector_all("path.mapgen-area", "ps => ps.length")
    assert count == len(territory.areas_on("2017-11-10"))
    assert page.eval_on_selector_all("path.mapgen-front", "ps => ps.length") == len(
        territory.frontlines_on("2017-11-10")
    )
    assert opened.network == [] and opened.errors == []
    page.close()


def test_without_folium_explore_says_how_to_install_it(territory, monkeypatch):
    monkeypatch.setitem(sys.modules, "folium", None)
    for name in ("mapgen.render.explore", "mapgen.render.folium_page"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError, match=r"pip install 'mapgen\[folium\]'"):
        territory.explore(DAY)
