"""``mapgen synth``: write a synthetic scenario for scale tests."""

from __future__ import annotations

from pathlib import Path

import click

from mapgen.cli.progress import say
from mapgen.synth import synthesize


@click.command("synth")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for events.csv, places.csv, controllers.csv and dataset.toml.",
)
@click.option("--places", default=2000, show_default=True, help="Number of places.")
@click.option("--events", default=20000, show_default=True, help="Number of events.")
@click.option("--days", default=1000, show_default=True, help="Length of the range in days.")
@click.option("--sides", default=4, show_default=True, help="Number of sides (2-8).")
@click.option("--seed", default=0, show_default=True, help="Random seed; same seed, same files.")
def synth_command(out: Path, places: int, events: int, days: int, sides: int, seed: int) -> None:
    """Generate a synthetic scenario: places along the rivers and roads of the region,
    events with fronts, contested periods and reversals.

    Example: mapgen synth --out synth --places 2000 --events 20000 --days 1000
    """
    try:
        scenario = synthesize(places=places, events=events, days=days, sides=sides, seed=seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    files = scenario.write(out)
    say(
        f"wrote {files.events.parent}: {len(scenario.places)} places, "
        f"{len(scenario.events)} events, {days} days"
    )
