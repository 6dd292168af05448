"""The slider map (mapgen.render.html): data encoding in Python, behaviour in real Chromium."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from mapgen.dataset import DatasetFiles, load_dataset
from mapgen.render.html import slider_map, write_map_html
from mapgen.render.html_data import page_data, to_script_json
from mapgen.synth import synthesize
from mapgen.territory import TerritoryOptions, build_territory
from mapgen.timeline import build_timeline
from tests.conftest import TINY_PLACES

HOSTILE = '</script><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
HOSTILE_URL = "https://example.org/?q='\"><img/src=x/onerror=window.__pwned=3>"


@pytest.fixture(scope="module")
def territory():
    timeline = build_timeline(load_dataset(DatasetFiles.from_options()))
    return build_territory(timeline, TerritoryOptions())


@pytest.fixture(scope="module")
def map_file(territory, tmp_path_factory) -> Path:
    return write_map_html(territory, tmp_path_factory.mktemp("html") / "map.html")


@dataclass
class Opened:
    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_map(browser, path: Path, fragment: str = "") -> Opened:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    opened = Opened(page)
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.goto(path.as_uri() + fragment)
    page.wait_for_function("window.mapgen && mapgen.ready === true", timeout=15000)
    return opened


@pytest.fixture
def opened(browser, map_file):
    result = open_map(browser, map_file)
    yield result
    result.page.close()


def painted_pixels(page, selector: str = ".leaflet-mgControl-pane canvas") -> int:
    """Pixels of the first map's control-layer canvas that are not transparent."""
    return page.evaluate(
        """s => {
          const c = document.querySelector(s);
          const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
          return n;
        }""",
        selector,
    )


def expected_controller(territory, place_id: str, day: str) -> tuple[str, str]:
    """From the timeline (built from data/events.csv), not from the page."""
    state = territory.timeline.state_on(day).loc[place_id]
    return state["controller"], state["status"]


# ---------- Python side ----------


def test_script_json_escapes_markup_characters():
    text = to_script_json({"note": HOSTILE + " & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert json.loads(text)["note"] == HOSTILE + " & \u2028"


def test_data_is_interval_encoded(territory):
    data = slider_map(territory).data
    assert len(data["areas"]) == len(territory.areas)
    assert data["days"] == (territory.timeline.end - territory.timeline.start).days + 1
    # Cells keep their shape when their controller changes: fewer geometries than records.
    assert len(data["geoms"]) < len(data["areas"]) + len(data["frontlines"])
    abu = next(p for p in data["places"] if p["id"] == "abu-kamal")
    contested = [h for h in abu["h"] if h["d"] == "2017-11-08"]
    assert contested and contested[0]["c"] == "isis" and contested[0]["s"] == 1


def test_tiles_option(territory):
    (osm,) = page_data(slider_map(territory).document())
    assert "tile.openstreetmap.org" in osm["tiles"]["url"]
    (none,) = page_data(slider_map(territory, tiles="none").document())
    assert none["tiles"] is None
    with pytest.raises(ValueError, match=r"'google'.*osm, none"):
        slider_map(territory, tiles="google")


def test_fragment_ids_never_clash_and_bad_ids_are_refused(territory):
    page = slider_map(territory)
    first, second = page.fragment(), page.fragment()
    ids = [re.search(r'id="(mapgen-[\w-]+)"', f).group(1) for f in (first, second)]
    assert ids[0] != ids[1]
    assert 'id="mine"' in page.fragment(element_id="mine")
    with pytest.raises(ValueError, match="not a valid id"):
        page.fragment(element_id='x" onload="alert(1)')


def test_output_is_deterministic_and_written_atomically(territory, tmp_path):
    a = write_map_html(territory, tmp_path / "a.html").read_bytes()
    b = write_map_html(territory, tmp_path / "b.html").read_bytes()
    assert a == b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]
    assert a.startswith(b"<!doctype html>")


def test_repr_html_is_an_iframe_holding_the_page(territory):
    out = slider_map(territory)._repr_html_()
    assert out.startswith("<iframe srcdoc=")
    assert "&lt;!doctype html&gt;" in out and "<script" not in out


def test_the_page_carries_its_data_compressed_and_readable_back(territory):
    page = slider_map(territory)
    assert page_data(page.document()) == [json.loads(page.data_json)]
    # Cells and frontline pieces repeat coordinates: gzip takes the JSON to a fraction.
    assert len(page.data_payload) < len(page.data_json) / 4


# ---------- in Chromium ----------


def test_opens_offline_without_requests_or_errors(opened, map_file):
    page = opened.page
    assert opened.errors == []
    assert all(u.startswith(("file:", "data:")) for u in opened.requests), opened.requests
    assert opened.requests[0] == map_file.as_uri()
    # Areas, frontlines and markers are drawn on one canvas, and it is painted.
    drawn = page.evaluate("mapgen.drawn()")
    assert sum(d["layer"] == "area" for d in drawn) > 10
    assert sum(d["layer"] == "place" for d in drawn) > 10
    assert painted_pixels(page) > 10_000
    # The tile layer is offered in the layer control, switched off.
    label = page.locator(".leaflet-control-layers-overlays label", has_text="OpenStreetMap")
    assert label.locator("input").is_checked() is False
    assert page.locator(".leaflet-tile").count() == 0
    # Switched on (this test is offline: block the tile requests), the land fill of the
    # offline base layer turns transparent so the tiles show through.
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    land = page.locator(".leaflet-mgBase-pane path").first
    assert land.get_attribute("fill-opacity") == "1"
    page.locator(".leaflet-control-layers").hover()
    label.click()
    assert land.get_attribute("fill-opacity") == "0"
    assert page.locator(".leaflet-tile").count() > 0


@pytest.mark.parametrize(
    "day", ["2017-11-07", "2017-11-08", "2017-11-09", "2017-11-10", "2017-11-12", "2017-11-20"]
)
def test_abu_kamal_changes_hands_on_the_reported_days(opened, territory, day):
    page = opened.page
    controller, status = expected_controller(territory, "abu-kamal", day)
    assert page.evaluate("d => mapgen.setDate(d)", day) == day
    assert page.evaluate("mapgen.date()") == day
    assert page.evaluate("mapgen.controllerOf('abu-kamal')") == controller
    assert page.evaluate("mapgen.controllerOf('Abu Kamal')") == controller
    # The town's ground: its own held ground, or, where an area event's polygon covers the
    # town and is newer than the town's own state, the polygon under it (an Islamic State
    # area of October 2017 covers it until the assault is reported on 8 November).
    areas = territory.on(day).areas
    held = areas[(areas["kind"] == "held") & (areas["place_id"] == "abu-kamal")]
    if held.empty:
        point = territory.timeline.dataset.places.places.geometry["abu-kamal"]
        held = areas[(areas["kind"] == "held") & areas.contains(point)]
    assert [(r.controller, r.status) for r in held.itertuples()] == [(controller, status)]
    polygon = held["polygon"].iloc[0] if isinstance(held["polygon"].iloc[0], str) else ""
    key = ("polygon", polygon) if polygon else ("place_id", "abu-kamal")
    shown = page.evaluate("mapgen.visible()")
    area = [a for a in shown["areas"] if a[key[0]] == key[1] and a["kind"] == "held"]
    assert [(a["controller"], a["status"]) for a in area] == [(controller, status)]
    place = [p for p in shown["places"] if p["place_id"] == "abu-kamal"]
    assert [(p["controller"], p["status"]) for p in place] == [(controller, status)]
    # What is drawn: the area is filled with the side's colour, or with the striped
    # pattern of that side when contested.
    colour = territory.timeline.dataset.controllers[controller].color
    drawn = page.evaluate("mapgen.drawn()")
    name = "polygon" if polygon else "place_id"
    path = [d for d in drawn if d["layer"] == "area" and d[name] == key[1] and d["kind"] == "held"]
    assert len(path) == 1
    fill = path[0]["fill"]
    if status == "controlled":
        assert fill.lower() == colour.lower()
    else:
        pattern_id = re.fullmatch(r"url\(#(.+)\)", fill).group(1)
        stripe = page.locator(f'[id="{pattern_id}"] rect.mg-stripe')
        assert stripe.get_attribute("fill").lower() == colour.lower()
        assert path[0]["dashArray"]
    marker = [d for d in drawn if d["layer"] == "place" and d["place_id"] == "abu-kamal"]
    assert [m["fill"].lower() for m in marker] == [colour.lower()]


def test_abu_kamal_facts_from_events_csv(territory):
    """The expectations above come from the timeline; pin them to the event rows too."""
    events = territory.timeline.dataset.events.set_index("event_id")
    e056, e057 = events.loc["E056"], events.loc["E057"]
    assert (e056["place_id"], e056["date"], e056["controller"], e056["status"]) == (
        "abu-kamal",
        "2017-11-08",
        "isis",
        "contested",
    )
    assert (e057["date"], e057["controller"]) == ("2017-11-09", "syria")
    assert expected_controller(territory, "abu-kamal", "2017-11-08") == ("isis", "contested")
    assert expected_controller(territory, "abu-kamal", "2017-11-10") == ("syria", "controlled")


def test_a_damaged_page_says_why_it_cannot_draw(browser, map_file, tmp_path):
    """A page whose data was cut short (a truncated download, an editor's damage) says in
    its title that it cannot be shown and why, instead of staying blank."""
    text = map_file.read_text(encoding="utf-8")
    payload = re.search(r'data-encoding="gzip\+base64">([^<]*)<', text).group(1)
    damaged = tmp_path / "damaged.html"
    damaged.write_text(text.replace(payload, payload[:4000]), encoding="utf-8")
    page = browser.new_page()
    page.goto(damaged.as_uri())
    root = page.locator(".mapgen-slider")
    page.wait_for_function("document.querySelector('.mapgen-slider').dataset.error")
    assert root.locator(".mg-title").inner_text().startswith("This map cannot be shown: ")
    assert page.evaluate("mapgen.ready") is False
    with pytest.raises(Exception, match="still being read"):
        page.evaluate("mapgen.date()")
    page.close()


def test_hash_opens_the_day_and_follows_the_slider(browser, map_file):
    opened = open_map(browser, map_file, "#2017-11-03")
    page = opened.page
    try:
        assert page.evaluate("mapgen.date()") == "2017-11-03"
        assert page.locator(".mg-date").text_content() == "2017-11-03"
        assert page.evaluate("location.hash") == "#2017-11-03"
        page.evaluate("mapgen.setDate('2017-11-10')")
        page.wait_for_function("location.hash === '#2017-11-10'", timeout=2000)
        slider = page.locator(".mg-range")
        slider.fill("200")  # the input event moves the map
        day = str((pd.Timestamp("2017-07-01") + pd.Timedelta(days=200)).date())
        assert page.evaluate("mapgen.date()") == day
        page.wait_for_function("d => location.hash === '#' + d", arg=day, timeout=2000)
        # Stepping fast writes the hash once, when the slider rests (writing it forces a
        # layout): count the writes over 20 quick steps.
        written = page.evaluate(
            """async () => {
              let n = 0;
              const write = history.replaceState.bind(history);
              history.replaceState = (...a) => { n += 1; return write(...a); };
              for (let i = 1; i <= 20; i++) mapgen.setDate('2017-10-' + String(i).padStart(2, '0'));
              await new Promise(r => setTimeout(r, 600));
              return [n, location.hash];
            }"""
        )
        assert written == [1, "#2017-10-20"]
        page.evaluate("location.hash = '#2017-12-01'")
        page.wait_for_function("mapgen.date() === '2017-12-01'")
        assert opened.errors == []
    finally:
        page.close()


def test_keyboard_arrows_step_one_day(opened):
    page = opened.page
    assert page.evaluate("location.hash") == ""  # opening does not touch the URL
    page.evaluate("mapgen.setDate('2017-11-08')")
    page.keyboard.press("ArrowRight")  # nothing focused: the first map takes it
    assert page.evaluate("mapgen.date()") == "2017-11-09"
    page.keyboard.press("ArrowLeft")
    page.locator(".mg-range").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("mapgen.date()") == "2017-11-09"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("mapgen.date()") == "2017-11-08"
    page.locator(".mg-play").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("mapgen.date()") == "2017-11-09"
    assert page.locator(".mg-date").text_content() == "2017-11-09"


def test_change_buttons_and_ticks_match_the_timeline(opened, territory):
    page = opened.page
    expected = [f"{d:%Y-%m-%d}" for d in territory.timeline.change_dates]
    assert page.evaluate("mapgen.changeDates()") == expected
    assert page.locator(".mg-tick").count() == len(expected)
    page.evaluate("mapgen.setDate('2017-11-08')")
    page.locator(".mg-next-change").click()
    later = [d for d in expected if d > "2017-11-08"]
    assert page.evaluate("mapgen.date()") == later[0]
    page.locator(".mg-prev-change").click()
    page.locator(".mg-prev-change").click()
    earlier = [d for d in expected if d < "2017-11-08"]
    assert page.evaluate("mapgen.date()") == earlier[-1]


def test_popup_shows_history_up_to_the_day_with_sources(opened, territory):
    page = opened.page
    page.evaluate("mapgen.setDate('2017-11-10')")
    page.evaluate("mapgen.maps[0].openPopup('abu-kamal')")
    popup = page.locator(".mg-popup-body")
    text = popup.text_content()
    events = territory.timeline.dataset.events.set_index("event_id")
    assert "E056" in text and "E057" in text and "E058" not in text
    assert events.loc["E057", "source"] in text
    assert popup.locator("li.mg-current").count() == 1
    # Moving the slider while it is open updates it.
    page.evaluate("mapgen.setDate('2017-11-20')")
    assert "E060" in page.locator(".mg-popup-body").text_content()


def test_hostile_text_is_shown_and_never_runs(browser, tiny_files, write, tmp_path):
    events = (
        "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
        f'T1,2020-01-01,alpha,red,controlled,,"{HOSTILE.replace(chr(34), chr(34) * 2)}",'
        f'"{HOSTILE_URL.replace(chr(34), chr(34) * 2)}","{HOSTILE.replace(chr(34), chr(34) * 2)}"\n'
        "T2,2020-01-01,bravo,blue,controlled,,Report,,\n"
        "T3,2020-01-05,bravo,red,controlled,,Report,,\n"
    )
    places = TINY_PLACES.replace("alpha,Alpha,", "alpha,<b>Alpha</b><img src=x>,")
    files = tiny_files(events=events, places=places)
    timeline = build_timeline(load_dataset(files))
    territory = build_territory(timeline, TerritoryOptions(method="voronoi"))
    path = write_map_html(territory, tmp_path / "hostile.html", tiles="none")
    opened = open_map(browser, path)
    page = opened.page
    try:
        page.evaluate("mapgen.maps[0].openPopup('alpha')")
        body = page.locator(".mg-popup-body")
        assert HOSTILE in body.text_content()
        assert "<b>Alpha</b><img src=x>" in body.text_content()
        link = body.locator("a")
        assert link.get_attribute("href") == HOSTILE_URL
        assert link.text_content() == HOSTILE
        assert page.evaluate("window.__pwned") is None
        assert page.locator("img[src='x']").count() == 0
        assert opened.errors == []
        assert all(u.startswith(("file:", "data:")) for u in opened.requests)
    finally:
        page.close()


def test_two_fragments_on_one_page_move_independently(browser, territory, tmp_path):
    page_map = slider_map(territory, tiles="none")
    a, b = page_map.fragment(element_id="first"), page_map.fragment(element_id="second")
    html = f"<!doctype html><html><body><h1>Report</h1>{a}<p>Between</p>{b}</body></html>"
    path = tmp_path / "two.html"
    path.write_text(html, encoding="utf-8")
    opened = open_map(browser, path)
    page = opened.page
    try:
        page.wait_for_function("mapgen.maps.length === 2 && mapgen.maps[1].ready")
        page.evaluate("mapgen.get('first').setDate('2017-11-08')")
        page.evaluate("mapgen.get('second').setDate('2017-11-20')")
        assert page.evaluate("mapgen.get('first').date()") == "2017-11-08"
        assert page.evaluate("mapgen.get('second').date()") == "2017-11-20"
        assert page.evaluate("mapgen.get('first').controllerOf('abu-kamal')") == "isis"
        assert page.evaluate("mapgen.get('second').controllerOf('abu-kamal')") == "syria"
        page.locator("#second .mg-back").click()
        assert page.evaluate("mapgen.get('second').date()") == "2017-11-19"
        assert page.evaluate("mapgen.get('first').date()") == "2017-11-08"
        assert page.locator("#first .mg-date").text_content() == "2017-11-08"
        assert page.locator("#second .mg-date").text_content() == "2017-11-19"
        assert opened.errors == []
    finally:
        page.close()


def synth_territory(folder: Path, *, days: int, events: int, range_days: int):
    scenario = synthesize(places=40, events=events, days=days, sides=3, seed=1)
    files = scenario.write(folder)
    end = scenario.start + pd.Timedelta(days=range_days - 1)
    timeline = build_timeline(load_dataset(files, end=end))
    return build_territory(timeline, TerritoryOptions(method="voronoi"))


def test_page_grows_with_changes_not_days(tmp_path):
    short = synth_territory(tmp_path / "a", days=60, events=200, range_days=60)
    long = synth_territory(tmp_path / "b", days=60, events=200, range_days=600)
    busier = synth_territory(tmp_path / "c", days=60, events=400, range_days=60)
    maps = {"short": short, "long": long, "busier": busier}
    page = {name: len(slider_map(t).document().encode()) for name, t in maps.items()}
    # The timeline's part of the page: everything but the fixed base layers.
    size = {
        name: len(to_script_json({k: v for k, v in slider_map(t).data.items() if k != "base"}))
        for name, t in maps.items()
    }
    assert len(long.timeline.change_dates) == len(short.timeline.change_dates)
    assert long.timeline.end - long.timeline.start == 10 * (
        short.timeline.end - short.timeline.start
    ) + pd.Timedelta(days=9)
    assert size["long"] < 1.02 * size["short"], size  # ten times the days
    assert page["long"] < 1.01 * page["short"], page
    assert size["busier"] > 1.3 * size["short"], size  # twice the events


def canvas_pixels(page):
    """The first map's control-layer canvas, as RGBA pixels."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    uri = page.evaluate("document.querySelector('.leaflet-mgControl-pane canvas').toDataURL()")
    png = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"


def test_a_step_repaints_only_where_it_changes_and_draws_the_same_map(browser, map_file, opened):
    """A one-day step redraws the layers around what changed, not the whole canvas, and the
    canvas is then the same as on a page opened on that day and drawn in full."""
    page = opened.page
    changes = page.evaluate("mapgen.changeDates()")
    day = changes[len(changes) // 2]
    before = (pd.Timestamp(day) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    page.evaluate("mapgen.setDate('2017-07-01')")
    for other in [c for c in changes if c < before] + [before]:
        page.evaluate("d => mapgen.setDate(d)", other)
        page.evaluate(NEXT_FRAME)
    page.evaluate("d => mapgen.setDate(d)", day)
    page.evaluate(NEXT_FRAME)
    repaint = page.evaluate("mapgen.maps[0].repaint()")
    drawn = page.evaluate("mapgen.drawn()")
    assert repaint["boxes"] > 0
    assert 0 < repaint["drawn"] < len(drawn) / 3, (repaint, len(drawn))
    stepped = canvas_pixels(page)
    fresh = open_map(browser, map_file, "#" + day)
    try:
        assert fresh.page.evaluate("mapgen.date()") == day
        # the same layers (within a level, in the order they were added)
        again = fresh.page.evaluate("mapgen.drawn()")
        assert sorted(map(json.dumps, again)) == sorted(map(json.dumps, drawn))
        whole = canvas_pixels(fresh.page)
    finally:
        fresh.page.close()
    assert stepped.shape == whole.shape
    differ = (abs(stepped - whole).max(axis=2) > 8).sum()
    assert differ <= stepped.shape[0] * stepped.shape[1] // 1000, differ
    assert opened.errors == []


# The partial repaint, made to skip the place markers: a page whose steps leave changed
# markers unpainted (test_a_missed_marker_is_found).
SKIP_MARKERS = (
    "order.layer._updatePath(); drawn++;",
    "if (!grid || order.level !== 3) order.layer._updatePath(); drawn++;",
)


def missed_by_steps(page, days: list[str]) -> dict[str, int]:
    """Step to each day from the day before and compare the canvas, as the partial repaint
    left it, with a full repaint of that day on the same page: for each day whose step
    repainted part of the canvas, the pixels in 3x3 blocks that all differ (premultiplied
    RGBA, by more than 8). A marker, a piece of frontline or an area the repaint missed is
    at least that wide; anti-aliasing along an edge is a line one or two pixels thin."""
    import numpy as np

    def premultiplied(pixels):
        return np.concatenate([pixels[..., :3] * pixels[..., 3:] // 255, pixels[..., 3:]], axis=2)

    out = {}
    for day in days:
        before = (pd.Timestamp(day) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        for d in (before, day):
            page.evaluate("d => mapgen.setDate(d)", d)
            page.evaluate(NEXT_FRAME)
        if not page.evaluate("mapgen.maps[0].repaint().boxes"):
            continue  # the step repainted the whole canvas (or nothing)
        stepped = premultiplied(canvas_pixels(page))
        page.evaluate("() => { mapgen.maps[0].map.fire('viewreset'); }")
        page.evaluate(NEXT_FRAME)
        assert page.evaluate("mapgen.maps[0].repaint().boxes") is None  # drawn in full
        differ = abs(stepped - premultiplied(canvas_pixels(page))).max(axis=2) > 8
        core = differ[1:-1, 1:-1].copy()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                core &= differ[1 + dy : differ.shape[0] - 1 + dy, 1 + dx : differ.shape[1] - 1 + dx]
        out[day] = int(core.sum())
    return out


@pytest.fixture(scope="module")
def busy_map(tmp_path_factory) -> Path:
    """A synthetic map where a step changes places all over the map (as the benchmark's)."""
    folder = tmp_path_factory.mktemp("busy")
    files = synthesize(places=300, events=3000, days=200, seed=3).write(folder / "data")
    territory = build_territory(build_timeline(load_dataset(files)))
    return write_map_html(territory, folder / "map.html")


def test_a_partial_repaint_leaves_the_pixels_of_a_full_one(browser, busy_map, map_file):
    """After one-day steps to change dates, on a busy synthetic map and on the default one,
    the canvas holds what a full repaint of the day draws: no changed area is left out."""
    for path in (busy_map, map_file):
        opened = open_map(browser, path)
        try:
            page = opened.page
            changes = page.evaluate("mapgen.changeDates()")
            days = changes[1 :: max(1, len(changes) // 12)]
            missed = missed_by_steps(page, days)
            assert len(missed) >= 3, (path, missed)  # steps that repainted part of the canvas
            assert not any(missed.values()), (path, missed)
            assert opened.errors == []
        finally:
            opened.page.close()


RIVER_RGB = (0x5B, 0x8F, 0xC9)  # base.js: the rivers' stroke


def river_pixels(page) -> int:
    """Pixels of the control canvas in the rivers' colour, drawn at full strength."""
    import numpy as np

    pixels = canvas_pixels(page)
    near = (abs(pixels[..., :3] - np.array(RIVER_RGB)).max(axis=2) <= 6) & (pixels[..., 3] > 200)
    return int(near.sum())


def test_base_lines_switched_off_leave_the_copied_picture_too(browser, map_file):
    """A partial repaint copies the base lines from a picture made at the last full repaint
    (canvas.js): switching rivers and lakes off repaints in full, so the steps after it draw
    none from a stale picture, and they still leave the pixels of a full repaint."""
    opened = open_map(browser, map_file)
    try:
        page = opened.page
        changes = page.evaluate("mapgen.changeDates()")
        days = changes[1 :: max(1, len(changes) // 16)]
        page.evaluate("d => mapgen.setDate(d)", days[0])
        page.evaluate(NEXT_FRAME)
        assert river_pixels(page) > 500
        page.locator(".leaflet-control-layers").hover()
        for name in ("Rivers", "Lakes"):  # the lakes' outline has the rivers' colour
            page.locator(".leaflet-control-layers-overlays label", has_text=name).click()
        page.evaluate(NEXT_FRAME)
        assert page.evaluate("mapgen.maps[0].repaint().boxes") is None  # drawn in full
        missed = missed_by_steps(page, days[1:])
        assert len(missed) >= 3, missed
        assert not any(missed.values()), missed
        assert river_pixels(page) == 0
        assert opened.errors == []
    finally:
        opened.page.close()


def test_a_missed_marker_is_found(browser, busy_map, tmp_path):
    """The comparison above finds a repaint that leaves changed markers out."""
    html = busy_map.read_text(encoding="utf-8")
    assert html.count(SKIP_MARKERS[0]) == 1
    broken = tmp_path / "broken.html"
    broken.write_text(html.replace(*SKIP_MARKERS), encoding="utf-8")
    opened = open_map(browser, broken)
    try:
        changes = opened.page.evaluate("mapgen.changeDates()")
        missed = missed_by_steps(opened.page, changes[1 :: max(1, len(changes) // 12)])
        assert sum(1 for n in missed.values() if n > 0) >= len(missed) // 2 > 0, missed
    finally:
        opened.page.close()


def test_screenshots(opened, tmp_path):
    page = opened.page
    for day in ("2017-10-01", "2017-11-10", "2017-11-20"):
        page.evaluate("d => mapgen.setDate(d)", day)
        shot = tmp_path / f"map-{day}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 50_000
    assert opened.errors == []


def test_build_command_writes_map_html_with_the_tiles_option(tmp_path):
    from click.testing import CliRunner

    from mapgen.cli import cli
    from tests.test_cli import tiny_args

    args = tiny_args(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["build", *args, "--out", str(tmp_path / "a"), "--tiles", "none"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "a" / "map.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page_data(page)[0]["tiles"] is None
    result = runner.invoke(cli, ["build", *args, "--out", str(tmp_path / "b")])
    (data,) = page_data((tmp_path / "b" / "map.html").read_text(encoding="utf-8"))
    assert "tile.openstreetmap.org" in data["tiles"]["url"]
    result = runner.invoke(cli, ["build", *args, "--tiles", "google"])
    assert result.exit_code == 2
    assert "'google' is not one of 'osm', 'none'" in result.output


def test_inferred_places_are_marked_as_inferred(browser, tmp_path):
    timeline = build_timeline(load_dataset(DatasetFiles.from_options()))
    territory = build_territory(timeline, TerritoryOptions(infer=True))
    inferred = territory.places[territory.places["basis"] == "inferred"]
    day = "2017-11-10"
    expected = inferred[
        (inferred["valid_from"] <= day)
        & (inferred["valid_to"].isna() | (inferred["valid_to"] > day))
    ]
    path = write_map_html(territory, tmp_path / "inferred.html", tiles="none")
    opened = open_map(browser, path, "#" + day)
    page = opened.page
    try:
        shown = page.evaluate("mapgen.visible()")["places"]
        marked = sorted(p["place_id"] for p in shown if p["basis"] == "inferred")
        assert marked == sorted(expected["place_id"])
        one = expected.iloc[0]
        page.evaluate("p => mapgen.maps[0].openPopup(p)", one["place_id"])
        source = territory.timeline.dataset.places.name(one["inferred_from"])
        assert f"(inferred from {source})" in page.locator(".mg-popup-body").text_content()
        marker = [
            d
            for d in page.evaluate("mapgen.drawn()")
            if d["layer"] == "place" and d["place_id"] == one["place_id"]
        ]
        assert len(marker) == 1 and marker[0]["dashArray"]
        assert opened.errors == []
    finally:
        page.close()


def test_play_pause_layer_toggle_and_chart(opened, territory):
    page = opened.page
    page.evaluate("mapgen.setDate('2017-07-01')")
    page.locator(".mg-speed").select_option("30")
    page.locator(".mg-play").click()
    page.wait_for_function("mapgen.date() > '2017-07-05'")
    page.locator(".mg-play").click()  # pause
    stopped = page.evaluate("mapgen.date()")
    page.wait_for_timeout(200)
    assert page.evaluate("mapgen.date()") == stopped
    assert "Play" in page.locator(".mg-play").text_content()
    # The chart's top strip stacks each side's held ground; the cursor follows the day.
    sides = set(territory.areas["controller"])
    held = page.locator('svg.mg-chart polygon.mg-series[data-strip="held"][data-part="held"]')
    assert {held.nth(n).get_attribute("data-side") for n in range(held.count())} == sides
    x0 = float(page.locator("svg.mg-chart .mg-cursor").get_attribute("x1"))
    page.evaluate("mapgen.setDate('2018-07-01')")
    assert float(page.locator("svg.mg-chart .mg-cursor").get_attribute("x1")) > x0 + 100
    # Layer control: switching control areas off takes them off the canvas.
    areas = page.evaluate("() => mapgen.drawn().filter(d => d.layer === 'area').length")
    before = painted_pixels(page)
    assert areas > 0
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-overlays label", has_text="Control areas").click()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
    assert page.evaluate("() => mapgen.drawn().filter(d => d.layer === 'area').length") == 0
    assert painted_pixels(page) < before / 2
    assert opened.errors == []


def test_jupyter_shows_a_working_map(browser, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    code = (
        "from mapgen.dataset import DatasetFiles, load_dataset\n"
        "from mapgen.render.html import slider_map\n"
        "from mapgen.territory import build_territory\n"
        "from mapgen.timeline import build_timeline\n"
        "t = build_territory(build_timeline(load_dataset(DatasetFiles.from_options())))\n"
        "slider_map(t, tiles='none')"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute(
        cwd=str(Path(__file__).resolve().parents[1])
    )
    output = notebook.cells[0].outputs[-1]["data"]["text/html"]
    assert output.startswith("<iframe srcdoc=")
    path = tmp_path / "notebook-output.html"
    path.write_text(f"<!doctype html><html><body>{output}</body></html>", encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        frame = page.frames[1]
        frame.wait_for_function("window.mapgen && mapgen.ready === true", timeout=15000)
        assert frame.evaluate("mapgen.setDate('2017-11-09')") == "2017-11-09"
        assert frame.evaluate("mapgen.controllerOf('abu-kamal')") == "syria"
        assert page.evaluate("window.mapgen") is None  # the notebook's page is untouched
        assert errors == []
    finally:
        page.close()


def test_legend_and_attribution_follow_the_shared_style(opened, territory):
    from mapgen.controllers import zone_tint
    from mapgen.render.style import attribution, legend_entries

    page = opened.page
    rows = page.locator(".mg-legend .mg-legend-row[data-side]")
    entries = legend_entries(territory)
    assert rows.count() == len(entries)
    for n, entry in enumerate(entries):
        row = rows.nth(n)
        assert row.text_content() == entry.name
        swatches = row.locator(".mg-swatch")
        assert [
            swatches.nth(k).evaluate("e => getComputedStyle(e).backgroundColor") for k in (0, 1)
        ] == [
            _css_rgb(entry.color),
            _css_rgb(zone_tint(entry.color)),
        ]
    marks = page.locator(".mg-legend .mg-legend-row[data-mark]")
    shown = {marks.nth(n).get_attribute("data-mark") for n in range(marks.count())}
    assert {"contested", "frontline"} <= shown
    assert "unassigned" not in shown  # zones cover every part of the map
    attributions = page.locator(".leaflet-control-attribution").text_content()
    assert attribution(territory.timeline.dataset) in attributions


def _css_rgb(color: str) -> str:
    r, g, b = (int(color[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_slider_parts_take_only_what_another_part_gives():
    """The script's parts share one function scope (html.slider_script): every name a part
    takes (`/* global */`) is given (`/* exported */`) by another part, or is Leaflet or the
    injected schema; every part is joined, and the schema reaches the page."""
    from mapgen.render.html import SLIDER_PARTS, slider_script

    folder = Path(__file__).resolve().parents[1] / "mapgen" / "render" / "templates" / "slider"
    assert sorted(SLIDER_PARTS) == sorted(p.name for p in folder.glob("*.js"))

    def names(text: str, tag: str) -> set[str]:
        found = re.findall(rf"/\*\s*{tag}\s+([^*]*)\*/", text)
        return {n.strip() for block in found for n in block.replace("\n", " ").split(",") if n}

    texts = {name: (folder / name).read_text(encoding="utf-8") for name in SLIDER_PARTS}
    given = {name: names(text, "exported") for name, text in texts.items()}
    for name, text in texts.items():
        others = set().union(*(g for n, g in given.items() if n != name))
        assert names(text, "global") <= others | {"L", "SCHEMA"}, name
    script = slider_script()
    assert f"var SCHEMA = {(folder / 'schema.json').read_text(encoding='utf-8')}" in script


def test_page_records_use_the_schema_keys(territory):
    data = slider_map(territory).data
    schema = json.loads(
        (
            Path(__file__).resolve().parents[1] / "mapgen/render/templates/slider/schema.json"
        ).read_text(encoding="utf-8")
    )
    assert set(data["areas"][0]) == set(schema["area"].values())
    assert data["polygons"] == [] or set(data["polygons"][0]) == set(schema["polygon"].values())
    assert set(data["frontlines"][0]) == set(schema["frontline"].values())
    assert set(data["places"][0]) == set(schema["place"].values())
    assert set(data["places"][0]["h"][0]) == set(schema["state"].values())
    assert len(data["events"][0]) == len(schema["event"])


# ---------- the made-up campaign (tests/conftest.py): zones, uncertain ground, polygons ---


@pytest.fixture(scope="module")
def campaign_page(browser, campaign, tmp_path_factory):
    path = write_map_html(campaign, tmp_path_factory.mktemp("campaign") / "map.html")
    opened = open_map(browser, path)
    yield opened
    opened.page.close()


def _area(page, **match) -> dict:
    """The one area the canvas draws with these fields (mapgen.drawn())."""
    found = [
        d
        for d in page.evaluate("mapgen.drawn()")
        if d["layer"] == "area" and all(d[k] == v for k, v in match.items())
    ]
    assert len(found) == 1, (match, found)
    return found[0]


def _fill_pattern(page, area) -> tuple[str, str]:
    """(ground colour, dot colour) of the dot pattern an area is filled with."""
    pattern_id = re.fullmatch(r"url\(#(.+)\)", area["fill"]).group(1)
    pattern = page.locator(f'[id="{pattern_id}"]')
    return (
        pattern.locator("rect").get_attribute("fill"),
        pattern.locator("circle.mg-dot").get_attribute("fill"),
    )


def test_zones_are_the_tint_and_uncertain_ground_is_dotted(campaign_page, campaign):
    from mapgen.controllers import zone_tint

    page = campaign_page.page
    sides = campaign.timeline.dataset.controllers
    page.evaluate("mapgen.setDate('2020-02-10')")
    zone = _area(page, place_id="alpha", kind="zone")
    assert zone["fill"] == zone_tint(sides["blue"].color)
    # Delta may have passed to the green side in February: the red side's ground (and its
    # zone's tint) dotted in green
    held = _area(page, place_id="delta", kind="held")
    assert held["status"] == "uncertain"
    assert _fill_pattern(page, held) == (sides["red"].color, sides["green"].color)
    zone = _area(page, place_id="delta", kind="zone")
    assert _fill_pattern(page, zone) == (zone_tint(sides["red"].color), sides["green"].color)
    visible = page.evaluate("mapgen.visible()")
    delta = {
        (a["kind"], a["status"], a["opponent"])
        for a in visible["areas"]
        if a["place_id"] == "delta"
    }
    assert delta == {("held", "uncertain", "green"), ("zone", "uncertain", "green")}
    page.evaluate("mapgen.setDate('2020-03-02')")
    assert _area(page, place_id="delta", kind="held")["fill"] == sides["green"].color
    marks = page.locator(".mg-legend .mg-legend-row[data-mark]")
    shown = {marks.nth(n).get_attribute("data-mark") for n in range(marks.count())}
    assert shown == {"uncertain", "contested", "frontline"}
    assert campaign_page.errors == []


def test_a_polygons_popup_tells_its_history_with_sources(campaign_page, campaign):
    page = campaign_page.page
    page.evaluate("mapgen.setDate('2020-01-25')")
    pocket = _area(page, polygon="pocket", kind="held")
    assert pocket["controller"] == "blue"
    assert "pocket" in {a["polygon"] for a in page.evaluate("mapgen.visible()")["areas"]}
    box = pocket["box"]
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".mg-popup-body")
    text = popup.text_content()
    assert "Kasra pocket" in text and "Area reported as a whole" in text
    assert popup.locator("li.mg-current").text_content().startswith("2020-01-20 — Blue side")
    assert "Report 4" in text and "Report 1" in text and "Report 6" not in text
    # the slider moves on past the end of the area event: the popup says so, with its source
    page.evaluate("mapgen.setDate('2020-03-10')")
    current = page.locator(".mg-popup-body li.mg-current").text_content()
    assert current.startswith("2020-03-05 — area event ended") and "Report 6" in current
    assert campaign_page.errors == []


def test_a_default_controllers_tiles_have_no_popup(browser, tmp_path):
    from tests.conftest import CAMPAIGN_INFO, campaign_files

    files = campaign_files(tmp_path / "data", info=CAMPAIGN_INFO + 'default_controller = "blue"\n')
    territory = build_territory(build_timeline(load_dataset(files)))
    rest = territory.on("2020-01-02").areas
    rest = rest[rest["unit"].str.startswith("rest:")]
    assert len(rest) and set(rest["controller"]) == {"blue"}
    opened = open_map(browser, write_map_html(territory, tmp_path / "map.html"))
    page = opened.page
    try:
        page.evaluate("mapgen.setDate('2020-01-02')")
        tiles = [
            d
            for d in page.evaluate("mapgen.drawn()")
            if d["layer"] == "area" and d["place_id"] == "" and d["polygon"] == ""
        ]
        assert len(tiles) == len(rest)
        assert not any(t["interactive"] for t in tiles)
        # the tiles are parts of one ground: no outline, or the 100 km grid shows
        assert {t["weight"] for t in tiles} == {0}
        cells = [
            d for d in page.evaluate("mapgen.drawn()") if d["layer"] == "area" and d["place_id"]
        ]
        assert cells and cells[0]["weight"] == 0.6
        # a click on a tile far from any place opens nothing
        point = rest.geometry.iloc[0].representative_point()
        xy = page.evaluate(
            "ll => { const p = mapgen.maps[0].map.latLngToContainerPoint(ll); return [p.x, p.y]; }",
            [point.y, point.x],
        )
        origin = page.locator(".mg-map").bounding_box()
        page.mouse.click(origin["x"] + xy[0], origin["y"] + xy[1])
        assert page.locator(".mg-popup-body").count() == 0
        assert opened.errors == []
    finally:
        page.close()


def test_the_chart_stacks_held_and_zone_apart(campaign_page, campaign):
    from mapgen.controllers import zone_tint

    page = campaign_page.page
    sides = campaign.timeline.dataset.controllers
    chart = page.locator("svg.mg-chart")
    zone = chart.locator('polygon.mg-series[data-strip="all"][data-side="blue"][data-part="zone"]')
    assert zone.get_attribute("fill") == zone_tint(sides["blue"].color)
    assert chart.locator('polygon.mg-series[data-strip="held"][data-part="zone"]').count() == 0
    dotted = chart.locator('polygon.mg-uncertain[data-side="red"][data-part="held_uncertain"]')
    assert dotted.count() == 2  # in both strips
    assert dotted.first.get_attribute("fill").startswith("url(#")
    assert "dotted: uncertain" in page.locator(".mg-chart-max").text_content()


def test_adjacent_tiles_of_one_side_leave_no_seam(browser, tmp_path):
    """The canvas fills the layers of one style as one path: where two of the default
    controller's tiles meet, it is as opaque as inside them. (Filled one by one, the two
    anti-aliased edges let the land show through as a light line: the grid of seams over an
    import's pieces.)"""
    import numpy as np

    from tests.conftest import CAMPAIGN_INFO, campaign_files

    files = campaign_files(tmp_path / "data", info=CAMPAIGN_INFO + 'default_controller = "blue"\n')
    territory = build_territory(build_timeline(load_dataset(files)))
    day = "2020-01-02"
    areas = territory.on(day).areas
    tiles = areas[areas["unit"].str.startswith("rest:")].geometry.tolist()
    shared = [a.intersection(b) for i, a in enumerate(tiles) for b in tiles[i + 1 :]]
    edge = max(shared, key=lambda e: e.length)
    assert edge.length > 0.3  # degrees: two tiles side by side
    points = [edge.interpolate(t, normalized=True) for t in np.linspace(0.2, 0.8, 25)]
    opened = open_map(browser, write_map_html(territory, tmp_path / "map.html"))
    page = opened.page
    try:
        page.evaluate("d => mapgen.setDate(d)", day)
        mid = edge.interpolate(0.5, normalized=True)
        page.evaluate(
            "ll => { const m = mapgen.maps[0].map; m.setView(ll, m.getZoom() + 1, "
            "{ animate: false }); }",
            [mid.y, mid.x],
        )
        page.evaluate(NEXT_FRAME)
        (opacity,) = {
            d["fillOpacity"]
            for d in page.evaluate("mapgen.drawn()")
            if d["layer"] == "area" and d["place_id"] == "" and d["polygon"] == ""
        }
        alpha = page.evaluate(
            """pts => {
              const m = mapgen.maps[0].map;
              const c = document.querySelector(".leaflet-mgControl-pane canvas");
              const r = c.getBoundingClientRect(), o = m.getContainer().getBoundingClientRect();
              const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
              return pts.map(ll => {
                const p = m.latLngToContainerPoint(ll);
                const x = Math.floor(o.left + p.x - r.left), y = Math.floor(o.top + p.y - r.top);
                return px[(y * c.width + x) * 4 + 3];
              });
            }""",
            [[p.y, p.x] for p in points],
        )
        # whatever else is drawn over the edge only adds opacity
        assert min(alpha) >= round(opacity * 255) - 2, (opacity, alpha)
        assert opened.errors == []
    finally:
        page.close()
