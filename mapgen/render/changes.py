"""Change notes: the last change date on or before a day, and what changed then, in words.

A map marks the places that changed (holder or status) on the last change date and names
them under the map ("Al-Qaim: Islamic State (contested) → Iraqi government forces").
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pandas as pd

from mapgen.controllers import Controllers
from mapgen.render.style import format_day
from mapgen.territory import Territory


@dataclass(frozen=True)
class Change:
    """The last change date on or before a day, and what changed then."""

    date: pd.Timestamp
    place_ids: tuple[str, ...]
    lines: tuple[str, ...]
    polygons: tuple[str, ...] = ()  # ids of the areas (polygon events) that changed


@dataclass(frozen=True)
class ChangeNotes:
    """Every change of a territory's timeline (``Timeline.changes()``), to look up by day."""

    dates: pd.DatetimeIndex
    table: pd.DataFrame
    controllers: Controllers

    def last_on(self, day: pd.Timestamp) -> Change | None:
        """The last change date on or before ``day`` and the places that changed then."""
        before = self.dates[self.dates <= day]
        if len(before) == 0:
            return None
        date = before[-1]
        rows = self.table[self.table["date"] == date]
        lines = tuple(_change_line(row, self.controllers) for _, row in rows.iterrows())
        places = tuple(sorted(p for p in rows["place_id"] if p))
        polygons = tuple(sorted(p for p in rows["polygon"] if p))
        return Change(date, places, lines, polygons)


def change_notes(territory: Territory) -> ChangeNotes:
    """The changes of ``territory``'s timeline, computed once for every map of it."""
    timeline = territory.timeline
    return ChangeNotes(timeline.change_dates, timeline.changes(), timeline.dataset.controllers)


def change_note(change: Change | None, *, width: int = 150, lines: int = 2) -> str:
    """The places that changed (holder or status) on the last change date, in at most
    ``lines`` lines of ``width`` characters."""
    if change is None:
        return "No change of control in the range so far."
    text = f"Last change, {format_day(change.date)}: " + "; ".join(change.lines)
    wrapped = textwrap.wrap(text, width=width)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def _side(controllers: Controllers, cid: object, status: object, by: object = None) -> str:
    """A side as a change note names it: its name, with its status unless plainly held
    (and the attacker, when known)."""
    if not isinstance(cid, str) or not cid:
        return "nobody"
    name = controllers[cid].name if cid in controllers else cid
    if not isinstance(status, str) or status in ("", "controlled"):
        return name
    if isinstance(by, str) and by:
        return f"{name} ({status} by {controllers[by].name if by in controllers else by})"
    return f"{name} ({status})"


def _change_line(row: pd.Series, controllers: Controllers) -> str:
    before = _side(controllers, row["from_controller"], row["from_status"])
    after = _side(controllers, row["to_controller"], row["to_status"], row.get("opponent"))
    return f"{row['place']}: {before} → {after}"
