"""The main job: from a dataset to every output in one folder."""

from __future__ import annotations

import logging
from pathlib import Path

from mapgen.dataset import Dataset
from mapgen.export import write_changes_csv, write_stats_csv, write_timeline_csv
from mapgen.territory import TerritoryOptions, build_territory
from mapgen.timeline import build_timeline

log = logging.getLogger(__name__)


def build(
    dataset: Dataset, out: Path | str, *, territory: TerritoryOptions | None = None
) -> list[Path]:
    """Compute the timeline and the territory, write every output into ``out``.

    Returns the files written.
    """
    out = Path(out)
    timeline = build_timeline(dataset)
    log.info(
        "timeline: %d places, %d intervals, %d change dates from %s to %s",
        timeline.intervals["place_id"].nunique(),
        len(timeline.intervals),
        len(timeline.change_dates),
        f"{timeline.start:%Y-%m-%d}",
        f"{timeline.end:%Y-%m-%d}",
    )
    result = build_territory(timeline, territory)
    log.info(
        "territory (%s, desert %s): %d areas, %d frontlines",
        result.options.method,
        result.options.desert,
        len(result.areas),
        len(result.frontlines),
    )
    return [
        write_timeline_csv(timeline, out / "timeline.csv"),
        write_changes_csv(timeline, out / "changes.csv"),
        write_stats_csv(result, out / "stats.csv"),
    ]
