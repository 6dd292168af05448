"""``mapgen report``: one self-contained HTML report of the whole range."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapgen._io import refuse_overwrite
from mapgen.cli.options import (
    DATASET_FILE_OPTIONS,
    dataset_options,
    days_option,
    load_checked,
    range_options,
    territory_options,
)
from mapgen.cli.progress import say
from mapgen.report import write_report
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline


@click.command("report")
@dataset_options
@range_options
@territory_options
@days_option("--dates", help="Days to show as static maps (default: the key change dates).")
@click.option(
    "--tiles",
    type=click.Choice(["none", "osm"]),
    default="none",
    show_default=True,
    help="Tile layer of the embedded map: none keeps the report fully offline.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("out/report.html"),
    show_default=True,
    help="The report file to write.",
)
def report_command(
    out: Path, territory: Any, dates: list | None, tiles: str, **options: Any
) -> None:
    """Write a report: the slider map, maps at key dates, the area chart, the chronology,
    the method and the credits, in one HTML file that prints cleanly to PDF.

    Example: mapgen report --out out/report.html --dates 2017-11-03,2017-11-19
    """
    refuse_overwrite({"--out": out}, {f"--{k.replace('_', '-')}": v for k, v in options.items()
                                      if k in DATASET_FILE_OPTIONS})  # fmt: skip
    dataset = load_checked(options)
    built = build_territory(build_timeline(dataset), territory)
    path = write_report(built, out, dates=dates, tiles=tiles)
    say(f"wrote {path}")
