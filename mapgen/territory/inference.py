"""Inferred control: minor places inherit the state of the nearest reported place.

Only on request (``TerritoryOptions.infer``), only from a reported place on the same bank of
the Euphrates or the Tigris (the straight line between them does not cross either river),
and only within ``infer_max_km``. Inferred intervals say so in ``basis`` and name the place
they come from in ``inferred_from``; their sources are that place's sources.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapgen.territory.options import Setting


def infer_states(
    reported: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, setting: Setting
) -> gpd.GeoDataFrame:
    """Intervals for ``candidates`` (gazetteer places without events), copied from the
    nearest same-bank place of ``reported`` (timeline intervals); both in ``setting.crs``."""
    anchors = reported.drop_duplicates("place_id").set_index("place_id").geometry
    if anchors.empty or candidates.empty:
        return reported.iloc[0:0].copy()
    tree = shapely.STRtree(anchors.values)
    max_m = setting.options.infer_max_km * 1000.0
    rivers = setting.main_rivers
    shapely.prepare(rivers)
    chosen: dict[str, str] = {}
    for place_id, point in candidates.geometry.items():
        near = tree.query(point, predicate="dwithin", distance=max_m)
        if len(near) == 0:
            continue
        order = near[np.argsort(shapely.distance(anchors.values[near], point))]
        for k in order:
            segment = shapely.LineString([point, anchors.values[k]])
            if rivers.is_empty or not shapely.intersects(segment, rivers):
                chosen[str(place_id)] = str(anchors.index[k])
                break
    rows = []
    for place_id, source in sorted(chosen.items()):
        copied = reported[reported["place_id"] == source].copy()
        copied["inferred_from"] = source
        copied["place_id"] = place_id
        copied["basis"] = "inferred"
        copied["geometry"] = candidates.geometry[place_id]
        rows.append(copied)
    if not rows:
        return reported.iloc[0:0].copy()
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), crs=reported.crs)
