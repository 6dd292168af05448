"""Base layers from ``data/boundaries/`` and the study area the territory model works in.

The layers (Natural Earth countries, governorates and lakes; GSHHG/WDBII rivers) are small
GeoJSON files in EPSG:4326, clipped to the region around Syria and Iraq. See
``data/boundaries/README.md`` for their provenance and licences.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import CRS
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from mapgen.dataset import DATA_DIR
from mapgen.errors import OptionError

BOUNDARIES_DIR = DATA_DIR / "boundaries"
LAYERS = ("countries", "governorates", "governorate_lines", "rivers", "lakes")
# What the maps draw under the control layers (governorates as their shared lines).
BASE_LAYERS = ("countries", "governorate_lines", "rivers", "lakes")
# Rivers that separate the banks a place can be on.
MAIN_RIVERS = ("Euphrates", "Tigris")
_MARGIN_DEG = 0.5


def read_layer(name: str, folder: Path = BOUNDARIES_DIR) -> gpd.GeoDataFrame:
    """One base layer as a GeoDataFrame in EPSG:4326: a new frame of the caller's own.

    The file is parsed once per process (the package's data files do not change while it
    runs); every call gets a copy, so changing it changes nothing for other callers.
    """
    if name not in LAYERS:
        raise OptionError(f"unknown layer {name!r}; the layers are {', '.join(LAYERS)}")
    return _parsed_layer(folder / f"{name}.geojson").copy()


@cache
def _parsed_layer(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


def base_layers(window: BaseGeometry, *, tolerance: float = 0.0) -> dict[str, gpd.GeoDataFrame]:
    """The base map's layers (:data:`BASE_LAYERS`) cut to ``window`` (EPSG:4326), simplified
    to ``tolerance`` degrees when given, features left empty by the cut dropped."""
    out = {}
    for name in BASE_LAYERS:
        layer = read_layer(name)
        geoms = shapely.intersection(layer.geometry.values, window)
        if tolerance:
            geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
        layer = layer.set_geometry(geoms)
        kept = ~(layer.geometry.isna() | layer.geometry.is_empty)
        out[name] = layer[kept].reset_index(drop=True)
    return out


def main_rivers() -> BaseGeometry:
    """The Euphrates and the Tigris as one (multi)line, EPSG:4326."""
    rivers = read_layer("rivers")
    return rivers.loc[rivers["name"].isin(MAIN_RIVERS)].geometry.union_all()


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

    Without an extent, the points' bounding box plus half a degree is used. Where no
    country of the base layers holds the points (a dataset from elsewhere), the study area
    is that box itself.
    """
    if extent is None:
        x0, y0, x1, y1 = points.total_bounds
        extent = (x0 - _MARGIN_DEG, y0 - _MARGIN_DEG, x1 + _MARGIN_DEG, y1 + _MARGIN_DEG)
    frame: Polygon = box(*extent)
    layer = read_layer("countries")
    if countries is not None:
        holding = layer[layer["iso_a3"].isin(countries)]
    else:
        holding = layer[layer.intersects(shapely.MultiPoint(list(points)))]
    if holding.empty:
        return StudyArea(frame, extent, (), (frame,))
    holding = holding.sort_values("iso_a3")
    lakes = read_layer("lakes").geometry.union_all()
    parts = [shapely.make_valid(g.intersection(frame).difference(lakes)) for g in holding.geometry]
    area = shapely.make_valid(shapely.union_all(parts))
    return StudyArea(area, extent, tuple(holding["iso_a3"]), tuple(parts))
