"""Iraq's polygon events: the ground that the default dataset's Iraqi area rows set.

Every shape is made from the repository's own layers, so re-running gives the same
polygons: the Natural Earth governorates and rivers in ``data/boundaries/``, the GeoNames
points in ``data/places.csv`` (plus the hand-placed points listed there with
``origin=hand``), and the city discs in ``data/city_polygons.geojson``. Where a shape stands
for a reported size, one parameter (a radius or a buffer width) is set so the shape's area
in the dataset's equal-area CRS matches that size; ``notes`` gives the size, its source and
the area reached.

Two constructions recur:

* **Voronoi cells of places.** A front between two sides that is known only by the towns
  each held is drawn halfway between them: the Voronoi cells of the GeoNames points, cut
  to the country and to the banks of the rivers that bound the pocket.
* **A disc cut to one bank.** A city district or pocket that lies on one bank of the
  Tigris is a disc around a point, cut by the river line.

    .venv/bin/python tools/build_areas.py        # collects this module with the others
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, split

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
BOUNDARIES = DATA / "boundaries"
# The dataset's extent (Syria and Iraq whole): the equal-area CRS every size here is measured in.
EXTENT = (35.5, 29.0, 48.8, 37.5)
IRAQ_KM2 = 438_446  # Iraq's official land area (Geography of Iraq, Wikipedia)

KRG_GOVERNORATES = ("Erbil", "Duhok", "Sulaymaniyah")
SOUTH_GOVERNORATES = (
    "Baghdad",
    "Babil",
    "Karbala",
    "Najaf",
    "Al Qadisiyah",
    "Wasit",
    "Al Muthanna",
    "Dhi Qar",
    "Maysan",
    "Basra",
)
# GeoNames places inside the Kurdistan Region's three governorate polygons that were
# disputed territory taken back by Baghdad in October 2017 (Makhmur district).
KRG_DISPUTED = ("mexmur",)
# Towns of Nineveh governorate that the Kurdistan Region held before and after October 2017.
KRG_HELD_NINEVEH = ("akra", "aqrah", "ash-shaykhan", "kays-qalah")
# The Hawija pocket: the towns Islamic State held there on 2017-07-01.
HAWIJA_TOWNS = ("hawija", "al-abbasi", "ar-riyad")
# Places whose position on the Tigris bank is unclear (they sit on the river line).
HAWIJA_SKIP = ("alzwya", "hawe-ben-alean")

# Mosul's Old City pocket on 2017-06-29/07-01: "less than one square kilometre" (an Iraqi
# counter-terrorism officer, via Al-Messa) after 1.445 km² on 2017-06-27 (Rudaw, War Media
# Cell: 850 m by 1,700 m, including the al-Nuri mosque, retaken on 06-29).
OLD_CITY_KM2 = 1.0
NURI_MOSQUE = (43.12678, 36.34274)  # 36°20'33.86"N 43°07'36.41"E (Wikipedia coordinates)
NABI_YUNUS = (43.15944, 36.34806)  # 36°20'53"N 43°09'34"E, on the east bank (Wikipedia)
# The Jazira desert: "around four percent of national territory" (Hisham al-Hashemi to AFP,
# 2017-11-23).
JAZIRA_SHARE = 0.04
# Parts of a shape smaller than this are slivers of the cutting, not ground (km²).
SLIVER_KM2 = 5.0


@cache
def metric() -> CRS:
    lon0, lat0, lon1, lat1 = EXTENT
    span = lat1 - lat0
    return CRS.from_proj4(
        f"+proj=aea +lat_1={lat0 + span / 6:.4f} +lat_2={lat1 - span / 6:.4f} "
        f"+lat_0={(lat0 + lat1) / 2:.4f} +lon_0={(lon0 + lon1) / 2:.4f} "
        "+datum=WGS84 +units=m +no_defs"
    )


def reproject(geom: BaseGeometry, tf: Transformer) -> BaseGeometry:
    def apply(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(tf.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, apply)


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    return reproject(geom, Transformer.from_crs("EPSG:4326", metric(), always_xy=True))


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    return reproject(geom, Transformer.from_crs(metric(), "EPSG:4326", always_xy=True))


def km2(geom: BaseGeometry) -> float:
    """Area in km² in the dataset's equal-area CRS (``geom`` in lon/lat)."""
    return to_metric(geom).area / 1e6


@cache
def layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(BOUNDARIES / f"{name}.geojson")


def governorates(names: Iterable[str]) -> BaseGeometry:
    gov = layer("governorates")
    rows = gov[(gov["country"] == "IRQ") & gov["name"].isin(list(names))]
    missing = set(names) - set(rows["name"])
    if missing:
        raise ValueError(f"governorates not in the layer: {sorted(missing)}")
    return shapely.union_all(list(rows.geometry))


@cache
def iraq() -> BaseGeometry:
    countries = layer("countries")
    return countries.loc[countries["iso_a3"] == "IRQ"].geometry.iloc[0]


def river(name: str) -> BaseGeometry:
    """A named river line; the Tigris and the Euphrates continue down the Shatt al-Arab to
    the sea, so that each of them cuts Iraq in two."""
    rivers = layer("rivers")
    names = [name, "Shatt al-Arab"] if name in ("Tigris", "Euphrates") else [name]
    return linemerge(rivers.loc[rivers["name"].isin(names)].geometry.union_all())


@cache
def places() -> dict[str, dict]:
    """Iraq's places (GeoNames and hand-placed) by id, each with a shapely ``point``."""
    with (DATA / "places.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["country"] == "IRQ"]
    for r in rows:
        r["point"] = Point(float(r["lon"]), float(r["lat"]))
    return {r["id"]: r for r in rows}


def point(pid: str) -> Point:
    return places()[pid]["point"]


def voronoi_cells(ids: Iterable[str], region: BaseGeometry) -> dict[str, BaseGeometry]:
    """The Voronoi cell (in the equal-area CRS) of each place in ``ids``, cut to ``region``."""
    ids = sorted(set(ids))
    pts = [to_metric(point(i)) for i in ids]
    region_m = to_metric(region)
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=region_m.envelope.buffer(1e5))
    out = {}
    for cell in cells.geoms:
        owner = next(i for i, p in zip(ids, pts, strict=True) if cell.contains(p))
        out[owner] = to_lonlat(cell.intersection(region_m))
    return out


def bank(region: BaseGeometry, line: BaseGeometry, anchor: Point) -> BaseGeometry:
    """The part of ``region`` on ``anchor``'s side of ``line`` (a river crossing it).

    ``split`` may cut the region into more than two pieces where the line meanders in and
    out; pieces that meet along the line lie on opposite sides, so the pieces are
    two-coloured from the one holding ``anchor`` and that colour is kept.
    """
    parts = list(split(region, line).geoms)
    if len(parts) < 2:
        if region.intersection(line).length > 0:
            raise ValueError("the line enters the region without cutting it in two")
        return region
    home = next(i for i, p in enumerate(parts) if p.buffer(1e-9).contains(anchor))
    colour = {home: 0}
    queue = [home]
    while queue:
        i = queue.pop()
        for j, other in enumerate(parts):
            if j in colour:
                continue
            if parts[i].boundary.intersection(other.boundary).length > 0:
                colour[j] = 1 - colour[i]
                queue.append(j)
    return shapely.union_all([p for i, p in enumerate(parts) if colour.get(i) == 0])


def _toward(a: Point, b: Point, frac: float = 0.05) -> Point:
    """A point just off ``a`` in the direction of ``b`` (an anchor on b's side of a line)."""
    return Point(a.x + (b.x - a.x) * frac, a.y + (b.y - a.y) * frac)


def disc(center: Point, radius_km: float) -> BaseGeometry:
    """A circle of ``radius_km`` around a lon/lat point, as a lon/lat polygon."""
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={center.y} +lon_0={center.x} +datum=WGS84")
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return reproject(Point(0, 0).buffer(radius_km * 1000, quad_segs=32), back)


def solve_radius(make, target_km2: float, lo: float, hi: float) -> tuple[float, BaseGeometry]:
    """The radius (bisection between ``lo`` and ``hi`` km) whose shape has ``target_km2``."""
    for _ in range(60):
        mid = (lo + hi) / 2
        if km2(make(mid)) < target_km2:
            lo = mid
        else:
            hi = mid
    radius = (lo + hi) / 2
    return radius, make(radius)


def clean(geom: BaseGeometry, min_km2: float = SLIVER_KM2) -> BaseGeometry:
    """Valid polygons only, without the slivers (parts under ``min_km2``) that cutting
    layers of different origin leaves along shared edges; the largest part is always kept."""
    geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    if not parts:
        raise ValueError("no polygon left")
    largest = max(parts, key=lambda p: p.area)
    kept = [p for p in parts if p is largest or km2(p) >= min_km2]
    return shapely.union_all(kept)


def feature(fid: str, name: str, geom: BaseGeometry, method: str, notes: str) -> dict:
    return {
        "type": "Feature",
        "properties": {"id": fid, "name": name, "method": method, "notes": notes},
        "geometry": mapping(clean(geom)),
    }


# --- the Kurdistan Region and the disputed territories ------------------------------------


def krg_region() -> dict:
    govs = governorates(KRG_GOVERNORATES)
    # Duhok governorate lies north-east of the Tigris; south-west of it are Nineveh's
    # Rabia, Zummar and Wana subdistricts, which the Peshmerga held until October 2017.
    govs_ne = bank(govs, river("Tigris"), point("dohuk"))
    ninawa = governorates(["Nineveh"])
    core = {pid for pid, p in places().items() if govs.contains(p["point"])}
    core = (core - set(KRG_DISPUTED)) | set(KRG_HELD_NINEVEH)
    rivals = {
        pid for pid, p in places().items() if ninawa.contains(p["point"]) and pid not in core
    } | set(KRG_DISPUTED)
    cells = voronoi_cells(core | rivals, iraq())
    geom = govs_ne.intersection(shapely.union_all([cells[pid] for pid in core]))
    size, gov_size = km2(geom), km2(govs)
    return feature(
        "iq-krg-region",
        "Kurdistan Region (Erbil, Duhok, Sulaymaniyah governorates)",
        geom,
        "Union of the Erbil, Duhok and Sulaymaniyah governorate polygons "
        "(data/boundaries/governorates.geojson), kept north-east of the Tigris (south-west "
        "of it lie Nineveh's Rabia and Zummar subdistricts) and cut where Nineveh's towns "
        "are nearer: only the Voronoi cells of the GeoNames places inside the three "
        "polygons (and of Akre, Sheikhan and Kays Qal'ah, Nineveh towns the Kurdistan "
        "Region has held throughout), computed against Nineveh's other places and "
        "Makhmur (a disputed district Iraqi forces took back on 2017-10-17), are kept.",
        f"{size:,.0f} km² (the three polygons alone: {gov_size:,.0f} km²) against the "
        "Kurdistan Region's reported 41,220 km² (Kurdistan Region, Wikipedia). Natural "
        "Earth's borders between these governorates and Nineveh are inferred (Duhok comes "
        "out at ~9,500 km² against ~6,550 km² officially: data/boundaries/README.md); the "
        "cut removes what lies nearer to Nineveh's towns.",
    )


@cache
def hawija_pocket_geom() -> BaseGeometry:
    """East of the Tigris, south of the Little Zab, the Voronoi cells of the pocket's towns."""
    anchor = point("hawija")
    wedge = bank(iraq(), river("Tigris"), anchor)
    wedge = bank(wedge, river("Little Zab"), anchor)
    rivals = [
        pid for pid, p in places().items() if wedge.contains(p["point"]) and pid not in HAWIJA_SKIP
    ]
    cells = voronoi_cells(rivals, wedge)
    return shapely.union_all([cells[pid] for pid in HAWIJA_TOWNS])


def hawija_pocket() -> dict:
    geom = hawija_pocket_geom()
    kirkuk_gov = governorates(["Kirkuk"])
    in_kirkuk = km2(geom.intersection(kirkuk_gov))
    return feature(
        "iq-hawija-pocket",
        "Hawija pocket",
        geom,
        "The part of Iraq east of the Tigris and south of the Little Zab "
        "(data/boundaries/rivers.geojson) nearer to Hawija, Al-Abbasi or Ar-Riyad (the "
        "towns Islamic State held there) than to any other GeoNames place on that bank: "
        "the union of their Voronoi cells among the places in that wedge (AlZwya and Hawe "
        "Ben Alean, two points on the river line whose bank is unclear, left out).",
        f"{km2(geom):,.0f} km², of which {in_kirkuk:,.0f} km² in Kirkuk governorate "
        f"({in_kirkuk / km2(kirkuk_gov):.0%} of its {km2(kirkuk_gov):,.0f} km² polygon); "
        "Kirkuk's governor put the part of the province outside Islamic State's hands at "
        "70 % in June 2014 (Rudaw, 2014-06-17), i.e. ~30 % held by Islamic State, mostly "
        "the Hawija district. No area of the 2017 pocket was found in the record; the "
        "Iraqi command reported ~155 villages retaken in it (Hawija offensive, Wikipedia). "
        "The Hamrin range, the pocket's southern edge, is not in the base layers: the "
        "southern edge here is halfway to Al-Alam, Tuz Khurmatu and Daquq.",
    )


def kirkuk_krg() -> dict:
    kirkuk_gov = governorates(["Kirkuk"])
    geom = kirkuk_gov.difference(hawija_pocket_geom())
    return feature(
        "iq-kirkuk-krg",
        "Kirkuk governorate outside the Hawija pocket",
        geom,
        "The Kirkuk governorate polygon (data/boundaries/governorates.geojson) minus the "
        "Hawija pocket (iq-hawija-pocket).",
        f"{km2(geom):,.0f} km² ({km2(geom) / km2(kirkuk_gov):.0%} of the polygon's "
        f"{km2(kirkuk_gov):,.0f} km²; the governorate is 9,679 km² officially) against the "
        "70 % of the province that Kirkuk's governor said the Peshmerga, Asayish and police "
        "held in June 2014 (Rudaw, 2014-06-17). Includes Taza Khurmatu, a Shiite Turkmen "
        "town defended with Turkmen PMF units inside the Peshmerga-held province.",
    )


# --- Mosul --------------------------------------------------------------------------------


def mosul_city() -> BaseGeometry:
    with (DATA / "city_polygons.geojson").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return next(
        shape(f["geometry"]) for f in data["features"] if f["properties"]["place"] == "mosul"
    )


def mosul_east() -> dict:
    city = mosul_city()
    tigris = river("Tigris")
    center = tigris.interpolate(tigris.project(point("mosul")))
    radius_km = math.sqrt(km2(city) / math.pi)
    whole = disc(center, radius_km)
    geom = bank(whole, tigris, Point(*NABI_YUNUS))
    return feature(
        "iq-mosul-east",
        "East Mosul (left bank)",
        geom,
        f"A disc of {radius_km:.1f} km radius (the radius of Mosul's city disc in "
        "data/city_polygons.geojson: area = population / 8,000 per km²) centred on the "
        "point of the Tigris line nearest to the GeoNames Mosul point, so that the city "
        "straddles the river; cut by the Tigris, the part on the side of the Nabi Yunus "
        "mosque (36°20'53\"N 43°09'34\"E).",
        f"{km2(geom):,.0f} km² of the disc's {km2(whole):,.0f} km²: the left bank, which "
        "reports describe as about half of the city ('full control of half the city "
        "regained by January', Sky News, 2017-06-20). No published area of east Mosul was "
        "found.",
    )


def old_city_pocket() -> dict:
    tigris = river("Tigris")
    nuri = Point(*NURI_MOSQUE)
    on_river = tigris.interpolate(tigris.project(nuri))

    def make(r: float) -> BaseGeometry:
        return bank(disc(on_river, r), tigris, _toward(on_river, nuri))

    radius, geom = solve_radius(make, OLD_CITY_KM2, 0.1, 3.0)
    return feature(
        "iq-mosul-old-city",
        "Islamic State's last pocket in Mosul's Old City",
        geom,
        f"A disc of {radius:.2f} km radius around the point of the Tigris line nearest to the "
        "al-Nuri mosque (36°20'33.86\"N 43°07'36.41\"E), cut to the right (west) bank: "
        "after the mosque fell on 06-29 the last districts held (Maydan, Shahwan, Bab "
        "al-Tub) lay between it and the river. The radius is set so the area matches the "
        "reported size.",
        f"{km2(geom):.2f} km², sized to 'less than one square kilometre' (Iraqi "
        "counter-terrorism officer, Al-Messa, early July 2017); Rudaw reported 1.445 km² "
        "(850 m by 1,700 m, War Media Cell) on 2017-06-27, before the al-Nuri mosque fell "
        "on 06-29.",
    )


# --- the Jazira desert ------------------------------------------------------------------


def jazira_frame() -> BaseGeometry:
    """Iraq between the Euphrates and the Tigris, north of the Hit–Samarra line and south of
    the Baaj–Hatra–Sharqat line."""
    anchor = point("al-hadar")
    between = bank(iraq(), river("Euphrates"), anchor)
    between = bank(between, river("Tigris"), anchor)
    syria = layer("countries").set_index("iso_a3").geometry["SYR"]
    border = syria.boundary.intersection(iraq().buffer(1e-3))
    baaj = point("al-baaj")
    west_end = border.interpolate(border.project(baaj))
    tigris = river("Tigris")
    sharqat = point("sharqat")
    east_end = tigris.interpolate(tigris.project(sharqat))
    north_line = LineString([west_end, baaj, point("al-hadar"), sharqat, east_end])
    # extend the ends a little so the lines cross the frame's edges
    frame = bank(between, _extend(north_line, 0.05), Point(anchor.x, anchor.y - 0.3))
    south_line = LineString([point("hit"), point("samarra")])
    return bank(frame, _extend(south_line, 0.3), anchor)


def _extend(line: LineString, deg: float) -> LineString:
    (x0, y0), (x1, y1) = line.coords[0], line.coords[1]
    (xa, ya), (xb, yb) = line.coords[-2], line.coords[-1]

    def push(px, py, qx, qy):
        d = math.hypot(px - qx, py - qy)
        return px + (px - qx) / d * deg, py + (py - qy) / d * deg

    return LineString([push(x0, y0, x1, y1), *line.coords, push(xb, yb, xa, ya)])


def jazira_desert() -> dict:
    frame = jazira_frame()
    frame_m = to_metric(frame)
    # lakes cut with a 1 km margin, so that no edge of the desert runs along a lake shore
    lakes_m = to_metric(shapely.union_all(list(layer("lakes").geometry))).buffer(1000)
    valleys = shapely.union_all([river("Euphrates"), river("Tigris")])
    valleys_m = to_metric(valleys).intersection(frame_m.buffer(100_000))
    target = JAZIRA_SHARE * IRAQ_KM2

    def make_m(width_km: float) -> BaseGeometry:
        return frame_m.difference(valleys_m.buffer(width_km * 1000)).difference(lakes_m)

    # a wider strip gives a smaller desert: bisect on the width
    lo, hi = 0.0, 60.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if make_m(mid).area / 1e6 > target:
            lo = mid
        else:
            hi = mid
    width = (lo + hi) / 2
    geom = to_lonlat(make_m(width))
    return feature(
        "iq-jazira-desert",
        "Al-Jazira desert (Anbar, Nineveh, Salahuddin)",
        geom,
        "Iraq between the Euphrates and the Tigris (data/boundaries/rivers.geojson), north "
        "of the straight line from Hit to Samarra (Al-Jazira is the upland between the "
        "Tigris north of Samarra and the Euphrates north of Hit: Geography of Iraq, "
        "Wikipedia) and south of the line from the Syrian border through Al-Baaj, Al-Hadar "
        "and Sharqat to the Tigris (towns the PMF and army had taken by June 2017), minus "
        "the NE lakes with a 1 km margin "
        f"(Tharthar) and minus a {width:.1f} km strip along both rivers (the valleys, "
        "cleared before the operation). The strip width is set so the area is 4 % of Iraq.",
        f"{km2(geom):,.0f} km² = 4 % of Iraq's {IRAQ_KM2:,} km², the share Hisham al-Hashemi "
        "gave AFP for the desert region the operation of 2017-11-23 set out to clear; "
        "Abadi said 14,000 km² of it had been cleared some days later (Anadolu via "
        f"iraqnewsservice). The frame before the strip was {km2(frame):,.0f} km².",
    )


# --- the government-held south and centre -------------------------------------------------


def south() -> dict:
    geom = governorates(SOUTH_GOVERNORATES)
    return feature(
        "iq-south",
        "Baghdad and the south",
        geom,
        "Union of the governorate polygons of Baghdad, Babil, Karbala, Najaf, Al-Qadisiyah, "
        "Wasit, Al-Muthanna, Dhi Qar, Maysan and Basra (data/boundaries/governorates.geojson).",
        f"{km2(geom):,.0f} km². In January 2015 Islamic State's remaining areas in Iraq were "
        "in Nineveh, Erbil, Duhok, Anbar, Kirkuk and Salahuddin (Azzaman, 2015-01-27): none "
        "in these governorates, which stayed government-held through 2017–2019.",
    )


def features() -> list[dict]:
    return [
        krg_region(),
        kirkuk_krg(),
        hawija_pocket(),
        mosul_east(),
        old_city_pocket(),
        jazira_desert(),
        south(),
    ]


if __name__ == "__main__":
    for f in features():
        p = f["properties"]
        print(p["id"], "|", p["notes"][:160])
