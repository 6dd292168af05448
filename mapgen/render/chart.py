"""The area chart: ground and people held by each side over the range."""

from __future__ import annotations

from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mapgen.render.style import (
    CHART_CHANGE_LINE_COLOR,
    CHART_GRID_COLOR,
    CREDIT_COLOR,
    attribution,
    legend_entries,
)
from mapgen.territory import Territory


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
            ax.axvline(d, color=CHART_CHANGE_LINE_COLOR, alpha=0.35, linewidth=0.6, zorder=3)
        ax.grid(axis="y", color=CHART_GRID_COLOR, linewidth=0.5)
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
    fig.text(0.01, 0.01, attribution(territory.timeline.dataset), fontsize=6, color=CREDIT_COLOR)
    fig.subplots_adjust(left=0.08, right=0.72, top=0.93, bottom=0.08, hspace=0.08)
    return fig
