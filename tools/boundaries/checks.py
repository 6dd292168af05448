"""The invariants of the output, checked after the build (every problem listed at once)."""

from __future__ import annotations

import logging
from collections import Counter

import shapely

from tools.boundaries.common import ANCHOR_MAX_DIST_M, GEOD, Layers, Town, geodesic_distance_m
from tools.boundaries.divisions import (
    ADMIN1_COUNTRIES,
    ADMIN1_NAMES,
    GOVERNORATE_ANCHORS,
    admin1_key,
)
from tools.boundaries.lakes import LAKE_POINTS
from tools.boundaries.rivers import BANK_RIVERS, RIVERS, town_of

log = logging.getLogger(__name__)


def check_layers(
    layers: Layers, originals: dict[str, shapely.Geometry], towns: dict[int, Town]
) -> list[str]:
    """Every invariant of the output; returns the problems found (empty when all hold)."""
    problems: list[str] = []
    for layer_name in ("countries", "governorates", "governorate_lines", "rivers", "lakes"):
        for f in getattr(layers, layer_name):
            if not f["geometry"].is_valid:
                problems.append(f"{layer_name}: invalid geometry {f['properties']}")
            if f["geometry"].is_empty:
                problems.append(f"{layer_name}: empty geometry {f['properties']}")
    govs = layers.governorates
    codes = Counter(f["properties"]["admin1code"] for f in govs)
    for code in ADMIN1_NAMES:
        if codes[code] != 1:
            problems.append(f"governorate {code} present {codes[code]} times (expected once)")
    if problems:
        return problems  # the area checks below need valid geometries
    for iso, original in originals.items():
        mine = [f["geometry"] for f in govs if f["properties"]["country"] == iso]
        union = shapely.union_all(mine)
        country = next(f["geometry"] for f in layers.countries if f["properties"]["iso_a3"] == iso)
        diff = shapely.symmetric_difference(union, country).area / country.area
        if diff > 0.005:
            problems.append(
                f"{iso}: governorates differ from the country by {diff:.3%} of its area"
            )
        area_change = abs(country.area - original.area) / original.area
        if area_change > 0.005:
            problems.append(f"{iso}: simplification changed the area by {area_change:.3%}")
        overlap = sum(
            shapely.intersection(a, b).area for i, a in enumerate(mine) for b in mine[i + 1 :]
        )
        if overlap > 1e-9:
            problems.append(f"{iso}: governorates overlap ({overlap:.2e} sq deg)")
        log.info(
            "check %s: governorates vs country area difference %.4f%%, overlap %.1e",
            iso,
            100 * diff,
            overlap,
        )
    for gid, name, code in GOVERNORATE_ANCHORS:
        t = town_of(towns, gid, name)
        hits = [f["properties"]["admin1code"] for f in govs if f["geometry"].contains(t.point)]
        if hits != [code]:
            problems.append(f"{name} ({t.lat}, {t.lon}) falls in {hits}, expected {code}")
        else:
            log.info("check: %s is in %s (%s)", name, code, ADMIN1_NAMES[code][0])
    lake_names = Counter(f["properties"]["name"] for f in layers.lakes)
    for name in LAKE_POINTS:
        if lake_names[name] != 1:
            problems.append(f"lake {name} named {lake_names[name]} times (expected once)")
    rivers = {
        f["properties"]["name"]: f["geometry"] for f in layers.rivers if f["properties"]["name"]
    }
    for river in BANK_RIVERS:
        geom = rivers.get(river)
        if geom is None or geom.geom_type != "LineString":
            problems.append(
                f"{river} must be one LineString, got {None if geom is None else geom.geom_type}"
            )
            continue
        if not geom.is_simple:
            problems.append(f"{river} crosses itself")
        else:
            km = GEOD.geometry_length(geom) / 1000
            log.info(
                "check: %s is one simple LineString, %d vertices, %.0f km",
                river,
                len(geom.coords),
                km,
            )
    for spec in RIVERS:
        geom = rivers.get(spec.name)
        if geom is None:
            problems.append(f"river {spec.name} missing")
            continue
        for gid, name in spec.anchors:
            d = geodesic_distance_m(town_of(towns, gid, name).point, geom)
            status = "ok" if d <= ANCHOR_MAX_DIST_M else "TOO FAR"
            log.info("check: %s passes %.0f m from %s (%s)", spec.name, d, name, status)
            if d > ANCHOR_MAX_DIST_M:
                problems.append(
                    f"{spec.name} passes {d:.0f} m from {name} (max {ANCHOR_MAX_DIST_M:.0f} m)"
                )
    return problems


def town_agreement(layers: Layers, towns: dict[int, Town]) -> None:
    """Log how many GeoNames towns fall in the governorate of their admin1 code."""
    govs = layers.governorates
    tree = shapely.STRtree([f["geometry"] for f in govs])
    for iso, cc in ADMIN1_COUNTRIES.items():
        ok = bad = 0
        misses: list[str] = []
        for t in (t for t in towns.values() if t.country == cc):
            hit = [
                govs[int(j)]["properties"]["admin1code"]
                for j in tree.query(t.point, predicate="within")
            ]
            if not hit:
                continue
            if hit[0] == admin1_key(t):
                ok += 1
            else:
                bad += 1
                misses.append(f"{t.name} {admin1_key(t)}->{hit[0]}")
        log.info(
            "check %s: %d of %d GeoNames towns fall in their own governorate; others: %s",
            iso,
            ok,
            ok + bad,
            "; ".join(sorted(misses)),
        )
