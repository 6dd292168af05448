"""Base layers (countries, admin-1 lines, rivers, lakes) for any extent, built and cached.

The layers have the columns of the committed ``data/boundaries/`` files, so every reader
takes either. Built for a *window*: the extent grown by a degree and snapped outward to
whole degrees, so that nearby extents share one cache entry. Natural Earth ships no
admin-1 polygons in these packages, so ``governorates`` is empty here and the admin-1
borders come as lines (``governorate_lines``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from mapgen.export.geojson import write_frame
from mapgen.world import sources
from mapgen.world.cache import cache_key, cache_root
from mapgen.world.wdbii import LEVEL_CLASS, read_rivers

log = logging.getLogger(__name__)

#: Bump when what is built changes, so that old cache entries are not used.
FORMAT = 1
LAYERS = ("countries", "governorates", "governorate_lines", "rivers", "lakes")
MARGIN_DEG = 1.0
#: WDBII levels kept: 0 river-lakes, 1 permanent major, 2 additional major, 3 additional.
MAX_RIVER_LEVEL = 3
#: Levels that work as bank separators (the named Euphrates/Tigris of the default data).
MAIN_RIVER_LEVEL = 1
COUNTRY_TOLERANCE = 0.002
LINE_TOLERANCE = 0.002
LAKE_TOLERANCE = 0.003

Extent = tuple[float, float, float, float]


def window_for(extent: Extent) -> Extent:
    """The extent grown by MARGIN_DEG and snapped outward to whole degrees."""
    lon0, lat0, lon1, lat1 = extent
    return (
        float(max(-180, math.floor(lon0 - MARGIN_DEG))),
        float(max(-90, math.floor(lat0 - MARGIN_DEG))),
        float(min(180, math.ceil(lon1 + MARGIN_DEG))),
        float(min(90, math.ceil(lat1 + MARGIN_DEG))),
    )


def layers_folder(extent: Extent) -> Path:
    """The folder of the base layers for ``extent``, built first if not cached."""
    window = window_for(extent)
    key = cache_key(window=window, sources=sources.versions(), format=FORMAT)
    folder = cache_root() / "baselayers" / key
    if not (folder / "meta.json").exists():
        log.info("building base layers for %s (cached in %s)", window, folder)
        _write_folder(build_layers(window), window, folder)
    return folder


def build_layers(window: Extent) -> dict[str, gpd.GeoDataFrame]:
    """Every layer for a lon/lat window, clipped to it (EPSG:4326)."""
    frame = shapely.box(*window)
    countries = _countries(frame)
    land = countries.geometry.union_all()
    return {
        "countries": countries,
        "governorates": _frame({"country": [], "admin1code": [], "name": []}, []),
        "governorate_lines": _admin1_lines(countries, frame),
        "rivers": _rivers(window, frame),
        "lakes": _lakes(frame, land),
    }


def country_bounds(iso3: list[str]) -> Extent:
    """The lon/lat box of whole countries (ISO3), unclipped."""
    table = gpd.read_file(f"zip://{sources.COUNTRIES.path()}", encoding="utf-8")
    iso = table["ISO_A3"].where(table["ISO_A3"] != "-99", table["ADM0_A3"])
    chosen = table[iso.isin(iso3)]
    if chosen.empty:
        raise ValueError(f"no country {', '.join(iso3)} in Natural Earth")
    x0, y0, x1, y1 = chosen.total_bounds
    return (float(x0), float(y0), float(x1), float(y1))


def _frame(columns: dict[str, list], geometry: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        pd.DataFrame(columns), geometry=gpd.GeoSeries(geometry, crs="EPSG:4326")
    )


def _countries(frame: shapely.Geometry) -> gpd.GeoDataFrame:
    table = gpd.read_file(f"zip://{sources.COUNTRIES.path()}", encoding="utf-8", bbox=frame.bounds)
    table = table[table.intersects(frame)]
    iso = table["ISO_A3"].where(table["ISO_A3"] != "-99", table["ADM0_A3"])
    geoms = shapely.coverage_simplify(shapely.make_valid(table.geometry.values), COUNTRY_TOLERANCE)
    geoms = shapely.intersection(shapely.make_valid(geoms), frame)
    out = _frame(
        {"iso_a3": list(iso), "name": list(table["NAME_EN"]), "name_ar": list(table["NAME_AR"])},
        list(geoms),
    )
    out = out[~out.geometry.is_empty & out.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    return out.sort_values("iso_a3", kind="stable").reset_index(drop=True)


def _admin1_lines(countries: gpd.GeoDataFrame, frame: shapely.Geometry) -> gpd.GeoDataFrame:
    lines = gpd.read_file(sources.ADMIN1_LINES.path(), bbox=frame.bounds).geometry
    lines = lines.set_crs("EPSG:4326", allow_override=True)
    rows, geoms = [], []
    for iso, outline in zip(countries["iso_a3"], countries.geometry, strict=True):
        inside = shapely.intersection(lines[lines.intersects(outline)].values, outline)
        merged = shapely.line_merge(shapely.union_all(_lines(inside)))
        if merged.is_empty:
            continue
        rows.append(iso)
        geoms.append(shapely.simplify(merged, LINE_TOLERANCE, preserve_topology=True))
    return _frame({"country": rows}, geoms)


def _lines(geoms: object) -> list[shapely.Geometry]:
    parts = shapely.get_parts(shapely.get_parts(geoms))
    return [g for g in parts if g.geom_type in ("LineString", "MultiLineString")]


def _rivers(window: Extent, frame: shapely.Geometry) -> gpd.GeoDataFrame:
    segments = read_rivers(
        sources.RIVERS.path(), sources.RIVERS_META.path(), window=window, max_level=MAX_RIVER_LEVEL
    )
    levels, geoms = [], []
    for level, line in segments:
        clipped = shapely.intersection(line, frame)
        for part in _lines(clipped):
            levels.append(level)
            geoms.append(shapely.simplify(part, LINE_TOLERANCE, preserve_topology=True))
    return _frame(
        {
            "name": [None] * len(levels),
            "rank": levels,
            "class": [LEVEL_CLASS[lv] for lv in levels],
        },
        geoms,
    )


def _lakes(frame: shapely.Geometry, land: shapely.Geometry) -> gpd.GeoDataFrame:
    lakes = gpd.read_file(sources.LAKES.path(), bbox=frame.bounds).geometry
    lakes = lakes.set_crs("EPSG:4326", allow_override=True)
    lakes = shapely.intersection(shapely.make_valid(lakes[lakes.intersects(land)].values), frame)
    geoms = [
        shapely.simplify(g, LAKE_TOLERANCE, preserve_topology=True)
        for g in lakes
        if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty
    ]
    return _frame({"name": [None] * len(geoms)}, geoms)


def _write_folder(layers: dict[str, gpd.GeoDataFrame], window: Extent, folder: Path) -> None:
    """Write the layers into a temporary folder beside ``folder``, then move it in place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, layer in layers.items():
            write_frame(layer, tmp / f"{name}.geojson", name=name)
        meta = {"window": window, "sources": sources.versions(), "format": FORMAT}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if folder.exists():  # another process built it meanwhile
            shutil.rmtree(tmp)
            return
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
