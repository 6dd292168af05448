"""Writers for the computed results. Every file is written atomically."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from mapgen._io import write_text_atomic
from mapgen.changes import change_kinds
from mapgen.dates import format_date
from mapgen.territory import Territory
from mapgen.timeline import Timeline


def _csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_timeline_csv(timeline: Timeline, path: Path | str) -> Path:
    """Write the per-place control intervals (dates as reported, ``valid_to`` exclusive)."""
    frame = timeline.to_frame().sort_values(["place_id", "valid_from"], kind="stable")
    return write_text_atomic(path, _csv_text(frame))


def write_changes_csv(timeline: Timeline, path: Path | str) -> Path:
    """Write one row per change of control inside the range, in date order, with its
    ``kind`` (:mod:`mapgen.changes`: change, uncertain, settled or ended)."""
    changes = timeline.changes()
    changes["kind"] = change_kinds(changes, timeline.dataset.events)
    changes["date"] = [
        format_date(d, p) for d, p in zip(changes["date"], changes["precision"], strict=True)
    ]
    return write_text_atomic(path, _csv_text(changes))


def write_stats_csv(territory: Territory, path: Path | str) -> Path:
    """Write area (km²) and population held by each side on every day of the range."""
    stats = territory.stats()
    stats["date"] = stats["date"].dt.strftime("%Y-%m-%d")
    return write_text_atomic(path, _csv_text(stats))
