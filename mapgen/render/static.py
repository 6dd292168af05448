"""Static maps with matplotlib: one :class:`~matplotlib.figure.Figure` per day, and the area chart.

Cartography
-----------
Every map of a dataset uses one projection and one extent, so the frames of a series line
up: a **Lambert Conformal Conic** projection fitted to the dataset's extent
(``dataset.info.extent``; standard parallels at 1/6 and 5/6 of its latitude span, central
meridian and latitude at its centre, see :func:`map_crs`). Conformal keeps the shapes of
towns and rivers; inside the default extent (7.6° × 4.6°) the scale varies by well under
1 %, so one scale bar holds for the whole map. (Areas are computed elsewhere, in the
territory model's equal-area Albers CRS.)

Areas are filled in their side's colour (:func:`mapgen.render.style.legend_entries`);
contested ground is hatched in the attacker's colour, besieged ground ringed in the
besieger's colour, inferred ground drawn lighter. Frontlines are black with a white halo.
The places that changed (holder or status) on the last change date are outlined and named in a note
under the map.

Place names are shown in their Latin form only: matplotlib does not shape Arabic (letters
would come out unjoined and left-to-right), and mapgen does not depend on a shaping library.

Library code uses :class:`~matplotlib.figure.Figure` objects and the Agg canvas, never
pyplot's global state.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import textwrap
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import dates as mdates
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from pyproj import CRS
from shapely.geometry import box

from mapgen.boundaries import fitted_conic, read_layer
from mapgen.controllers import Controllers
from mapgen.errors import DateRangeError
from mapgen.render.style import (
    BESIEGED_LABEL,
    CONTESTED_LABEL,
    UNASSIGNED_COLOR,
    attribution,
    legend_entries,
    map_extent,
)
from mapgen.territory import Territory

log = logging.getLogger(__name__)

PROJECTION_NAME = "Lambert Conformal Conic"
# Layout in inches: the title band on top, the map, the footer (legend, note, credits).
TITLE_H_IN = 0.95
FOOTER_H_IN = 1.35
MARGIN_IN = 0.2
DATE_PT = 24.0
DATE_X_IN = MARGIN_IN
DATE_BASELINE_IN = 0.5  # from the top of the figure
DATE_GID = "date"
OUTSIDE_COLOR = "#e4e4e4"
WATER_COLOR = "#6baed6"
LAKE_COLOR = "#c6dbef"
CHANGED_LABEL = "changed on {date}"
INFERRED_ALPHA = 0.5
_FONT = "DejaVu Sans"  # matplotlib's own font: the series stamps dates with the same file


def format_day(day: pd.Timestamp) -> str:
    """The date as a map title shows it: ``8 November 2017``."""
    return f"{day.day} {day:%B %Y}"


def map_crs(extent: tuple[float, float, float, float]) -> CRS:
    """The Lambert Conformal Conic projection the maps of ``extent`` are drawn in."""
    return fitted_conic(extent, "lcc")


@dataclass(frozen=True)
class Layout:
    """Sizes of one map figure in inches, and its resolution."""

    width_in: float
    dpi: int
    map_h_in: float

    @property
    def height_in(self) -> float:
        return TITLE_H_IN + self.map_h_in + FOOTER_H_IN

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) in pixels, as Agg renders them."""
        return round(self.width_in * self.dpi), round(self.height_in * self.dpi)

    @property
    def title_band_px(self) -> int:
        """Pixel rows of the title band (where the date is)."""
        return math.ceil(TITLE_H_IN * self.dpi)

    @property
    def date_anchor_px(self) -> tuple[float, float]:
        """Left end of the date's baseline, pixels from the top-left corner."""
        return DATE_X_IN * self.dpi, DATE_BASELINE_IN * self.dpi

    @property
    def date_size_px(self) -> float:
        return DATE_PT * self.dpi / 72


@dataclass(frozen=True)
class Inset:
    """An enlarged window on the map's most crowded cluster of places.

    ``window`` is (x0, x1, y0, y1) in the map CRS; ``corner`` is where the enlargement sits
    on the map (fractions of the map axes: x0, y0, width, height); ``name`` titles it.
    """

    window: tuple[float, float, float, float]
    corner: tuple[float, float, float, float]
    name: str


@dataclass(frozen=True)
class Basemap:
    """What every map of one territory shares: projection, extent, base layers, labels."""

    crs: CRS
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    outside: gpd.GeoSeries
    study: gpd.GeoSeries
    lakes: gpd.GeoSeries
    rivers: gpd.GeoSeries
    main_rivers: gpd.GeoSeries
    borders: gpd.GeoSeries
    governorate_lines: gpd.GeoSeries
    labels: pd.DataFrame  # place_id, name, population, x, y (label priority order)
    colors: dict[str, str]
    names: dict[str, str]
    legend: tuple[tuple[str, str], ...]  # (name, colour) of the sides present
    title: str
    credit: str
    projection_note: str
    inset: Inset | None = None

    def layout(self, *, width_in: float, dpi: int) -> Layout:
        """The figure layout for a width: the map keeps the extent's aspect ratio."""
        map_w = width_in - 2 * MARGIN_IN
        aspect = (self.ylim[1] - self.ylim[0]) / (self.xlim[1] - self.xlim[0])
        return Layout(width_in=width_in, dpi=dpi, map_h_in=round(map_w * aspect, 2))


@dataclass(frozen=True)
class Change:
    """The last change date on or before a day, and what changed then."""

    date: pd.Timestamp
    place_ids: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class MapState:
    """What a map shows apart from its date: areas, frontlines, places and the last change."""

    areas: gpd.GeoDataFrame  # in the map CRS
    frontlines: gpd.GeoDataFrame
    places: pd.DataFrame  # place_id, controller, status
    change: Change | None = field(default=None)


_BASEMAPS: dict[int, tuple[Territory, Basemap]] = {}


def basemap(territory: Territory) -> Basemap:
    """The shared parts of every map of ``territory`` (computed once per territory object)."""
    hit = _BASEMAPS.get(id(territory))
    if hit is not None and hit[0] is territory:
        return hit[1]
    made = _make_basemap(territory)
    if len(_BASEMAPS) > 4:
        _BASEMAPS.clear()
    _BASEMAPS[id(territory)] = (territory, made)
    return made


def _make_basemap(territory: Territory) -> Basemap:
    dataset = territory.timeline.dataset
    extent = map_extent(territory)
    crs = map_crs(extent)
    frame = gpd.GeoSeries([box(*extent).segmentize(0.05)], crs="EPSG:4326").to_crs(crs)
    x0, y0, x1, y1 = frame.total_bounds
    view = box(x0, y0, x1, y1)
    clip_ll = gpd.GeoSeries([view], crs=crs).to_crs("EPSG:4326").iloc[0].buffer(0.5)
    study = gpd.GeoSeries([territory.study_area], crs="EPSG:4326").to_crs(crs)
    countries = read_layer("countries")
    land = countries.geometry.union_all().intersection(clip_ll)
    outside = gpd.GeoSeries([land], crs="EPSG:4326").to_crs(crs).difference(study.iloc[0])
    rivers = read_layer("rivers")
    rivers = rivers[rivers.intersects(clip_ll)]
    is_main = rivers["name"].isin(("Euphrates", "Tigris"))
    entries = legend_entries(territory)
    controllers = list(dataset.controllers)
    labels = _label_candidates(territory, crs)
    xlim, ylim = (float(x0), float(x1)), (float(y0), float(y1))
    return Basemap(
        crs=crs,
        xlim=xlim,
        ylim=ylim,
        outside=outside,
        study=study,
        lakes=_project(read_layer("lakes").geometry, clip_ll, crs),
        rivers=_project(rivers.loc[~is_main].geometry, clip_ll, crs),
        main_rivers=_project(rivers.loc[is_main].geometry, clip_ll, crs),
        borders=_project(countries.geometry.boundary, clip_ll, crs),
        governorate_lines=_project(read_layer("governorate_lines").geometry, clip_ll, crs),
        labels=labels,
        colors={c.id: c.color for c in controllers},
        names={c.id: c.name for c in controllers},
        legend=tuple((e.name, e.color) for e in entries),
        title=dataset.info.title,
        credit=attribution(dataset),
        projection_note=f"{PROJECTION_NAME}, {_crs_note(extent)}",
        inset=_find_inset(labels, xlim, ylim),
    )


def _crs_note(extent: tuple[float, float, float, float]) -> str:
    lon0, lat0, lon1, lat1 = extent
    span = lat1 - lat0
    return (
        f"standard parallels {lat0 + span / 6:.1f}°N and {lat1 - span / 6:.1f}°N, "
        f"central meridian {(lon0 + lon1) / 2:.1f}°E"
    )


def _project(geoms: gpd.GeoSeries, clip_ll: shapely.Geometry, crs: CRS) -> gpd.GeoSeries:
    clipped = geoms.intersection(clip_ll)
    return gpd.GeoSeries(clipped[~clipped.is_empty], crs="EPSG:4326").to_crs(crs)


INSET_MIN_PLACES = 4
INSET_RADIUS = 0.035  # of the map's width: places this close crowd each other
INSET_SIZE = 0.22  # the enlargement's width, of the map's width


def _find_inset(
    labels: pd.DataFrame, xlim: tuple[float, float], ylim: tuple[float, float]
) -> Inset | None:
    """A window on the densest cluster of places (at least INSET_MIN_PLACES), placed in
    the map corner with the fewest places (never the bottom left, which has the scale bar).
    """
    if len(labels) < INSET_MIN_PLACES:
        return None
    width = xlim[1] - xlim[0]
    xy = labels[["x", "y"]].to_numpy()
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    near = dist < INSET_RADIUS * width
    counts = near.sum(axis=1)
    best = int(np.argmax(counts))  # ties: the first, i.e. the biggest place
    if counts[best] < INSET_MIN_PLACES:
        return None
    cluster = xy[near[best]]
    cx, cy = cluster.mean(axis=0)
    half = max(np.abs(cluster - (cx, cy)).max() * 1.6, 0.03 * width)
    window = (cx - half, cx + half, cy - half, cy + half)
    aspect = width / (ylim[1] - ylim[0])
    w, h = INSET_SIZE, INSET_SIZE * aspect
    fx = (xy[:, 0] - xlim[0]) / width
    fy = (xy[:, 1] - ylim[0]) / (ylim[1] - ylim[0])
    wx = (np.array(window[:2]) - xlim[0]) / width
    wy = (np.array(window[2:]) - ylim[0]) / (ylim[1] - ylim[0])
    pad = 0.012
    spots = [
        (x, y)
        for x in np.linspace(pad, 1 - w - pad, 15)
        for y in np.linspace(pad, 1 - h - pad, 15)
        if not (x < 0.3 and y < 0.12)  # the scale bar
        and (x > wx[1] or x + w < wx[0] or y > wy[1] or y + h < wy[0])  # not on the window
    ]
    if not spots:
        return None

    def covered(spot: tuple[float, float]) -> tuple[int, float]:
        """Places under the enlargement, then (negated) its clearance from the nearest."""
        x, y = spot
        dx = np.maximum(np.maximum(x - fx, fx - (x + w)), 0)
        dy = np.maximum(np.maximum(y - fy, fy - (y + h)), 0)
        gap = np.hypot(dx, dy)
        return int((gap == 0).sum()), -round(float(gap.min()), 4)

    x, y = min(spots, key=covered)
    name = str(labels.loc[near[best]].iloc[0]["name"])  # the biggest place of the cluster
    return Inset(window, (x, y, w, h), name)


def _label_candidates(territory: Territory, crs: CRS) -> pd.DataFrame:
    """The mapped places, biggest population first (ties by name): the label priority."""
    gazetteer = territory.timeline.dataset.places.places
    ids = sorted(set(territory.places["place_id"]))
    known = [i for i in ids if i in gazetteer.index]
    rows = gazetteer.loc[known]
    points = gpd.GeoSeries(rows.geometry.values, crs="EPSG:4326").to_crs(crs)
    frame = pd.DataFrame(
        {
            "place_id": known,
            "name": rows["name"].astype(str).values,
            "population": pd.to_numeric(rows["population"], errors="coerce").fillna(0).values,
            "x": points.x.values,
            "y": points.y.values,
        }
    )
    frame = frame.sort_values(["population", "name"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def check_day(territory: Territory, day: pd.Timestamp | str) -> pd.Timestamp:
    """``day`` as a Timestamp, or DateRangeError if it is outside the territory's range."""
    ts = pd.Timestamp(day).normalize()
    start, end = territory.timeline.start, territory.timeline.end
    if not start <= ts <= end:
        raise DateRangeError(
            f"day {ts:%Y-%m-%d} is outside the map's range {start:%Y-%m-%d} to {end:%Y-%m-%d}"
        )
    return ts


def last_change(territory: Territory, day: pd.Timestamp) -> Change | None:
    """The last change date on or before ``day`` and the places that changed then."""
    dates = territory.timeline.change_dates
    before = dates[dates <= day]
    if len(before) == 0:
        return None
    date = before[-1]
    changes = _changes(territory)
    rows = changes[changes["date"] == date]
    names = territory.timeline.dataset.controllers
    lines = tuple(_change_line(row, names) for _, row in rows.iterrows())
    return Change(date, tuple(sorted(rows["place_id"])), lines)


_CHANGES: dict[int, tuple[Territory, pd.DataFrame]] = {}


def _changes(territory: Territory) -> pd.DataFrame:
    hit = _CHANGES.get(id(territory))
    if hit is None or hit[0] is not territory:
        hit = (territory, territory.timeline.changes())
        _CHANGES.clear()
        _CHANGES[id(territory)] = hit
    return hit[1]


def _side(controllers: Controllers, cid: object, status: object, by: object = None) -> str:
    """A side as a change note names it: its name, with its status unless plainly held
    (and the attacker, when known)."""
    if not isinstance(cid, str) or not cid:
        return "nobody"
    name = controllers[cid].name if cid in controllers else cid
    if not isinstance(status, str) or status in ("", "controlled"):
        return name
    if isinstance(by, str) and by:
        return f"{name} ({status} by {controllers[by].name if by in controllers else by})"
    return f"{name} ({status})"


def _change_line(row: pd.Series, controllers: Controllers) -> str:
    before = _side(controllers, row["from_controller"], row["from_status"])
    after = _side(controllers, row["to_controller"], row["to_status"], row.get("opponent"))
    return f"{row['place']}: {before} → {after}"


def map_state(territory: Territory, day: pd.Timestamp, base: Basemap) -> MapState:
    """Everything a map of ``day`` shows except the date, in the map CRS."""
    state = territory.on(day)
    areas = state.areas.to_crs(base.crs).sort_values(["place_id"], kind="stable")
    lines = state.frontlines.to_crs(base.crs).sort_values(["side_a", "side_b"], kind="stable")
    places = pd.DataFrame(state.places[["place_id", "controller", "status"]])
    return MapState(areas, lines, places, last_change(territory, day))


def snapshot_figure(
    territory: Territory, day: pd.Timestamp | str, *, width_in: float = 10.0, dpi: int = 150
) -> Figure:
    """The map of one day as a matplotlib Figure (Agg canvas attached), ready to save.

    Raises DateRangeError if ``day`` is outside the territory's range.
    """
    ts = check_day(territory, day)
    base = basemap(territory)
    layout = base.layout(width_in=width_in, dpi=dpi)
    return draw_map(base, map_state(territory, ts, base), layout, date_text=format_day(ts))


def draw_map(base: Basemap, state: MapState, layout: Layout, *, date_text: str) -> Figure:
    """Draw one map. ``date_text`` goes into the title (an empty string leaves it out)."""
    # Agg is attached only once everything is plotted: geopandas asks the canvas to redraw
    # after each layer, which the default canvas ignores and Agg would obey (slowly).
    fig = Figure(figsize=(layout.width_in, layout.height_in), dpi=layout.dpi, facecolor="white")
    h = layout.height_in
    _title(fig, base, layout, date_text)
    ax = fig.add_axes(
        (
            MARGIN_IN / layout.width_in,
            FOOTER_H_IN / h,
            1 - 2 * MARGIN_IN / layout.width_in,
            layout.map_h_in / h,
        )
    )
    _frame(ax, base.xlim, base.ylim)
    _layers(ax, base, state)
    scale = _scale_bar(ax, base)
    sub = _inset(ax, base, state, base.inset) if base.inset is not None else None
    _footer(fig, base, state, layout)
    renderer = FigureCanvasAgg(fig).get_renderer()
    avoid = [scale]
    if sub is not None and base.inset is not None:
        box = sub.get_window_extent(renderer)
        title_h = 14 * fig.dpi / 72
        title = Bbox.from_bounds(box.x0, box.y1 - title_h, box.width * 0.7, title_h)
        _labels(fig, sub, base, state, avoid=[title], within=base.inset.window)
        avoid.append(box.expanded(1.02, 1.02))
    _labels(fig, ax, base, state, avoid=avoid, skip=base.inset.window if base.inset else None)
    return fig


def _layers(ax: Axes, base: Basemap, state: MapState) -> None:
    _base_layers(ax, base)
    _areas(ax, base, state)
    _overlays(ax, state)
    _rivers(ax, base)


def _inset(ax: Axes, base: Basemap, state: MapState, inset: Inset) -> Axes:
    """Draw the enlargement of the crowded cluster (without labels); returns its axes."""
    x0, x1, y0, y1 = inset.window
    ax.add_patch(
        Rectangle(
            (x0, y0), x1 - x0, y1 - y0, facecolor="none", edgecolor="#222222", lw=1.0, zorder=9
        )
    )
    sub = ax.inset_axes(inset.corner, zorder=20)  # above the map's markers and labels
    _frame(sub, (x0, x1), (y0, y1))
    for spine in sub.spines.values():
        spine.set_linewidth(1.0)
        spine.set_color("#222222")
    near = dataclasses.replace(  # only what the window shows: cheaper on big datasets
        state,
        areas=state.areas.cx[x0:x1, y0:y1],
        frontlines=state.frontlines.cx[x0:x1, y0:y1],
    )
    _layers(sub, base, near)
    sub.text(
        0.02,
        0.98,
        f"{inset.name} area, enlarged",
        transform=sub.transAxes,
        fontsize=7,
        family=_FONT,
        va="top",
        ha="left",
        path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        zorder=9,
    )
    return sub


def _title(fig: Figure, base: Basemap, layout: Layout, date_text: str) -> None:
    h = layout.height_in
    date = fig.text(
        DATE_X_IN / layout.width_in,
        1 - DATE_BASELINE_IN / h,
        date_text,
        fontsize=DATE_PT,
        fontweight="bold",
        family=_FONT,
        va="baseline",
        ha="left",
    )
    date.set_gid(DATE_GID)
    fig.text(
        DATE_X_IN / layout.width_in,
        1 - (DATE_BASELINE_IN + 0.22) / h,
        base.title,
        fontsize=10,
        color="#333333",
        family=_FONT,
        va="top",
        ha="left",
    )


def _frame(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(LAKE_COLOR)
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
        spine.set_color("#555555")


def _base_layers(ax: Axes, base: Basemap) -> None:
    _draw(base.outside, ax, color=OUTSIDE_COLOR, linewidth=0)
    _draw(base.study, ax, color=UNASSIGNED_COLOR, linewidth=0)
    _draw(base.lakes, ax, color=LAKE_COLOR, edgecolor=WATER_COLOR, linewidth=0.4)
    _draw(base.governorate_lines, ax, color="#9a9a9a", linewidth=0.5, linestyle=(0, (4, 2)))
    _draw(base.borders, ax, color="#555555", linewidth=1.1)


def _areas(ax: Axes, base: Basemap, state: MapState) -> None:
    """Fill the areas, one compound path per look (side, status, attacker, basis)."""
    areas = state.areas
    if areas.empty:
        return
    look = ["controller", "status", "opponent", "basis"]
    keyed = areas.assign(opponent=areas["opponent"].fillna(""))
    for (controller, status, opponent, basis), group in keyed.groupby(look, sort=True):
        color = base.colors.get(controller, UNASSIGNED_COLOR)
        alpha = INFERRED_ALPHA if basis == "inferred" else 1.0
        path = _polygon_path(group.geometry)
        if status == "contested":
            attacker = base.colors.get(opponent, "#ffffff")
            patch = PathPatch(
                path,
                facecolor=color,
                hatch="////",
                edgecolor=attacker,
                hatch_linewidth=1.5,
                linewidth=0,
                alpha=alpha,
                zorder=1,
            )
        else:
            patch = PathPatch(path, facecolor=color, linewidth=0, alpha=alpha, zorder=1)
        ax.add_artist(patch)  # not add_patch: limits are fixed, and it is slow on big paths
        if status == "besieged":
            ring = base.colors.get(opponent, "#000000")
            ax.add_artist(PathPatch(path, facecolor="none", edgecolor=ring, lw=3.0, zorder=2))
    outline = PathPatch(
        _polygon_path(areas.geometry), facecolor="none", edgecolor="white", lw=0.4, zorder=2
    )
    ax.add_artist(outline)


def _polygon_path(geoms: gpd.GeoSeries) -> MplPath:
    """All polygons of ``geoms`` as one matplotlib path (holes wound the other way)."""
    parts = shapely.get_parts(shapely.orient_polygons(np.asarray(geoms.values)))
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    rings = shapely.get_rings(parts)
    coords, index = shapely.get_coordinates(rings, return_index=True)
    if len(coords) == 0:
        return MplPath(np.zeros((0, 2)))
    counts = np.bincount(index, minlength=len(rings))
    starts = np.r_[0, np.cumsum(counts)[:-1]][counts > 0]
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[starts] = MplPath.MOVETO
    codes[starts + counts[counts > 0] - 1] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _overlays(ax: Axes, state: MapState) -> None:
    halo = [patheffects.withStroke(linewidth=4.5, foreground="white")]
    if not state.frontlines.empty:
        _draw(state.frontlines, ax, color="black", linewidth=2.4, path_effects=halo, zorder=5)
    if state.change is not None:
        changed = state.areas[state.areas["place_id"].isin(state.change.place_ids)]
        if not changed.empty:
            outline = changed.boundary
            _draw(outline, ax, color="white", linewidth=3.2, zorder=6)
            _draw(outline, ax, color="#cc0000", linewidth=1.6, linestyle=(0, (3, 1.5)), zorder=6)


def _draw(geoms: gpd.GeoSeries | gpd.GeoDataFrame, ax: Axes, **style: object) -> None:
    """Plot geometries on ``ax`` (nothing if there are none; no CRS axis titles)."""
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    series = series[~(series.isna() | series.is_empty)]
    if not series.empty:
        series.plot(ax=ax, add_labels=False, **style)


def _rivers(ax: Axes, base: Basemap) -> None:
    _draw(base.rivers, ax, color=WATER_COLOR, linewidth=0.6, zorder=3)
    _draw(base.main_rivers, ax, color=WATER_COLOR, linewidth=1.4, zorder=3)


def _labels(
    fig: Figure,
    ax: Axes,
    base: Basemap,
    state: MapState,
    *,
    avoid: list[Bbox],
    within: tuple[float, float, float, float] | None = None,
    skip: tuple[float, float, float, float] | None = None,
) -> None:
    """Place markers for the places with a known state, labels placed greedily.

    Places that just changed first, then the biggest; a label goes right, left,
    above, below or diagonally off its marker (near, then farther), at the first position
    that stays in the map and overlaps no label, marker, scale bar or just-changed area
    (those must stay visible). A label that fits nowhere is left out.
    """
    held = state.places.drop_duplicates("place_id").set_index("place_id")
    shown = base.labels[base.labels["place_id"].isin(held.index)]
    if within is not None:
        shown = shown[_in_window(shown, within)]
    changed_ids = state.change.place_ids if state.change is not None else ()
    first = shown["place_id"].isin(changed_ids)
    shown = pd.concat([shown[first], shown[~first]])
    if shown.empty:
        return
    holder = held["controller"].reindex(shown["place_id"]).to_numpy()
    colors = [base.colors.get(c, "#ffffff") for c in holder]
    ax.scatter(shown["x"], shown["y"], s=14, c=colors, edgecolors="black", linewidths=0.7, zorder=7)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer).shrunk(0.99, 0.99)
    to_px = ax.transData.transform
    pts = to_px(shown[["x", "y"]].to_numpy())
    r = 4.0 * fig.dpi / 72
    markers = np.column_stack([pts[:, 0] - r, pts[:, 1] - r, pts[:, 0] + r, pts[:, 1] + r])
    boxes = [b.extents for b in avoid]
    changed = state.areas[state.areas["place_id"].isin(changed_ids)]
    changed_boxes = [to_px(np.array(g.bounds).reshape(2, 2)).ravel() for g in changed.geometry]
    # keep small changed areas visible; a large one cannot be avoided, its labels must still fit
    small = frame.width * frame.height * SMALL_AREA_SHARE
    boxes += [b for b in changed_boxes if (b[2] - b[0]) * (b[3] - b[1]) < small]
    taken = np.vstack([markers, np.array(boxes).reshape(-1, 4)])
    named = ~_in_window(shown, skip) if skip is not None else np.ones(len(shown), dtype=bool)
    order = np.flatnonzero(named)[:MAX_LABELS]
    probe = ax.text(0, 0, "", fontsize=LABEL_PT, family=_FONT)
    for i, row in zip(order, shown.iloc[order].itertuples(index=False), strict=True):
        probe.set_text(row.name)
        size = probe.get_window_extent(renderer)
        spot = _free_spot(
            pts[i],
            (size.width * 1.04, size.height * 1.1),
            taken,
            own=i,
            frame=frame,
            px_per_pt=fig.dpi / 72,
        )
        if spot is None:
            continue
        (dx, dy), ha, va, box = spot
        taken = np.vstack([taken, box])
        ax.annotate(
            row.name,
            (row.x, row.y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=LABEL_PT,
            family=_FONT,
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            zorder=8,
        )
    probe.remove()


LABEL_PT = 7.5
LEGEND_FULL_WIDTH_IN = 9.0  # below this width legend and credits shrink to fit the frame
SMALL_AREA_SHARE = 0.05  # a changed area whose box covers less of the map than this keeps clear
MAX_LABELS = 80  # labels tried per map, in priority order: beyond that a map is a list
_SPOTS = [
    spot
    for off in (5, 14, 26)
    for spot in (
        ((off, 0), "left", "center"),
        ((-off, 0), "right", "center"),
        ((0, off), "center", "bottom"),
        ((0, -off), "center", "top"),
        ((off, off), "left", "bottom"),
        ((-off, off), "right", "bottom"),
        ((off, -off), "left", "top"),
        ((-off, -off), "right", "top"),
    )
]


def _free_spot(
    point: np.ndarray,
    size: tuple[float, float],
    taken: np.ndarray,
    *,
    own: int,
    frame: Bbox,
    px_per_pt: float,
) -> tuple[tuple[float, float], str, str, np.ndarray] | None:
    """The first label position around ``point`` (pixels) whose box (``size`` wide and
    high) is inside ``frame`` and overlaps no box of ``taken`` (x0, y0, x1, y1 rows) but
    the place's own marker (row ``own``)."""
    w, h = size
    others = np.ones(len(taken), dtype=bool)
    others[own] = False
    for (dx, dy), ha, va in _SPOTS:
        x = point[0] + dx * px_per_pt
        y = point[1] + dy * px_per_pt
        x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
        y0 = {"bottom": y, "top": y - h, "center": y - h / 2}[va]
        box = np.array([x0, y0, x0 + w, y0 + h])
        if box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1:
            continue
        hit = (taken[:, 0] < box[2]) & (taken[:, 2] > box[0])
        hit &= (taken[:, 1] < box[3]) & (taken[:, 3] > box[1])
        if not (hit & others).any():
            return (dx, dy), ha, va, box
    return None


def _in_window(frame: pd.DataFrame, window: tuple[float, float, float, float]) -> np.ndarray:
    x0, x1, y0, y1 = window
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def _scale_bar(ax: Axes, base: Basemap) -> Bbox:
    """A black-and-white scale bar near the bottom left; returns its box in pixels."""
    width_m = base.xlim[1] - base.xlim[0]
    km = _nice(width_m / 1000 / 8)
    x0 = base.xlim[0] + 0.03 * width_m
    y0 = base.ylim[0] + 0.035 * (base.ylim[1] - base.ylim[0])
    step = km * 1000 / 2
    bar_h = 0.006 * width_m
    for i, color in enumerate(("black", "white")):
        ax.add_patch(_rect(x0 + i * step, y0, step, bar_h, color))
    style = {"fontsize": 7.5, "family": _FONT, "ha": "center", "va": "bottom", "zorder": 9}
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    ty = y0 + bar_h * 1.4
    for frac, text in ((0, "0"), (0.5, f"{km / 2:g}"), (1, f"{km:g} km")):
        ax.text(x0 + frac * km * 1000, ty, text, path_effects=halo, **style)
    corners = ax.transData.transform([(x0, y0), (x0 + km * 1000, ty + 0.03 * width_m)])
    return Bbox(corners).expanded(1.25, 1.3)


def _rect(x: float, y: float, w: float, h: float, color: str) -> Patch:
    return Rectangle((x, y), w, h, facecolor=color, edgecolor="black", linewidth=0.8, zorder=9)


def _nice(value: float) -> float:
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)


def legend_handles(base: Basemap, state: MapState | None = None) -> list[object]:
    """The legend: sides, then how contested/besieged/frontline/changed are drawn."""
    handles: list[object] = [
        Patch(facecolor=color, edgecolor="#555555", linewidth=0.5, label=name)
        for name, color in base.legend
    ]
    handles += [
        Patch(
            facecolor="#bbbbbb",
            hatch="///",
            edgecolor="#333333",
            linewidth=0,
            label=f"{CONTESTED_LABEL}: hatched in the attacker's colour",
        ),
        Patch(
            facecolor="#bbbbbb",
            edgecolor="#333333",
            linewidth=2.5,
            label=f"{BESIEGED_LABEL}: ringed in the besieger's colour",
        ),
        Patch(facecolor=UNASSIGNED_COLOR, edgecolor="#555555", linewidth=0.5, label="not mapped"),
        Line2D(
            [],
            [],
            color="black",
            linewidth=2.4,
            path_effects=[patheffects.withStroke(linewidth=4.5, foreground="white")],
            label="frontline",
        ),
    ]
    if state is not None and state.change is not None:
        when = format_day(state.change.date)
        handles.append(
            Line2D(
                [],
                [],
                color="#cc0000",
                linewidth=1.6,
                linestyle=(0, (3, 1.5)),
                label=CHANGED_LABEL.format(date=when),
            )
        )
    if state is not None and (state.areas.get("basis") == "inferred").any():
        handles.append(
            Patch(
                facecolor="#888888", alpha=INFERRED_ALPHA, label="lighter: inferred, not reported"
            )
        )
    return handles


def _footer(fig: Figure, base: Basemap, state: MapState, layout: Layout) -> None:
    w, h = layout.width_in, layout.height_in
    size = 7.5 * min(1.0, w / LEGEND_FULL_WIDTH_IN)
    fig.legend(
        handles=legend_handles(base, state),
        loc="upper left",
        bbox_to_anchor=(MARGIN_IN / w, (FOOTER_H_IN - 0.06) / h),
        ncol=3,
        frameon=False,
        handlelength=2.2,
        columnspacing=1.2,
        labelspacing=0.35,
        borderaxespad=0,
        prop={"family": _FONT, "size": size},
    )
    note = _change_note(state, width=int((w - 2 * MARGIN_IN) * 16))  # ~16 chars per inch
    fig.text(
        MARGIN_IN / w,
        0.40 / h,
        note,
        linespacing=1.3,
        fontsize=7.5,
        family=_FONT,
        color="#aa0000" if state.change else "#333333",
        va="bottom",
        ha="left",
    )
    fig.text(
        MARGIN_IN / w,
        0.08 / h,
        f"{base.credit}\nMap: {base.projection_note}. Place names in Latin script.",
        linespacing=1.4,
        fontsize=6 * min(1.0, w / LEGEND_FULL_WIDTH_IN),
        family=_FONT,
        color="#555555",
        va="bottom",
        ha="left",
    )


def _change_note(state: MapState, *, width: int = 150, lines: int = 2) -> str:
    """The places that changed (holder or status) on the last change date, in at most two lines."""
    if state.change is None:
        return "No change of control in the range so far."
    text = f"Last change, {format_day(state.change.date)}: " + "; ".join(state.change.lines)
    wrapped = textwrap.wrap(text, width=width)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def area_chart_figure(territory: Territory) -> Figure:
    """Area (km²) held by each side over the range, and the population of the places held.

    Two stacked panels sharing the time axis; change dates are marked with thin lines.
    """
    stats = territory.stats()
    entries = legend_entries(territory)
    fig = Figure(figsize=(10, 6), dpi=110, facecolor="white")
    FigureCanvasAgg(fig)
    ax_area, ax_pop = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    area = stats.pivot(index="date", columns="controller", values="area_km2").fillna(0)
    pop = stats.pivot(index="date", columns="controller", values="population").fillna(0)
    ids = [e.id for e in entries if e.id in area.columns]
    colors = [e.color for e in entries if e.id in area.columns]
    names = [e.name for e in entries if e.id in area.columns]
    ax_area.stackplot(area.index, *(area[i] for i in ids), colors=colors, labels=names)
    for i, c, n in zip(ids, colors, names, strict=True):
        ax_pop.plot(pop.index, pop[i] / 1e6, color=c, linewidth=2, label=n)
    for ax in (ax_area, ax_pop):
        for d in territory.timeline.change_dates:
            ax.axvline(d, color="#222222", alpha=0.35, linewidth=0.6, zorder=3)
        ax.grid(axis="y", color="#dddddd", linewidth=0.5)
        ax.set_xlim(area.index[0], area.index[-1])
    locator = mdates.AutoDateLocator(maxticks=8)
    ax_pop.xaxis.set_major_locator(locator)
    ax_pop.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax_area.set_ylabel("area held, km²")
    ax_pop.set_ylabel("people, million")
    ax_area.set_title(
        f"{territory.timeline.dataset.info.title}: ground and people held "
        "(thin lines: change dates)",
        fontsize=10,
        loc="left",
    )
    ax_area.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    fig.text(0.01, 0.01, attribution(territory.timeline.dataset), fontsize=6, color="#555555")
    fig.subplots_adjust(left=0.08, right=0.72, top=0.93, bottom=0.08, hspace=0.08)
    return fig
