"""Which areas are parts of one drawn ground, to be drawn without an outline of their own.

The default controller's ground comes in 100 km tiles (``rest:<n>``) and an imported polygon
series in pieces (``mapgen import-areas``): both only cut one side's ground into parts, so
outlining each part would draw the grid on the map. Where such ground meets the other side
the frontline is drawn; where it meets the sea, its fill ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mapgen.areaimport.dataset import PIECE_METHOD


def seamless(areas: pd.DataFrame, shapes: pd.DataFrame) -> np.ndarray:
    """For each area row (``basis``, ``polygon``), whether it is a tile of the default
    controller's ground or a piece of an imported series (``shapes``: the dataset's
    polygons, with ``area`` and ``method``)."""
    tiles = areas["basis"].to_numpy() == "default"
    if shapes.empty or "method" not in shapes.columns:
        return tiles
    imported = shapes["method"].astype(str).str.startswith(PIECE_METHOD)
    pieces = areas["polygon"].isin(set(shapes.loc[imported, "area"])).to_numpy()
    return tiles | pieces
