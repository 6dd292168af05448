"""Change notes: what changed on or shortly before a map's day, in words.

A map names the changes of the :data:`RECENT_DAYS` days up to and including its day (and
outlines the held ground of the places and areas that changed then); with none in that
window it says so, and when the last change was. A map of 1 June 2018 never reads
"changed on 21 May 2018" as if that were news of the day.

Each row of ``Timeline.changes()`` is put in words by its kind
(:func:`mapgen.changes.change_kind`): a change, the start of an uncertain window (a change
known only to the month), its end, or the end of an area event.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapgen.areaimport.dataset import piece_ids, remainder_ids
from mapgen.changes import SETTLED, Coarse, change_kind, coarse_events, reported_period
from mapgen.controllers import Controllers
from mapgen.events import ENDED
from mapgen.render.piece_changes import piece_lines
from mapgen.render.style import format_day
from mapgen.territory import Territory
from mapgen.timeline import UNCERTAIN

RECENT_DAYS = 7  # a map names the changes of this many days, its own included
TINY_KM2 = 0.1  # an imported change of less ground is told after the others


@dataclass(frozen=True)
class Change:
    """The changes of the days up to a map's day.

    ``dates`` are the change dates in the window (oldest first, empty if none); ``units``
    the area units whose held ground changed then (place ids and ``polygon:<id>``);
    ``lines`` the changes in words, changes of hands first, then of status, then areas
    redrawn or ended, each group newest first; ``last`` the last change date on or
    before the day (even outside the window), None if there is none yet.
    """

    day: pd.Timestamp
    dates: tuple[pd.Timestamp, ...]
    units: tuple[str, ...]
    lines: tuple[str, ...]
    last: pd.Timestamp | None

    @property
    def recent(self) -> bool:
        """Whether anything changed in the window."""
        return bool(self.dates)

    @property
    def place_ids(self) -> tuple[str, ...]:
        """The places among the changed units."""
        return tuple(u for u in self.units if not u.startswith("polygon:"))

    def key(self) -> str:
        """What the note and outline show, as text (equal keys draw the same)."""
        last = f"{self.last:%Y-%m-%d}" if self.last is not None else ""
        return "\x1f".join([last, *map(str, self.dates), *self.units, *self.lines])


@dataclass(frozen=True)
class ChangeNotes:
    """Every change of a territory's timeline (``Timeline.changes()``), to look up by day."""

    dates: pd.DatetimeIndex
    table: pd.DataFrame  # the changes, with ``kind``, ``unit``, ``line`` and ``weight`` added
    window_days: int = RECENT_DAYS

    def on(self, day: pd.Timestamp) -> Change:
        """The changes of the ``window_days`` days up to and including ``day``."""
        day = pd.Timestamp(day).normalize()
        before = self.dates[self.dates <= day]
        last = before[-1] if len(before) else None
        first = day - pd.Timedelta(days=self.window_days - 1)
        rows = self.table[(self.table["date"] >= first) & (self.table["date"] <= day)]
        # the news first: changes of hands, then of status, then areas redrawn or ended;
        # each group newest first (a note cut to its lines keeps what matters)
        rows = rows.assign(_date=rows["date"].rsub(day)).sort_values(
            ["weight", "_date"], kind="stable"
        )
        dated = rows["date"].nunique() > 1
        # the same words on the same day (the pieces of an imported polygon) are told once
        told = rows[rows["line"] != ""]
        told = told.assign(times=told.groupby(["date", "line"])["line"].transform("size"))
        told = told.drop_duplicates(["date", "line"])
        lines = tuple(
            (f"{r.date.day} {r.date:%B}: " if dated else "")
            + (f"{r.line} (×{r.times})" if r.times > 1 else r.line)
            for r in told.itertuples(index=False)
        )
        units = tuple(sorted(set(rows.loc[rows["kind"] != ENDED, "unit"]) - {""}))
        dates = tuple(sorted(set(rows["date"])))
        return Change(day, dates, units, lines, last)


def change_notes(territory: Territory) -> ChangeNotes:
    """The changes of ``territory``'s timeline in words, computed once for every map of it."""
    timeline = territory.timeline
    table = timeline.changes()
    coarse = coarse_events(timeline.dataset.events)
    controllers = timeline.dataset.controllers
    default = timeline.dataset.info.default_controller
    kinds, lines, units = [], [], []
    for row in table.to_dict("records"):
        kind = change_kind(row, coarse)
        kinds.append(kind)
        lines.append(change_line(row, controllers, coarse, kind=kind, default=default))
        units.append(f"polygon:{row['polygon']}" if row["polygon"] else str(row["place_id"]))
    table = table.assign(
        kind=pd.Series(kinds, index=table.index, dtype="str"),
        unit=pd.Series(units, index=table.index, dtype="str"),
        line=pd.Series(lines, index=table.index, dtype="str"),
    )
    # the order of the news: a change of hands (or a window in which it may happen), then a
    # change of status (an assault, a siege), then an area no longer drawn
    same_side = (table["from_controller"] == table["to_controller"]) & (table["kind"] != UNCERTAIN)
    table["weight"] = np.where(table["kind"] == ENDED, 2, np.where(same_side, 1, 0))
    # an imported series' pieces are told by the ground they moved, not one by one
    dataset = timeline.dataset
    is_piece = table["polygon"].isin(piece_ids(dataset.shapes))
    if not is_piece.any():
        return ChangeNotes(timeline.change_dates, _redrawn(table, dataset.shapes, controllers))
    pieces = table[is_piece].assign(line="")
    kept = remainder_ids(dataset.shapes)
    pieces["unit"] = pieces["unit"].where(~pieces["polygon"].isin(kept), "")
    moved = piece_lines(pieces, dataset, controllers, default).assign(kind="change", unit="")
    # ground under 0.1 km² (mostly a line redrawn) is told after the changes of hands
    moved["weight"] = np.where(moved["area_km2"] < TINY_KM2, 1, 0)
    table = pd.concat(
        [_redrawn(table[~is_piece], dataset.shapes, controllers), pieces, moved],
        ignore_index=True,
    )
    return ChangeNotes(timeline.change_dates, table.sort_values("date", kind="stable"))


def _redrawn(
    table: pd.DataFrame, shapes: gpd.GeoDataFrame, controllers: Controllers
) -> pd.DataFrame:
    """An area of a side that ends on the day another area of that side begins over some of
    the same ground is one area redrawn from a newer report: one line for the pair
    (``X: redrawn, Islamic State (ISIS)``), not "Islamic State → area no longer drawn as a
    whole" and "nobody → Islamic State". Pairs are taken by overlap (intersection over
    union), largest first, each area in one pair at most."""
    is_polygon = table["polygon"].astype(bool)
    ended = table[is_polygon & (table["kind"] == ENDED)].reset_index()
    begun = table[is_polygon & (table["kind"] != ENDED) & ~table["from_controller"].astype(bool)]
    pairs = ended.merge(
        begun.reset_index(),
        left_on=["date", "from_controller"],
        right_on=["date", "to_controller"],
        suffixes=("_old", "_new"),
    )
    if pairs.empty:
        return table
    geometry = shapes.drop_duplicates("area").set_index("area").geometry
    old = geometry.reindex(pairs["polygon_old"]).to_numpy()
    new = geometry.reindex(pairs["polygon_new"]).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = shapely.area(shapely.intersection(old, new)) / shapely.area(shapely.union(old, new))
    pairs = pairs.assign(iou=np.nan_to_num(iou)).query("iou > 0")
    table = table.copy()
    used_old, used_new = set(), set()
    for pair in pairs.sort_values("iou", ascending=False, kind="stable").itertuples(index=False):
        if pair.index_old in used_old or pair.index_new in used_new:
            continue
        used_old.add(pair.index_old)
        used_new.add(pair.index_new)
        side = _side(controllers, pair.to_controller_new, pair.to_status_new, pair.opponent_new)
        if pair.from_status_old == pair.to_status_new:
            change = f"redrawn, {side}"
        else:
            before = _side(controllers, pair.from_controller_old, pair.from_status_old)
            change = f"{before} → {side} (redrawn)"
        table.loc[pair.index_new, ["line", "weight"]] = [f"{pair.place_new}: {change}", 2]
    return table.drop(index=sorted(used_old))


def change_note(change: Change | None, *, width: int = 150, lines: int = 2) -> str:
    """The changes of the window in at most ``lines`` lines of ``width`` characters, or
    that there was none (and when the last one was)."""
    if change is None or (not change.recent and change.last is None):
        return "No change of control in the range so far."
    if not change.recent:
        assert change.last is not None
        return (
            f"No change of control in the {RECENT_DAYS} days to {format_day(change.day)} "
            f"(the last: {format_day(change.last)})."
        )
    if change.dates == (change.day,):
        head = f"Changed on {format_day(change.day)}: "
    else:
        head = f"Changes in the {RECENT_DAYS} days to {format_day(change.day)}: "
    wrapped = textwrap.wrap(head + "; ".join(_dated_once(change)), width=width)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def _dated_once(change: Change) -> list[str]:
    """The change's lines with each day said once, before the first of its lines in a row
    ("16 January: A; B; 15 January: C", not "16 January: A; 16 January: B; …")."""
    days = {f"{d.day} {d:%B}: " for d in change.dates} if len(change.dates) > 1 else set()
    out, last = [], ""
    for line in change.lines:
        day = next((d for d in days if line.startswith(d)), "")
        out.append(line.removeprefix(day) if day and day == last else line)
        last = day
    return out


def _side(controllers: Controllers, cid: object, status: object, by: object = None) -> str:
    """A side as a change note names it: its name, with its status unless plainly held
    (and the attacker, when known)."""
    name = controllers.name_of(cid)
    if not isinstance(status, str) or status in ("", "controlled", UNCERTAIN):
        return name
    if isinstance(by, str) and by:
        return f"{name} ({status} by {controllers.name_of(by)})"
    return f"{name} ({status})"


def change_line(
    row: Mapping[str, object],
    controllers: Controllers,
    coarse: Coarse,
    *,
    kind: str | None = None,
    default: str = "",
) -> str:
    """One change in words: ``Abu Kamal: Islamic State (ISIS) → Syrian government``.

    ``default``: the dataset's default controller, who holds the ground before an area
    begins and after it ends (an import of polygons: ``Ukraine → Russia``, not ``nobody``).
    """
    kind = kind or change_kind(row, coarse)
    place = row["place"]
    before = _side(controllers, row["from_controller"] or default, row["from_status"])
    if kind == ENDED and default:
        return f"{place}: {before} → {controllers.name_of(default)} (area no longer drawn)"
    if kind == ENDED:
        return f"{place}: {before} → area no longer drawn as a whole (its places decide)"
    if kind == UNCERTAIN:
        new = controllers.name_of(row["opponent"] or row["to_controller"])
        period, precision = reported_period(row, coarse)
        when = f"during {period}, date known only to the {precision}" if period else "uncertain"
        return f"{place}: {before} → {new} ({when})"
    after = _side(controllers, row["to_controller"], row["to_status"], row.get("opponent"))
    if kind == SETTLED:
        period, _ = reported_period(row, coarse)
        return f"{place}: {after} from now on (taken during {period})"
    return f"{place}: {before} → {after}"
