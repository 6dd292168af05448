"""``mapgen snapshots``: one static map per day (PNG or SVG), optionally the timelapse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapgen.cli.options import (
    dataset_options,
    jobs_option,
    load_checked,
    range_options,
    series_options,
    territory_options,
)
from mapgen.cli.progress import say, tty_progress
from mapgen.render.series_options import SeriesOptions
from mapgen.render.snapshots import write_snapshots
from mapgen.render.timelapse import write_timelapse
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline


@click.command("snapshots")
@dataset_options
@range_options
@territory_options
@series_options
@jobs_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out/snapshots"),
    show_default=True,
    help="Folder for the YYYY-MM-DD files.",
)
@click.option(
    "--timelapse/--no-timelapse",
    default=False,
    show_default=True,
    help="Also write timelapse.gif and timelapse.mp4 of the same days into --out.",
)
def snapshots_command(
    territory: Any,
    series: SeriesOptions,
    jobs: int | None,
    out: Path,
    timelapse: bool,
    **options: Any,
) -> None:
    """Write one map per day: --out/YYYY-MM-DD.png (or .svg).

    The territory is computed over the dataset's whole range, so a day's map is the same
    whatever --start/--end (--dates may lie outside them); only days whose files are out
    of date are rendered.

    Example: mapgen snapshots --start 2017-11-01 --end 2017-11-30 --every 2 --format svg
    """
    dataset = load_checked(options, ranged=False)
    terr = build_territory(build_timeline(dataset), territory)
    timeline = terr.timeline
    days = series.days(timeline.start, timeline.end, start=options["start"], end=options["end"])
    with tty_progress("snapshots") as progress:
        paths = write_snapshots(
            terr,
            out,
            days=days,
            fmt=series.fmt,
            dpi=series.dpi,
            width_in=series.width_in,
            jobs=jobs,
            progress=progress,
        )
    say(f"wrote {len(paths)} file(s) into {out}")
    if timelapse:
        with tty_progress("timelapse") as progress:
            written = write_timelapse(
                terr,
                out,
                days=days,
                fps=series.fps,
                pause_s=series.pause_s,
                jobs=jobs,
                progress=progress,
            )
        for path in written:
            say(f"wrote {path}")
