"""What a command tells the user as it works: a progress bar on a terminal (nothing in
pipes and CI) and the lines saying what it wrote. With ``mapgen -q`` neither: only warnings
and errors are printed."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click


def quiet() -> bool:
    """Whether ``mapgen -q`` (more -q than -v) asked for warnings and errors only."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    params = ctx.find_root().params
    return int(params.get("quiet") or 0) > int(params.get("verbose") or 0)


def say(line: str) -> None:
    """Print an informational line (e.g. what was written) on stderr, unless quiet."""
    if not quiet():
        click.echo(line, err=True)


@contextlib.contextmanager
def tty_progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback drawing a bar on stderr, or None.

    None (no output at all) when stderr is not a terminal (pipes, files, CI logs) or with -q.
    """
    if quiet() or not sys.stderr.isatty():
        yield None
        return
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"], state["done"] = bar, 0
        bar.update(done - int(state["done"]))  # type: ignore[attr-defined]
        state["done"] = done

    try:
        yield update
    finally:
        bar = state.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]
