"""``mapgen gazetteer``: a places table for any countries from GeoNames."""

from __future__ import annotations

from pathlib import Path

import click

from mapgen.cli.options import extent_option
from mapgen.cli.progress import say


@click.command("gazetteer")
@click.option(
    "--countries",
    required=True,
    metavar="CODES",
    help="Countries, ISO 3166-1 alpha-2 or alpha-3, comma-separated (e.g. UA,RU).",
)
@extent_option
@click.option(
    "--min-population",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Leave out places with fewer people (GeoNames cities500 starts at 500).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The places table to write (CSV, the layout of places.csv).",
)
def gazetteer_command(
    countries: str,
    extent: tuple[float, float, float, float] | None,
    min_population: int,
    out: Path,
) -> None:
    """Write a gazetteer of GeoNames places (cities500) with their names in every language
    GeoNames has. Needs the world data: pip install 'mapgen[world]'.

    Example: mapgen gazetteer --countries UA,RU --out places.csv
    """
    from mapgen.world.geonames import select_places, write_places

    rows = select_places(countries.split(","), extent=extent, min_population=min_population)
    write_places(rows, out)
    say(f"wrote {out}: {len(rows)} places")
