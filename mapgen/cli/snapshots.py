"""``mapgen snapshots``: one static map per day (PNG or SVG), optionally the timelapse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from mapgen.cli.options import (
    dataset_options,
    days_option,
    jobs_option,
    load_checked,
    range_options,
    territory_options,
)
from mapgen.cli.progress import say, tty_progress
from mapgen.render.snapshots import (
    DEFAULT_DPI,
    DEFAULT_WIDTH_IN,
    FORMATS,
    snapshot_days,
    write_snapshots,
)
from mapgen.render.timelapse import DEFAULT_FPS, DEFAULT_PAUSE_S, write_timelapse
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline


@click.command("snapshots")
@dataset_options
@range_options
@territory_options
@click.option(
    "--every", type=click.IntRange(min=1), default=1, show_default=True, help="Every N-th day."
)
@days_option("--dates", help="Only these days (comma-separated); overrides --start/--end/--every.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="png",
    show_default=True,
    help="PNG for slides and the web, SVG (text kept as text) for reports.",
)
@click.option(
    "--dpi",
    type=click.IntRange(min=20),
    default=DEFAULT_DPI,
    show_default=True,
    help="Resolution of PNG files.",
)
@click.option(
    "--width",
    "width_in",
    type=click.FloatRange(min=3),
    default=DEFAULT_WIDTH_IN,
    show_default=True,
    help="Width of a map in inches (the height follows the extent).",
)
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
@click.option(
    "--fps",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_FPS,
    show_default=True,
    help="Timelapse: days per second.",
)
@click.option(
    "--pause",
    "pause_s",
    type=click.FloatRange(min=0),
    default=DEFAULT_PAUSE_S,
    show_default=True,
    help="Timelapse: extra seconds held on each change date.",
)
def snapshots_command(
    territory: Any,
    every: int,
    dates: list[pd.Timestamp] | None,
    fmt: str,
    dpi: int,
    width_in: float,
    jobs: int | None,
    out: Path,
    timelapse: bool,
    fps: float,
    pause_s: float,
    **options: Any,
) -> None:
    """Write one map per day: --out/YYYY-MM-DD.png (or .svg).

    The territory is computed over the dataset's whole range, so a day's map is the same
    whatever --start/--end; only days whose files are out of date are rendered.

    Example: mapgen snapshots --start 2017-11-01 --end 2017-11-30 --every 2 --format svg
    """
    dataset = load_checked(options, ranged=False)
    terr = build_territory(build_timeline(dataset), territory)
    days = snapshot_days(terr, start=options["start"], end=options["end"], every=every, dates=dates)
    with tty_progress("snapshots") as progress:
        paths = write_snapshots(
            terr,
            out,
            days=days,
            fmt=fmt,
            dpi=dpi,
            width_in=width_in,
            jobs=jobs,
            progress=progress,
        )
    say(f"wrote {len(paths)} file(s) into {out}")
    if timelapse:
        with tty_progress("timelapse") as progress:
            written = write_timelapse(
                terr, out, days=days, fps=fps, pause_s=pause_s, jobs=jobs, progress=progress
            )
        for path in written:
            say(f"wrote {path}")
