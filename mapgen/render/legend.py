"""The footer of a static map: the legend, the change note and the credits."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mapgen.controllers import zone_tint
from mapgen.render.basemap import FONT, FOOTER_H_IN, MARGIN_IN, Basemap, Layout, MapState
from mapgen.render.changes import Change, change_note
from mapgen.render.layers import CHANGED_STYLE, FRONTLINE_HALO, FRONTLINE_STYLE
from mapgen.render.style import (
    BESIEGED_LABEL,
    CHANGE_NOTE_COLOR,
    CHANGED_LABEL,
    CONTESTED_LABEL,
    CREDIT_COLOR,
    FRONTLINE_LABEL,
    INFERRED_ALPHA,
    INFERRED_SAMPLE_COLOR,
    LEGEND_EDGE_COLOR,
    LEGEND_SAMPLE_BG,
    LEGEND_SAMPLE_COLOR,
    LEGEND_SAMPLE_EDGE_COLOR,
    NO_CHANGE_NOTE_COLOR,
    UNASSIGNED_COLOR,
    UNCERTAIN_SAMPLE_HATCH,
    format_day,
)
from mapgen.timeline import UNCERTAIN

LEGEND_FULL_WIDTH_IN = 9.0  # below this width legend and credits shrink to fit the frame
CHARS_PER_IN = 16  # of the change note at 7.5 pt
LEGEND_COLUMNS = 3
LEGEND_ROWS_FOR_LONG_NOTE = 4  # up to this many legend rows, the change note may take 3 lines
ZONE_KEY_TITLE = (
    "Each side: held ground (within reach of its places, or its polygons) | "
    "zone (light tint: beyond every place's reach, allotted to the nearest side)"
)
UNCERTAIN_LABEL = "uncertain: may have passed (month-dated), dots: new holder"
UNASSIGNED_LABEL = "unassigned: beyond every side's reach"


def _swatch(color: str, **style: object) -> Patch:
    return Patch(facecolor=color, edgecolor=LEGEND_EDGE_COLOR, linewidth=0.5, **style)


def legend_handles(base: Basemap, state: MapState) -> list[tuple[object, str]]:
    """The legend of one day's map, as (handle, label) pairs: each side with ground that
    day (its held ground and its zone, side by side), then only the marks the map shows
    (zone, uncertain, contested, besieged, unassigned, frontline, changed, inferred)."""
    areas = state.areas
    kinds = areas.groupby("controller")["kind"].agg(set).to_dict() if len(areas) else {}
    statuses = set(areas["status"]) if len(areas) else set()
    entries: list[tuple[object, str]] = []
    for side in base.legend:
        present = kinds.get(side.id, set())
        parts = [_swatch(side.color)] if "held" in present else []
        parts += [_swatch(zone_tint(side.color))] if "zone" in present else []
        if parts:
            entries.append((tuple(parts), side.name))
    if UNCERTAIN in statuses:
        dotted = _swatch(LEGEND_SAMPLE_BG, hatch=UNCERTAIN_SAMPLE_HATCH)
        dotted.set_edgecolor(LEGEND_SAMPLE_EDGE_COLOR)
        entries.append((dotted, UNCERTAIN_LABEL))
    if "contested" in statuses:
        hatched = Patch(
            facecolor=LEGEND_SAMPLE_COLOR,
            hatch="///",
            edgecolor=LEGEND_SAMPLE_EDGE_COLOR,
            linewidth=0,
        )
        entries.append((hatched, f"{CONTESTED_LABEL}: hatched in the attacker's colour"))
    if "besieged" in statuses:
        ringed = Patch(
            facecolor=LEGEND_SAMPLE_COLOR, edgecolor=LEGEND_SAMPLE_EDGE_COLOR, linewidth=2.5
        )
        entries.append((ringed, f"{BESIEGED_LABEL}: ringed in the besieger's colour"))
    if state.unassigned:
        entries.append((_swatch(UNASSIGNED_COLOR), UNASSIGNED_LABEL))
    if not state.frontlines.empty:
        front = Line2D([], [], **FRONTLINE_STYLE, path_effects=FRONTLINE_HALO)
        entries.append((front, FRONTLINE_LABEL))
    if state.change is not None and state.change.recent:
        entries.append((Line2D([], [], **CHANGED_STYLE), changed_label(state.change)))
    if (areas.get("basis") == "inferred").any():
        lighter = Patch(facecolor=INFERRED_SAMPLE_COLOR, alpha=INFERRED_ALPHA)
        entries.append((lighter, "lighter: inferred, not reported"))
    return entries


def changed_label(change: Change) -> str:
    """The legend's name of the dashed outline: the day or the days of the window."""
    first, last = change.dates[0], change.dates[-1]
    if first == last:
        return CHANGED_LABEL.format(date=f"on {format_day(last)}")
    if (first.year, first.month) == (last.year, last.month):
        return CHANGED_LABEL.format(date=f"{first.day}–{format_day(last)}")
    span = f"{first.day} {first:%B}" if first.year == last.year else format_day(first)
    return CHANGED_LABEL.format(date=f"{span} – {format_day(last)}")


def draw_footer(fig: Figure, base: Basemap, state: MapState, layout: Layout) -> None:
    """The legend, the change note and the credits under the map."""
    w, h = layout.width_in, layout.height_in
    shrink = min(1.0, w / LEGEND_FULL_WIDTH_IN)
    entries = legend_handles(base, state)
    zones = (state.areas["kind"] == "zone").any() if len(state.areas) else False
    fig.legend(
        title=ZONE_KEY_TITLE if zones else None,
        title_fontproperties={"family": FONT, "size": 7.5 * shrink, "weight": "bold"},
        alignment="left",
        handles=[handle for handle, _ in entries],
        labels=[label for _, label in entries],
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.15)},
        loc="upper left",
        bbox_to_anchor=(MARGIN_IN / w, (FOOTER_H_IN - 0.06) / h),
        ncol=LEGEND_COLUMNS,
        frameon=False,
        handlelength=2.2,
        columnspacing=1.2,
        labelspacing=0.35,
        borderaxespad=0,
        prop={"family": FONT, "size": 7.5 * shrink},
    )
    rows = -(-len(entries) // LEGEND_COLUMNS) + (1 if zones else 0)
    note = change_note(
        state.change,
        width=int((w - 2 * MARGIN_IN) * CHARS_PER_IN),
        lines=3 if rows <= LEGEND_ROWS_FOR_LONG_NOTE else 2,
    )
    fig.text(
        MARGIN_IN / w,
        0.40 / h,
        note,
        linespacing=1.3,
        fontsize=7.5,
        family=FONT,
        color=CHANGE_NOTE_COLOR if state.change and state.change.recent else NO_CHANGE_NOTE_COLOR,
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
