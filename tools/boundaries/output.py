"""Writing the layers: deterministic GeoJSON (RFC 7946, 5 decimals), atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from tools.boundaries.common import Layers, round_geometry


def feature_json(props: dict[str, Any], geom: shapely.Geometry) -> str:
    """One GeoJSON feature on one line, coordinates rounded to PRECISION."""
    g = mapping(round_geometry(geom))
    return json.dumps(
        {"type": "Feature", "properties": props, "geometry": g},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def collection_text(
    features: Sequence[dict[str, Any]], sort_key: Callable[[dict[str, Any]], Any]
) -> str:
    """A FeatureCollection, one feature per line, features in a stable order."""
    ordered = sorted(features, key=sort_key)
    lines = [feature_json(f["properties"], f["geometry"]) for f in ordered]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def write_atomic(path: Path, text: str) -> None:
    """Write a file via a temporary file in the same directory and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def first_xy(geom: shapely.Geometry) -> tuple[float, float]:
    """First coordinate of a geometry (rounded), for stable sorting."""
    xy = shapely.get_coordinates(round_geometry(geom))[0]
    return (float(xy[0]), float(xy[1]))


def write_layers(layers: Layers, out: Path) -> dict[str, tuple[int, int]]:
    """Write all GeoJSON files; returns name -> (features, bytes)."""
    files = {
        "countries.geojson": (layers.countries, lambda f: f["properties"]["iso_a3"]),
        "governorates.geojson": (layers.governorates, lambda f: f["properties"]["admin1code"]),
        "governorate_lines.geojson": (
            layers.governorate_lines,
            lambda f: (
                f["properties"]["admin1_a"],
                f["properties"]["admin1_b"],
                first_xy(f["geometry"]),
            ),
        ),
        "rivers.geojson": (
            layers.rivers,
            lambda f: (
                f["properties"]["name"] is None,
                f["properties"]["name"] or "",
                f["properties"]["rank"],
                first_xy(f["geometry"]),
            ),
        ),
        "lakes.geojson": (
            layers.lakes,
            lambda f: (
                f["properties"]["name"] is None,
                f["properties"]["name"] or "",
                first_xy(f["geometry"]),
            ),
        ),
    }
    summary = {}
    for name, (feats, key) in files.items():
        text = collection_text(feats, key)
        write_atomic(out / name, text)
        summary[name] = (len(feats), len(text.encode("utf-8")))
    return summary
