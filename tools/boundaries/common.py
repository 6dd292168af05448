"""What every layer of the boundary build shares: the region, tolerances and grids, the
build's error, towns and layers, and the geometry helpers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box
from shapely.ops import nearest_points

#: Region of interest: lon_min, lat_min, lon_max, lat_max (EPSG:4326). Syria and Iraq
#: lie wholly inside it; everything else is clipped to it.
BBOX: tuple[float, float, float, float] = (34.0, 28.5, 49.0, 38.5)
#: Decimal places of every output coordinate (1e-5 deg is about 1 m).
PRECISION = 5
#: Visvalingam-Whyatt tolerance (deg, ~sqrt of the removed triangle area) for the
#: country + governorate coverage (shapely.coverage_simplify, shared edges kept shared).
POLYGON_TOLERANCE = 0.004
#: Douglas-Peucker tolerances (deg) for lakes and rivers (topology preserving).
LAKE_TOLERANCE = 0.003
RIVER_TOLERANCE = 0.002
#: Admin-1 line ends closer than this (deg) to another line or to the country outline
#: are joined to it ("snap/extend"); larger gaps are left open and filled from towns.
ADMIN1_SNAP = 0.06
#: Raster cell (deg) used to split faces that NE's admin-1 lines leave unclosed.
FILL_CELL = 0.01
#: A face is named outright when its top GeoNames admin1 code has this share of towns.
FACE_MAJORITY = 0.75
#: River line ends closer than this (deg, ~1 km) to another river line are joined.
RIVER_SNAP = 0.01
#: Anchor towns must lie within this distance (m) of their river. GeoNames points are
#: town centres: Ar Raqqah's lies 2.8 km north of the WDBII Euphrates, Bayji's 2.8 km
#: west of the Tigris, so 2 km would reject correct data; 3 km still catches a wrong
#: branch (the nearest alternative channels are 10+ km away).
ANCHOR_MAX_DIST_M = 3000.0
#: Overshoot (deg) of gap connectors, so that noding always splits the target line.
OVERSHOOT = 1e-6
#: Snap-rounding grid (deg, ~1 cm) used when re-noding polygon coverages.
NODING_GRID = 1e-7
GEOD = Geod(ellps="WGS84")


class BuildError(RuntimeError):
    """A source could not be fetched or read, or the output broke an invariant."""


@dataclass(frozen=True)
class Town:
    """One GeoNames place (cities500)."""

    geonameid: int
    name: str
    country: str
    admin1: str
    lon: float
    lat: float
    population: int

    @property
    def point(self) -> Point:
        return Point(self.lon, self.lat)


@dataclass
class Layers:
    """Everything the build writes, before serialisation."""

    countries: list[dict[str, Any]] = field(default_factory=list)
    governorates: list[dict[str, Any]] = field(default_factory=list)
    governorate_lines: list[dict[str, Any]] = field(default_factory=list)
    rivers: list[dict[str, Any]] = field(default_factory=list)
    lakes: list[dict[str, Any]] = field(default_factory=list)


def bbox_polygon(margin: float = 0.0) -> Polygon:
    """The region of interest as a polygon, optionally grown by ``margin`` degrees."""
    x0, y0, x1, y1 = BBOX
    return box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def polygon_parts(geom: shapely.Geometry) -> list[Polygon]:
    """The non-empty polygons of any geometry."""
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]


def line_parts(geom: shapely.Geometry) -> list[LineString]:
    """The non-degenerate LineStrings of any geometry."""
    out: list[LineString] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, LineString) and part.length > 0:
            out.append(part)
        elif isinstance(part, shapely.GeometryCollection | MultiLineString):
            out.extend(line_parts(part))
    return out


def as_polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Polygonal part of a geometry as a Polygon or MultiPolygon."""
    parts = polygon_parts(geom)
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def end_direction(line: LineString, at_start: bool) -> np.ndarray:
    """Unit vector pointing out of the line at one of its ends."""
    xy = np.asarray(line.coords)
    vec = xy[0] - xy[1] if at_start else xy[-1] - xy[-2]
    norm = float(np.hypot(*vec))
    return vec / norm if norm > 0 else np.zeros(2)


def gap_connectors(
    lines: Sequence[LineString], targets: Sequence[shapely.Geometry], tol: float
) -> list[tuple[int, LineString]]:
    """Short segments joining free line ends to the nearest other line within ``tol``.

    An end is free when no other line (or connector made so far) ends at the same point.
    A connector runs from the free end to the nearest point of another line (or of
    ``targets``). When that point is a vertex the connector ends exactly on it; otherwise
    it overshoots by OVERSHOOT so that noding reliably splits the line it meets. Returns
    (index of the line the connector starts from, connector).
    """
    ends: Counter[tuple[float, float]] = Counter()
    for line in lines:
        ends[line.coords[0]] += 1
        ends[line.coords[-1]] += 1
    pool = list(lines) + list(targets)
    tree = shapely.STRtree(pool)
    out: list[tuple[int, LineString]] = []
    for i, line in enumerate(lines):
        for at_start in (True, False):
            end = line.coords[0] if at_start else line.coords[-1]
            if ends[end] > 1:
                continue
            p = Point(end)
            cands = [(pool[j].distance(p), int(j)) for j in tree.query(p.buffer(tol)) if j != i]
            cands = [c for c in cands if c[0] <= tol]
            if not cands:
                continue
            target_geom = pool[min(cands)[1]]
            target = np.asarray(nearest_points(target_geom, p)[0].coords[0])
            vertices = shapely.get_coordinates(target_geom)
            k = int(np.argmin(np.hypot(*(vertices - target).T)))
            if float(np.hypot(*(vertices[k] - target))) < 1e-9:
                tip = (float(vertices[k][0]), float(vertices[k][1]))
                ends[tip] += 1
            else:
                vec = target - np.asarray(end)
                norm = float(np.hypot(*vec))
                unit = vec / norm if norm > 1e-9 else end_direction(line, at_start)
                tip = tuple(target + unit * OVERSHOOT)
            ends[end] += 1
            if tip != end:
                out.append((i, LineString([end, tip])))
    return out


def shared_length(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Length of the common boundary of two polygons (to within 10 NODING_GRID)."""
    if not a.intersects(b.buffer(10 * NODING_GRID)):
        return 0.0
    return float(shapely.intersection(a.boundary, b.buffer(10 * NODING_GRID)).length)


def renode_coverage(polys: Sequence[shapely.Geometry]) -> list[shapely.Geometry]:
    """Re-node a set of non-overlapping polygons so that shared edges have equal vertices.

    All boundaries are unioned with snap-rounding on a NODING_GRID grid (so that a vertex
    lying a hair off a neighbour's edge still splits that edge) and polygonized again;
    each face goes back to the input polygon that contains it. The result is a valid,
    edge-matched coverage for the coverage_* functions.
    """
    linework = shapely.union_all([shapely.boundary(p) for p in polys], grid_size=NODING_GRID)
    faces = polygon_parts(shapely.polygonize(line_parts(linework)))
    tree = shapely.STRtree(list(polys))
    owned: dict[int, list[Polygon]] = defaultdict(list)
    for face in faces:
        rp = face.representative_point()
        hits = [int(j) for j in tree.query(rp, predicate="within")]
        if hits:
            owned[hits[0]].append(face)
    out: list[shapely.Geometry] = []
    for i in range(len(polys)):
        pieces = owned.get(i, [])
        out.append(as_polygonal(shapely.coverage_union_all(pieces)) if pieces else Polygon())
    return out


def round_geometry(geom: shapely.Geometry) -> shapely.Geometry:
    """Round coordinates to PRECISION decimals and orient polygons RFC 7946-style."""
    rounded = shapely.transform(geom, lambda xy: np.round(xy, PRECISION))
    if rounded.geom_type in ("Polygon", "MultiPolygon"):
        rounded = shapely.orient_polygons(rounded, exterior_cw=False)
    return rounded


def geodesic_distance_m(point: Point, geom: shapely.Geometry) -> float:
    """Geodesic distance (m) from a point to the nearest point of a geometry."""
    near = nearest_points(geom, point)[0]
    _, _, dist = GEOD.inv(point.x, point.y, near.x, near.y)
    return float(dist)
