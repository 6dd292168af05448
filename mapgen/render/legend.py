"""The footer of a static map: the legend, the change note and the credits."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mapgen.render.basemap import FONT, FOOTER_H_IN, MARGIN_IN, Basemap, Layout, MapState
from mapgen.render.changes import change_note
from mapgen.render.layers import CHANGED_STYLE, FRONTLINE_HALO, FRONTLINE_STYLE
from mapgen.render.style import (
    BESIEGED_LABEL,
    CHANGE_NOTE_COLOR,
    CHANGED_LABEL,
    CONTESTED_LABEL,
    CREDIT_COLOR,
    INFERRED_ALPHA,
    INFERRED_SAMPLE_COLOR,
    LEGEND_EDGE_COLOR,
    LEGEND_SAMPLE_COLOR,
    LEGEND_SAMPLE_EDGE_COLOR,
    NO_CHANGE_NOTE_COLOR,
    UNASSIGNED_COLOR,
    format_day,
)

LEGEND_FULL_WIDTH_IN = 9.0  # below this width legend and credits shrink to fit the frame
CHARS_PER_IN = 16  # of the change note at 7.5 pt


def legend_handles(base: Basemap, state: MapState | None = None) -> list[object]:
    """The legend: sides, then how contested/besieged/frontline/changed are drawn."""
    handles: list[object] = [
        Patch(facecolor=color, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.5, label=name)
        for name, color in base.legend
    ]
    handles += [
        Patch(
            facecolor=LEGEND_SAMPLE_COLOR,
            hatch="///",
            edgecolor=LEGEND_SAMPLE_EDGE_COLOR,
            linewidth=0,
            label=f"{CONTESTED_LABEL}: hatched in the attacker's colour",
        ),
        Patch(
            facecolor=LEGEND_SAMPLE_COLOR,
            edgecolor=LEGEND_SAMPLE_EDGE_COLOR,
            linewidth=2.5,
            label=f"{BESIEGED_LABEL}: ringed in the besieger's colour",
        ),
        Patch(
            facecolor=UNASSIGNED_COLOR,
            edgecolor=LEGEND_EDGE_COLOR,
            linewidth=0.5,
            label="not mapped",
        ),
        Line2D([], [], **FRONTLINE_STYLE, path_effects=FRONTLINE_HALO, label="frontline"),
    ]
    if state is not None and state.change is not None:
        when = format_day(state.change.date)
        handles.append(Line2D([], [], **CHANGED_STYLE, label=CHANGED_LABEL.format(date=when)))
    if state is not None and (state.areas.get("basis") == "inferred").any():
        handles.append(
            Patch(
                facecolor=INFERRED_SAMPLE_COLOR,
                alpha=INFERRED_ALPHA,
                label="lighter: inferred, not reported",
            )
        )
    return handles


def draw_footer(fig: Figure, base: Basemap, state: MapState, layout: Layout) -> None:
    """The legend, the change note and the credits under the map."""
    w, h = layout.width_in, layout.height_in
    shrink = min(1.0, w / LEGEND_FULL_WIDTH_IN)
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
        prop={"family": FONT, "size": 7.5 * shrink},
    )
    note = change_note(state.change, width=int((w - 2 * MARGIN_IN) * CHARS_PER_IN))
    fig.text(
        MARGIN_IN / w,
        0.40 / h,
        note,
        linespacing=1.3,
        fontsize=7.5,
        family=FONT,
        color=CHANGE_NOTE_COLOR if state.change else NO_CHANGE_NOTE_COLOR,
        va="bottom",
        ha="left",
    )
    fig.text(
        MARGIN_IN / w,
        0.08 / h,
        f"{base.credit}\nMap: {base.projection_note}. Place names in Latin script.",
        linespacing=1.4,
        fontsize=6 * shrink,
        family=FONT,
        color=CREDIT_COLOR,
        va="bottom",
        ha="left",
    )
