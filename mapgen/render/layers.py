"""Drawing a static map's layers on matplotlib axes: base layers, areas, overlays, rivers,
the scale bar.

Held ground is filled in its side's colour, a zone (ground beyond every place's reach,
allotted to the nearest side) in a light tint of it; contested ground is hatched in the
attacker's colour, besieged ground ringed in the besieger's colour, uncertain ground (a
change of hands known only to the month) dotted in the new holder's colour, inferred ground
drawn lighter. Frontlines are black with a white halo. The held ground of the places and
areas that changed in the map's change window is outlined in dashed red.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from mapgen.controllers import zone_tint
from mapgen.render.basemap import FONT, Basemap, MapState, changed_ground
from mapgen.render.style import (
    AREA_OUTLINE_COLOR,
    BORDER_COLOR,
    BORDER_WIDTH,
    CHANGED_COLOR,
    FRONTLINE_COLOR,
    GOVERNORATE_COLOR,
    GOVERNORATE_DASH,
    GOVERNORATE_WIDTH,
    HALO_COLOR,
    INFERRED_ALPHA,
    LAKE_COLOR,
    LAKE_EDGE_WIDTH,
    MAIN_RIVER_WIDTH,
    MAP_EDGE_COLOR,
    OUTSIDE_COLOR,
    RIVER_WIDTH,
    UNASSIGNED_COLOR,
    UNCERTAIN_HATCH,
    UNKNOWN_BESIEGER_COLOR,
    UNKNOWN_SIDE_COLOR,
    WATER_COLOR,
)

FRONTLINE_STYLE = {"color": FRONTLINE_COLOR, "linewidth": 2.4}
FRONTLINE_HALO = [patheffects.withStroke(linewidth=4.5, foreground=HALO_COLOR)]
CHANGED_STYLE = {"color": CHANGED_COLOR, "linewidth": 1.6, "linestyle": (0, (3, 1.5))}
SCALE_BAR_COLORS = ("black", "white")


def frame_axes(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    """Fix the axes to the extent, without ticks, on the water colour."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(LAKE_COLOR)
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
        spine.set_color(MAP_EDGE_COLOR)


def draw_layers(ax: Axes, base: Basemap, state: MapState) -> None:
    """Everything of the map body but labels, bottom to top."""
    _base_layers(ax, base)
    _areas(ax, base, state)
    _overlays(ax, state)
    _rivers(ax, base)


def _base_layers(ax: Axes, base: Basemap) -> None:
    _draw(base.outside, ax, color=OUTSIDE_COLOR, linewidth=0)
    _draw(base.study, ax, color=UNASSIGNED_COLOR, linewidth=0)
    _draw(base.lakes, ax, color=LAKE_COLOR, edgecolor=WATER_COLOR, linewidth=LAKE_EDGE_WIDTH)
    _draw(
        base.governorate_lines,
        ax,
        color=GOVERNORATE_COLOR,
        linewidth=GOVERNORATE_WIDTH,
        linestyle=(0, GOVERNORATE_DASH),
    )
    _draw(base.borders, ax, color=BORDER_COLOR, linewidth=BORDER_WIDTH)


def _areas(ax: Axes, base: Basemap, state: MapState) -> None:
    """Fill the areas, one compound path per look (kind, side, status, attacker, basis):
    held ground in the side's colour, its zone in a light tint of it."""
    areas = state.areas
    if areas.empty:
        return
    look = ["kind", "controller", "status", "opponent", "basis"]
    keyed = areas.assign(opponent=areas["opponent"].fillna(""))
    for (kind, controller, status, opponent, basis), group in keyed.groupby(look, sort=True):
        color = base.colors.get(controller, UNASSIGNED_COLOR)
        if kind == "zone":
            color = zone_tint(color) if controller in base.colors else UNASSIGNED_COLOR
        alpha = INFERRED_ALPHA if basis == "inferred" else 1.0
        path = _polygon_path(group.geometry)
        if status == "uncertain":
            # may have changed hands this month: the holder's fill, dotted in the new holder's
            pending = base.colors.get(opponent, UNKNOWN_SIDE_COLOR)
            patch = PathPatch(
                path,
                facecolor=color,
                hatch=UNCERTAIN_HATCH,
                edgecolor=pending,
                hatch_linewidth=1.2,
                linewidth=0,
                alpha=alpha,
                zorder=1,
            )
        elif status == "contested":
            attacker = base.colors.get(opponent, UNKNOWN_SIDE_COLOR)
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
            ring = base.colors.get(opponent, UNKNOWN_BESIEGER_COLOR)
            ax.add_artist(PathPatch(path, facecolor="none", edgecolor=ring, lw=3.0, zorder=2))
    # tiles and imported pieces are parts of one ground: no outline between them
    parts = areas["seamless"] if "seamless" in areas.columns else False
    outline = PathPatch(
        _polygon_path(areas[(areas["kind"] == "held") & ~parts].geometry),
        facecolor="none",
        edgecolor=AREA_OUTLINE_COLOR,
        lw=0.4,
        zorder=2,
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
    if not state.frontlines.empty:
        _draw(state.frontlines, ax, **FRONTLINE_STYLE, path_effects=FRONTLINE_HALO, zorder=5)
    changed = changed_ground(state.areas, state.change)
    if not changed.empty:
        outline = changed.boundary
        _draw(outline, ax, color=HALO_COLOR, linewidth=3.2, zorder=6)
        _draw(outline, ax, **CHANGED_STYLE, zorder=6)


def _draw(geoms: gpd.GeoSeries | gpd.GeoDataFrame, ax: Axes, **style: object) -> None:
    """Plot geometries on ``ax`` (nothing if there are none; no CRS axis titles)."""
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    series = series[~(series.isna() | series.is_empty)]
    if not series.empty:
        series.plot(ax=ax, add_labels=False, **style)


def _rivers(ax: Axes, base: Basemap) -> None:
    _draw(base.rivers, ax, color=WATER_COLOR, linewidth=RIVER_WIDTH, zorder=3)
    _draw(base.main_rivers, ax, color=WATER_COLOR, linewidth=MAIN_RIVER_WIDTH, zorder=3)


def scale_bar(ax: Axes, base: Basemap) -> Bbox:
    """A black-and-white scale bar near the bottom left; returns its box in pixels."""
    width_m = base.xlim[1] - base.xlim[0]
    km = _nice(width_m / 1000 / 8)
    x0 = base.xlim[0] + 0.03 * width_m
    y0 = base.ylim[0] + 0.035 * (base.ylim[1] - base.ylim[0])
    step = km * 1000 / 2
    bar_h = 0.006 * width_m
    for i, color in enumerate(SCALE_BAR_COLORS):
        ax.add_patch(_rect(x0 + i * step, y0, step, bar_h, color))
    style = {"fontsize": 7.5, "family": FONT, "ha": "center", "va": "bottom", "zorder": 9}
    halo = [patheffects.withStroke(linewidth=2.5, foreground=HALO_COLOR)]
    ty = y0 + bar_h * 1.4
    for frac, text in ((0, "0"), (0.5, f"{km / 2:g}"), (1, f"{km:g} km")):
        ax.text(x0 + frac * km * 1000, ty, text, path_effects=halo, **style)
    corners = ax.transData.transform([(x0, y0), (x0 + km * 1000, ty + 0.03 * width_m)])
    return Bbox(corners).expanded(1.25, 1.3)


def _rect(x: float, y: float, w: float, h: float, color: str) -> Patch:
    edge = SCALE_BAR_COLORS[0]
    return Rectangle((x, y), w, h, facecolor=color, edgecolor=edge, linewidth=0.8, zorder=9)


def _nice(value: float) -> float:
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)
