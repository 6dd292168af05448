"""Choosing and checking candidate rows before they are merged, in memory.

The rows are checked by the events table's own checks (:func:`mapgen.events.check_events`),
so a merged row is one ``mapgen validate`` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapgen._io import Row, Table
from mapgen.controllers import Controllers
from mapgen.events import check_events
from mapgen.extract.candidates import EVENT_FIELDS
from mapgen.fields import FieldError, clean_text, number
from mapgen.gazetteer import Gazetteer
from mapgen.problems import Problems


@dataclass(frozen=True)
class Skipped:
    """A candidate row left out of a merge: where it is and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: skipped: {self.reason}"


def candidates_table(rows: list[dict[str, str]], name: str = "candidates") -> Table:
    """Candidate rows made in memory as a table named ``name`` (line 2 is the first row)."""
    return Table(
        name,
        [*EVENT_FIELDS, "confidence"],
        [
            Row(
                line,
                {f: clean_text(r.get(f) or "")[0].strip() for f in [*EVENT_FIELDS, "confidence"]},
            )
            for line, r in enumerate(rows, start=2)
        ],
    )


def choose_rows(table: Table, *, min_confidence: float) -> tuple[list[Row], list[Skipped]]:
    """The rows at least ``min_confidence`` confident (empty confidence: 1), and the others.

    A confidence that is not a number from 0 to 1 (``nan``, ``high``) skips its row too,
    with the reason.
    """
    chosen: list[Row] = []
    skipped: list[Skipped] = []
    for row in table.rows:
        text = row.values.get("confidence", "")
        where = f"{table.path}:{row.line}"
        try:
            confidence = number(text, low=0, high=1, example="0.85") if text else 1.0
        except FieldError as exc:
            skipped.append(Skipped(where, f"confidence: {exc}"))
            continue
        if confidence < min_confidence:
            skipped.append(
                Skipped(where, f"confidence {text} is below the minimum {min_confidence:g}")
            )
            continue
        chosen.append(row)
    return chosen, skipped


def check_rows(table: Table, gazetteer: Gazetteer, controllers: Controllers) -> None:
    """Raise :class:`mapgen.errors.ValidationError` if a row would not pass ``mapgen validate``.

    Messages name each row by the table's name and its line.
    """
    problems = Problems()
    check_events(table, problems, gazetteer=gazetteer, controllers=controllers)
    problems.raise_if_errors()
