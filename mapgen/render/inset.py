"""Inset search: where a static map needs an enlargement, and where on the map it goes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

INSET_MIN_PLACES = 4
INSET_RADIUS = 0.035  # of the map's width: places this close crowd each other
INSET_SIZE = 0.22  # the enlargement's width, of the map's width
_PAD = 0.012  # between the enlargement and the map's edge, of the map's width


@dataclass(frozen=True)
class Inset:
    """An enlarged window on the map's most crowded cluster of places.

    ``window`` is (x0, x1, y0, y1) in the map CRS; ``corner`` is where the enlargement sits
    on the map (fractions of the map axes: x0, y0, width, height); ``name`` titles it.
    """

    window: tuple[float, float, float, float]
    corner: tuple[float, float, float, float]
    name: str


def find_inset(
    labels: pd.DataFrame, xlim: tuple[float, float], ylim: tuple[float, float]
) -> Inset | None:
    """A window on the densest cluster of places that changed hands (at least
    INSET_MIN_PLACES of them), placed in the map corner with the fewest places (never the
    bottom left, which has the scale bar); None where changes are too sparse to crowd.

    ``labels`` has the places' map coordinates ``x``, ``y``, ``name`` and ``changed``
    (whether the place changed hands in the map's range), biggest first. The enlargement
    goes where the fighting is, never to a crowd of places that nothing happened to.
    """
    changed = labels[labels["changed"]] if "changed" in labels.columns else labels
    if len(changed) < INSET_MIN_PLACES:
        return None
    width = xlim[1] - xlim[0]
    xy = changed[["x", "y"]].to_numpy()
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
    size = (INSET_SIZE, INSET_SIZE * aspect)
    spot = _emptiest_spot(labels[["x", "y"]].to_numpy(), window, size, xlim, ylim)
    if spot is None:
        return None
    name = str(changed.loc[near[best]].iloc[0]["name"])  # the biggest place of the cluster
    return Inset(window, (*spot, *size), name)


def _emptiest_spot(
    xy: np.ndarray,
    window: tuple[float, float, float, float],
    size: tuple[float, float],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> tuple[float, float] | None:
    """The lower-left corner (fractions of the map) for an enlargement of ``size`` that
    covers the fewest places, then keeps farthest from the nearest; off the window and the
    scale bar."""
    w, h = size
    width, height = xlim[1] - xlim[0], ylim[1] - ylim[0]
    fx = (xy[:, 0] - xlim[0]) / width
    fy = (xy[:, 1] - ylim[0]) / height
    wx = (np.array(window[:2]) - xlim[0]) / width
    wy = (np.array(window[2:]) - ylim[0]) / height
    spots = [
        (x, y)
        for x in np.linspace(_PAD, 1 - w - _PAD, 15)
        for y in np.linspace(_PAD, 1 - h - _PAD, 15)
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

    return min(spots, key=covered)
