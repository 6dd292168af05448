"""Lakes: the Natural Earth lakes of the region, named by a point inside each."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from tools.boundaries.common import LAKE_TOLERANCE, BuildError, as_polygonal, bbox_polygon

#: Approximate points inside the NE 10m lakes of the region (hand-placed from the
#: lakes' known positions; each must fall in exactly one lake polygon).
LAKE_POINTS: dict[str, tuple[float, float]] = {
    "Lake Tiberias": (35.58, 32.80),
    "Dead Sea": (35.48, 31.53),
    "Dead Sea (southern basin)": (35.45, 31.17),
    "Lake Assad": (38.09, 36.06),
    "Atatürk Reservoir": (38.805, 37.658),
    "Karakaya Reservoir": (38.86, 38.39),
    "Lake Habbaniyah": (43.44, 33.31),
    "Lake Tharthar": (43.22, 34.02),
    "Lake Razzaza": (43.57, 32.81),
    "Hawr al-Hammar": (47.07, 30.79),
    "Lake Urmia": (45.51, 37.70),
    "Lake Van": (43.05, 38.41),
}


def lake_features(geoms: np.ndarray) -> list[dict[str, Any]]:
    """NE lakes meeting the bbox, clipped, simplified and named from LAKE_POINTS."""
    region = bbox_polygon()
    feats = []
    for geom in geoms[shapely.intersects(geoms, region)]:
        clipped = as_polygonal(shapely.intersection(geom, region))
        if clipped.is_empty:
            continue
        names = [n for n, xy in LAKE_POINTS.items() if clipped.contains(Point(xy))]
        if len(names) > 1:
            raise BuildError(f"lake at {clipped.representative_point()} matches {names}")
        simple = as_polygonal(shapely.make_valid(shapely.simplify(clipped, LAKE_TOLERANCE)))
        feats.append({"properties": {"name": names[0] if names else None}, "geometry": simple})
    return feats
