"""The sides that control ground: ids, display names, colours and aliases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mapgen._io import check_columns, read_csv
from mapgen.fields import CONTROLLER_ID, COUNTRY_CODE
from mapgen.names import name_keys, split_aliases
from mapgen.problems import Problems, did_you_mean

REQUIRED_COLUMNS = ["id", "name", "color"]
OPTIONAL_COLUMNS = ["aliases", "countries", "notes"]
_ID = CONTROLLER_ID
_COLOR = re.compile(r"#[0-9a-fA-F]{6}", re.ASCII)
_COUNTRY = COUNTRY_CODE
ZONE_TINT = 0.35  # how much of a side's colour its zone keeps (the rest is white)


def zone_tint(color: str) -> str:
    """``#rrggbb`` mixed with white, keeping ``ZONE_TINT`` of the colour."""
    rgb = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - v) * ZONE_TINT):02x}" for v in rgb)


@dataclass(frozen=True)
class Controller:
    """One side: ``id`` is what event rows and outputs use; ``color`` is ``#rrggbb``."""

    id: str
    name: str
    color: str
    aliases: tuple[str, ...] = ()
    notes: str = ""
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-3; empty: anywhere

    @property
    def zone_color(self) -> str:
        """The light tint a side's zone is drawn in (``ZONE_TINT`` of its colour on white)."""
        return zone_tint(self.color)

    def may_hold(self, country: str) -> bool:
        """Whether the side may be given (zone) ground in ``country``."""
        return not self.countries or country in self.countries


class Controllers:
    """The controllers table with lookup by id, name or alias (any language, any case)."""

    def __init__(self, items: list[Controller]) -> None:
        self._items = {c.id: c for c in items}
        self._keys: dict[str, set[str]] = {}
        for c in items:
            for text in (c.id, c.name, *c.aliases):
                for key in name_keys(text):
                    self._keys.setdefault(key, set()).add(c.id)

    def __getitem__(self, controller_id: str) -> Controller:
        return self._items[controller_id]

    def __contains__(self, controller_id: object) -> bool:
        return controller_id in self._items

    def __iter__(self) -> Iterator[Controller]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    @property
    def ids(self) -> list[str]:
        return list(self._items)

    def resolve(self, text: str) -> list[str]:
        """The ids whose id, name or alias matches ``text`` after normalisation."""
        if text in self._items:
            return [text]
        found: set[str] = set()
        for key in name_keys(text):
            found |= self._keys.get(key, set())
        return sorted(found)

    def name_of(self, controller_id: object, *, empty: str = "nobody") -> str:
        """A side's display name: its id if the table does not know it, ``empty`` if there
        is no side."""
        if not isinstance(controller_id, str) or not controller_id:
            return empty
        return self[controller_id].name if controller_id in self else controller_id

    def colors(self) -> dict[str, str]:
        return {c.id: c.color for c in self}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "color": c.color,
                    "aliases": "|".join(c.aliases),
                    "countries": "|".join(c.countries),
                    "notes": c.notes,
                }
                for c in self
            ]
        )

    def hint_for(self, text: str) -> str:
        names = [*self.ids, *(c.name for c in self)]
        suggestion = did_you_mean(text, names)
        known = ", ".join(self.ids)
        return f"{suggestion} known controllers: {known}" if suggestion else f"known: {known}"


def read_controllers(path: Path | str, problems: Problems) -> Controllers:
    """Read and check the controllers table; problems go to ``problems``, good rows are kept."""
    table = read_csv(path, problems)
    if not check_columns(table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS):
        return Controllers([])
    items: list[Controller] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        v = row.values
        where = {"path": table.path, "line": row.line}
        ok = True
        if not _ID.fullmatch(v["id"]):
            problems.error(
                "controller id must be lower case letters, digits, '-' or '_'",
                column="id",
                value=v["id"],
                hint="e.g. 'isis', 'syria', 'iraq'",
                **where,
            )
            ok = False
        elif v["id"] in seen:
            problems.error(
                f"duplicate controller id (first on line {seen[v['id']]})",
                column="id",
                value=v["id"],
                **where,
            )
            ok = False
        if not v["name"]:
            problems.error("a controller needs a name", column="name", **where)
            ok = False
        if not _COLOR.fullmatch(v["color"]):
            problems.error(
                "colour must be a hex colour",
                column="color",
                value=v["color"],
                hint="write it as #rrggbb, e.g. #0072b2",
                **where,
            )
            ok = False
        countries = _countries(v.get("countries", ""), problems, where)
        if ok and countries is not None:
            seen[v["id"]] = row.line
            aliases = tuple(split_aliases(v.get("aliases", "")))
            items.append(
                Controller(
                    v["id"], v["name"], v["color"].lower(), aliases, v.get("notes", ""), countries
                )
            )
    _check_alias_clashes(items, problems, table.path)
    return Controllers(items)


def _countries(text: str, problems: Problems, where: dict) -> tuple[str, ...] | None:
    codes = tuple(c.strip().upper() for c in text.split("|") if c.strip())
    bad = [c for c in codes if not _COUNTRY.fullmatch(c)]
    if bad:
        problems.error(
            "countries must be ISO 3166-1 alpha-3 codes separated by '|'",
            column="countries",
            value=text,
            hint="e.g. SYR|IRQ; leave empty for anywhere",
            **where,
        )
        return None
    return tuple(dict.fromkeys(codes))


def _check_alias_clashes(items: list[Controller], problems: Problems, path: str) -> None:
    owner: dict[str, str] = {}
    for c in items:
        for text in (c.id, c.name, *c.aliases):
            others = {owner.setdefault(key, c.id) for key in name_keys(text)} - {c.id}
            for other in sorted(others):
                problems.error(
                    f"alias {text!r} names both {other!r} and {c.id!r}",
                    path=path,
                    column="aliases",
                    value=text,
                    hint="an alias may belong to one controller only",
                )
