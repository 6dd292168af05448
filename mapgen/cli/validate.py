"""``mapgen validate``: check the events, places and controllers and list every problem."""

from __future__ import annotations

import sys
from typing import Any

import click

from mapgen.cli.options import dataset_options, files_from, range_options


@click.command("validate")
@dataset_options
@range_options
def validate_command(**options: Any) -> None:
    """Check the dataset and report every problem at once.

    Exit status 1 if there is an error, 0 if there are only warnings or none.

    Example: mapgen validate --events my_events.csv
    """
    from mapgen.dataset import check_dataset

    dataset, problems = check_dataset(
        files_from(options), start=options["start"], end=options["end"]
    )
    for problem in problems.items:
        click.echo(str(problem))
    errors, warnings = len(problems.errors), len(problems.warnings)
    summary = f"{errors} error(s), {warnings} warning(s)"
    if not errors:
        summary += (
            f"; {len(dataset.events)} events, {dataset.events['place_id'].nunique()} places, "
            f"{len(dataset.controllers)} controllers, "
            f"range {dataset.start:%Y-%m-%d} to {dataset.end:%Y-%m-%d}"
        )
    click.echo(summary)
    sys.exit(1 if errors else 0)
