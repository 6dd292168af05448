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
from matplotlib.colors import to_rgb
from matplotlib.path import Path
from pyproj import Transformer

from mapgen.dataset import DATA_DIR, load_dataset
from mapgen.errors import DateRangeError
from mapgen.render.basemap import basemap, map_crs
from mapgen.render.chart import area_chart_figure
from mapgen.render.static import DATE_GID, snapshot_figure
from mapgen.render.style import format_day, legend_entries
from mapgen.territory import build_territory
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
    areas = territory.on(day).areas
    held = areas[(areas["place_id"] == "abu-kamal") & (areas["kind"] == "held")]
    cell = held.to_crs(crs).geometry.iloc[0]
    assert cell.distance(shapely.Point(to_map.transform(place.x, place.y))) < 2000
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
    texts = [t.get_text() for t in snapshot_figure(territory, "2017-11-20").texts]
    note = next(t for t in texts if t.startswith("Last change"))
    assert "19 November 2017" in note and "Abu Kamal" in note
    assert "Syrian government and allies" in note.split("→")[1]
    first = [t.get_text() for t in snapshot_figure(territory, "2017-07-01").texts]
    assert "No change of control in the range so far." in first


def test_legend_names_every_side_and_the_marks(territory):
    fig = snapshot_figure(territory, "2017-11-08")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    for entry in legend_entries(territory):
        assert entry.name in labels
    assert any("contested" in label for label in labels)
    assert "changed on 8 November 2017" in labels


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
    area_ax, pop_ax = fig.axes
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
    marks = [ln for ln in area_ax.get_lines() if ln.get_label().startswith("_")]
    assert len(marks) == len(territory.timeline.change_dates)
    top = area_ax.get_ylim()[1]
    held = stats[stats["controller"] != "unassigned"].groupby("date")["area_km2"].sum().max()
    assert held <= top < held * 1.2


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
