"""A progress bar on a terminal, nothing in pipes and CI."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click


@contextlib.contextmanager
def tty_progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback drawing a bar on stderr, or None.

    None (no output at all) when stderr is not a terminal: pipes, files, CI logs.
    """
    if not sys.stderr.isatty():
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
