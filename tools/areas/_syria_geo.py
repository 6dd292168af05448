"""Geometry helpers for the Syrian area modules (files starting with ``_`` are not collected).

Everything is built from the repository's own layers: ``data/boundaries/*.geojson`` (Natural
Earth countries and governorates, the WDBII Euphrates) and the points of ``data/places.csv``
(GeoNames, or hand-placed rows with their method in ``notes``). Shapes are made in an
equal-area projection fitted to Syria, so that areas in km² are exact, and returned in
EPSG:4326.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import split, substring

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
# Albers equal-area fitted to Syria: areas are exact, distances within ~1 % here.
CRS_M = CRS.from_proj4(
    "+proj=aea +lat_1=33.2 +lat_2=36.5 +lat_0=34.8 +lon_0=38.6 +datum=WGS84 +units=m"
)
_TO_M = Transformer.from_crs("EPSG:4326", CRS_M, always_xy=True)
_TO_DEG = Transformer.from_crs(CRS_M, "EPSG:4326", always_xy=True)


def _apply(transformer: Transformer) -> Callable:
    def run(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return run


def to_m(geom: BaseGeometry) -> BaseGeometry:
    """EPSG:4326 → metres (the Syrian Albers)."""
    return shapely.transform(geom, _apply(_TO_M))


def to_deg(geom: BaseGeometry) -> BaseGeometry:
    """Metres (the Syrian Albers) → EPSG:4326."""
    return shapely.transform(geom, _apply(_TO_DEG))


def km2(geom_deg: BaseGeometry) -> float:
    """Area of an EPSG:4326 shape in km²."""
    return to_m(geom_deg).area / 1e6


# --- layers -------------------------------------------------------------------------------


@cache
def _layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "boundaries" / f"{name}.geojson")


@cache
def country(iso: str) -> BaseGeometry:
    frame = _layer("countries")
    return frame.loc[frame["iso_a3"] == iso].geometry.iloc[0]


def syria() -> BaseGeometry:
    return country("SYR")


@cache
def governorate(name: str) -> BaseGeometry:
    frame = _layer("governorates")
    rows = frame.loc[(frame["country"] == "SYR") & (frame["name"] == name)]
    if rows.empty:
        raise KeyError(f"no Syrian governorate named {name!r}")
    return rows.geometry.iloc[0]


@cache
def river(name: str) -> LineString:
    frame = _layer("rivers")
    geom = frame.loc[frame["name"] == name].geometry.iloc[0]
    if geom.geom_type != "LineString":
        raise ValueError(f"{name} is not one line")
    return geom


@cache
def iraq_border() -> BaseGeometry:
    """The Syria–Iraq border (EPSG:4326 line)."""
    return syria().boundary.intersection(country("IRQ").buffer(1e-3))


# --- points -------------------------------------------------------------------------------


@cache
def _places() -> dict[str, Point]:
    with open(DATA / "places.csv", encoding="utf-8") as fh:
        return {r["id"]: Point(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)}


def place(pid: str) -> Point:
    """A place of ``data/places.csv`` by id (EPSG:4326 point)."""
    try:
        return _places()[pid]
    except KeyError:
        raise KeyError(f"place {pid!r} is not in data/places.csv") from None


def offset(origin: Point, km: float, bearing_deg: float) -> Point:
    """The point ``km`` from ``origin`` towards ``bearing_deg`` (0 = north, 90 = east)."""
    o = to_m(origin)
    a = math.radians(bearing_deg)
    return to_deg(Point(o.x + km * 1000 * math.sin(a), o.y + km * 1000 * math.cos(a)))


def midpoint(a: Point, b: Point) -> Point:
    """Halfway between two points (in the equal-area plane)."""
    ma, mb = to_m(a), to_m(b)
    return to_deg(Point((ma.x + mb.x) / 2, (ma.y + mb.y) / 2))


def border_at_lat(lat: float, border: BaseGeometry | None = None) -> Point:
    """The point of the Syria–Iraq border at latitude ``lat`` (the southernmost if several)."""
    line = border if border is not None else iraq_border()
    hits = line.intersection(LineString([(35.0, lat), (43.0, lat)]))
    points = [g for g in getattr(hits, "geoms", [hits]) if not g.is_empty]
    points = [p if p.geom_type == "Point" else p.centroid for p in points]
    if not points:
        raise ValueError(f"the border does not cross latitude {lat}")
    return min(points, key=lambda p: p.x)


# --- the Euphrates ------------------------------------------------------------------------


@cache
def _euphrates_m() -> LineString:
    return to_m(river("Euphrates"))


def river_point(p: Point, name: str = "Euphrates") -> Point:
    """The point of the river nearest to ``p``."""
    line = river(name)
    return line.interpolate(line.project(p))


@cache
def bank(side: str, name: str = "Euphrates") -> BaseGeometry:
    """All ground on one bank (``left`` or ``right`` looking downstream) of the river inside
    the Syria–Iraq region, EPSG:4326. The river line is extended straight out of the region at
    both ends so that it cuts the region in two."""
    line = river(name)
    coords = list(line.coords)
    (x0, y0), (x1, y1) = coords[0], coords[1]
    (xa, ya), (xb, yb) = coords[-2], coords[-1]
    far = 20.0
    start = (
        x0 - (x1 - x0) * far / _len(x0, y0, x1, y1),
        y0 - (y1 - y0) * far / _len(x0, y0, x1, y1),
    )
    end = (xb + (xb - xa) * far / _len(xa, ya, xb, yb), yb + (yb - ya) * far / _len(xa, ya, xb, yb))
    cutter = LineString([start, *coords, end])
    region = box(33.0, 27.0, 50.0, 39.5)
    parts = list(split(region, cutter).geoms)
    probe = _side_probe(line, side)
    for part in parts:
        if part.contains(probe):
            return part
    raise RuntimeError(f"no {side} bank of the {name} found")


def _len(x0, y0, x1, y1) -> float:
    return math.hypot(x1 - x0, y1 - y0) or 1.0


def _side_probe(line: LineString, side: str) -> Point:
    """A point a few km off the river's middle on the given side."""
    d = line.length / 2
    a, b = line.interpolate(d - 0.01), line.interpolate(d + 0.01)
    dx, dy = b.x - a.x, b.y - a.y
    norm = math.hypot(dx, dy)
    nx, ny = (-dy / norm, dx / norm) if side == "left" else (dy / norm, -dx / norm)
    mid = line.interpolate(d)
    return Point(mid.x + nx * 0.03, mid.y + ny * 0.03)


def stretch(a: Point, b: Point, name: str = "Euphrates") -> LineString:
    """The river between the points nearest to ``a`` and ``b`` (EPSG:4326)."""
    line = river(name)
    da, db = sorted((line.project(a), line.project(b)))
    return substring(line, da, db)


def band(a: Point, b: Point, width_km: float, side: str | None = None) -> BaseGeometry:
    """Ground within ``width_km`` of the river between ``a`` and ``b`` (flat ends), on one bank
    if ``side`` is given, clipped to Syria."""
    line_m = to_m(stretch(a, b))
    shape = to_deg(line_m.buffer(width_km * 1000, cap_style="flat"))
    if side:
        shape = shape.intersection(bank(side))
    return shape.intersection(syria())


def along(a: Point, b: Point, fraction: float, side: str, off_km: float) -> Point:
    """A point ``fraction`` of the way along the river from ``a`` to ``b``, ``off_km`` off the
    river on ``side`` (used to place riverside villages listed in order between two towns)."""
    line = river("Euphrates")
    da, db = line.project(a), line.project(b)
    d = da + (db - da) * fraction
    p, q = to_m(line.interpolate(d - 0.002)), to_m(line.interpolate(d + 0.002))
    if db < da:
        p, q = q, p
    line_m = _euphrates_m()
    here = to_m(line.interpolate(d))
    # Downstream direction at d, whatever the order of a and b.
    lo, hi = line_m.project(p), line_m.project(q)
    if lo > hi:
        p, q = q, p
    dx, dy = q.x - p.x, q.y - p.y
    norm = math.hypot(dx, dy)
    nx, ny = (-dy / norm, dx / norm) if side == "left" else (dy / norm, -dx / norm)
    return to_deg(Point(here.x + nx * off_km * 1000, here.y + ny * off_km * 1000))


# --- shapes -------------------------------------------------------------------------------


def ring(points: Iterable[Point]) -> Polygon:
    """A polygon through the points in order (EPSG:4326)."""
    poly = Polygon([(p.x, p.y) for p in points])
    return shapely.make_valid(poly) if not poly.is_valid else poly


def disc(center: Point, radius_km: float) -> Polygon:
    return to_deg(to_m(center).buffer(radius_km * 1000, quad_segs=32))


def fit(make: Callable[[float], BaseGeometry], target_km2: float, lo: float, hi: float) -> float:
    """The parameter in [lo, hi] for which ``make(param)`` has ``target_km2`` (bisection; the
    area must grow with the parameter)."""
    for _ in range(60):
        mid = (lo + hi) / 2
        if km2(make(mid)) < target_km2:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def disc_of_area(center: Point, target_km2: float, clip: BaseGeometry) -> BaseGeometry:
    """The part of a disc around ``center`` inside ``clip`` whose area is ``target_km2``."""
    radius = fit(lambda r: disc(center, r).intersection(clip), target_km2, 0.05, 400.0)
    return disc(center, radius).intersection(clip)


def clean(geom: BaseGeometry, min_part_km2: float = 0.01) -> BaseGeometry:
    """Polygonal part only, valid, rounded to ~1 m, without parts under ``min_part_km2``."""
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys)
    geom = shapely.set_precision(geom, 1e-5)
    parts = [g for g in getattr(geom, "geoms", [geom]) if km2(g) >= min_part_km2]
    return shapely.union_all(parts)


def feature(
    fid: str, name: str, geom: BaseGeometry, method: str, notes: str, min_part_km2: float = 0.01
) -> dict:
    """A GeoJSON Feature dict with the collector's properties."""
    geom = clean(geom, min_part_km2)
    return {
        "type": "Feature",
        "properties": {"id": fid, "name": name, "method": method, "notes": notes},
        "geometry": mapping(geom),
    }


def halfplane(a: Point, b: Point, side: str) -> Polygon:
    """The half of the region to the ``left`` or ``right`` of the directed line a→b (the line
    extended far beyond both points), EPSG:4326."""
    dx, dy = b.x - a.x, b.y - a.y
    norm = math.hypot(dx, dy)
    ux, uy = dx / norm, dy / norm
    far = 30.0
    p0 = (a.x - ux * far, a.y - uy * far)
    p1 = (b.x + ux * far, b.y + uy * far)
    nx, ny = (-uy, ux) if side == "left" else (uy, -ux)
    return Polygon(
        [p0, p1, (p1[0] + nx * far, p1[1] + ny * far), (p0[0] + nx * far, p0[1] + ny * far)]
    )


def around(pid: str, km: float) -> Polygon:
    """A disc of ``km`` around a place."""
    return disc(place(pid), km)


def south_of(lat: float) -> Polygon:
    return box(33.0, 27.0, 50.0, lat)


def north_of(lat: float) -> Polygon:
    return box(33.0, lat, 50.0, 39.5)


def east_of(lon: float) -> Polygon:
    return box(lon, 27.0, 50.0, 39.5)


def west_of(lon: float) -> Polygon:
    return box(33.0, 27.0, lon, 39.5)
