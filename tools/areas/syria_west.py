"""Areas of the non-ISIS fronts of western and southern Syria (event prefix ``SYW``).

Every shape is made reproducibly from the repository's own layers:
``data/boundaries/governorates.geojson`` (Natural Earth admin-1), the GeoNames points (and the
few hand-placed points, each with its source) of ``data/places.csv``, and the Euphrates of
``data/boundaries/rivers.geojson``. The recipes are:

* **hull** - the convex hull of named places a side held, widened by a few km, cut to
  governorates, less discs around named places the other side held;
* **voronoi** - a region split among named places: each part is the union of the Voronoi
  cells (clipped to the region) of the places that changed hands on the same day;
* **disc** - a geodesic-radius disc around a named point (the al-Tanf 55 km zone).

Buffers and areas are computed in an Albers equal-area CRS fitted to Syria. Each feature's
``notes`` give its size and, where one was reported, the published size it is compared with.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon, mapping
from shapely.ops import transform, unary_union

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
# Albers equal-area fitted to Syria (standard parallels 33 N and 36.5 N).
METRIC = CRS.from_proj4(
    "+proj=aea +lat_1=33 +lat_2=36.5 +lat_0=35 +lon_0=38.5 +datum=WGS84 +units=m +no_defs"
)
_FWD = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True).transform
_INV = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True).transform
KM = 1000.0


# --- layers ---------------------------------------------------------------------------------
@cache
def _places() -> dict[str, Point]:
    with (DATA / "places.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["id"]: transform(_FWD, Point(float(r["lon"]), float(r["lat"]))) for r in rows}


def pt(place_id: str) -> Point:
    """A place of ``data/places.csv`` in the metric CRS."""
    return _places()[place_id]


@cache
def _governorates() -> dict[str, shapely.Geometry]:
    gov = gpd.read_file(DATA / "boundaries" / "governorates.geojson")
    gov = gov[gov["country"] == "SYR"].to_crs(METRIC)
    return {name: geom for name, geom in zip(gov["name"], gov.geometry, strict=True)}


def gov(*names: str) -> shapely.Geometry:
    """The union of Syrian governorates (metric CRS)."""
    return unary_union([_governorates()[n] for n in names])


def syria() -> shapely.Geometry:
    return unary_union(list(_governorates().values()))


# --- recipes --------------------------------------------------------------------------------
def discs(ids: list[str], radius_km: float) -> shapely.Geometry:
    return unary_union([pt(i).buffer(radius_km * KM) for i in ids])


def hull(ids: list[str], widen_km: float) -> shapely.Geometry:
    """The convex hull of named places, widened by ``widen_km``."""
    return MultiPoint([pt(i) for i in ids]).convex_hull.buffer(widen_km * KM)


def midpoint(a: str, b: str) -> Point:
    pa, pb = pt(a), pt(b)
    return Point((pa.x + pb.x) / 2, (pa.y + pb.y) / 2)


def side_of(line_pts: list[Point], region: shapely.Geometry, left: bool) -> shapely.Geometry:
    """The part of ``region`` on one side of a polyline, extended 300 km at both ends."""
    coords = [(p.x, p.y) for p in line_pts]
    (x0, y0), (x1, y1) = coords[0], coords[1]
    (xa, ya), (xb, yb) = coords[-2], coords[-1]

    def extend(xa: float, ya: float, xb: float, yb: float) -> tuple[float, float]:
        d = ((xb - xa) ** 2 + (yb - ya) ** 2) ** 0.5
        return (xb + (xb - xa) / d * 300 * KM, yb + (yb - ya) / d * 300 * KM)

    line = LineString([extend(x1, y1, x0, y0), *coords, extend(xa, ya, xb, yb)])
    # a wide one-sided buffer of the polyline is the half-plane-like side
    half = (
        line.buffer(600 * KM, single_sided=True)
        if left
        else line.buffer(-600 * KM, single_sided=True)
    )
    return region.intersection(half)


def voronoi_parts(region: shapely.Geometry, groups: dict[str, str]) -> dict[str, shapely.Geometry]:
    """Split ``region`` among named places: group name -> union of its places' Voronoi cells."""
    ids = list(groups)
    cells = shapely.voronoi_polygons(
        MultiPoint([pt(i) for i in ids]), extend_to=region.envelope.buffer(50 * KM)
    )
    out: dict[str, list[shapely.Geometry]] = {}
    for cell in cells.geoms:
        owner = next(i for i in ids if cell.contains(pt(i)))
        out.setdefault(groups[owner], []).append(cell.intersection(region))
    return {g: unary_union(parts) for g, parts in out.items()}


def clean(geom: shapely.Geometry, min_km2: float = 0.5) -> shapely.Geometry:
    """Valid (multi)polygon without slivers smaller than ``min_km2``."""
    geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon)]
    polys = [p for p in polys if p.area >= min_km2 * KM * KM]
    return unary_union(polys)


def km2(geom: shapely.Geometry) -> float:
    return geom.area / (KM * KM)


def feature(fid: str, name: str, geom: shapely.Geometry, method: str, notes: str) -> dict:
    """A GeoJSON feature; its metric shape waits under ``_metric`` for :func:`finish`."""
    geom = clean(geom)
    size = f"{km2(geom):,.0f} km²" if km2(geom) >= 10 else f"{km2(geom):,.1f} km²"
    props = {"id": fid, "name": name, "method": method, "notes": f"Size {size}. {notes}".strip()}
    return {"type": "Feature", "properties": props, "_metric": geom}


def finish(feats: list[dict], tolerance_m: float = 1.0) -> list[dict]:
    """Snap every shape to its neighbours' vertices (within 1 m) before writing them out.

    A part made by cutting a region (a Voronoi cell, one side of a line) has vertices where
    the cut crosses the region's edge that the region itself lacks; once each feature is
    rounded to 1e-5 degrees on its own, those edges no longer coincide and leave slivers
    between a region and its parts. Snapping inserts the shared vertices into both.
    """
    geoms = [f.pop("_metric") for f in feats]
    tree = shapely.STRtree(geoms)
    for f, geom in zip(feats, geoms, strict=True):
        out = geom
        for j in tree.query(geom.buffer(10 * tolerance_m)):
            if geoms[j] is not geom:
                out = shapely.snap(out, geoms[j], tolerance_m)
        f["geometry"] = mapping(transform(_INV, clean(out)))
    return feats


# --- north-west: Idlib and its surroundings -------------------------------------------------
IDLIB_REBEL_EXTRA = [
    # western Aleppo countryside
    "al-atarib",
    "darat-izzah",
    "huraytan",
    "az-zarbah",
    "batabo",
    # northern Hama and the northern Ghab
    "kafr-zayta",
    "murak",
    "qalat-al-madiq",
    "az-ziyarah",
    # south-eastern Idlib / southern Aleppo countryside east of the Hejaz railway
    "abu-az-zuhur",
    "sinjar-164094",
    "tall-ad-daman",
    # the Jabal al-Akrad strip of Latakia (hand-placed)
    "kabani",
]
# Government-held places next to the rebel north-west (discs removed from the hull).
NW_GOV_DISCS = {
    "hamah": 8,
    "halfaya": 2.5,
    "tayyibat-al-imam": 2.5,
    "suran-163915": 2.5,
    "maharda": 2.5,
    "kurnaz": 3.5,
    "as-suqaylibiyah": 2.5,
    "tall-salhab": 2.5,
    "jubb-ramlah": 2.5,
    "shathah": 2.5,
    "nubl": 4,
    "kinnsibba": 2.5,
}
# The government's front villages north of Hama (their hull joins Kurnaz to the rest).
HAMA_FRONT_GOV = [
    "kurnaz",
    "as-suqaylibiyah",
    "maharda",
    "halfaya",
    "tayyibat-al-imam",
    "suran-163915",
]
# The government salient south of Aleppo city (Aleppo - al-Hadir - Khanasir road).
ALEPPO_SALIENT = ["aleppo", "al-hadir", "banan", "al-hajib", "khanasir", "kafr-saghir"]


def afrin_region() -> shapely.Geometry:
    ids = [
        "afrin",
        "jindayris",
        "raju",
        "bulbul",
        "shaykh-al-hadid",
        "al-mabatli",
        "qentere",
        "sharan",
    ]
    return hull(ids, 9) & gov("Aleppo") & syria()


def idlib_region() -> shapely.Geometry:
    rebel = [k for k, p in _places().items() if _in(p, "Idlib") and k not in ("fuah", "kafriya")]
    region = hull(rebel + IDLIB_REBEL_EXTRA, 3) | gov("Idlib")
    region = region & syria()
    minus = [discs([k], r) for k, r in NW_GOV_DISCS.items()]
    minus.append(hull(ALEPPO_SALIENT, 3))
    minus.append(hull(HAMA_FRONT_GOV, 2))
    minus.append(afrin_region())
    minus.append(fuah_kafriya())
    return region.difference(unary_union(minus))


def _in(p: Point, governorate: str) -> bool:
    return _governorates()[governorate].contains(p)


def idlib_southeast() -> shapely.Geometry:
    """What the government took from the rebels between late 2017 and 22 January 2018: the
    rebel north-west east of a line through the midpoints of rebel/government place pairs
    of February 2018 (Murak|Suran, at-Tamani'ah|Sinjar, Lislamin|Abu al-Duhur,
    az-Zarbah|al-Hadir)."""
    line = [
        midpoint("murak", "suran-163915"),
        midpoint("at-tamaniah", "sinjar-164094"),
        midpoint("lislamin", "abu-az-zuhur"),
        midpoint("az-zarbah", "al-hadir"),
    ]
    # end eastwards: the rebel western Aleppo countryside north of al-Hadir stays rebel
    end = line[-1]
    line.append(Point(end.x + 20 * KM, end.y))
    return side_of(line, idlib_region(), left=False)


AFRIN_GROUPS = {
    "bulbul": "bulbul",
    "raju": "raju",
    "shaykh-al-hadid": "shaykh-al-hadid",
    "sharan": "sharan",
    "jindayris": "jindayris",
    "afrin": "afrin",
    "al-mabatli": "afrin",
    "qentere": "afrin",
}


def afrin_parts() -> dict[str, shapely.Geometry]:
    return voronoi_parts(afrin_region(), AFRIN_GROUPS)


def fuah_kafriya() -> shapely.Geometry:
    return hull(["fuah", "kafriya"], 1.5)


# --- northern Aleppo: the Euphrates Shield zone ------------------------------------------
ES_PLACES = [
    "izaz",
    "mari",
    "akhtarin",
    "suran",
    "ar-rai",
    "al-bab",
    "kabbasin",
    "al-ghandurah",
    "jarabulus",
]


def euphrates_shield() -> shapely.Geometry:
    region = hull(ES_PLACES, 4) & gov("Aleppo") & syria()
    minus = [
        afrin_region(),
        discs(["tall-rifat"], 7),
        discs(["manbij"], 12),
        discs(["al-arimah"], 4),
        discs(["tadif"], 1.5),
        discs(["nubl"], 4),
        hull(ALEPPO_SALIENT, 3),
    ]
    # east of the Euphrates is Kobani's (SDF)
    return region.difference(unary_union(minus)).difference(_east_of_euphrates())


@cache
def _east_of_euphrates() -> shapely.Geometry:
    rivers = gpd.read_file(DATA / "boundaries" / "rivers.geojson")
    eup = rivers[rivers["name"] == "Euphrates"].to_crs(METRIC).geometry.iloc[0]
    # the Euphrates from the Turkish border to Lake Assad, as a cut line
    box = shapely.box(*transform(_FWD, shapely.box(37.9, 36.0, 38.5, 37.2)).bounds)
    cut = eup.intersection(box)
    return side_of([Point(c) for c in _longest(cut).coords], box, left=True)


def _longest(geom: shapely.Geometry) -> LineString:
    parts = getattr(geom, "geoms", [geom])
    return max(parts, key=lambda g: g.length)


# --- Homs: the Rastan-Talbiseh pocket --------------------------------------------------------
def north_homs() -> shapely.Geometry:
    rebel = [
        "ar-rastan",
        "tallbisah",
        "al-ghantu",
        "kafr-laha",
        "talldaww",
        "harbinafsah",
        "ayn-an-nasr",
    ]
    region = hull(rebel, 5) & syria()
    minus = discs(["homs"], 7) | discs(["al-qabw", "kafr-buhum", "ayyubiyah", "shin", "hamah"], 2.5)
    return region.difference(minus)


# --- Damascus countryside --------------------------------------------------------------------
GHOUTA_GROUPS = {
    "an-nashabiyah": "east",
    "saqba": "middle",
    "kafr-batna": "middle",
    "harasta": "harasta",
    "irbin": "south",
    "duma": "douma",
}


def eastern_ghouta() -> shapely.Geometry:
    rebel = list(GHOUTA_GROUPS)
    region = hull(rebel, 1.5)
    minus = discs(["damascus"], 3.5) | discs(["jaramana", "al-mulayhah", "dayr-al-asafir"], 1.5)
    return region.difference(minus)


def ghouta_parts() -> dict[str, shapely.Geometry]:
    return voronoi_parts(eastern_ghouta(), GHOUTA_GROUPS)


def east_qalamoun() -> shapely.Geometry:
    region = hull(["ad-dumayr", "ar-ruhaybah", "jayrud"], 9) & syria()
    minus = discs(["al-qutayfah", "an-nabk", "dayr-atiyah", "yabrud"], 3)
    return region.difference(minus)


def qalamoun_parts() -> dict[str, shapely.Geometry]:
    groups = {"ad-dumayr": "dumayr", "ar-ruhaybah": "ruhaybah", "jayrud": "ruhaybah"}
    return voronoi_parts(east_qalamoun(), groups)


# --- the south: Daraa and Quneitra --------------------------------------------------------
M5_TOWNS = ["ghabaghib", "as-sanamayn", "shaykh-miskin", "khirbat-ghazalah", "dara"]
ISRAELI_HELD_GOLAN = ["majdal-shams", "buqata", "masadah"]
SOUTH_GOV_DISCS = {
    "izra": 3,
    "basir": 2.5,
    "mismiyah": 2.5,
    "khan-arnabah": 3,
    "kanakir": 3,
    "zakiyah": 3,
}


def yarmouk_basin() -> shapely.Geometry:
    """Excluded here (the ISIS-affiliated pocket is drawn by the eastern-Syria module): Daraa
    governorate west of Tasil's meridian and south of its parallel, i.e. the basin between the
    Golan line and the Yarmouk."""
    t = pt("tasil")
    box = shapely.box(t.x - 40 * KM, t.y - 40 * KM, t.x + 1.5 * KM, t.y + 1.5 * KM)
    return box & gov("Daraa")


def south_government() -> shapely.Geometry:
    """The government's ground inside the south: a 4 km band along the M5 towns and discs
    around the other government-held places (Dar'a 3 km, Izra' 3, Basir 2.5, ...), cut to
    Daraa and Quneitra governorates."""
    corridor = LineString([pt(i) for i in M5_TOWNS]).buffer(4 * KM)
    parts = [corridor, discs(["dara"], 3)]
    parts += [discs([k], r) for k, r in SOUTH_GOV_DISCS.items()]
    return unary_union(parts) & gov("Daraa", "Quneitra")


def south_region() -> shapely.Geometry:
    region = gov("Daraa", "Quneitra")
    corridor = LineString([pt(i) for i in M5_TOWNS]).buffer(4 * KM)
    minus = [corridor, discs(["dara"], 3)]
    minus += [discs([k], r) for k, r in SOUTH_GOV_DISCS.items()]
    minus.append(yarmouk_basin())
    # Natural Earth's Golan gap is imprecise: keep the Israeli-held villages out
    minus.append(discs(ISRAELI_HELD_GOLAN, 3))
    return region.difference(unary_union(minus))


def m5_side(region: shapely.Geometry, east: bool) -> shapely.Geometry:
    return side_of([pt(i) for i in M5_TOWNS], region, left=east)


def daraa_balad() -> shapely.Geometry:
    """Rebel-held southern districts of Daraa city: the half-disc (3 km) south of the
    GeoNames point of Dar'a."""
    d = pt("dara")
    return d.buffer(3 * KM) & shapely.box(d.x - 5 * KM, d.y - 5 * KM, d.x + 5 * KM, d.y - 0.3 * KM)


def south_parts() -> dict[str, shapely.Geometry]:
    region = south_region()
    east = m5_side(region, east=True)
    west = region.difference(east)
    hirak = pt("al-hirak")
    north_cut = shapely.box(
        hirak.x - 80 * KM, hirak.y + 2.5 * KM, hirak.x + 80 * KM, hirak.y + 80 * KM
    )
    west_groups = {
        "tafas": "west-a",
        "inkhil": "west-a",
        "kafr-shams": "west-a",
        "al-muzayrib": "west-a",
        "dail": "west-a",
        "kafr-nasij": "west-b",
        "jasim": "west-b",
        "nawa": "west-b",
        "jaba": "quneitra",
        "al-qunaytirah": "quneitra",
    }
    parts = voronoi_parts(west, west_groups)
    parts["ne"] = east & north_cut
    parts["east"] = east.difference(north_cut).difference(daraa_balad())
    parts["balad"] = daraa_balad()
    return parts


# --- the south-eastern desert: the al-Tanf zone and the rebels' Badia ------------------------
def tanf_zone() -> shapely.Geometry:
    return pt("al-tanf").buffer(55 * KM, quad_segs=32) & syria()


def badia_sweida() -> shapely.Geometry:
    """Eastern desert of as-Suwayda governorate east of 37.0 E and south of 33.0 N (the
    volcanic Safa, held by ISIS, lies further north)."""
    box = shapely.box(*transform(_FWD, shapely.box(37.0, 32.0, 38.0, 33.0)).bounds)
    return gov("As Suwayda") & box


def m2_corridor() -> shapely.Geometry:
    """The government's corridor along the Damascus-Baghdad road (M2) from ad-Dumayr by
    as-Sab' Biyar towards al-Tanf: a 15 km band, less the al-Tanf zone and the eastern
    Qalamoun pocket, cut to Syria."""
    road = LineString([pt("ad-dumayr"), pt("as-sab-biyar"), pt("al-tanf")])
    band = road.buffer(15 * KM) & syria()
    return band.difference(tanf_zone()).difference(east_qalamoun())


def badia_rif() -> shapely.Geometry:
    """Desert of Rif Dimashq (and Homs) south of the M2 corridor held by the government since
    May-June 2017 (a 15 km band along ad-Dumayr - as-Sab' Biyar - al-Tanf) and outside the
    Safa (north of 33.0 N and west of 37.45 E), less the al-Tanf zone."""
    region = gov("Rif Dimashq", "Homs")
    road = LineString([pt("ad-dumayr"), pt("as-sab-biyar"), pt("al-tanf")])
    south = side_of([pt("ad-dumayr"), pt("as-sab-biyar"), pt("al-tanf")], region, left=False)
    safa = shapely.box(*transform(_FWD, shapely.box(36.5, 33.0, 37.45, 34.0)).bounds)
    west = shapely.box(*transform(_FWD, shapely.box(35.0, 32.0, 37.0, 34.0)).bounds)
    return (
        south.difference(road.buffer(15 * KM))
        .difference(safa)
        .difference(west)
        .difference(tanf_zone())
    )


# --- features ----------------------------------------------------------------------------------
HULL = "hull of named places (data/places.csv) widened and cut to governorates"


def features() -> list[dict]:
    out = [
        feature(
            "syw-idlib",
            "Idlib and surroundings (north-west)",
            idlib_region(),
            f"{HULL}: the union of Idlib governorate and the convex hull (+3 km) of every place of "
            "Idlib governorate and of rebel-held places of western Aleppo, northern Hama and the "
            "south-eastern countryside (al-Atarib, Darat Izzah, Huraytan, az-Zarbah, Batabo, Kafr "
            "Zita, Murak, Qal'at al-Madiq, az-Ziyarah, Abu al-Duhur, Sinjar, Tall ad-Daman) and "
            "Kabani in the Latakia mountains, less "
            "discs around government-held places (Hama 8 km; Halfaya, Tayyibat al-Imam, Suran, "
            "Mhardeh, Suqaylabiyah, Tall Salhab, Jubb Ramlah, Shathah, Kinsabba 2.5 km; "
            "Kurnaz 3.5 km; "
            "Nubl 4 km), "
            "the government's front north of Hama (hull +2 km of Kurnaz, Suqaylabiyah, Mhardeh, "
            "Halfaya, Tayyibat al-Imam and Suran), "
            "the government salient south of Aleppo (hull +3 km of Aleppo, al-Hadir, Banan, "
            "al-Hajib, Khanasir, Kafr Saghir), the Afrin region and the Fu'ah-Kafriya enclave.",
            "Rebel (HTS, Ahrar al-Sham, FSA) ground on 2017-07-01. Of the Latakia mountains only "
            "the strip around Kabani is in it (the rebels' Jabal Turkman border hills are not). "
            "Compare: SOHR's rebel and Turkish-held share of Syria on 2018-08-05 was 9.7 %.",
        ),
        feature(
            "syw-idlib-se",
            "South-eastern Idlib and north-eastern Hama countryside (east of the railway)",
            idlib_southeast(),
            "part of syw-idlib east of a polyline through the midpoints of place pairs that "
            "faced each other after the offensive (Murak|Suran, at-Tamani'ah|Sinjar, "
            "Lislamin|Abu al-Duhur, az-Zarbah|al-Hadir), turned due east at its northern end "
            "and extended at both ends",
            "Fars, 2018-01-23 speaks of a region of about 1,100 km² encircled between Hama, Idlib "
            "and Aleppo (the pocket Islamic State took over, drawn by the eastern module); this "
            "area is the rest of the offensive's gains.",
        ),
        feature(
            "syw-fuah-kafriya",
            "Al-Fu'ah and Kafriya",
            fuah_kafriya(),
            "hull of the two hand-placed towns (data/places.csv) widened by 1.5 km",
            "Besieged from 2015 to the evacuation of 2018-07-19.",
        ),
        feature(
            "syw-afrin",
            "Afrin region",
            afrin_region(),
            f"{HULL}: convex hull (+9 km) of Afrin, Jindayris, Raju, Bulbul, Shaykh al-Hadid, "
            "Ma'batli, Qentere and Sharan, cut to Aleppo governorate and Syria",
            "Turkish figures for the ground taken before Afrin town fell: 950 km² (Erdogan, "
            "2018-03-11, Anadolu) and 1,102 km² (Bozdag, 2018-03-12, Anadolu via Qasioun); the "
            "five district cells taken by 8 March (syw-afrin-*) sum to about 1,210 km². The hull "
            "leaves out some border hills.",
        ),
        feature(
            "syw-euphrates-shield",
            "Euphrates Shield zone (A'zaz - al-Bab - Jarabulus)",
            euphrates_shield(),
            f"{HULL}: convex hull (+4 km) of A'zaz, Mare', Akhtarin, Suran, ar-Ra'i, al-Bab, "
            "Qabasin, al-Ghandurah and Jarabulus cut to Aleppo governorate, less the Afrin "
            "region, discs around Tall Rif'at (7 km), Manbij (12 km), al-'Arimah (4 km), Tadif "
            "(1.5 km), Nubl (4 km), the government salient south of Aleppo, and the Euphrates' "
            "east bank",
            "Reported: 2,225 km² held by the Turkish-backed rebels in the region when the "
            "operation ended (2,055 km² taken in it) - Wikipedia, 'Operation Euphrates Shield'.",
        ),
        feature(
            "syw-north-homs",
            "Northern Homs: Rastan, Talbiseh and Houla",
            north_homs(),
            f"{HULL}: convex hull (+5 km) of ar-Rastan, Talbiseh, al-Ghantu, Kafr Laha (Houla), "
            "Taldou, Harbnafsah and 'Ayn an-Nasr, less discs around Homs (7 km) and the "
            "government-held al-Qabw, Kafr Buhum, Ayyubiyah, Shin and Hama (2.5 km)",
            "Reported: 1,200 km² and 65 villages retaken (Syrian army statement, AFP/SANA, "
            "2018-05-16); 592 km² (Suriye Gundemi, 2018-05-18). The pocket's eastern villages "
            "(east of Talbiseh towards the Salamiyah road) are only partly in it.",
        ),
        feature(
            "syw-eastern-ghouta",
            "Eastern Ghouta",
            eastern_ghouta(),
            f"{HULL}: convex hull (+1.5 km) of Douma, Harasta, Irbin, Kafr Batna, Saqba and "
            "an-Nashabiyah, less discs around Damascus (3.5 km), Jaramana, al-Mleiha and Deir "
            "al-Asafir (1.5 km)",
            "Reported: about 100 km² in February 2018 (AFP); Encyclopaedia Brockhaus gives "
            "~370 km² for the whole Eastern Ghouta region, most of it retaken before 2017.",
        ),
        feature(
            "syw-east-qalamoun",
            "Eastern Qalamoun",
            east_qalamoun(),
            f"{HULL}: convex hull (+9 km) of ad-Dumayr, ar-Ruhaybah and Jayrud, less discs "
            "(3 km) around al-Qutayfah, an-Nabk, Deir Atiyah and Yabrud",
            "No published size found; the pocket's mountains east of Jayrud are only partly in it.",
        ),
        feature(
            "syw-tanf-zone",
            "Al-Tanf 55 km zone",
            tanf_zone(),
            "disc of 55 km radius around the al-Tanf garrison (hand-placed point), cut to Syria",
            "The zone agreed between the US-led coalition and Russia; drawn as a circle although "
            "its agreed outline was not published.",
        ),
        feature(
            "syw-badia-sweida",
            "Eastern as-Suwayda desert",
            badia_sweida(),
            "as-Suwayda governorate east of 37.0 E and south of 33.0 N (box cut of the "
            "governorate)",
            "Reported: the army's final push to the Jordanian border took 1,300 km² (Reuters via "
            "Qatar Tribune, 2017-08-10); 4,000 km² since the start of the Sweida desert campaign.",
        ),
        feature(
            "syw-badia-rif",
            "South-eastern Rif Dimashq desert",
            badia_rif(),
            "Rif Dimashq and Homs governorates south of the polyline ad-Dumayr - as-Sab' Biyar - "
            "al-Tanf, minus a 15 km band along it, minus the Safa (north of 33.0 N, west of "
            "37.45 E), minus everything west of 37.0 E and the al-Tanf zone",
            "Reported: the regime took about 13,000 km² of former rebel Badia from southern "
            "as-Suwayda to Rif Dimashq by 2017-10-11, some of it before July 2017 (Syria Direct, "
            "2017-10-12).",
        ),
    ]
    out.append(
        feature(
            "syw-daraa-government",
            "Government-held central Daraa (M5 corridor, Izra', Dar'a)",
            south_government(),
            "a 4 km band along the polyline Ghabaghib - as-Sanamayn - Shaykh Miskin - Khirbat "
            "Ghazalah - Dar'a, with discs around Dar'a (3 km), Izra' (3), Basir (2.5), Mismiyah "
            "(2.5), Khan Arnabah (3), Kanakir (3) and Zakiyah (3), cut to Daraa and Quneitra "
            "governorates (the complement of the rebel south's parts)",
            "Drawn so that the government's ground between the rebel parts is held, not left "
            "to the zones of the rebel polygons around it.",
        )
    )
    out.append(
        feature(
            "syw-m2-corridor",
            "Damascus-Baghdad road (M2) corridor east of ad-Dumayr",
            m2_corridor(),
            "a 15 km band along the polyline ad-Dumayr - as-Sab' Biyar - al-Tanf garrison, "
            "less the al-Tanf zone and the eastern Qalamoun pocket, cut to Syria",
            "The army and allied militias pushed along the road to the edge of the al-Tanf zone "
            "in May-June 2017; how wide a band they held is not reported (15 km is the gap "
            "left between this band and the rebels' desert area syw-badia-rif).",
        )
    )
    afr = afrin_parts()
    afr_names = {
        "bulbul": "Afrin region: Bulbul district",
        "raju": "Afrin region: Raju district",
        "shaykh-al-hadid": "Afrin region: Shaykh al-Hadid district",
        "sharan": "Afrin region: Sharran district",
        "jindayris": "Afrin region: Jindires district",
    }
    for key, name in afr_names.items():
        out.append(
            feature(
                f"syw-afrin-{key}",
                name,
                afr[key],
                "voronoi: syw-afrin split into the Voronoi cells of Afrin, Jindayris, Raju, "
                "Bulbul, Shaykh al-Hadid, Sharan, Ma'batli and Qentere, grouped by the day "
                "their district centre was taken",
                "A district's cell changes hands with its centre; villages in it fell over the "
                "preceding days and weeks.",
            )
        )
    ghouta = ghouta_parts()
    names = {
        "east": "Eastern Ghouta: eastern farms and an-Nashabiyah",
        "middle": "Eastern Ghouta: Saqba, Kafr Batna, Hamouriyah",
        "harasta": "Eastern Ghouta: Harasta pocket",
        "south": "Eastern Ghouta: Irbin, Zamalka, Ain Tarma, Jobar",
        "douma": "Eastern Ghouta: Douma",
    }
    for key, name in names.items():
        out.append(
            feature(
                f"syw-ghouta-{key}",
                name,
                ghouta[key],
                "voronoi: syw-eastern-ghouta split into the Voronoi cells of Douma, Harasta, "
                "Irbin, Kafr Batna, Saqba and an-Nashabiyah, grouped by the day they changed hands",
                "",
            )
        )
    qal = qalamoun_parts()
    out.append(
        feature(
            "syw-qalamoun-dumayr",
            "Eastern Qalamoun: ad-Dumayr",
            qal["dumayr"],
            "voronoi: syw-east-qalamoun split between the cells of ad-Dumayr and of "
            "ar-Ruhaybah/Jayrud",
            "",
        )
    )
    out.append(
        feature(
            "syw-qalamoun-ruhaybah",
            "Eastern Qalamoun: ar-Ruhaybah, Jayrud, an-Nasiriyah",
            qal["ruhaybah"],
            "voronoi: as syw-qalamoun-dumayr",
            "",
        )
    )
    south = south_parts()
    south_names = {
        "ne": (
            "syw-daraa-ne",
            "North-eastern Daraa: al-Lajat and Busra al-Harir",
            "the rebel south east of the M5 corridor and north of the parallel 2.5 km north "
            "of al-Hirak",
        ),
        "east": (
            "syw-daraa-east",
            "Eastern Daraa countryside",
            "the rebel south east of the M5 corridor, south of that parallel, less Daraa al-Balad",
        ),
        "balad": (
            "syw-daraa-balad",
            "Daraa al-Balad (southern Daraa city)",
            "half-disc (3 km) south of the GeoNames point of Dar'a",
        ),
        "west-a": (
            "syw-daraa-west-a",
            "Western Daraa: Tafas, Inkhil, Kafr Shams, al-Muzayrib, Da'il",
            "voronoi: the rebel south west of the M5 corridor split among the cells of its "
            "named places, grouped by the day they changed hands",
        ),
        "west-b": (
            "syw-daraa-west-b",
            "Western Daraa: Nawa, Jasim, Kafr Nasij",
            "voronoi: as syw-daraa-west-a",
        ),
        "quneitra": (
            "syw-quneitra",
            "Quneitra (Syrian side of the Golan line)",
            "voronoi: as syw-daraa-west-a (cells of Jaba and al-Qunaytirah)",
        ),
    }
    common = (
        "The rebel south is Daraa and Quneitra governorates less a 4 km band along the M5 "
        "(Ghabaghib - as-Sanamayn - Shaykh Miskin - Khirbat Ghazalah - Dar'a), discs around "
        "government-held Izra', Basir, Mismiyah, Khan Arnabah, Kanakir, Zakiyah and Dar'a, and "
        "the Yarmouk basin (ISIS-affiliated, drawn by the eastern module), and 3 km discs around "
        "the Israeli-held Golan villages Majdal Shams, Buq'ata and Mas'ade (Natural Earth's Golan "
        "gap leaves them inside Quneitra governorate)."
    )
    for key, (fid, name, method) in south_names.items():
        out.append(feature(fid, name, south[key], method, common))
    return finish(out)
