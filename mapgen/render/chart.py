"""The area chart: ground and people held by each side over the range.

Three panels share the time axis: the ground each side *holds* (within reach of its places
or inside its polygons), stacked; the whole study area, stacked as each side's held ground
(its colour) and zone (the light tint of its colour: ground beyond every reach, allotted to
the nearest side), with unassigned ground on top; and the people in the places each side
holds. Uncertain ground (a change of hands known only to the month) is dotted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter

from mapgen.controllers import zone_tint
from mapgen.render.series import daily, ground_series
from mapgen.render.style import (
    CHART_CHANGE_LINE_COLOR,
    CHART_GRID_COLOR,
    CREDIT_COLOR,
    LEGEND_EDGE_COLOR,
    LEGEND_SAMPLE_BG,
    UNASSIGNED_COLOR,
    UNCERTAIN_HATCH,
    UNCERTAIN_SAMPLE_HATCH,
    attribution,
    legend_entries,
)
from mapgen.territory import Territory

UNCERTAIN_DOTS_COLOR = "#222222"
UNCERTAIN_EDGE_WIDTH = 0.8
ZONE_KEY = "Each side: held ground | zone (tint)"
UNASSIGNED_EDGE_COLOR = "#999999"


def area_chart_figure(territory: Territory) -> Figure:
    """Held ground per side, held ground and zones of the whole study area, and the
    population of the places held, day by day; change dates marked with thin lines."""
    series = daily(ground_series(territory), territory)
    stats = territory.stats()
    entries = [e for e in legend_entries(territory) if e.id in series.columns.levels[0]]
    fig = Figure(figsize=(10, 7.5), dpi=110, facecolor="white")
    FigureCanvasAgg(fig)
    ax_held, ax_all, ax_pop = fig.subplots(3, 1, sharex=True, height_ratios=(2, 2, 1.2))
    days = series.index
    held, every = [], []
    for e in entries:
        held += [(series[(e.id, "held")], e.color, False)]
        held += [(series[(e.id, "held_uncertain")], e.color, True)]
        every += held[-2:]
        every += [(series[(e.id, "zone")], zone_tint(e.color), False)]
        every += [(series[(e.id, "zone_uncertain")], zone_tint(e.color), True)]
    _stack(ax_held, days, held)
    top = _stack(ax_all, days, every)
    total = territory.study_area_km2
    if (total - top > max(1.0, 1e-5 * total)).any():
        ax_all.fill_between(
            days,
            top,
            total,
            step="post",
            facecolor=UNASSIGNED_COLOR,
            edgecolor=UNASSIGNED_EDGE_COLOR,
            linewidth=0.6,
            label="unassigned",
        )
    ax_all.set_ylim(0, total)
    pop = stats.pivot(index="date", columns="controller", values="population").fillna(0)
    for e in entries:
        if e.id in pop.columns:
            ax_pop.plot(pop.index, pop[e.id] / 1e6, color=e.color, linewidth=2, label=e.name)
    for ax in (ax_held, ax_all, ax_pop):
        for d in territory.timeline.change_dates:
            ax.axvline(d, color=CHART_CHANGE_LINE_COLOR, alpha=0.3, linewidth=0.5, zorder=3)
        ax.grid(axis="y", color=CHART_GRID_COLOR, linewidth=0.5)
        ax.set_xlim(days[0], days[-1])
    locator = mdates.AutoDateLocator(maxticks=8)
    ax_pop.xaxis.set_major_locator(locator)
    ax_pop.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in (ax_held, ax_all):
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax_held.set_ylabel("held, km²")
    ax_all.set_ylabel("held + zone, km²")
    ax_pop.set_ylabel("people, million")
    ax_held.set_title(
        f"{territory.timeline.dataset.info.title}: ground and people by side "
        "(thin lines: change dates)",
        fontsize=10,
        loc="left",
    )
    _legend(fig, ax_held, entries, uncertain=bool(series.xs("held_uncertain", 1, 1).any().any()))
    fig.text(0.01, 0.01, attribution(territory.timeline.dataset), fontsize=6, color=CREDIT_COLOR)
    fig.subplots_adjust(left=0.09, right=0.70, top=0.94, bottom=0.07, hspace=0.1)
    return fig


def _stack(
    ax: Axes, days: pd.DatetimeIndex, layers: list[tuple[pd.Series, str, bool]]
) -> np.ndarray:
    """Stack ``(values, colour, uncertain)`` bands from the bottom up, each a step per day;
    uncertain bands are dotted. Returns the top of the stack."""
    bottom = np.zeros(len(days))
    for values, color, uncertain in layers:
        upper = bottom + values.to_numpy()
        dots = {"hatch": UNCERTAIN_HATCH, "edgecolor": UNCERTAIN_DOTS_COLOR} if uncertain else {}
        if (upper > bottom).any():
            ax.fill_between(days, bottom, upper, step="post", facecolor=color, linewidth=0, **dots)
        bottom = upper
    return bottom


def _legend(fig: Figure, ax: Axes, entries: list, *, uncertain: bool) -> None:
    def swatch(color: str, **style: object) -> Patch:
        return Patch(facecolor=color, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.5, **style)

    handles: list[object] = [(swatch(e.color), swatch(zone_tint(e.color))) for e in entries]
    labels = [e.name for e in entries]
    if uncertain:
        dotted = Patch(
            facecolor=LEGEND_SAMPLE_BG,
            hatch=UNCERTAIN_SAMPLE_HATCH,
            edgecolor=UNCERTAIN_DOTS_COLOR,
            linewidth=UNCERTAIN_EDGE_WIDTH,
        )
        handles.append(dotted)
        labels.append("dotted: uncertain\n(change known to the month)")
    ax.legend(
        handles=handles,
        labels=labels,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.15)},
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        frameon=False,
        title=ZONE_KEY,
        title_fontsize=8,
        alignment="left",
    )
