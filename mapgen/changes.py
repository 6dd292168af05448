"""What kind of change a row of ``Timeline.changes()`` is, for every writer and renderer.

- ``change``: a holder or status changed on a known day (or week);
- ``uncertain``: a change of hands known only to the month (or year) begins: for the days
  it may not yet have happened the old holder is drawn uncertain, the new one in ``opponent``;
- ``settled``: that window is over and the new holder's from now on; not a change of the
  day (its sources are the month-dated event);
- ``ended``: an area event's polygon no longer overrides the places.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from mapgen.events import ENDED
from mapgen.timeline import SOURCE_SEPARATOR, UNCERTAIN

CHANGE = "change"
SETTLED = "settled"
KINDS = (CHANGE, UNCERTAIN, SETTLED, ENDED)
_COARSE = ("month", "year")

Coarse = dict[str, tuple[pd.Timestamp, str]]


def coarse_events(events: pd.DataFrame) -> Coarse:
    """The events dated only to a month or year: event id -> (first day, precision)."""
    rows = events[events["precision"].isin(_COARSE)]
    return {
        str(e): (pd.Timestamp(s), str(p))
        for e, s, p in zip(rows["event_id"], rows["start"], rows["precision"], strict=True)
    }


def change_kind(row: Mapping[str, object], coarse: Coarse) -> str:
    """The kind of one change row (see the module's notes); ``coarse``: :func:`coarse_events`."""
    if row["to_status"] == ENDED:
        return ENDED
    if row["to_status"] == UNCERTAIN:
        return UNCERTAIN
    if row["from_status"] == UNCERTAIN and reported_period(row, coarse)[0]:
        return SETTLED
    return CHANGE


def change_kinds(changes: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """The kind of every row of ``changes`` (a ``Timeline.changes()`` frame)."""
    coarse = coarse_events(events)
    kinds = [change_kind(row, coarse) for row in changes.to_dict("records")]
    return pd.Series(kinds, index=changes.index, dtype="str", name="kind")


def reported_period(row: Mapping[str, object], coarse: Coarse) -> tuple[str, str]:
    """The month or year a coarse-dated change was reported for, and that precision
    (``("December 2018", "month")``), from the row's source events; empty strings if they
    are dated to the day."""
    ids = [i for i in str(row["sources"]).split(SOURCE_SEPARATOR) if i in coarse]
    if not ids:
        return "", ""
    start, precision = max(coarse[i] for i in ids)
    return (f"{start:%B %Y}" if precision == "month" else f"{start:%Y}"), precision
