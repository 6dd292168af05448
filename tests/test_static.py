"""The static map of one day: colours where the events say, fixed frame, title, palette."""

from __future__ import annotations

import csv
import io
import itertools
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_hex, to_rgb
from matplotlib.path import Path
from pyproj import Transformer

from mapgen.dataset import DATA_DIR, load_dataset
from mapgen.errors import DateRangeError
from mapgen.render.basemap import basemap, map_crs
from mapgen.render.chart import area_chart_figure
from mapgen.render.static import DATE_GID, snapshot_figure
from mapgen.render.style import format_day, legend_entries
from mapgen.territory import TerritoryOptions, build_territory
from mapgen.timeline import build_timeline

SVG_NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def territory():
    return build_territory(build_timeline(load_dataset()))


def abu_kamal_events() -> list[dict[str, str]]:
    with open(DATA_DIR / "events.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["place"] == "abu-kamal"]


def expected_state(day: str) -> tuple[str, str, str]:
    """(controller, status, opponent) of Abu Kamal on ``day`` from data/events.csv."""
    rows = [r for r in abu_kamal_events() if len(r["date"]) == 10 and r["date"] <= day]
    last = max(rows, key=lambda r: r["date"]) if rows else None
    if last is None:  # only the month-precision row before
        last = next(r for r in abu_kamal_events() if len(r["date"]) < 10)
    return last["controller"], last["status"] or "controlled", last["opponent"]


def color_of(territory, side: str) -> np.ndarray:
    controller = territory.timeline.dataset.controllers[side]
    return np.array(to_rgb(controller.color)) * 255


def cell_pixels(territory, day: str) -> np.ndarray:
    """RGB pixels of the rendered map inside Abu Kamal's ground on ``day``.

    Abu Kamal's point is converted to pixels through the axes transform; the point itself
    is covered by its marker, so the pixels checked are those of the place's cell (shrunk
    by 1 km, away from its outline), which must touch the point.
    """
    # a wall-sized map, so that a town's ground is many pixels wide on the national frame
    fig = snapshot_figure(territory, day, width_in=30.0)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float)
    ax = fig.axes[0]
    crs = basemap(territory).crs
    place = territory.timeline.dataset.places.places.loc["abu-kamal"].geometry
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    point_px = ax.transData.transform(to_map.transform(place.x, place.y))
    point = shapely.Point(to_map.transform(place.x, place.y))
    held = territory.on(day).areas.query("kind == 'held'").to_crs(crs)
    held = held[held.distance(point) < 2000]
    own = held[held["place_id"] == "abu-kamal"]
    # The town's own cell (its point is on the Euphrates as Natural Earth draws it, so the
    # cell, on the south-west bank, may stop short of it), or, where a polygon event as new
    # as the town's own covers it, that polygon's ground around the town: a disc of 12 km,
    # so that the pixels checked are the town's, not the desert's.
    ground = own if len(own) else held[held.distance(point) == 0]
    assert len(ground) == 1, f"{day}: {len(ground)} held areas at Abu Kamal"
    cell = ground.geometry.iloc[0].intersection(point.buffer(12_000))
    assert cell.distance(point) < 2000
    inner = cell.buffer(-1000)
    ring = np.asarray(
        inner.exterior.coords
        if inner.geom_type == "Polygon"
        else max(inner.geoms, key=lambda g: g.area).exterior.coords
    )
    outline = Path(ax.transData.transform(ring))
    rows, cols = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    xy = np.column_stack([cols.ravel() + 0.5, image.shape[0] - rows.ravel() - 0.5])
    inside = outline.contains_points(xy).reshape(image.shape[:2])
    assert inside.sum() > 50, "the cell is too small to check on the map"
    assert (
        np.hypot(
            *(np.argwhere(inside).mean(axis=0)[::-1] - [point_px[0], image.shape[0] - point_px[1]])
        )
        < 40
    )
    return image[inside]


def share(pixels: np.ndarray, rgb: np.ndarray, tol: float = 30) -> float:
    return float((np.linalg.norm(pixels - rgb, axis=1) < tol).mean())


def test_abu_kamal_pixels_follow_the_events(territory):
    # The day before the assault: plain ISIS; the events say so.
    assert expected_state("2017-11-07") == ("isis", "controlled", "")
    before = cell_pixels(territory, "2017-11-07")
    assert share(before, color_of(territory, "isis")) > 0.5
    assert share(before, color_of(territory, "syria")) < 0.02
    # 2017-11-08: still ISIS's, contested by the Syrian government: ISIS fill, Syrian hatch.
    assert expected_state("2017-11-08") == ("isis", "contested", "syria")
    assault = cell_pixels(territory, "2017-11-08")
    assert share(assault, color_of(territory, "isis")) > 0.2
    assert share(assault, color_of(territory, "syria")) > 0.05
    assert share(assault, color_of(territory, "isis")) > share(
        assault, color_of(territory, "syria")
    )
    # 2017-11-20: the government's.
    assert expected_state("2017-11-20") == ("syria", "controlled", "")
    after = cell_pixels(territory, "2017-11-20")
    assert share(after, color_of(territory, "syria")) > 0.5
    assert share(after, color_of(territory, "isis")) < 0.02


def test_every_day_has_the_same_size_and_extent(territory):
    figures = [snapshot_figure(territory, d) for d in ("2017-07-01", "2017-11-10", "2019-03-31")]
    sizes = {tuple(f.canvas.get_width_height()) for f in figures}
    assert sizes == {(1500, figures[0].canvas.get_width_height()[1])}
    frames = {
        (f.axes[0].get_xlim(), f.axes[0].get_ylim(), tuple(f.axes[0].get_position().bounds))
        for f in figures
    }
    assert len(frames) == 1
    # The frame covers the dataset's extent in the named projection, not lon/lat degrees.
    xlim, ylim, _ = frames.pop()
    to_map = Transformer.from_crs(
        "EPSG:4326", map_crs(territory.timeline.dataset.info.extent), always_xy=True
    )
    lon0, lat0, lon1, lat1 = territory.timeline.dataset.info.extent
    for lon, lat in itertools.product((lon0, lon1), (lat0, lat1)):
        x, y = to_map.transform(lon, lat)
        assert xlim[0] - 1 <= x <= xlim[1] + 1 and ylim[0] - 1 <= y <= ylim[1] + 1
    assert xlim[1] - xlim[0] > 600_000  # metres


def test_width_and_dpi_set_the_pixel_size(territory):
    fig = snapshot_figure(territory, "2017-11-10", width_in=6.0, dpi=100)
    width, height = fig.canvas.get_width_height()
    assert width == 600
    assert height == round(fig.get_figheight() * 100)


def test_title_date_is_text_in_svg(territory):
    fig = snapshot_figure(territory, "2017-11-10")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    root = ET.fromstring(buffer.getvalue())
    group = root.find(f".//svg:g[@id='{DATE_GID}']", SVG_NS)
    text = "".join(group.itertext()).strip()
    assert text == "10 November 2017"
    assert pd.Timestamp(text) == pd.Timestamp("2017-11-10")


def test_the_change_is_named_under_the_map(territory):
    dates = territory.timeline.change_dates
    changes = territory.timeline.changes()
    # a change date: its changes are named under the map, in words, with the side that won
    day = pd.Timestamp("2017-11-19")  # Abu Kamal's recapture (E058 in data/events.csv)
    assert day in dates
    note = next(t for t in _texts(territory, day) if t.startswith(("Changed on", "Changes in")))
    assert "19 November 2017" in note and "Abu Kamal" in note
    assert "Syrian government and allies" in note.split("Abu Kamal")[1].split("→")[1]
    # the first day with no change in the week up to it: the note says so and names the last
    quiet = next(
        d for d in pd.date_range(dates[0], territory.timeline.end) if not _changed_near(dates, d)
    )
    last = dates[dates <= quiet][-1]
    expected = (
        f"No change of control in the 7 days to {format_day(quiet)} (the last: {format_day(last)})."
    )
    texts = _texts(territory, quiet)
    assert expected in texts
    assert not any(t.startswith(("Changed on", "Changes in")) for t in texts)
    assert not changes.loc[changes["date"] == last].empty
    first = _texts(territory, "2017-07-01")
    assert "No change of control in the range so far." in first


def _texts(territory, day) -> list[str]:
    return [t.get_text() for t in snapshot_figure(territory, day, width_in=6.0, dpi=50).texts]


def _changed_near(dates: pd.DatetimeIndex, day: pd.Timestamp) -> bool:
    return bool(((dates <= day) & (dates > day - pd.Timedelta(days=7))).any())


def test_legend_names_every_side_and_the_marks(territory):
    day = "2017-11-08"
    fig = snapshot_figure(territory, day)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    sides = set(territory.on(day).areas["controller"])
    for entry in legend_entries(territory):
        assert (entry.name in labels) == (entry.id in sides)
    assert any("contested" in label for label in labels)
    besieged = (territory.on(day).areas["status"] == "besieged").any()  # Eastern Ghouta, …
    assert any("besieged" in label for label in labels) == besieged
    assert not any("unassigned" in label for label in labels)  # zones cover the rest
    changed = [label for label in labels if label.startswith("changed")]
    assert len(changed) == 1 and changed[0].endswith("8 November 2017")
    assert "zone" in fig.legends[0].get_title().get_text()


def test_a_day_outside_the_range_is_refused(territory):
    with pytest.raises(DateRangeError, match=r"2020-01-01.*2017-07-01 to 2019-03-31"):
        snapshot_figure(territory, "2020-01-01")


# Machado, Oliveira & Fernandes (2009) simulation matrices, severity 1, linear RGB.
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear, 0, 1)
    n = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(n > 0.008856, np.cbrt(n), 7.787 * n + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_side_colours_stay_apart_for_colour_blind_readers(territory):
    srgb = {e.id: np.array(to_rgb(e.color)) for e in legend_entries(territory)}
    linear = {
        k: np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4) for k, v in srgb.items()
    }
    for name, matrix in CVD.items():
        seen = {k: _lab(np.array(matrix) @ v) for k, v in linear.items()}
        for a, b in itertools.combinations(seen, 2):
            delta = float(np.linalg.norm(seen[a] - seen[b]))
            assert delta > 20, f"{a} and {b} are too close with {name}: ΔE {delta:.1f}"


def test_area_chart_shows_the_stats(territory):
    fig = area_chart_figure(territory)
    held_ax, all_ax, pop_ax = fig.axes
    stats = territory.stats()
    last = stats[stats["date"] == stats["date"].max()].set_index("controller")
    lines = {
        line.get_label(): line
        for line in pop_ax.get_lines()
        if not line.get_label().startswith("_")
    }
    for entry in legend_entries(territory):
        line = lines[entry.name]
        assert matplotlib.colors.to_hex(line.get_color()) == entry.color
        assert line.get_ydata()[-1] == pytest.approx(last.loc[entry.id, "population"] / 1e6)
    marks = [ln for ln in held_ax.get_lines() if ln.get_label().startswith("_")]
    assert len(marks) == len(territory.timeline.change_dates)
    top = held_ax.get_ylim()[1]
    held = stats[stats["controller"] != "unassigned"].groupby("date")["held_km2"].sum().max()
    assert held <= top < held * 1.2
    assert all_ax.get_ylim()[1] == pytest.approx(territory.study_area_km2)


def test_format_day():
    assert format_day(pd.Timestamp("2017-11-08")) == "8 November 2017"


@pytest.mark.parametrize("width_in", [6.0, 10.0])
def test_legend_and_credits_stay_inside_the_frame(territory, width_in):
    fig = snapshot_figure(territory, "2017-11-10", width_in=width_in, dpi=100)
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    boxes = [legend.get_window_extent(renderer) for legend in fig.legends]
    boxes += [t.get_window_extent(renderer) for t in fig.texts if "Natural Earth" in t.get_text()]
    assert len(boxes) == 2
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 + 0.5, (box, frame)


def test_a_passed_base_map_draws_the_same_map(territory):
    base = basemap(territory)
    own = snapshot_figure(territory, "2017-11-08", width_in=6.0, dpi=60)
    passed = snapshot_figure(territory, "2017-11-08", width_in=6.0, dpi=60, base=base)
    for fig in (own, passed):
        fig.canvas.draw()
    assert np.array_equal(
        np.asarray(own.canvas.buffer_rgba()), np.asarray(passed.canvas.buffer_rgba())
    )


# ---------- the made-up campaign (tests/conftest.py): every kind of change -----------------


def map_image(territory, day: str, **size) -> tuple[np.ndarray, object, object]:
    """The rendered map of ``day`` as RGB floats, its main axes and the map CRS."""
    fig = snapshot_figure(territory, day, **({"width_in": 8.0, "dpi": 100} | size))
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float), fig.axes[0], fig


def pixels_in(image: np.ndarray, ax, shape) -> np.ndarray:
    """The pixels of ``image`` inside ``shape`` (a polygon in the map CRS)."""
    ring = np.asarray(
        shape.exterior.coords
        if shape.geom_type == "Polygon"
        else max(shape.geoms, key=lambda g: g.area).exterior.coords
    )
    outline = Path(ax.transData.transform(ring))
    rows, cols = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    xy = np.column_stack([cols.ravel() + 0.5, image.shape[0] - rows.ravel() - 0.5])
    inside = outline.contains_points(xy).reshape(image.shape[:2])
    assert inside.sum() > 30, "the shape is too small to check on the map"
    return image[inside]


def ground(territory, day: str, **where) -> object:
    """The union of the areas of ``day`` matching ``where`` (column=value), in the map CRS."""
    areas = territory.on(day).areas.to_crs(basemap(territory).crs)
    for column, value in where.items():
        areas = areas[areas[column] == value]
    return shapely.union_all(areas.geometry.values)


def rgb(color: str) -> np.ndarray:
    return np.array(to_rgb(color)) * 255


def test_zone_pixels_are_the_tint_held_pixels_the_colour(campaign):
    from mapgen.controllers import zone_tint

    image, ax, _ = map_image(campaign, "2020-01-02")
    blue = campaign.timeline.dataset.controllers["blue"].color
    # a disc of blue's zone far from any place, label or line
    crs = basemap(campaign).crs
    centre = shapely.Point(Transformer.from_crs(4326, crs, always_xy=True).transform(39.4, 35.2))
    zone = ground(campaign, "2020-01-02", controller="blue", kind="zone")
    assert zone.contains(centre.buffer(8000))
    tint = pixels_in(image, ax, centre.buffer(8000))
    assert share(tint, rgb(zone_tint(blue)), tol=8) > 0.97
    # Alpha's held ground is blue itself
    held = ground(campaign, "2020-01-02", place_id="alpha", kind="held").buffer(-1500)
    assert share(pixels_in(image, ax, held), rgb(blue), tol=8) > 0.6


def test_legend_shows_each_side_held_and_zone_and_only_the_marks_shown(campaign):
    from matplotlib.patches import Patch

    from mapgen.controllers import zone_tint
    from mapgen.render.basemap import map_state
    from mapgen.render.legend import UNASSIGNED_LABEL, UNCERTAIN_LABEL, legend_handles

    base = basemap(campaign)

    def legend(day: str, territory=campaign, b=base) -> dict[str, object]:
        state = map_state(territory, pd.Timestamp(day), b)
        return {label: handle for handle, label in legend_handles(b, state)}

    quiet = legend("2020-01-02")
    sides = campaign.timeline.dataset.controllers
    for side in ("red", "blue", "green"):
        held, zone = quiet[sides[side].name]
        assert isinstance(held, Patch) and isinstance(zone, Patch)
        assert to_hex(held.get_facecolor()) == sides[side].color
        assert to_hex(zone.get_facecolor()) == zone_tint(sides[side].color)
    labels = set(quiet)
    assert not any(label.startswith(("contested", "besieged", "changed")) for label in labels)
    assert UNCERTAIN_LABEL not in labels and UNASSIGNED_LABEL not in labels
    assert any(label.startswith("frontline") for label in labels)
    assault = legend("2020-01-05")
    assert any(label.startswith("contested") for label in assault)
    assert "changed on 5 January 2020" in assault
    assert UNCERTAIN_LABEL in legend("2020-02-03")
    assert UNCERTAIN_LABEL not in legend("2020-03-02")
    # with zones off, the ground no place reaches is white and the legend says so
    files = campaign.timeline.dataset
    lonely = build_territory(campaign.timeline, TerritoryOptions(desert="unassigned"))
    assert files is lonely.timeline.dataset
    assert UNASSIGNED_LABEL in legend("2020-01-02", lonely, basemap(lonely))


def test_the_note_names_the_changes_of_the_week_up_to_the_day(campaign):
    def note(day: str) -> str:
        texts = _texts(campaign, day)
        return " ".join(next(t for t in texts if t.startswith(("Change", "No change"))).split())

    assert note("2020-01-02") == "No change of control in the range so far."
    assert note("2020-01-10").startswith("Changes in the 7 days to 10 January 2020: 10 January:")
    assert "Bravo: Red side → Blue side" in note("2020-01-10")
    assert "Charlie: Red side → Red side (contested by Blue side)" in note("2020-01-10")
    assert "Charlie" not in note("2020-01-12")  # 5 January is 8 days before
    assert "Bravo: Red side → Blue side" in note("2020-01-16")
    assert note("2020-01-17") == (
        "No change of control in the 7 days to 17 January 2020 (the last: 10 January 2020)."
    )
    # an area event, named by its polygon's name; its end
    assert note("2020-01-20") == "Changed on 20 January 2020: Kasra pocket: Red side → Blue side"
    assert "Kasra pocket: Blue side → area no longer drawn as a whole" in note("2020-03-05")
    # a change known only to the month: uncertain for the month, then the new holder's
    assert "Delta: Red side → Green side (during February 2020, date known only to the month)" in (
        note("2020-02-03")
    )
    assert "Delta: Green side from now on (taken during February 2020)" in note("2020-03-02")


def test_changed_outline_is_the_held_ground_of_what_changed(campaign):
    from mapgen.render.basemap import changed_ground, map_state
    from mapgen.render.style import CHANGED_COLOR

    base = basemap(campaign)
    pocket = map_state(campaign, pd.Timestamp("2020-01-20"), base)
    outlined = changed_ground(pocket.areas, pocket.change)
    assert list(zip(outlined["unit"], outlined["kind"], strict=True)) == [
        ("polygon:pocket", "held")
    ]  # the polygon's held ground, not its zone
    red = rgb(CHANGED_COLOR)
    for day, outline in (("2020-01-10", True), ("2020-01-17", False)):
        image, _, _ = map_image(campaign, day)
        dashes = (np.linalg.norm(image.reshape(-1, 3) - red, axis=1) < 40).sum()
        assert (dashes > 40) == outline, (day, dashes)


def test_uncertain_ground_is_dotted_in_the_new_holders_colour(campaign):
    image, ax, _ = map_image(campaign, "2020-02-10", width_in=16.0)
    sides = campaign.timeline.dataset.controllers
    held = ground(campaign, "2020-02-10", place_id="delta", kind="held").buffer(-1500)
    pixels = pixels_in(image, ax, held)
    assert share(pixels, rgb(sides["red"].color)) > 0.4  # the holder's fill
    assert share(pixels, rgb(sides["green"].color)) > 0.03  # the new holder's dots
    after = pixels_in(*map_image(campaign, "2020-03-02", width_in=16.0)[:2], held)
    assert share(after, rgb(sides["green"].color)) > 0.5


def test_the_enlargement_goes_where_the_changes_are_or_nowhere(campaign):
    from mapgen.render.basemap import map_state

    base = basemap(campaign)
    to_map = Transformer.from_crs(4326, base.crs, always_xy=True)

    def inset(day: str):
        return map_state(campaign, pd.Timestamp(day), base).inset

    assert inset("2020-01-02") is None  # nothing changing, no fighting
    assert inset("2020-01-10") is None  # Charlie and Bravo: too far apart to enlarge
    for day, place, name in (
        ("2020-01-05", "charlie", "Charlie"),
        ("2020-02-03", "delta", "Delta"),
    ):
        found = inset(day)
        x0, x1, y0, y1 = found.window
        point = campaign.timeline.dataset.places.places.loc[place].geometry
        x, y = to_map.transform(point.x, point.y)
        assert x0 < x < x1 and y0 < y < y1
        assert found.name == name
        cx0, cy0, _, _ = found.corner
        assert not (cx0 < 0.3 and cy0 < 0.12)  # off the scale bar
    # no change in the week, but Charlie is still under assault: it is enlarged
    assert inset("2020-01-17").name == "Charlie"


def test_area_chart_keeps_held_and_zone_apart(campaign):
    from mapgen.controllers import zone_tint
    from mapgen.render.series import PARTS, daily, ground_series

    series = daily(ground_series(campaign), campaign)
    stats = campaign.stats().set_index(["date", "controller"])
    for side in ("red", "blue", "green"):
        st = stats.xs(side, level="controller")
        parts = {p: series[(side, p)].to_numpy() for p in PARTS}
        assert parts["held"] + parts["held_uncertain"] == pytest.approx(st["held_km2"], abs=0.1)
        assert parts["zone"] + parts["zone_uncertain"] == pytest.approx(st["zone_km2"], abs=0.1)
        uncertain = parts["held_uncertain"] + parts["zone_uncertain"]
        assert uncertain == pytest.approx(st["uncertain_km2"], abs=0.1)
    assert series.loc["2020-02-10", ("red", "held_uncertain")] > 100  # Delta's month
    fig = area_chart_figure(campaign)
    held_ax, all_ax, _ = fig.axes
    fills = {
        ax: [(to_hex(c.get_facecolor()[0]), c.get_hatch()) for c in ax.collections]
        for ax in (held_ax, all_ax)
    }
    sides = campaign.timeline.dataset.controllers
    assert (sides["red"].color, "..") in fills[held_ax]  # Delta's uncertain held ground
    assert all(color != zone_tint(sides["blue"].color) for color, _ in fills[held_ax])
    assert (zone_tint(sides["blue"].color), None) in fills[all_ax]
    assert (zone_tint(sides["red"].color), "..") in fills[all_ax]
    fig.canvas.draw()  # km² read with thousands separators (the study area is 48,024 km²)
    assert "40,000" in [t.get_text() for t in all_ax.get_yticklabels()]


def test_the_enlargements_header_reads_over_what_it_covers(territory):
    """The enlargement of 8 November 2017 (Abu Kamal, Al-Qaim, Husaybah) has ground and
    places right under its header: the header is black on white, nothing shows through."""
    fig = snapshot_figure(territory, "2017-11-08", width_in=8.0, dpi=100)
    fig.canvas.draw()
    sub = fig.axes[0].child_axes[0]
    header = next(t for t in sub.texts if t.get_text() == "Al-Qaim area, enlarged")
    box = header.get_window_extent(fig.canvas.get_renderer())
    image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float)
    top = image.shape[0] - box.y1
    pixels = image[int(top) + 1 : int(top + box.height) - 1, int(box.x0) + 1 : int(box.x1) - 1]
    pixels = pixels.reshape(-1, 3)
    # white between the letters (without its box, ~2 % of these pixels are white: the map
    # shows through), and no colour: only the black text's greys
    assert share(pixels, np.array([255.0, 255.0, 255.0]), tol=25) > 0.35
    assert (pixels.max(axis=1) - pixels.min(axis=1) < 12).mean() > 0.99
    # what it covers: ground in colour (not white), and places
    x0, x1 = sub.get_xlim()
    y0, y1 = sub.get_ylim()
    labels = basemap(territory).labels
    inside = labels[labels["x"].between(x0, x1) & labels["y"].between(y0, y1)]
    assert {"abu-kamal", "al-qaim"} <= set(inside["place_id"])


def test_a_quiet_week_enlarges_the_assault_not_the_long_siege(territory):
    """20 March 2019: no change in the week (the last on 1 March), the Badia pocket besieged
    since October 2017 and Baghuz under the SDF's assault: the enlargement is Baghuz's."""
    from mapgen.render.basemap import map_state

    day = pd.Timestamp("2019-03-20")
    state = map_state(territory, day, basemap(territory))
    statuses = set(territory.on(day).areas.query("kind == 'held'")["status"])
    assert {"contested", "besieged"} <= statuses  # both, so the choice is the rule's
    assert not state.change.recent
    assert state.inset is not None and "Baghuz" in state.inset.name
