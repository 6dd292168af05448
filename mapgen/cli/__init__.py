"""The ``mapgen`` command line: thin commands over library calls.

This is the only place that reads the command line or sets up logging. Library errors
(:class:`mapgen.errors.MapgenError`) become one clear message and exit status 1.
"""

from __future__ import annotations

import logging

import click

from mapgen import __version__
from mapgen.cli.acled import import_acled_command
from mapgen.cli.build import build_command
from mapgen.cli.extract import extract_command
from mapgen.cli.gazetteer import gazetteer_command
from mapgen.cli.import_areas import import_areas_command
from mapgen.cli.report import report_command
from mapgen.cli.snapshots import snapshots_command
from mapgen.cli.synth import synth_command
from mapgen.cli.validate import validate_command
from mapgen.errors import MapgenError


class _Group(click.Group):
    """A group that turns mapgen's own errors into a clean message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MapgenError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mapgen")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", count=True, help="Say less: only errors.")
def cli(verbose: int, quiet: int) -> None:
    """Turn dated territorial-control events into maps and GIS layers.

    Without --events/--places/--controllers the embedded default dataset is used: the
    collapse of ISIS territory along the Euphrates, 2017–2019.
    """
    level = logging.INFO + 10 * (quiet - verbose)
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(max(level, logging.WARNING))  # not its record counts


cli.add_command(validate_command)
cli.add_command(build_command)
cli.add_command(synth_command)
cli.add_command(import_acled_command)
cli.add_command(report_command)
cli.add_command(snapshots_command)
cli.add_command(extract_command)
cli.add_command(gazetteer_command)
cli.add_command(import_areas_command)


def main() -> None:
    """Entry point of the ``mapgen`` script and ``python -m mapgen``."""
    cli(prog_name="mapgen")
