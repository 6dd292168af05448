"""Countries: those of the region from Natural Earth, and the countries + governorates
coverage simplified as one and turned into the two polygon layers and the lines between
governorates.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import geopandas as gpd
import numpy as np
import shapely

from tools.boundaries.common import (
    BBOX,
    POLYGON_TOLERANCE,
    BuildError,
    Layers,
    as_polygonal,
    bbox_polygon,
    renode_coverage,
    round_geometry,
)
from tools.boundaries.divisions import (
    ADMIN1_COUNTRIES,
    ADMIN1_NAMES,
    edge_provenance,
    internal_edges,
)

log = logging.getLogger(__name__)


def select_countries(frame: gpd.GeoDataFrame) -> list[tuple[str, str, str, shapely.Geometry]]:
    """Countries meeting the bbox, clipped to it: (iso_a3, name, name_ar, geometry).

    Syria and Iraq are returned unclipped; the build fails if the bbox cuts them.
    """
    region = bbox_polygon()
    out = []
    for iso, name, name_ar, geom in frame[["iso_a3", "name", "name_ar", "geometry"]].itertuples(
        index=False
    ):
        if not geom.intersects(region):
            continue
        if iso in ADMIN1_COUNTRIES:
            if not region.contains(geom):
                raise BuildError(f"BBOX {BBOX} cuts {iso} (bounds {geom.bounds}); widen BBOX")
            clipped = geom
            log.info("  %s lies wholly inside BBOX: not clipped", iso)
        else:
            clipped = as_polygonal(shapely.intersection(geom, region))
        if not clipped.is_empty:
            out.append((iso, name, name_ar, clipped))
    return out


def assemble(
    countries: list[tuple[str, str, str, shapely.Geometry]],
    govs: dict[str, dict[str, shapely.Geometry]],
    ne_lines: dict[str, shapely.Geometry],
) -> Layers:
    """Simplify countries + governorates as one coverage and build the feature lists."""
    keys: list[tuple[str, str | None]] = []
    polys: list[shapely.Geometry] = []
    for iso, _, _, geom in countries:
        if iso in govs:
            for code, g in sorted(govs[iso].items()):
                keys.append((iso, code))
                polys.append(g)
        else:
            keys.append((iso, None))
            polys.append(geom)
    noded = renode_coverage(polys)
    arr = np.asarray(noded, dtype=object)
    if not shapely.coverage_is_valid(arr):
        raise BuildError("country + governorate polygons do not form a valid coverage")
    simple = shapely.coverage_simplify(arr, POLYGON_TOLERANCE)
    rounded = [round_geometry(as_polygonal(g)) for g in simple]
    layers = Layers()
    by_iso: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for (iso, code), geom in zip(keys, rounded, strict=True):
        if code is None:
            by_iso[iso].append(geom)
        else:
            by_iso[iso].append(geom)
            name, name_ar = ADMIN1_NAMES[code]
            layers.governorates.append(
                {
                    "properties": {
                        "country": iso,
                        "admin1code": code,
                        "name": name,
                        "name_ar": name_ar,
                    },
                    "geometry": geom,
                }
            )
    for iso, name, name_ar, _ in countries:
        parts = by_iso[iso]
        geom = (
            parts[0] if len(parts) == 1 else round_geometry(as_polygonal(shapely.union_all(parts)))
        )
        layers.countries.append(
            {"properties": {"iso_a3": iso, "name": name, "name_ar": name_ar}, "geometry": geom}
        )
    for iso in sorted(govs):
        gdict = {
            f["properties"]["admin1code"]: f["geometry"]
            for f in layers.governorates
            if f["properties"]["country"] == iso
        }
        for a, b, line in internal_edges(gdict):
            for src, run in edge_provenance(line, ne_lines[iso], 4 * POLYGON_TOLERANCE):
                layers.governorate_lines.append(
                    {
                        "properties": {"country": iso, "admin1_a": a, "admin1_b": b, "source": src},
                        "geometry": run,
                    }
                )
    return layers
