"""Who fights whom: the relations table beside ``controllers.csv``.

One row per pair of sides and period: ``side_a``, ``side_b``, ``relation`` (hostile, allied
or neutral), optional ``valid_from``/``valid_to`` (``valid_to`` exclusive, as everywhere in
mapgen), ``source`` and ``notes``. A pair that no row covers on a day is hostile: a missing
row shows up as a frontline on the map rather than hiding one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mapgen._io import Row, check_columns, read_csv
from mapgen.controllers import Controllers
from mapgen.dates import parse_date
from mapgen.problems import Problems

REQUIRED_COLUMNS = ["side_a", "side_b", "relation"]
OPTIONAL_COLUMNS = ["valid_from", "valid_to", "source", "notes"]
RELATIONS = ("hostile", "allied", "neutral")
DEFAULT_RELATION = "hostile"


@dataclass(frozen=True)
class Relation:
    """How two sides (sorted ids) stand to each other from ``valid_from`` to ``valid_to``."""

    side_a: str
    side_b: str
    relation: str
    valid_from: pd.Timestamp | None = None
    valid_to: pd.Timestamp | None = None
    source: str = ""

    def covers(self, day: pd.Timestamp) -> bool:
        after_start = self.valid_from is None or self.valid_from <= day
        before_end = self.valid_to is None or day < self.valid_to
        return after_start and before_end


class Relations:
    """The relations of a dataset, looked up by pair and day."""

    def __init__(self, items: list[Relation] | None = None) -> None:
        self.items = list(items or [])
        self._by_pair: dict[tuple[str, str], list[Relation]] = {}
        for item in self.items:
            self._by_pair.setdefault((item.side_a, item.side_b), []).append(item)

    def __len__(self) -> int:
        return len(self.items)

    def relation(self, a: str, b: str, day: pd.Timestamp) -> str:
        """``hostile``, ``allied`` or ``neutral`` for two sides on ``day``."""
        if a == b:
            return "allied"
        for item in self._by_pair.get(_pair(a, b), []):
            if item.covers(day):
                return item.relation
        return DEFAULT_RELATION

    def hostile(self, a: str, b: str, day: pd.Timestamp) -> bool:
        return self.relation(a, b, day) == "hostile"

    def change_dates(self) -> list[pd.Timestamp]:
        """The days on which some pair's relation may change (period bounds)."""
        days = {d for r in self.items for d in (r.valid_from, r.valid_to) if d is not None}
        return sorted(days)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "side_a": r.side_a,
                    "side_b": r.side_b,
                    "relation": r.relation,
                    "valid_from": r.valid_from,
                    "valid_to": r.valid_to,
                    "source": r.source,
                }
                for r in self.items
            ],
            columns=["side_a", "side_b", "relation", "valid_from", "valid_to", "source"],
        )


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def read_relations(path: Path | str, controllers: Controllers, problems: Problems) -> Relations:
    """Read and check the relations table; problems go to ``problems``, good rows are kept."""
    table = read_csv(path, problems)
    if not check_columns(table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS):
        return Relations()
    items: list[tuple[Relation, int]] = []
    for row in table.rows:
        item = _relation(row, controllers, problems, table.path)
        if item is not None:
            items.append((item, row.line))
    _check_overlaps(items, problems, table.path)
    return Relations([item for item, _ in items])


def _relation(row: Row, controllers: Controllers, problems: Problems, path: str) -> Relation | None:
    v = row.values
    where = {"path": path, "line": row.line}
    before = len(problems.errors)
    sides = []
    for column in ("side_a", "side_b"):
        found = controllers.resolve(v[column]) if v[column] else []
        if len(found) != 1:
            problems.error(
                "unknown side" if v[column] else "a relation needs two sides",
                column=column,
                value=v[column] or None,
                hint=controllers.hint_for(v[column]),
                **where,
            )
        else:
            sides.append(found[0])
    if len(sides) == 2 and sides[0] == sides[1]:
        problems.error("a side cannot have a relation with itself", column="side_b", **where)
    relation = v["relation"].lower()
    if relation not in RELATIONS:
        problems.error(
            "unknown relation",
            column="relation",
            value=v["relation"],
            hint=f"use one of {', '.join(RELATIONS)}",
            **where,
        )
    bounds = [_day(v.get(c, ""), c, problems, where) for c in ("valid_from", "valid_to")]
    if all(b is not None for b in bounds) and bounds[1] <= bounds[0]:
        problems.error(
            "valid_to must be after valid_from (valid_to is the first day it no longer holds)",
            column="valid_to",
            value=v["valid_to"],
            **where,
        )
    if len(problems.errors) > before:
        return None
    a, b = _pair(*sides)
    return Relation(a, b, relation, bounds[0], bounds[1], v.get("source", ""))


def _day(text: str, column: str, problems: Problems, where: dict) -> pd.Timestamp | None:
    if not text:
        return None
    try:
        return parse_date(text).start
    except ValueError as exc:
        problems.error(str(exc), column=column, value=text, **where)
        return None


def _check_overlaps(items: list[tuple[Relation, int]], problems: Problems, path: str) -> None:
    by_pair: dict[tuple[str, str], list[tuple[Relation, int]]] = {}
    for item, line in items:
        by_pair.setdefault((item.side_a, item.side_b), []).append((item, line))
    far_past, far_future = pd.Timestamp.min, pd.Timestamp.max
    for (a, b), rows in by_pair.items():
        rows.sort(key=lambda r: r[0].valid_from or far_past)
        for (first, line_a), (second, line_b) in itertools.pairwise(rows):
            first_end = first.valid_to or far_future
            if (second.valid_from or far_past) < first_end:
                problems.error(
                    f"the relation of {a} and {b} overlaps the one on line {line_a}",
                    path=path,
                    line=line_b,
                    column="valid_from",
                    hint="give each period of a pair one row; valid_to is exclusive",
                )
