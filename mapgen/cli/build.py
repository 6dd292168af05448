"""``mapgen build``: the main job, every output into one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapgen.build import BuildOptions, build
from mapgen.cli.options import dataset_options, files_from, range_options, territory_options
from mapgen.cli.progress import tty_progress
from mapgen.dataset import load_dataset


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
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for rendering the maps. Default: all cores.",
)
def build_command(
    out: Path, territory: Any, daily: bool, tiles: str, jobs: int | None, **options: Any
) -> None:
    """Validate the dataset and write every output into --out.

    Example: mapgen build --out out --method voronoi --start 2017-10-01 --end 2017-12-31
    """
    dataset = load_dataset(files_from(options), start=options["start"], end=options["end"])
    for problem in dataset.problems.warnings:
        click.echo(str(problem), err=True)
    with tty_progress("maps") as progress:
        opts = BuildOptions(
            territory=territory, daily=daily, tiles=tiles, jobs=jobs, progress=progress
        )
        written = build(dataset, out, opts)
    for path in written:
        click.echo(f"wrote {path}", err=True)
