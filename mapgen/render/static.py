"""Static maps with matplotlib: one :class:`~matplotlib.figure.Figure` per day, and the area chart.

Cartography
-----------
Every map of a dataset uses one projection and one extent, so the frames of a series line
up: a **Lambert Conformal Conic** projection fitted to the dataset's extent
(``dataset.info.extent``; standard parallels at 1/6 and 5/6 of its latitude span, central
meridian and latitude at its centre, see :func:`mapgen.render.basemap.map_crs`). Conformal
keeps the shapes of towns and rivers; inside the default extent (7.6° × 4.6°) the scale
varies by well under 1 %, so one scale bar holds for the whole map. (Areas are computed
elsewhere, in the territory model's equal-area Albers CRS.)

A map is composed here from the parts in their own modules: the base map and the day's
state (:mod:`~mapgen.render.basemap`), the layers (:mod:`~mapgen.render.layers`), the
inset (:mod:`~mapgen.render.inset`), the labels (:mod:`~mapgen.render.labels`), the legend
and credits (:mod:`~mapgen.render.legend`) and the change note
(:mod:`~mapgen.render.changes`); colours are in :mod:`~mapgen.render.style`.

Library code uses :class:`~matplotlib.figure.Figure` objects and the Agg canvas, never
pyplot's global state.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from mapgen.render.basemap import (
    DATE_BASELINE_IN,
    DATE_PT,
    DATE_X_IN,
    FONT,
    FOOTER_H_IN,
    MARGIN_IN,
    Basemap,
    Layout,
    MapState,
    basemap,
    check_day,
    map_state,
)
from mapgen.render.chart import area_chart_figure
from mapgen.render.inset import Inset
from mapgen.render.labels import place_labels
from mapgen.render.layers import draw_layers, frame_axes, scale_bar
from mapgen.render.legend import draw_footer
from mapgen.render.style import HALO_COLOR, INSET_EDGE_COLOR, SUBTITLE_COLOR, format_day
from mapgen.territory import Territory

__all__ = ["DATE_GID", "area_chart_figure", "draw_map", "snapshot_figure"]

DATE_GID = "date"  # the SVG id of the date in the title


def snapshot_figure(
    territory: Territory,
    day: pd.Timestamp | str,
    *,
    width_in: float = 10.0,
    dpi: int = 150,
    base: Basemap | None = None,
) -> Figure:
    """The map of one day as a matplotlib Figure (Agg canvas attached), ready to save.

    ``base`` is :func:`~mapgen.render.basemap.basemap` of ``territory``: pass it when
    drawing several days, so the base layers are read and projected once.
    Raises DateRangeError if ``day`` is outside the territory's range.
    """
    ts = check_day(territory, day)
    base = base if base is not None else basemap(territory)
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
    frame_axes(ax, base.xlim, base.ylim)
    draw_layers(ax, base, state)
    scale = scale_bar(ax, base)
    inset = state.inset
    drawn = _inset(ax, base, state, inset) if inset is not None else None
    draw_footer(fig, base, state, layout)
    renderer = FigureCanvasAgg(fig).get_renderer()
    avoid = [scale]
    if drawn is not None and inset is not None:
        sub, header = drawn
        box = sub.get_window_extent(renderer)
        title = header.get_window_extent(renderer).padded(2 * fig.dpi / 72)  # its box
        place_labels(fig, sub, base, state, avoid=[title], within=inset.window)
        avoid.append(box.expanded(1.02, 1.02))
    skip = inset.window if inset else None
    place_labels(fig, ax, base, state, avoid=avoid, skip=skip)
    return fig


def _inset(ax: Axes, base: Basemap, state: MapState, inset: Inset) -> tuple[Axes, Text]:
    """Draw the enlargement of where the recent changes are (without labels); returns its
    axes and its header (its labels keep clear of it)."""
    x0, x1, y0, y1 = inset.window
    ax.add_patch(
        Rectangle(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            facecolor="none",
            edgecolor=INSET_EDGE_COLOR,
            lw=1.0,
            zorder=9,
        )
    )
    sub = ax.inset_axes(inset.corner, zorder=20)  # above the map's markers and labels
    frame_axes(sub, (x0, x1), (y0, y1))
    for spine in sub.spines.values():
        spine.set_linewidth(1.0)
        spine.set_color(INSET_EDGE_COLOR)
    near = dataclasses.replace(  # only what the window shows: cheaper on big datasets
        state,
        areas=state.areas.cx[x0:x1, y0:y1],
        frontlines=state.frontlines.cx[x0:x1, y0:y1],
    )
    draw_layers(sub, base, near)
    header = sub.text(
        0.02,
        0.98,
        f"{inset.name} area, enlarged",
        transform=sub.transAxes,
        fontsize=7,
        family=FONT,
        va="top",
        ha="left",
        bbox={"facecolor": HALO_COLOR, "edgecolor": "none", "pad": 1.5},
        zorder=9.5,  # a header over the enlargement's markers (7) and labels (8)
    )
    return sub, header


def _title(fig: Figure, base: Basemap, layout: Layout, date_text: str) -> None:
    h = layout.height_in
    date = fig.text(
        DATE_X_IN / layout.width_in,
        1 - DATE_BASELINE_IN / h,
        date_text,
        fontsize=DATE_PT,
        fontweight="bold",
        family=FONT,
        va="baseline",
        ha="left",
    )
    date.set_gid(DATE_GID)
    fig.text(
        DATE_X_IN / layout.width_in,
        1 - (DATE_BASELINE_IN + 0.22) / h,
        base.title,
        fontsize=10,
        color=SUBTITLE_COLOR,
        family=FONT,
        va="top",
        ha="left",
    )
