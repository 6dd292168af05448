"""``mapgen import-acled``: turn an ACLED export's territorial transfers into an events table."""

from __future__ import annotations

from pathlib import Path

import click

from mapgen._io import refuse_overwrite
from mapgen.acled import DEFAULT_ACTORS, import_acled
from mapgen.cli.progress import say
from mapgen.controllers import read_controllers
from mapgen.dataset import DATA_DIR
from mapgen.gazetteer import read_places
from mapgen.problems import Problems

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.command("import-acled")
@click.argument("acled_csv", type=_FILE)
@click.option("--out", type=_FILE, required=True, help="Events table to write (CSV).")
@click.option(
    "--new-places",
    type=_FILE,
    help="Where to write places the import had to add (default: <out>_new_places.csv).",
)
@click.option("--places", type=_FILE, help="Gazetteer to match against. Default: embedded.")
@click.option("--controllers", type=_FILE, help="Controllers (CSV). Default: embedded.")
@click.option(
    "--actors",
    type=_FILE,
    default=DEFAULT_ACTORS,
    show_default="embedded data/acled_actors.csv",
    help="ACLED actor → controller table (CSV: actor, controller, notes).",
)
@click.option(
    "--max-km",
    default=25.0,
    show_default=True,
    help="How far ACLED's point may be from a gazetteer place of the same name.",
)
def import_acled_command(
    acled_csv: Path,
    out: Path,
    new_places: Path | None,
    places: Path | None,
    controllers: Path | None,
    actors: Path,
    max_km: float,
) -> None:
    """Import the transfers of territory of an ACLED export as mapgen events.

    Rows of the sub-event types "Government regains territory", "Non-state actor overtakes
    territory" and "Non-violent transfer of territory" become events; every other row is
    counted and skipped. Then check and use the result with --extra-places.

    Example: mapgen import-acled acled.csv --out acled_events.csv
    --new-places acled_places.csv; mapgen validate --events acled_events.csv
    --extra-places acled_places.csv
    """
    new_places = new_places or out.with_name(f"{out.stem}_new_places.csv")
    refuse_overwrite(
        {"--out": out, "--new-places": new_places},
        {"ACLED_CSV": acled_csv, "--places": places, "--controllers": controllers,
         "--actors": actors},
    )  # fmt: skip
    problems = Problems()
    gazetteer = read_places(places or DATA_DIR / "places.csv", problems)
    sides = read_controllers(controllers or DATA_DIR / "controllers.csv", problems)
    problems.raise_if_errors()
    result = import_acled(
        acled_csv, gazetteer=gazetteer, controllers=sides, actors=actors, max_km=max_km
    )
    for path in result.write(out, new_places):
        say(f"wrote {path}")
    click.echo(result.summary(), err=True)
