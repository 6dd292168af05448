"""Label placement on a static map: place markers, and names placed greedily where they fit.

Place names are shown in their Latin form only: matplotlib does not shape Arabic (letters
would come out unjoined and left-to-right), and mapgen does not depend on a shaping library.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from mapgen.render.basemap import FONT, Basemap, MapState, changed_ground
from mapgen.render.style import HALO_COLOR, MARKER_EDGE_COLOR, UNKNOWN_SIDE_COLOR

LABEL_PT = 7.5
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
Window = tuple[float, float, float, float]  # x0, x1, y0, y1 in the map CRS


def place_labels(
    fig: Figure,
    ax: Axes,
    base: Basemap,
    state: MapState,
    *,
    avoid: list[Bbox],
    within: Window | None = None,
    skip: Window | None = None,
) -> None:
    """Place markers for the places with a known state, labels placed greedily.

    Places that just changed first, then the biggest; a label goes right, left,
    above, below or diagonally off its marker (near, then farther), at the first position
    that stays in the map and overlaps no label, marker, scale bar or just-changed area
    (those must stay visible). A label that fits nowhere is left out. ``within`` keeps only
    the places inside a window; ``skip`` leaves the names of those inside one out.
    """
    held = state.places.drop_duplicates("place_id").set_index("place_id")
    shown = _shown(base, state, held.index, within)
    if shown.empty:
        return
    holder = held["controller"].reindex(shown["place_id"]).to_numpy()
    colors = [base.colors.get(c, UNKNOWN_SIDE_COLOR) for c in holder]
    marker = {"s": 14, "edgecolors": MARKER_EDGE_COLOR, "linewidths": 0.7, "zorder": 7}
    ax.scatter(shown["x"], shown["y"], c=colors, **marker)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer).shrunk(0.99, 0.99)
    pts = ax.transData.transform(shown[["x", "y"]].to_numpy())
    taken = _taken_boxes(ax, state, pts, avoid, frame, px_per_pt=fig.dpi / 72)
    named = ~_in_window(shown, skip) if skip is not None else np.ones(len(shown), dtype=bool)
    order = np.flatnonzero(named)[:MAX_LABELS]
    probe = ax.text(0, 0, "", fontsize=LABEL_PT, family=FONT)
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
        _annotate(ax, row, (dx, dy), ha, va)
    probe.remove()


def _shown(base: Basemap, state: MapState, held: pd.Index, within: Window | None) -> pd.DataFrame:
    """The label candidates with a known state (inside ``within``), just-changed first."""
    shown = base.labels[base.labels["place_id"].isin(held)]
    if within is not None:
        shown = shown[_in_window(shown, within)]
    first = shown["place_id"].isin(_changed_ids(state))
    return pd.concat([shown[first], shown[~first]])


def _changed_ids(state: MapState) -> tuple[str, ...]:
    return state.change.place_ids if state.change is not None else ()


def _taken_boxes(
    ax: Axes, state: MapState, pts: np.ndarray, avoid: list[Bbox], frame: Bbox, *, px_per_pt: float
) -> np.ndarray:
    """Pixel boxes (x0, y0, x1, y1) no label may cover: the markers first (row i is
    place i's marker), then ``avoid`` and the small just-changed areas."""
    r = 4.0 * px_per_pt
    markers = np.column_stack([pts[:, 0] - r, pts[:, 1] - r, pts[:, 0] + r, pts[:, 1] + r])
    boxes = [b.extents for b in avoid]
    changed = changed_ground(state.areas, state.change)
    to_px = ax.transData.transform
    changed_boxes = [to_px(np.array(g.bounds).reshape(2, 2)).ravel() for g in changed.geometry]
    # keep small changed areas visible; a large one cannot be avoided, its labels must still fit
    small = frame.width * frame.height * SMALL_AREA_SHARE
    boxes += [b for b in changed_boxes if (b[2] - b[0]) * (b[3] - b[1]) < small]
    return np.vstack([markers, np.array(boxes).reshape(-1, 4)])


def _annotate(ax: Axes, row: object, offset: tuple[float, float], ha: str, va: str) -> None:
    ax.annotate(
        row.name,  # type: ignore[attr-defined]
        (row.x, row.y),  # type: ignore[attr-defined]
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=LABEL_PT,
        family=FONT,
        path_effects=[patheffects.withStroke(linewidth=2.5, foreground=HALO_COLOR)],
        zorder=8,
    )


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


def _in_window(frame: pd.DataFrame, window: Window) -> np.ndarray:
    x0, x1, y0, y1 = window
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
