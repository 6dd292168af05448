"""Problems found in input files, collected so that all of them are reported at once."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mapgen.errors import ValidationError

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is, the bad value and what would be valid."""

    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str | None = None

    def location(self) -> str:
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
        where = ":".join(parts)
        return f"{where}, column '{self.column}'" if self.column else where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.value is not None:
            text += f" (value: {shown_value(self.value)})"
        if self.hint:
            text += f"; {self.hint}"
        return text


@dataclass
class Problems:
    """An ordered collection of problems; ``raise_if_errors`` raises them all at once."""

    items: list[Problem] = field(default_factory=list)
    _error_count: int = field(default=-1, repr=False, compare=False)

    def error(self, message: str, **where: object) -> None:
        count = self.error_count
        self.items.append(Problem("error", message, **where))  # type: ignore[arg-type]
        self._error_count = count + 1

    def warning(self, message: str, **where: object) -> None:
        self.items.append(Problem("warning", message, **where))  # type: ignore[arg-type]

    def extend(self, other: Iterable[Problem]) -> None:
        added = list(other)
        count = self.error_count
        self.items.extend(added)
        self._error_count = count + sum(p.severity == "error" for p in added)

    @property
    def error_count(self) -> int:
        """How many errors there are, in constant time (readers check it after every row)."""
        if self._error_count < 0:
            self._error_count = sum(p.severity == "error" for p in self.items)
        return self._error_count

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.error_count:
            raise ValidationError(self.items)


def shown_value(value: str, most: int = 120) -> str:
    """A value for a message: quoted, a long one cut with its length."""
    if len(value) <= most:
        return repr(value)
    return repr(value[:most]) + f"… ({len(value):,} characters)"


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3) -> str | None:
    """A 'did you mean …?' hint for ``value`` among ``choices``, or None if nothing is close."""
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(repr(lowered[c]) for c in close) + "?"


class Suggester:
    """:func:`did_you_mean` over many choices, asked many times (a gazetteer's names).

    Each question compares ``value`` in full only with the ``pool`` choices that share the
    most three-letter pieces with it (an index built once), so a table with thousands of
    unknown names costs the same per name as one with a few.
    """

    def __init__(self, choices: Iterable[str], *, pool: int = 50) -> None:
        self._lowered = {c.lower(): c for c in choices}
        self._pool = pool
        self._index: dict[str, list[str]] = {}
        for low in self._lowered:
            for gram in _grams(low):
                self._index.setdefault(gram, []).append(low)

    def __call__(self, value: str, *, n: int = 3) -> str | None:
        low = value.lower()[:200]
        shared: Counter[str] = Counter()
        for gram in _grams(low):
            shared.update(self._index.get(gram, ()))
        pool = [c for c, _ in shared.most_common(self._pool)]
        close = difflib.get_close_matches(low, pool, n=n, cutoff=0.6)
        if not close:
            return None
        return "did you mean " + " or ".join(repr(self._lowered[c]) for c in close) + "?"


def _grams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def display_path(path: Path | str) -> str:
    """A path as it is best shown in a message: relative to the working directory if inside it.

    Symbolic links are shown as given, not resolved.
    """
    p = Path(path)
    for candidate, cwd in (
        (Path(os.path.abspath(p)), Path.cwd()),
        (p.resolve(), Path.cwd().resolve()),
    ):
        try:
            return str(candidate.relative_to(cwd))
        except ValueError:
            continue
    return str(p)
