"""mapgen.folium.ControlSlider: the slider map on folium maps of one's own, in Chromium."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mapgen.dataset import load_dataset
from mapgen.errors import OptionError
from mapgen.render.html import leaflet_assets
from mapgen.render.html_data import page_data
from mapgen.render.style import map_extent
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline
from tests.conftest import tiny_territory
from tests.pages import open_offline

folium = pytest.importorskip("folium")
from mapgen.folium import ControlSlider  # noqa: E402

READY = "window.mapgen && mapgen.ready === true"
MAP_OF = "id => mapgen.get(id)"


@pytest.fixture(scope="module")
def territory():
    return build_territory(build_timeline(load_dataset()))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_territory(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def own_map(territory, tmp_path_factory) -> Path:
    """A folium map of one's own: no tiles, a marker with a tooltip, and the slider."""
    m = folium.Map(tiles=None)
    folium.Marker([34.45, 40.92], tooltip="Our office").add_to(m)
    ControlSlider(territory, inline=True, element_id="campaign").add_to(m)
    path = tmp_path_factory.mktemp("folium") / "own.html"
    m.save(str(path))
    return path


def test_slider_on_ones_own_map_works_offline(browser, own_map, territory):
    opened = open_offline(browser, own_map, ready=READY)
    page = opened.page
    # the user's marker, its icon from the page itself
    icon = page.wait_for_selector("img.leaflet-marker-icon")
    assert page.evaluate("img => img.complete && img.naturalWidth", icon) == 25
    icon.hover()
    assert "Our office" in page.inner_text(".leaflet-tooltip")
    # the slider's panel is one of the folium map's controls
    panel = ".folium-map .leaflet-bottom #campaign.mapgen-slider.leaflet-control"
    assert page.evaluate("s => !!document.querySelector(s)", panel)
    assert "Islamic State (ISIS)" in page.inner_text("#campaign .mg-legend")
    assert page.eval_on_selector_all("#campaign .mg-chart .mg-series", "s => s.length") >= 4
    # the JavaScript API moves it; what it shows is the model's day
    assert page.evaluate("mapgen.setDate('2017-11-10')") == "2017-11-10"
    places = territory.places_on("2017-11-10").set_index("place_id")
    for place in ("abu-kamal", "al-qaim", "raqqa"):
        shown = page.evaluate("p => mapgen.controllerOf(p)", place)
        assert shown == places.loc[place, "controller"], place
    visible = page.evaluate("mapgen.get('campaign').visible()")
    assert len(visible["areas"]) == len(territory.areas_on("2017-11-10"))
    assert len(visible["frontlines"]) == len(territory.frontlines_on("2017-11-10"))
    drawn = page.evaluate("mapgen.get('campaign').drawn()")
    assert sum(d["layer"] == "area" for d in drawn) == len(visible["areas"])
    assert opened.network == [] and opened.errors == []
    page.close()


def test_the_map_is_fitted_clear_of_the_panel(browser, own_map, territory):
    opened = open_offline(browser, own_map, ready=READY)
    page = opened.page
    lon0, lat0, lon1, lat1 = map_extent(territory)
    corners = page.evaluate(
        "([a, b]) => { const m = mapgen.get('campaign').map;"
        " return [a, b].map(c => { const p = m.latLngToContainerPoint(c); return [p.x, p.y]; }); }",
        [[lat0, lon0], [lat1, lon1]],
    )
    (left, bottom), (right, top) = corners
    panel = page.evaluate(
        "document.getElementById('campaign').getBoundingClientRect().top"
        " - mapgen.get('campaign').map.getContainer().getBoundingClientRect().top"
    )
    width = page.evaluate("mapgen.get('campaign').map.getSize().x")
    assert 0 <= top < bottom <= panel and 0 <= left < right <= width
    page.close()


def test_using_the_panel_does_not_move_the_map(browser, own_map):
    opened = open_offline(browser, own_map, ready=READY)
    page = opened.page
    center = "() => { const c = mapgen.get('campaign').map.getCenter(); return [c.lat, c.lng]; }"
    before = page.evaluate(center)
    page.focus("#campaign .mg-range")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("mapgen.date()") == "2017-07-03"
    box = page.locator("#campaign .mg-range").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    assert page.evaluate("mapgen.date()") > "2018-01-01"
    page.mouse.wheel(0, 400)  # over the panel: no zoom
    assert page.evaluate(center) == before
    page.close()


def test_two_on_one_page_are_independent(browser, territory, tiny, tmp_path):
    figure = folium.Figure()
    first = folium.Map(tiles=None, height="450px").add_to(figure)
    second = folium.Map(tiles=None, height="450px").add_to(figure)
    ControlSlider(territory, inline=True, element_id="euphrates").add_to(first)
    ControlSlider(tiny, inline=True, element_id="tiny").add_to(second)
    path = tmp_path / "two.html"
    figure.save(str(path))
    opened = open_offline(browser, path, ready=READY)
    page = opened.page
    page.wait_for_function("mapgen.maps.length === 2 && mapgen.maps[1].ready")
    assert page.evaluate("mapgen.get('tiny').setDate('2020-01-15')") == "2020-01-15"
    assert page.evaluate("mapgen.get('tiny').controllerOf('bravo')") == "blue"
    assert page.evaluate("mapgen.get('euphrates').date()") == "2017-07-01"
    page.evaluate("mapgen.get('euphrates').setDate('2018-01-01')")
    assert page.evaluate("mapgen.get('tiny').date()") == "2020-01-15"
    maps = page.evaluate("mapgen.maps.map(m => m.element.closest('.folium-map').id)")
    assert len(set(maps)) == 2 and maps == [first.get_name(), second.get_name()]
    assert opened.network == [] and opened.errors == []
    page.close()


def test_without_inline_leaflet_comes_from_folium_and_the_slider_still_works(
    browser, tiny, tmp_path
):
    m = folium.Map(tiles=None)
    ControlSlider(tiny, element_id="tiny").add_to(m)
    path = tmp_path / "cdn.html"
    m.save(str(path))
    text = path.read_text(encoding="utf-8")
    js, _ = leaflet_assets()
    assert js[:400] not in text  # Leaflet is not in the page: folium links it
    links = dict(folium.Map.default_js + folium.Map.default_css)
    base = Path(__import__("xstatic.pkg.leaflet", fromlist=["BASE_DIR"]).BASE_DIR)
    routes = {links["leaflet"]: base / "leaflet.js", links["leaflet_css"]: base / "leaflet.css"}
    opened = open_offline(browser, path, ready=READY, routes=routes)
    assert opened.page.evaluate("mapgen.get('tiny').setDate('2020-01-15')") == "2020-01-15"
    assert opened.page.evaluate("mapgen.controllerOf('bravo')") == "blue"
    assert set(routes) <= set(opened.requests)
    opened.page.close()


def _head_links(m: folium.Map) -> set[str]:
    page = m.get_root().render()
    head = page.split("</head>")[0]
    return set(re.findall(r'<(?:script src|link rel="stylesheet" href)="(https?://[^"]+)"', head))


def test_inline_drops_the_libraries_nothing_on_the_page_uses(tiny):
    plain = folium.Map(tiles=None)
    folium.Marker([35, 40]).add_to(plain)
    ControlSlider(tiny, inline=True).add_to(plain)
    assert _head_links(plain) == set()
    with_popup = folium.Map(tiles=None)
    folium.Marker([35, 40], popup="jQuery sets my content").add_to(with_popup)
    ControlSlider(tiny, inline=True).add_to(with_popup)
    assert {u.split("/")[2] for u in _head_links(with_popup)} == {"code.jquery.com"}
    with_icon = folium.Map(tiles=None)
    folium.Marker([35, 40], icon=folium.Icon(icon="star")).add_to(with_icon)
    ControlSlider(tiny, inline=True).add_to(with_icon)
    assert any("awesome-markers" in u for u in _head_links(with_icon))


def test_base_layers_only_where_the_map_has_no_tiles(tiny):
    def base_of(m: folium.Map) -> dict:
        page = m.get_root().render()
        (data,) = page_data(page)
        return data["base"]

    bare = folium.Map(tiles=None)
    ControlSlider(tiny).add_to(bare)
    assert base_of(bare)["countries"]
    tiled = folium.Map()
    ControlSlider(tiny).add_to(tiled)
    assert base_of(tiled) == {}
    forced = folium.Map()
    ControlSlider(tiny, base_layers=True).add_to(forced)
    assert base_of(forced)["rivers"]


def test_bad_options_are_named(tiny):
    with pytest.raises(OptionError, match="position='middle' is not a map corner"):
        ControlSlider(tiny, position="middle")
    m = folium.Map()
    group = folium.FeatureGroup().add_to(m)
    ControlSlider(tiny).add_to(group)
    with pytest.raises(OptionError, match=r"add ControlSlider to a folium\.Map, not to a Feature"):
        m.get_root().render()
    m = folium.Map()
    ControlSlider(tiny, element_id='x" onload="alert(1)').add_to(m)
    with pytest.raises(OptionError, match="not a valid id"):
        m.get_root().render()


def test_without_folium_the_import_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "folium", None)
    for name in ("mapgen.render.folium_page", "mapgen.folium"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError, match=r"pip install 'mapgen\[folium\]'"):
        import mapgen.folium  # noqa: F401
