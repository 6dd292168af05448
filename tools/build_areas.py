"""Regenerate ``data/areas.geojson``, the default dataset's polygon events' shapes.

Each module in ``tools/areas/`` (one per country or front) has a function ``features()``
returning GeoJSON Feature dicts (EPSG:4326) with the properties ``id``, ``name``, ``method``
(how the shape was made) and optionally ``notes``. This script collects them, checks that
ids are unique and shapes valid, and writes one FeatureCollection: features sorted by id,
coordinates rounded to 5 decimals, one feature per line, written atomically.

    .venv/bin/python tools/build_areas.py [--out data/areas.geojson]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

HERE = Path(__file__).parent
DEFAULT_OUT = HERE.parent / "data" / "areas.geojson"
REQUIRED = ("id", "name", "method")


def collect(folder: Path = HERE / "areas") -> list[dict]:
    """Every feature of every module in ``folder`` (files starting with ``_`` are helpers)."""
    sys.path.insert(0, str(folder))
    features: list[dict] = []
    for path in sorted(folder.glob("[!_]*.py")):
        spec = importlib.util.spec_from_file_location(f"areas_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        features.extend(module.features())
    return features


def check(features: list[dict]) -> list[str]:
    """Problems: missing properties, repeated ids, invalid or empty shapes."""
    problems, seen = [], set()
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties", {})
        missing = [k for k in REQUIRED if not props.get(k)]
        if missing:
            problems.append(f"feature {n}: missing {', '.join(missing)}")
        if props.get("id") in seen:
            problems.append(f"feature {n}: id {props.get('id')!r} repeated")
        seen.add(props.get("id"))
        geom = shape(feature["geometry"])
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            problems.append(f"feature {n} ({props.get('id')}): not a non-empty (multi)polygon")
        elif not geom.is_valid:
            problems.append(f"feature {n} ({props.get('id')}): {shapely.is_valid_reason(geom)}")
    return problems


def to_text(features: list[dict]) -> str:
    lines = []
    for feature in sorted(features, key=lambda f: f["properties"]["id"]):
        geom = shapely.set_precision(shape(feature["geometry"]), 1e-5)
        geom = shapely.normalize(shapely.make_valid(geom))
        props = {k: feature["properties"][k] for k in sorted(feature["properties"])}
        item = {"type": "Feature", "properties": props, "geometry": mapping(geom)}
        lines.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    features = collect()
    problems = check(features)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=".areas.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(to_text(features))
    os.replace(tmp, args.out)
    print(f"wrote {len(features)} areas into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
