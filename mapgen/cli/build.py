"""``mapgen build``: the main job, every output into one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapgen.build import WRITERS, BuildOptions, build, chosen_writers
from mapgen.cli.options import (
    dataset_options,
    jobs_option,
    load_checked,
    range_options,
    scheduler_option,
    series_options,
    territory_options,
)
from mapgen.cli.progress import say, tty_progress
from mapgen.render.series_options import SeriesOptions


def _names(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """A comma-separated list of names (spaces ignored)."""
    return tuple(filter(None, (v.strip() for v in (value or "").split(","))))


@click.command("build")
@dataset_options
@range_options
@territory_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Folder to write into (created if needed).",
)
@click.option(
    "--daily/--no-daily",
    default=False,
    show_default=True,
    help="Also write one GeoJSON snapshot per day into --out/daily/.",
)
@click.option(
    "--tiles",
    type=click.Choice(["osm", "none"]),
    default="osm",
    show_default=True,
    help="map.html: offer OpenStreetMap tiles in the layer control (off until switched on), "
    "or none.",
)
@click.option(
    "--only",
    callback=_names,
    metavar="OUTPUT,...",
    help=f"Write only these outputs, of: {', '.join(WRITERS)} (comma-separated).",
)
@click.option(
    "--skip",
    callback=_names,
    metavar="OUTPUT,...",
    help="Write every output but these, e.g. --skip snapshots,report.",
)
@series_options
@jobs_option
@scheduler_option
def build_command(
    out: Path,
    territory: Any,
    daily: bool,
    tiles: str,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    series: SeriesOptions,
    jobs: int | None,
    scheduler: str | None,
    **options: Any,
) -> None:
    """Validate the dataset and write every output (or those chosen) into --out.

    The outputs: tables (timeline.csv, changes.csv, stats.csv), gis (GeoJSON, GeoPackage,
    QGIS project, control.tif), html (map.html), snapshots (snapshots/, timelapse) and
    report (report.html). --out holds exactly what this build wrote. --every and --dates
    choose the days of snapshots/ (the timelapse keeps every day).

    Example: mapgen build --out out --method voronoi --start 2017-10-01 --end 2017-12-31
    """
    outputs = chosen_writers(only=only, skip=skip)
    dataset = load_checked(options)
    with tty_progress("maps") as progress:
        opts = BuildOptions(
            territory=territory,
            daily=daily,
            tiles=tiles,
            jobs=jobs,
            outputs=outputs,
            series=series,
            scheduler=scheduler or None,
            progress=progress,
        )
        written = build(dataset, out, opts)
    for line in written_lines(written, out):
        say(line)


def written_lines(paths: list[Path], out: Path, *, most: int = 5) -> list[str]:
    """One line per file written into ``out``, one per sub-folder holding more than ``most``."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    lines = []
    for folder, files in by_folder.items():
        if folder != out and len(files) > most:
            lines.append(
                f"wrote {len(files)} files into {folder}/ ({files[0].name} … {files[-1].name})"
            )
        else:
            lines += [f"wrote {path}" for path in files]
    return lines
