"""The one rule for dated rows: what is valid on a day.

Every table of intervals (the timeline's intervals, areas, frontlines, place states) has
``valid_from`` and ``valid_to``; a row is valid on ``day`` when
``valid_from <= day < valid_to`` (``valid_to`` exclusive, NaT = still open). The slider
map's script applies the same rule to the same fields (``validOn`` in
``render/templates/slider/data.js``, field names in ``slider/schema.json``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def valid_on(frame: pd.DataFrame, day: pd.Timestamp | str) -> pd.Series:
    """True for the rows of ``frame`` valid on ``day``."""
    day = pd.Timestamp(day)
    return (frame["valid_from"] <= day) & (frame["valid_to"].isna() | (frame["valid_to"] > day))


def valid_at(valid_from: object, valid_to: object, day: object) -> bool:
    """The same rule for one row: ``valid_from <= day < valid_to`` (``valid_to`` None or
    NaT: still open)."""
    return bool(valid_from <= day) and (valid_to is None or pd.isna(valid_to) or day < valid_to)


def valid_on_days(frame: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """``valid[d, row]``: whether each row of ``frame`` is valid on each of ``days``."""
    vf = frame["valid_from"].to_numpy().astype("datetime64[ns]")
    vt = frame["valid_to"].to_numpy().astype("datetime64[ns]")
    d = np.asarray(days, dtype="datetime64[ns]")[:, None]
    return (vf[None, :] <= d) & (np.isnat(vt)[None, :] | (vt[None, :] > d))
