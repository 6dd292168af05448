"""The enlargement of a static map: where the recent changes are, when they are small.

A map enlarges the held ground that changed in its change window (see
:mod:`mapgen.render.changes`), or with no recent change the held ground under assault (else
under siege; :func:`mapgen.render.basemap.focus_ground`), when all of it fits in a window small
enough that the enlargement shows it bigger; otherwise (nothing changing, or changes spread
over the map) it has none. The enlargement goes in the part of the map that covers the
fewest places.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

INSET_SIZE = 0.22  # the enlargement's width, of the map's width
INSET_MAX_EXTENT = 0.1  # changed ground wider than this share of the map is shown at map scale
INSET_MIN_HALF = 0.016  # the window's half-width at least, of the map's width: some context
INSET_MARGIN = 0.6  # the window's half-width is at least this much of the changed ground's extent
_PAD = 0.012  # between the enlargement and the map's edge, of the map's width


@dataclass(frozen=True)
class Inset:
    """An enlarged window on the map.

    ``window`` is (x0, x1, y0, y1) in the map CRS; ``corner`` is where the enlargement sits
    on the map (fractions of the map axes: x0, y0, width, height); ``name`` titles it.
    """

    window: tuple[float, float, float, float]
    corner: tuple[float, float, float, float]
    name: str


def find_inset(
    changed: gpd.GeoDataFrame,
    labels: pd.DataFrame,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> Inset | None:
    """A window on ``changed`` (the held ground that just changed, in the map CRS), placed in
    the part of the map with the fewest places (never the bottom left, the scale bar's), or
    None if nothing changed or the changes span more than INSET_MAX_EXTENT of the map.

    ``labels`` has the places' map coordinates ``x``, ``y``, ``place_id`` and ``name``,
    biggest first: the biggest changed place names the enlargement.
    """
    geoms = changed.geometry[~(changed.geometry.isna() | changed.geometry.is_empty)]
    if geoms.empty:
        return None
    width, height = xlim[1] - xlim[0], ylim[1] - ylim[0]
    x0, y0, x1, y1 = geoms.total_bounds
    extent = max(x1 - x0, y1 - y0)
    if extent > INSET_MAX_EXTENT * width:
        return None
    half = max(INSET_MARGIN * extent, INSET_MIN_HALF * width)
    cx = float(np.clip((x0 + x1) / 2, xlim[0] + half, xlim[1] - half))
    cy = float(np.clip((y0 + y1) / 2, ylim[0] + half, ylim[1] - half))
    window = (cx - half, cx + half, cy - half, cy + half)
    size = (INSET_SIZE, INSET_SIZE * width / height)
    spot = _emptiest_spot(labels[["x", "y"]].to_numpy(), window, size, xlim, ylim)
    if spot is None:
        return None
    return Inset(window, (*spot, *size), _name(changed, labels))


def _name(changed: gpd.GeoDataFrame, labels: pd.DataFrame) -> str:
    """The biggest changed place, else the name of the biggest changed area."""
    named = labels[labels["place_id"].isin(changed["place_id"])]
    if not named.empty:
        return str(named.iloc[0]["name"])
    biggest = changed.geometry.area.to_numpy().argmax()
    return str(changed["place"].iloc[biggest])


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
