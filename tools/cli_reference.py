"""Write docs/cli.md, the command-line reference, from the click commands themselves.

    .venv/bin/python tools/cli_reference.py          # rewrite docs/cli.md
    .venv/bin/python tools/cli_reference.py --check  # exit 1 if docs/cli.md is stale

tests/test_cli.py checks the file against the commands, so it cannot go stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cli.md"
WIDTH = 88

HEAD = """# Command-line reference

Generated from the commands' own help by `tools/cli_reference.py` (do not edit by hand;
`tests/test_cli.py` checks that it matches the commands). Every command also answers
`--help`; `python -m mapgen` works like `mapgen`.
"""


def help_text(command: click.Command, name: str, parent: click.Context | None) -> str:
    """The ``--help`` text of ``command`` as the terminal shows it, WIDTH columns wide."""
    settings = {} if parent is not None else command.context_settings  # children inherit
    ctx = click.Context(
        command,
        info_name=name,
        parent=parent,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        **settings,
    )
    return command.get_help(ctx)


def reference() -> str:
    """docs/cli.md: the group's help, then each command's, in the group's order."""
    sys.path.insert(0, str(ROOT))
    from mapgen.cli import cli

    root = click.Context(
        cli,
        info_name="mapgen",
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        **cli.context_settings,
    )
    parts = [HEAD, "## mapgen\n", f"```\n{help_text(cli, 'mapgen', None)}\n```\n"]
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        assert command is not None
        parts += [f"## mapgen {name}\n", f"```\n{help_text(command, name, root)}\n```\n"]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check docs/cli.md")
    args = parser.parse_args(argv)
    text = reference()
    if args.check:
        stale = DOC.read_text(encoding="utf-8") != text
        if stale:
            print(f"{DOC} is stale: run tools/cli_reference.py", file=sys.stderr)
        return 1 if stale else 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
