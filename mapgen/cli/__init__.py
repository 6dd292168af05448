"""The ``mapgen`` command line: thin commands over library calls.

This is the only place that reads the command line or sets up logging. Library errors
(:class:`mapgen.errors.MapgenError`) become one clear message and exit status 1.
"""

from __future__ import annotations

import importlib
import logging

import click

from mapgen import __version__
from mapgen.errors import MapgenError

# Each command's module, its command object, and its one-line help. Modules are imported
# only when their command runs or shows its own help, so `mapgen --help` loads no library
# (tests/test_cli.py checks that each line here is the command's own first help line).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": (
        "mapgen.cli.validate",
        "validate_command",
        "Check the dataset and report every problem at once.",
    ),
    "build": (
        "mapgen.cli.build",
        "build_command",
        "Validate the dataset and write every output (or those chosen) into --out.",
    ),
    "build-many": (
        "mapgen.cli.batch",
        "build_many_command",
        "Build several datasets listed in a manifest (TOML), each into its own folder.",
    ),
    "synth": (
        "mapgen.cli.synth",
        "synth_command",
        "Generate a synthetic scenario: places along the rivers and roads of the region, "
        "events with fronts, contested periods and reversals.",
    ),
    "import-acled": (
        "mapgen.cli.acled",
        "import_acled_command",
        "Import the transfers of territory of an ACLED export as mapgen events.",
    ),
    "report": (
        "mapgen.cli.report",
        "report_command",
        "Write a report: the slider map, maps at key dates, the area chart, the chronology, "
        "the method and the credits, in one HTML file that prints cleanly to PDF.",
    ),
    "snapshots": (
        "mapgen.cli.snapshots",
        "snapshots_command",
        "Write one map per day: --out/YYYY-MM-DD.png (or .svg).",
    ),
    "extract": (
        "mapgen.cli.extract",
        "extract_command",
        "Find statements of control in news articles and write them as candidate events.",
    ),
    "gazetteer": (
        "mapgen.cli.gazetteer",
        "gazetteer_command",
        "Write a gazetteer of GeoNames places (cities500) with their names in every "
        "language GeoNames has.",
    ),
    "import-areas": (
        "mapgen.cli.import_areas",
        "import_areas_command",
        "Turn a series of dated control polygons into a dataset folder that mapgen build "
        "--dataset reads.",
    ),
}


class _Group(click.Group):
    """The commands of :data:`COMMANDS`, imported when used; mapgen's own errors become a
    clean message instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, without importing the commands."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)  # as click.Group does
        rows = [(n, click.Command(n, help=COMMANDS[n][2]).get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MapgenError as exc:
            raise click.ClickException(self.message(ctx, exc)) from exc

    def message(self, ctx: click.Context, exc: MapgenError) -> str:
        """The error's message, led by the flag of the option it is about (if any)."""
        name = ctx.invoked_subcommand
        command = self.get_command(ctx, name) if name else None
        params = command.params if command is not None else []
        flags = [p.opts[0] for p in params if p.name == exc.field and p.opts]
        return f"{flags[0]}: {exc}" if flags else str(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mapgen")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", count=True, help="Say less: only warnings and errors.")
def cli(verbose: int, quiet: int) -> None:
    """Turn dated territorial-control events into maps and GIS layers.

    Without --events/--places/--controllers the embedded default dataset is used: the
    collapse of ISIS territory along the Euphrates, 2017–2019.
    """
    level = logging.INFO + 10 * (quiet - verbose)
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(max(level, logging.WARNING))  # not its record counts


def main() -> None:
    """Entry point of the ``mapgen`` script and ``python -m mapgen``."""
    cli(prog_name="mapgen")
