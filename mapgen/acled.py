"""Importing ACLED exports: territorial transfers become rows of mapgen's events table.

ACLED (Armed Conflict Location & Event Data) codes three sub-event types for changes of
territorial control; in each of them ``actor1`` is the side that gains the place:

- "Government regains territory" (government forces retake it),
- "Non-state actor overtakes territory" (a non-state actor takes it),
- "Non-violent transfer of territory" (one side hands it over or withdraws).

Every other row (battles, protests, strikes…) is counted by sub-event type and skipped.
The actor becomes a controller through an editable mapping table (``data/acled_actors.csv``;
the first matching row wins, ``*`` matches any text); rows whose actor is not in it are
skipped and listed. The location is matched to the gazetteer by name within ``max_km`` of
ACLED's coordinates, else added as a new place. ACLED's ``time_precision`` (1 day, 2 week,
3 month) becomes mapgen's ``date_precision`` (a month is written ``YYYY-MM``); ACLED's
``time_precision`` and ``geo_precision`` are also kept as columns of their own.
"""

from __future__ import annotations

import fnmatch
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mapgen._io import read_csv, write_text_atomic
from mapgen.controllers import Controllers
from mapgen.dataset import DATA_DIR
from mapgen.errors import MapgenError
from mapgen.events import FILE_COLUMNS
from mapgen.fields import FieldError, check_year, checked, number
from mapgen.gazetteer import Gazetteer
from mapgen.names import normalize, slugify
from mapgen.problems import Problems

DEFAULT_ACTORS = DATA_DIR / "acled_actors.csv"
TERRITORIAL = (
    "Government regains territory",
    "Non-state actor overtakes territory",
    "Non-violent transfer of territory",
)
REQUIRED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
]
PRECISIONS = {"1": "day", "2": "week", "3": "month"}
EVENT_COLUMNS = [*FILE_COLUMNS, "time_precision", "geo_precision"]
PLACE_COLUMNS = ["id", "name", "lat", "lon", "country", "governorate", "origin", "notes"]
MAX_KM = 25.0
# ACLED's country names → the ISO 3166 alpha-3 codes the gazetteer uses (others: left empty).
_COUNTRIES = {"Syria": "SYR", "Iraq": "IRQ", "Turkey": "TUR", "Jordan": "JOR", "Lebanon": "LBN"}
_DATE_FORMATS = ("%d %B %Y", "%d-%B-%Y", "%d %b %Y")


class AcledError(MapgenError, ValueError):
    """A file that is not an ACLED export, or an actor table that cannot be used."""


@dataclass(frozen=True)
class ActorRule:
    """One row of the actor table: an ACLED actor name (``*`` = any text) → a controller."""

    pattern: str
    controller: str
    line: int

    def matches(self, actor: str) -> bool:
        return fnmatch.fnmatchcase(_fold(actor), _fold(self.pattern))


@dataclass
class AcledImport:
    """The result of an import: the events table, the places it had to add, and what was
    skipped."""

    events: pd.DataFrame
    new_places: pd.DataFrame
    rows: int
    skipped: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        """What was used and skipped, for people: one fact per line."""
        lines = [f"{self.rows} ACLED rows: {len(self.events)} used as events"]
        for kind, count in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  skipped {count}: sub_event_type {kind!r} is not a transfer")
        if self.unmapped:
            total = sum(self.unmapped.values())
            lines.append(f"  skipped {total}: actor not in the actor table (add it, rerun):")
            lines += [f"    {actor!r}: {n} row(s)" for actor, n in sorted(self.unmapped.items())]
        for row in self.new_places.itertuples(index=False):
            lines.append(f"  new place {row.id!r} ({row.name}, {row.lat}, {row.lon})")
        return "\n".join(lines)

    def write(self, events: Path | str, new_places: Path | str | None = None) -> list[Path]:
        """Write the events table and, if there are any, the new places (places.csv layout)."""
        written = [write_text_atomic(events, _csv_text(self.events))]
        if new_places is not None and len(self.new_places):
            written.append(write_text_atomic(new_places, _csv_text(self.new_places)))
        return written


def read_actor_table(path: Path | str, controllers: Controllers) -> list[ActorRule]:
    """Read the actor → controller table; AcledError naming every bad row."""
    problems = Problems()
    table = read_csv(path, problems)
    missing = [c for c in ("actor", "controller") if c not in table.header]
    if missing:
        raise AcledError(
            f"{table.path}: the actor table needs the columns actor, controller "
            f"(missing: {', '.join(missing)}; found: {', '.join(table.header)})"
        )
    rules = []
    for row in table.rows:
        actor, controller = row.values["actor"], row.values["controller"]
        if not actor or actor.startswith("#"):
            continue
        if controller not in controllers:
            problems.error(
                "unknown controller",
                path=table.path,
                line=row.line,
                column="controller",
                value=controller,
                hint=f"use one of {', '.join(controllers.ids)}",
            )
            continue
        rules.append(ActorRule(actor, controller, row.line))
    problems.raise_if_errors()
    return rules


def import_acled(
    path: Path | str,
    *,
    gazetteer: Gazetteer,
    controllers: Controllers,
    actors: Path | str = DEFAULT_ACTORS,
    max_km: float = MAX_KM,
) -> AcledImport:
    """Turn an ACLED export's territorial transfers into mapgen events.

    Raises AcledError if the file is not an ACLED export (missing columns) and
    ValidationError listing every bad row (dates, coordinates, precisions) at once.
    """
    rules = read_actor_table(actors, controllers)
    problems = Problems()
    table = read_csv(path, problems)
    _check_acled_header(table.path, table.header)
    problems.raise_if_errors()
    places = _PlaceMatcher(gazetteer, max_km)
    result = AcledImport(pd.DataFrame(columns=EVENT_COLUMNS), pd.DataFrame(), len(table.rows))
    records = []
    for row in table.rows:
        v = row.values
        if v["sub_event_type"] not in TERRITORIAL:
            result.skipped[v["sub_event_type"] or "(empty)"] += 1
            continue
        where = {"path": table.path, "line": row.line}
        controller = next((r.controller for r in rules if r.matches(v["actor1"])), None)
        record = _event(v, problems, where)
        if record is None:
            continue
        if controller is None:
            result.unmapped[v["actor1"] or "(empty)"] += 1
            continue
        record["place"] = places.match(v["location"], *record.pop("_point"), v, row.line)
        record["controller"] = controller
        records.append(record)
    problems.raise_if_errors()
    result.events = pd.DataFrame.from_records(records, columns=EVENT_COLUMNS)
    result.new_places = pd.DataFrame.from_records(places.new, columns=PLACE_COLUMNS)
    return result


def _check_acled_header(shown: str, header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise AcledError(
            f"{shown}: not an ACLED export: missing column(s) {', '.join(missing)}; "
            f"ACLED exports have {', '.join(REQUIRED_COLUMNS)} among others "
            f"(found: {', '.join(header) or 'no header'})"
        )


def _event(v: dict[str, str], problems: Problems, where: dict) -> dict | None:
    """The event fields of one transfer row, or None (with problems) if a value is bad."""
    before = problems.error_count
    day = _parse_day(v["event_date"], problems, where)
    precision = PRECISIONS.get(v["time_precision"])
    if precision is None:
        problems.error(
            "time_precision must be 1 (day), 2 (week) or 3 (month)",
            column="time_precision",
            value=v["time_precision"],
            **where,
        )
    if v["geo_precision"] not in ("1", "2", "3"):
        problems.error(
            "geo_precision must be 1, 2 or 3",
            column="geo_precision",
            value=v["geo_precision"],
            **where,
        )
    lat = _coordinate(v["latitude"], "latitude", 90, problems, where)
    lon = _coordinate(v["longitude"], "longitude", 180, problems, where)
    if not v["location"]:
        problems.error("the row has no location", column="location", **where)
    if problems.error_count > before or day is None or lat is None or lon is None:
        return None
    return {
        "event_id": v["event_id_cnty"] or f"ACLED-L{where['line']}",
        "date": f"{day:%Y-%m}" if precision == "month" else f"{day:%Y-%m-%d}",
        "status": "controlled",
        "opponent": "",
        "date_precision": precision,
        "source": f"{v['source']} (via ACLED)" if v["source"] else "ACLED",
        "source_url": "",
        "notes": _notes(v),
        "time_precision": v["time_precision"],
        "geo_precision": v["geo_precision"],
        "_point": (lat, lon),
    }


def _parse_day(text: str, problems: Problems, where: dict) -> date | None:
    """ACLED's dates: "03 November 2017" (web export), "2017-11-03" (API) or ISO date-time."""
    value = text.strip()
    found = _acled_day(value) if value.isascii() else None
    hint = "ACLED writes '03 November 2017' or '2017-11-03'"
    if found is None:
        problems.error("event_date is not a date", column="event_date", value=text, hint=hint,
                       **where)  # fmt: skip
        return None
    try:
        check_year(found.year)
    except FieldError as exc:
        problems.error(exc.message, column="event_date", value=text, hint=exc.hint, **where)
        return None
    return found


def _acled_day(value: str) -> date | None:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _coordinate(
    text: str, column: str, limit: float, problems: Problems, where: dict
) -> float | None:
    return checked(problems, lambda t: number(t, low=-limit, high=limit), text, column=column,
                   **where)  # fmt: skip


def _notes(v: dict[str, str]) -> str:
    parts = [f"ACLED {v['sub_event_type']}: {v['actor1']}"]
    if v.get("actor2"):
        parts[0] += f" (from {v['actor2']})"
    if v.get("notes"):
        parts.append(v["notes"])
    return ". ".join(parts)


class _PlaceMatcher:
    """Finds an ACLED location in the gazetteer, or adds it as a new place once."""

    def __init__(self, gazetteer: Gazetteer, max_km: float) -> None:
        self.gazetteer, self.max_km = gazetteer, max_km
        self.new: list[dict[str, object]] = []

    def match(self, name: str, lat: float, lon: float, v: dict[str, str], line: int) -> str:
        points = self.gazetteer.places.geometry
        candidates = [
            (_km(lat, lon, points[pid].y, points[pid].x), pid)
            for pid in self.gazetteer.resolve(name)
        ]
        candidates += [
            (_km(lat, lon, float(p["lat"]), float(p["lon"])), str(p["id"]))
            for p in self.new
            if normalize(str(p["name"])) == normalize(name)
        ]
        near = sorted(c for c in candidates if c[0] <= self.max_km)
        if near:
            return near[0][1]
        return self._add(name, lat, lon, v, line)

    def _add(self, name: str, lat: float, lon: float, v: dict[str, str], line: int) -> str:
        base = slugify(name) or "place"
        taken = {str(p["id"]) for p in self.new}
        place_id, n = base, 1
        while place_id in self.gazetteer or place_id in taken:
            n += 1
            place_id = f"{base}-{n}"
        self.new.append(
            {
                "id": place_id,
                "name": name,
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "country": _COUNTRIES.get(v.get("country", ""), ""),
                "governorate": v.get("admin1", ""),
                "origin": "acled",
                "notes": f"added from ACLED row {v['event_id_cnty'] or line}, "
                f"geo_precision {v['geo_precision']}",
            }
        )
        return place_id


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold())


def _csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
