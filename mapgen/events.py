"""Reading and checking the events table.

One row is one report: on ``date``, ``place`` was ``status`` (controlled, contested or
besieged) by ``controller``, according to ``source``. ``opponent`` names the attacker of a
contested place or the besieger of a besieged one.

A row with an ``area`` (an id in the areas file) or a ``geometry`` (WKT) is an area event: it
says who holds that polygon's ground from its date; ``status=ended`` ends it. See
``docs/data_model.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import shapely

from mapgen._io import Row, Table, check_columns, read_csv
from mapgen.areas import AREA_ID, parse_wkt
from mapgen.controllers import Controllers
from mapgen.dates import parse_date
from mapgen.fields import EVENT_ID
from mapgen.gazetteer import Gazetteer
from mapgen.problems import Problems

REQUIRED_COLUMNS = ["date", "place", "controller", "source"]
OPTIONAL_COLUMNS = ["event_id", "status", "opponent", "date_precision", "source_url", "notes"]
OPTIONAL_COLUMNS += ["area", "geometry"]
# Kept from an ACLED import (mapgen import-acled) as ACLED coded them; not interpreted.
OPTIONAL_COLUMNS += ["time_precision", "geo_precision"]
# The order mapgen writes an events table in (extract's candidates, merges).
FILE_COLUMNS = ["event_id", "date", "date_precision", "place", "controller", "status"]
FILE_COLUMNS += ["opponent", "source", "source_url", "notes"]
STATUSES = ("controlled", "contested", "besieged")
ENDED = "ended"  # an area event that ends the area's override
EVENT_COLUMNS = [
    "event_id",
    "line",
    "date",
    "start",
    "precision",
    "place_id",
    "area",
    "geometry",
    "controller",
    "status",
    "opponent",
    "source",
    "source_url",
    "notes",
]
_NO_SOURCE = {"?", "-", "--", "n/a", "na", "none", "unknown", "tbd", "todo", "source?", "xxx"}
_EVENT_ID = EVENT_ID


def read_events(
    path: Path | str,
    problems: Problems,
    *,
    gazetteer: Gazetteer,
    controllers: Controllers,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Read the events table into a frame of resolved events (``EVENT_COLUMNS``).

    Every problem goes to ``problems``; rows with errors are left out of the result.
    ``end`` is the last day of the map's range: later events are reported as warnings.
    """
    table = read_csv(path, problems)
    return check_events(table, problems, gazetteer=gazetteer, controllers=controllers, end=end)


def check_events(
    table: Table,
    problems: Problems,
    *,
    gazetteer: Gazetteer,
    controllers: Controllers,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """:func:`read_events` on rows already read (a file's, or candidate rows in memory)."""
    if not check_columns(table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS):
        return pd.DataFrame(columns=EVENT_COLUMNS)
    records: list[dict[str, object]] = []
    seen_ids: dict[str, int] = {}
    for row in table.rows:
        event_id = row.values.get("event_id") or f"L{row.line}"
        if event_id in seen_ids:
            problems.error(
                f"duplicate event_id (first on line {seen_ids[event_id]})",
                path=table.path,
                line=row.line,
                column="event_id",
                value=event_id,
            )
            continue
        seen_ids[event_id] = row.line
        record = _event_record(row, problems, table.path, gazetteer, controllers)
        if record is not None:
            records.append(record)
    events = pd.DataFrame.from_records(records, columns=EVENT_COLUMNS)
    events["start"] = pd.to_datetime(events["start"])
    events["line"] = events["line"].astype("int64")
    _warn_suspicious(events, problems, table.path, end)
    return events


def _event_record(
    row: Row,
    problems: Problems,
    path: str,
    gazetteer: Gazetteer,
    controllers: Controllers,
) -> dict[str, object] | None:
    v = row.values
    where = {"path": path, "line": row.line}
    before = problems.error_count
    event_id = v.get("event_id") or f"L{row.line}"
    if not _EVENT_ID.fullmatch(event_id):
        problems.error(
            "event_id may hold letters, digits and _ . : - only",
            column="event_id",
            value=event_id,
            **where,
        )
    try:
        date = parse_date(v["date"], v.get("date_precision", ""))
    except ValueError as exc:
        problems.error(str(exc), column="date", value=v["date"], **where)
        date = None
    area, geometry = _area(v, event_id, problems, where)
    is_area = bool(area)
    status = v.get("status") or "controlled"
    place_id = ""
    if v["place"] or not is_area:
        place_id = _resolve_place(v["place"], gazetteer, problems, where)
    controller = ""
    if v["controller"] or status != ENDED:
        controller = _resolve_controller(
            v["controller"], "controller", controllers, problems, where
        )
    if status not in STATUSES and not (is_area and status == ENDED):
        valid = [*STATUSES, ENDED] if is_area else STATUSES
        problems.error(
            "unknown status" if status != ENDED else "only an area event can be ended",
            column="status",
            value=status,
            hint=f"use one of {', '.join(valid)} (empty means controlled)",
            **where,
        )
    opponent = ""
    if v.get("opponent"):
        opponent = _resolve_controller(v["opponent"], "opponent", controllers, problems, where)
        if opponent and opponent == controller:
            problems.error(
                "the opponent is the controller itself",
                column="opponent",
                value=v["opponent"],
                **where,
            )
    if not v["source"]:
        problems.error(
            "every event needs a source",
            column="source",
            hint="name the outlet, the title or a description, and its date",
            **where,
        )
    url = v.get("source_url", "")
    if url and not re.match(r"^https?://\S+$", url):
        problems.error(
            "source_url must be an http(s) address", column="source_url", value=url, **where
        )
    if problems.error_count > before or date is None:
        return None
    return {
        "event_id": event_id,
        "line": row.line,
        "date": v["date"],
        "start": date.start,
        "precision": date.precision,
        "place_id": place_id,
        "area": area,
        "geometry": geometry,
        "controller": controller,
        "status": status,
        "opponent": opponent,
        "source": v["source"],
        "source_url": url,
        "notes": v.get("notes", ""),
    }


def _area(v: dict[str, str], event_id: str, problems: Problems, where: dict) -> tuple:
    """The area id and WKT shape of a row ("" and None for a place event)."""
    area, wkt = v.get("area", ""), v.get("geometry", "")
    if area and not AREA_ID.fullmatch(area):
        problems.error(
            "an area id may hold letters, digits and _ . : - only",
            column="area",
            value=area,
            hint="e.g. 'mosul-east'",
            **where,
        )
    if not wkt:
        return area, None
    geometry, message, hint = parse_wkt(wkt)
    if geometry is None:
        shown = wkt if len(wkt) <= 80 else wkt[:77] + "..."
        problems.error(message, column="geometry", value=shown, hint=hint, **where)
    return area or event_id, geometry


def _resolve_place(text: str, gazetteer: Gazetteer, problems: Problems, where: dict) -> str:
    if not text:
        problems.error("every event needs a place", column="place", **where)
        return ""
    found = gazetteer.resolve(text)
    if len(found) == 1:
        return found[0]
    if not found:
        problems.error(
            "unknown place", column="place", value=text, hint=gazetteer.hint_for(text), **where
        )
    else:
        problems.error(
            "the name fits several places",
            column="place",
            value=text,
            hint=f"use one of the ids {', '.join(found)}",
            **where,
        )
    return ""


def _resolve_controller(
    text: str, column: str, controllers: Controllers, problems: Problems, where: dict
) -> str:
    if not text:
        problems.error(f"every event needs a {column}", column=column, **where)
        return ""
    found = controllers.resolve(text)
    if len(found) == 1:
        return found[0]
    problems.error(
        f"unknown {column}", column=column, value=text, hint=controllers.hint_for(text), **where
    )
    return ""


def _warn_suspicious(
    events: pd.DataFrame, problems: Problems, path: str, end: pd.Timestamp | None
) -> None:
    """Warnings for what is possible but worth a second look."""
    content = ["date", "place_id", "area", "controller", "status", "opponent", "source", "notes"]
    first_line: dict[tuple, int] = {}
    for row in events.itertuples(index=False):
        key = (*(getattr(row, c) for c in content), shape_key(row.geometry))
        if key in first_line:
            problems.warning(
                f"the same event as line {first_line[key]}",
                path=path,
                line=row.line,
                hint="delete one of the two rows",
            )
        else:
            first_line[key] = row.line
    events = events.assign(unit_key=unit_keys(events))
    same_day = events.groupby(["unit_key", "date"], sort=False)["controller"]
    disagreeing = events[same_day.transform("nunique") > 1]
    for (unit, _), group in disagreeing.groupby(["unit_key", "date"], sort=False):
        lines = ", ".join(str(n) for n in group["line"])
        last = group.iloc[-1]
        problems.warning(
            f"events for {unit} on {last['date']} disagree on the controller "
            f"(lines {lines}); the last row, line {last['line']}, is used",
            path=path,
            line=int(last["line"]),
            column="controller",
        )
    _warn_unsourced_changes(events, problems, path)
    if end is not None:
        for row in events[events["start"] > end].itertuples(index=False):
            problems.warning(
                f"the event is after the map's date range (ends {end:%Y-%m-%d}) and is not drawn",
                path=path,
                line=row.line,
                column="date",
                value=row.date,
                hint="extend the map's range (its end), or fix the date",
            )


def unit_keys(events: pd.DataFrame) -> pd.Series:
    """What each event is about: its place id, or ``area:<id>`` for an area event."""
    return events["place_id"].where(events["area"] == "", "area:" + events["area"])


def shape_key(geometry: object) -> bytes:
    """A hashable stand-in for an event's WKT shape (empty if it has none)."""
    return b"" if geometry is None else shapely.to_wkb(geometry)


def _warn_unsourced_changes(events: pd.DataFrame, problems: Problems, path: str) -> None:
    ordered = events.sort_values(["unit_key", "start", "line"], kind="stable")
    previous: dict[str, str] = {}
    for row in ordered.itertuples(index=False):
        changed = row.unit_key in previous and previous[row.unit_key] != row.controller
        if changed and row.source.strip().lower() in _NO_SOURCE:
            problems.warning(
                f"a change of controller ({previous[row.unit_key]} → {row.controller}) "
                "with no real source",
                path=path,
                line=row.line,
                column="source",
                value=row.source,
                hint="cite the report that says so",
            )
        previous[row.unit_key] = row.controller
