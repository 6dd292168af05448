"""The ground series every chart draws: per side and period, held ground and zone apart,
each split into certain and uncertain ground.

``Territory.stats()`` gives ``held_km2``, ``zone_km2`` and ``uncertain_km2`` (of both);
a chart that stacks held ground and zones and marks the uncertain part of each needs the
uncertain ground per kind, which this module sums from the areas themselves (the same
rows, so ``held + held_uncertain`` is ``stats()``'s ``held_km2``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mapgen.territory import Territory
from mapgen.timeline import UNCERTAIN

PARTS = ("held", "held_uncertain", "zone", "zone_uncertain")


def ground_series(territory: Territory) -> pd.DataFrame:
    """km² per period of constant state (index: its first day, ``date``) and side.

    Columns: a MultiIndex (controller, part) with the parts of :data:`PARTS`: ``held`` and
    ``zone`` are the certain ground of each kind, ``held_uncertain`` and ``zone_uncertain``
    the ground whose holder may have changed (a change known only to the month). Sides in
    the controllers table's order, those with no ground in the range left out.
    """
    periods = territory.timeline.periods()
    starts = periods["valid_from"].to_numpy().astype("datetime64[ns]")
    areas = territory.areas
    part = np.where(areas["status"].to_numpy() == UNCERTAIN, "_uncertain", "")
    key = areas["controller"].to_numpy().astype(str) + "\x1f" + areas["kind"] + part
    columns = sorted(set(key))
    col = pd.Index(columns).get_indexer(key)
    table = np.zeros((len(starts) + 1, len(columns)))
    begin = np.searchsorted(starts, areas["valid_from"].to_numpy().astype("datetime64[ns]"))
    end_days = areas["valid_to"].to_numpy().astype("datetime64[ns]")
    end = np.where(np.isnat(end_days), len(starts), np.searchsorted(starts, end_days))
    km2 = areas["area_km2"].to_numpy(dtype=float)
    np.add.at(table, (begin, col), km2)  # a row counts from its first period to its last
    np.add.at(table, (end, col), -km2)
    sums = np.cumsum(table, axis=0)[:-1]
    frame = pd.DataFrame(
        np.round(sums, 3), index=pd.DatetimeIndex(starts, name="date"), columns=columns
    )
    order = [c.id for c in territory.timeline.dataset.controllers]
    sides = [s for s in order if any(c.startswith(s + "\x1f") for c in columns)]
    sides += sorted({c.split("\x1f")[0] for c in columns} - set(sides))
    wanted = pd.MultiIndex.from_product([sides, PARTS], names=["controller", "part"])
    flat = [f"{s}\x1f{p}" for s, p in wanted]
    out = frame.reindex(columns=flat, fill_value=0.0)
    out.columns = wanted
    return out.clip(lower=0.0)


def daily(series: pd.DataFrame, territory: Territory) -> pd.DataFrame:
    """``series`` (per period) for every day of the range."""
    days = pd.date_range(territory.timeline.start, territory.timeline.end, freq="D", name="date")
    return series.reindex(days, method="ffill")
