"""Seeded hostile variants of a dataset's files, and a runner that checks how mapgen takes them.

Each variant is a tiny dataset (events with place and area events, places, controllers, city
polygons, dataset TOML, areas, relations) with one file mutated: a cell set to a hostile value,
bytes inserted or cut, a quote left open, a huge field, a GeoJSON feature without geometry, a
TOML key of the wrong type… The runner checks each as ``mapgen validate`` does
(:func:`mapgen.dataset.check_dataset`, every problem formatted) and sorts the outcome: a clean
result (no error), a clean error (problems, or a MapgenError with its message) or a crash (any
other exception). A variant that validates must also build (timeline, territory, tables).
Input bytes must not change.

The commands that read other inputs get variants of their own (:func:`command_variants`):
an ACLED export through ``import-acled``, an article through ``extract``, a reviewed
candidates file through ``extract --reviewed --merge-into`` (the events table merged into
may only grow at its end).

Used by ``tests/test_fuzz.py``; run directly for figures::

    python -m tests.fuzzing --variants 600 --commands 150 --seed 14
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from mapgen.cli import cli
from mapgen.errors import MapgenError

CONTROLLERS = """id,name,color,aliases,notes
red,Red side,#d55e00,Reds|الحمر|Red army,
blue,Blue side,#0072b2,Blues|Blue forces,
"""
PLACES = """id,name,name_ar,aliases,lat,lon,country,governorate,population,geonames_id
alpha,Alpha,ألفا,Al-Alpha|Alfa,35.0,40.0,SYR,North,10000,1
bravo,Bravo,برافو,Bravo Town,35.0,40.5,SYR,North,5000,2
charlie,Charlie,,,35.0,41.0,IRQ,South,,
"""
EVENTS = """event_id,date,place,controller,status,opponent,date_precision,source,source_url,notes,area,geometry
T1,2020-01-01,alpha,red,controlled,,,Report A 2020-01-01,,,,
T2,2020-01-01,bravo,red,controlled,,,Report A 2020-01-01,,,,
T3,2020-01-01,charlie,blue,controlled,,,Report B 2020-01-01,https://example.org/b,,,
T4,2020-01-10,bravo,red,contested,blue,,Report C 2020-01-10,,,,
T5,2020-01-15,bravo,blue,controlled,,,Report D 2020-01-15,,,,
T6,2020-02,alpha,blue,controlled,,,Report E 2020-02,,,,
A1,2020-01-05,,red,controlled,,,Report F 2020-01-05,,,alpha-east,
A2,2020-01-12,,blue,controlled,,,Report G 2020-01-12,,,pocket,"POLYGON ((40.6 34.8, 40.9 34.8, 40.9 35.2, 40.6 35.2, 40.6 34.8))"
A3,2020-01-20,,,ended,,,Report H 2020-01-20,,,alpha-east,
"""  # noqa: E501
RELATIONS = """side_a,side_b,relation,valid_from,valid_to,source,notes
red,blue,hostile,2020-01-01,2020-01-20,Report A,
red,blue,neutral,2020-01-20,2020-02-01,Report H,a truce
"""
SQUARE = [[[39.9, 34.9], [40.1, 34.9], [40.1, 35.1], [39.9, 35.1], [39.9, 34.9]]]
POLYGONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"place": "alpha", "method": "traced"},
            "geometry": {"type": "Polygon", "coordinates": SQUARE},
        }
    ],
}
EAST = [[[40.0, 34.9], [40.2, 34.9], [40.2, 35.1], [40.0, 35.1], [40.0, 34.9]]]
AREAS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"id": "alpha-east", "name": "Alpha east", "method": "traced"},
            "geometry": {"type": "Polygon", "coordinates": EAST},
        }
    ],
}
INFO = """title = "Tiny"
start = "2020-01-01"
end = "2020-03-01"
extent = [39.0, 34.0, 42.0, 36.0]

[[milestones]]
date = "2020-01-15"
label = "Bravo falls"
source = "Report D"
"""
FILES = {
    "events": ("events.csv", EVENTS),
    "places": ("places.csv", PLACES),
    "controllers": ("controllers.csv", CONTROLLERS),
    "city_polygons": ("polygons.geojson", json.dumps(POLYGONS)),
    "info": ("dataset.toml", INFO),
    "areas": ("areas.geojson", json.dumps(AREAS)),
    "relations": ("relations.csv", RELATIONS),
}
KEY_PROPERTY = {"city_polygons": "place", "areas": "id"}
ACLED_SAMPLE = Path(__file__).parent / "data" / "acled_sample.csv"
ARTICLE = """date 2017-11-04
<p>Iraqi forces recaptured Rawa on Friday after a short battle.</p>
Islamic State still holds al-Qaim, according to the Joint Operations Command.
Syrian troops and their allies are 30 km from Abu Kamal.
"""
REVIEWED = (
    "event_id,date,date_precision,place,controller,status,opponent,source,source_url,notes,"
    "confidence,evidence,evidence_start,evidence_end,article\n"
    "X1,2017-11-03,day,rawa,iraq,controlled,,Report 2017-11-04 [a.txt],,extracted,0.90,"
    "Iraqi forces recaptured Rawa on Friday.,16,55,a.txt\n"
    "X2,2017-11-04,day,al-qaim,isis,controlled,,Report 2017-11-04 [a.txt],,extracted,0.75,"
    "Islamic State still holds al-Qaim.,60,95,a.txt\n"
)
MERGE_TARGET = (
    "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
    "E1,2017-10-01,hajin,isis,controlled,,Other report 2017-10-01,,\n"
)

HOSTILE = [
    "", " ", "\x00", "\x00\x00\x00", "\u202e", "ab\u202ecd", "\u2066x\u2069", "\x1b[31m",
    "9999-12-31", "2262-04-12", "1677-09-20", "1677", "0001-01-01", "2017-02-30", "2020-13",
    "٢٠١٧-١١-٠٣", "２０１７-１１-０３", "2017-11-03T00:00", "20171103", "2017-1-3",
    "3_4.45", "1e300", "-1e300", "nan", "inf", "-inf", "1,5", "0x1F", "+35", ".5", "35.",
    "²", "①", "٣٤", "9223372036854775807", "9223372036854775808", "18446744073709551616",
    "-1", "1" * 400, "x" * 5000, '"', '""', "'", "\r", "\n", "a,b", "=HYPERLINK(1)",
    "<script>alert(1)</script>", "../../etc/passwd", "week", "month", "year", "besieged",
    "contested", "ended", "?", "Alpha", "alpha", "red", "blue", "#zzzzzz", "#0072B2",
    "Red side", "bravo|charlie", "|", "\ufeff", "é" * 50, "ﷺ", "🙂",
]  # fmt: skip
BAD_GEOMETRIES: list[object] = [
    None,
    {"type": "Polygon", "coordinates": []},
    {"type": "Polygon", "coordinates": [[[39.9, 34.9], [1e300, 34.9], [40.1, 35.1], [39.9, 34.9]]]},
    {"type": "Polygon", "coordinates": [[[40, 35], [41, 36], [41, 35], [40, 36], [40, 35]]]},
    {"type": "Point", "coordinates": [40.0, 35.0]},
    {"type": "LineString", "coordinates": [[40, 35], [41, 35]]},
    {"type": "MultiPolygon", "coordinates": [SQUARE, []]},
    {"type": "Polygon", "coordinates": [[[200, 95], [201, 95], [201, 96], [200, 95]]]},
    {"type": "GeometryCollection", "geometries": []},
    {"type": "Polygon", "coordinates": [[[40, 35], [40, 35], [40, 35], [40, 35]]]},
]
BAD_PLACES: list[object] = [None, 5, 1.5, [], {"a": 1}, "", "\u202ealpha", "nowhere", "ALPHA"]
BAD_TOML = [
    "milestones = 5",
    'milestones = ["x"]',
    "milestones = [{date = 5}]",
    'milestones = [{date = "9999-01-01"}]',
    'milestones = [{date = "2020-01-05", label = [1]}]',
    "milestones = [{}]",
    "title = 5",
    "title = {a = 1}",
    "description = [1, 2]",
    "extent = [true, 1, 2, 3]",
    "extent = [nan, 34, 42, 36]",
    "extent = [1e300, 34, 42, 36]",
    "extent = [42, 34, 39, 36]",
    "extent = [-10, -5, 10, 5]",
    'extent = "x"',
    "extent = [1, 2]",
    "start = 1979-05-27T07:32:00Z",
    "start = 2020-01-01",
    'start = "1677"',
    'end = "2262-04-12"',
    'start = "2020-03-01"\nend = "2020-01-01"',
    'start = "٢٠٢٠-٠١-٠١"',
    "start = [",
    "= 1",
    'title = "\u202eTiny\x00"',
]


@dataclass(frozen=True)
class Variant:
    """One mutated dataset: what was done, and the files' contents by part."""

    label: str
    files: dict[str, bytes]


def variants(seed: int, count: int) -> Iterator[Variant]:
    """``count`` variants, the same for the same seed."""
    rng = random.Random(seed)
    base = {part: text.encode("utf-8") for part, (_, text) in FILES.items()}
    mutators: list[tuple[str, Callable[..., tuple[str, bytes]]]] = [
        ("events", _mutate_csv),
        ("events", _mutate_csv),
        ("events", _mutate_csv),
        ("places", _mutate_csv),
        ("places", _mutate_csv),
        ("controllers", _mutate_csv),
        ("relations", _mutate_csv),
        ("city_polygons", _mutate_geojson),
        ("areas", _mutate_geojson),
        ("info", _mutate_toml),
    ]
    for n in range(count):
        part, mutate = rng.choice(mutators)
        extra = {"key": KEY_PROPERTY[part]} if part in KEY_PROPERTY else {}
        label, data = mutate(rng, base[part], **extra)
        yield Variant(f"{n}: {part}: {label}", {**base, part: data})


def _mutate_csv(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    kind = rng.random()
    if kind < 0.6:  # one cell set to a hostile value (quoted as a CSV writer would)
        rows = list(csv.reader(io.StringIO(text)))
        row = rng.randrange(1, len(rows))
        col = rng.randrange(len(rows[row]))
        value = rng.choice(HOSTILE)
        rows[row][col] = value
        buffer = io.StringIO()
        quoting = csv.QUOTE_ALL if rng.random() < 0.3 else csv.QUOTE_MINIMAL
        csv.writer(buffer, lineterminator="\n", quoting=quoting).writerows(rows)
        return f"line {row + 1} cell {col + 1} = {value[:30]!r}", buffer.getvalue().encode()
    if kind < 0.7:  # a field over the csv module's limit
        row = rng.randrange(1, len(lines))
        return f"line {row + 1}: a 200,000-character field", (
            "".join(lines[:row]) + '"' + "y" * 200_000 + '",' + "".join(lines[row:])
        ).encode("utf-8")
    raw = bytearray(data)
    if kind < 0.8:  # random bytes inserted
        at = rng.randrange(len(raw))
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        raw[at:at] = junk
        return f"bytes {junk!r} at {at}", bytes(raw)
    if kind < 0.85:  # cut short
        at = rng.randrange(len(raw))
        return f"cut at byte {at}", bytes(raw[:at])
    if kind < 0.9:  # line ends, BOM
        form = rng.choice(["crlf", "cr", "bom", "bom2"])
        changed = {
            "crlf": data.replace(b"\n", b"\r\n"),
            "cr": data.replace(b"\n", b"\r"),
            "bom": b"\xef\xbb\xbf" + data,
            "bom2": b"\xef\xbb\xbf\xef\xbb\xbf" + data,
        }[form]
        return form, changed
    if kind < 0.95:  # a header column dropped or doubled
        header = lines[0].rstrip("\n").split(",")
        col = rng.randrange(len(header))
        header[col] = rng.choice(["", header[(col + 1) % len(header)], header[col].upper()])
        return f"header column {col + 1} = {header[col]!r}", (
            ",".join(header) + "\n" + "".join(lines[1:])
        ).encode("utf-8")
    row = rng.randrange(1, len(lines))  # a quote left open
    return f"open quote on line {row + 1}", (
        "".join(lines[:row]) + '"' + "".join(lines[row:])
    ).encode("utf-8")


def _mutate_geojson(rng: random.Random, data: bytes, key: str) -> tuple[str, bytes]:
    doc = json.loads(data)
    feature = doc["features"][0]
    kind = rng.random()
    if kind < 0.45:
        geom = rng.choice(BAD_GEOMETRIES)
        feature["geometry"] = geom
        label = f"geometry {json.dumps(geom)[:40]}"
    elif kind < 0.75:
        value = rng.choice(BAD_PLACES)
        feature["properties"][key] = value
        label = f"{key} {value!r}"
    elif kind < 0.85:
        feature["properties"] = rng.choice([None, {}, {"method": 5}])
        label = f"properties {feature['properties']!r}"
    elif kind < 0.9:
        doc["features"].append(json.loads(json.dumps(feature)))
        label = "the same feature twice"
    else:
        text = rng.choice(["", "{", "[]", '{"type": "FeatureCollection", "features": 5}', "null"])
        return f"document {text!r}", text.encode("utf-8")
    return label, json.dumps(doc).encode("utf-8")


def _mutate_toml(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    kind = rng.random()
    if kind < 0.8:
        line = rng.choice(BAD_TOML)
        key = line.split("=")[0].strip()
        kept = [
            x
            for x in data.decode("utf-8").split("\n[[milestones]]")[0].splitlines()
            if not x.startswith(key + " ")
        ]
        return line, ("\n".join([line, *kept]) + "\n").encode("utf-8")
    raw = bytearray(data)
    at = rng.randrange(len(raw))
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
    raw[at:at] = junk
    return f"bytes {junk!r} at {at}", bytes(raw)


@dataclass
class Outcome:
    """How mapgen took a variant."""

    label: str
    kind: str  # "clean result", "clean error" or "crash"
    detail: str = ""


def run_variant(variant: Variant, folder: Path) -> Outcome:
    """Write the variant's files into ``folder``, check them, and build them if they pass."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for part, (name, _) in FILES.items():
        paths[part] = folder / name
        paths[part].write_bytes(variant.files[part])
    before = {part: _digest(path) for part, path in paths.items()}
    outcome = check(variant.label, paths)
    if outcome.kind == "clean result":
        outcome = _build(variant.label, paths)
    changed = [part for part, path in paths.items() if _digest(path) != before[part]]
    if changed:
        return Outcome(variant.label, "crash", f"input changed: {', '.join(changed)}")
    return outcome


def check(label: str, paths: dict[str, Path]) -> Outcome:
    """What ``mapgen validate`` does with the files: check them all, format every problem."""
    from mapgen.dataset import DatasetFiles, check_dataset

    try:
        _, problems = check_dataset(DatasetFiles(**paths))
        lines = [str(p) for p in problems.items]
    except MapgenError as exc:
        return Outcome(label, "clean error", str(exc).splitlines()[0][:200])
    except Exception as exc:  # anything else is a crash
        return Outcome(label, "crash", "".join(traceback.format_exception(exc))[-1500:])
    if problems.error_count:
        return Outcome(label, "clean error", str(problems.errors[0])[:200])
    return Outcome(label, "clean result", "\n".join(lines)[:200])


def _judge(label: str, result) -> Outcome:
    """The outcome of a command run with click's test runner."""
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        return Outcome(label, "crash", trace[-1500:])
    if "Traceback" in output:
        return Outcome(label, "crash", output[-1500:])
    if result.exit_code == 0:
        return Outcome(label, "clean result")
    if result.exit_code in (1, 2) and "rror" in output:  # 2: click's usage errors
        return Outcome(label, "clean error", output.strip().splitlines()[0][:200])
    return Outcome(label, "crash", f"exit {result.exit_code}: {output[-500:]}")


def _build(label: str, paths: dict[str, Path]) -> Outcome:
    """What validate accepted must build: timeline, territory and the tables."""
    from mapgen.dataset import DatasetFiles, load_dataset
    from mapgen.export import write_changes_csv, write_stats_csv, write_timeline_csv
    from mapgen.territory import build_territory
    from mapgen.timeline import build_timeline

    try:
        dataset = load_dataset(DatasetFiles(**paths))
        territory = build_territory(build_timeline(dataset))
        out = paths["events"].parent / "out"
        write_timeline_csv(territory.timeline, out / "timeline.csv")
        write_changes_csv(territory.timeline, out / "changes.csv")
        write_stats_csv(territory, out / "stats.csv")
    except Exception as exc:  # anything here is a crash of build on validated input
        trace = "".join(traceback.format_exception(exc))
        return Outcome(label, "crash", "validated but build failed: " + trace[-1500:])
    return Outcome(label, "clean result")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class CommandVariant:
    """One mutated input of a command other than validate: the command and the bytes."""

    label: str
    command: str  # "import-acled", "extract" or "merge"
    data: bytes


def command_variants(seed: int, count: int) -> Iterator[CommandVariant]:
    """``count`` variants of an ACLED export, an article and a reviewed candidates file."""
    rng = random.Random(seed)
    base = {
        "import-acled": ACLED_SAMPLE.read_bytes(),
        "extract": ARTICLE.encode("utf-8"),
        "merge": REVIEWED.encode("utf-8"),
    }
    for n in range(count):
        command = rng.choice(list(base))
        mutate = _mutate_text if command == "extract" else _mutate_csv
        label, data = mutate(rng, base[command])
        yield CommandVariant(f"{n}: {command}: {label}", command, data)


def _mutate_text(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    text = data.decode("utf-8")
    kind = rng.random()
    if kind < 0.5:  # a hostile value put into the text
        at = rng.randrange(len(text))
        value = rng.choice([*HOSTILE, "<a" * 2000, "<p>" * 500, "&#x202e;", "<!--", "<![CDATA["])
        return f"{value[:30]!r} at {at}", (text[:at] + value + text[at:]).encode("utf-8")
    if kind < 0.7:  # a word repeated into one huge line
        word = rng.choice(["Rawa ", "captured ", "on Friday. ", "2017-11-04 ", "<b>"])
        return f"{word!r} x 3,000", (text + word * 3_000).encode("utf-8")
    raw = bytearray(data)
    if kind < 0.9:
        at = rng.randrange(len(raw))
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        raw[at:at] = junk
        return f"bytes {junk!r} at {at}", bytes(raw)
    at = rng.randrange(len(raw))
    return f"cut at byte {at}", bytes(raw[:at])


def run_command_variant(variant: CommandVariant, folder: Path) -> Outcome:
    """Run the variant's command on it in ``folder``: a clean error or result, input kept."""
    folder.mkdir(parents=True, exist_ok=True)
    name = {"import-acled": "acled.csv", "extract": "article.html", "merge": "reviewed.csv"}
    given = folder / name[variant.command]
    given.write_bytes(variant.data)
    target = folder / "events.csv"
    target.write_text(MERGE_TARGET, encoding="utf-8")
    for old in folder.glob("out*.csv"):
        old.unlink()
    argv = {
        "import-acled": ["import-acled", str(given), "--out", str(folder / "out.csv")],
        "extract": ["extract", str(given), "--out", str(folder / "out.csv")],
        "merge": ["extract", "--reviewed", str(given), "--merge-into", str(target)],
    }[variant.command]
    outcome = _judge(variant.label, CliRunner().invoke(cli, argv))
    if given.read_bytes() != variant.data:
        return Outcome(variant.label, "crash", "input changed")
    if not target.read_bytes().startswith(MERGE_TARGET.encode("utf-8")):
        return Outcome(variant.label, "crash", "the events table merged into lost bytes")
    return outcome


def special_files(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Inputs that are not regular files: a FIFO with no writer, /dev/zero, a folder."""
    fifo = folder / "fifo.csv"
    if not fifo.exists():
        os.mkfifo(fifo)
    zero = folder / "zero.csv"
    if not zero.exists():
        zero.symlink_to("/dev/zero")
    (folder / "a-folder.csv").mkdir(exist_ok=True)
    for name in ("fifo.csv", "zero.csv", "a-folder.csv", "missing.csv"):
        for option in ("--events", "--places", "--controllers", "--city-polygons", "--info"):
            yield f"{option} {name}", ["validate", option, str(folder / name)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=600)
    parser.add_argument("--commands", type=int, default=150, help="variants of other commands")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/mapgen-fuzz"))
    parser.add_argument(
        "--no-special", action="store_true", help="skip FIFO, /dev/zero (they hang old code)"
    )
    args = parser.parse_args()
    counts: Counter = Counter()
    crashes = []
    for variant in variants(args.seed, args.variants):
        outcome = run_variant(variant, args.folder / "v")
        counts[outcome.kind] += 1
        if outcome.kind == "crash":
            crashes.append(outcome)
    for command in command_variants(args.seed, args.commands):
        outcome = run_command_variant(command, args.folder / "c")
        counts[outcome.kind] += 1
        if outcome.kind == "crash":
            crashes.append(outcome)
    for label, argv in [] if args.no_special else special_files(args.folder):
        outcome = _judge(label, CliRunner().invoke(cli, argv))
        counts[outcome.kind] += 1
        if outcome.kind == "crash":
            crashes.append(outcome)
    total = sum(counts.values())
    print(
        f"{total} variants (seed {args.seed}): " + ", ".join(f"{n} {k}" for k, n in counts.items())
    )
    for outcome in crashes:
        print(f"--- {outcome.label}\n{outcome.detail}")


if __name__ == "__main__":
    main()
