"""Problems found in input files, collected so that all of them are reported at once."""

from __future__ import annotations

import difflib
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
            text += f" (value: {self.value!r})"
        if self.hint:
            text += f"; {self.hint}"
        return text


@dataclass
class Problems:
    """An ordered collection of problems; ``raise_if_errors`` raises them all at once."""

    items: list[Problem] = field(default_factory=list)

    def error(self, message: str, **where: object) -> None:
        self.items.append(Problem("error", message, **where))  # type: ignore[arg-type]

    def warning(self, message: str, **where: object) -> None:
        self.items.append(Problem("warning", message, **where))  # type: ignore[arg-type]

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.items)


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3) -> str | None:
    """A 'did you mean …?' hint for ``value`` among ``choices``, or None if nothing is close."""
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(repr(lowered[c]) for c in close) + "?"


def display_path(path: Path | str) -> str:
    """A path as it is best shown in a message: relative to the working directory if inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
