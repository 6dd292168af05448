"""Checking candidate rows with the events table's own reader before they are merged."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mapgen.controllers import Controllers
from mapgen.events import read_events
from mapgen.extract.candidates import EVENT_FIELDS, to_csv
from mapgen.gazetteer import Gazetteer
from mapgen.problems import Problems


def check_rows(rows: list[dict[str, str]], gazetteer: Gazetteer, controllers: Controllers) -> None:
    """Raise :class:`mapgen.errors.ValidationError` if a row would not pass ``mapgen validate``.

    Messages name the row as ``candidates:LINE`` (line 2 is the first row).
    """
    text = to_csv([{f: r.get(f, "") for f in EVENT_FIELDS} for r in rows], EVENT_FIELDS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "candidates"
        path.write_text(text, encoding="utf-8")
        problems = Problems()
        read_events(path, problems, gazetteer=gazetteer, controllers=controllers)
    for p in problems.errors:
        object.__setattr__(p, "path", "candidates")
    problems.raise_if_errors()
