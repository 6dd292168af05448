"""Areas of the Syrian fronts against Islamic State, July 2017 – March 2019 (rows SYE… of
``data/events.csv``).

Each area is made from the repository's layers only (``_syria_geo``: Natural Earth
governorates and borders, the WDBII Euphrates and Khabur, GeoNames points of
``data/places.csv``). Where a size was reported, the shape's free parameter (a band width, a
radius, the depth of a strip) is solved so that the area equals it, and the notes say so;
where none was reported the notes say that too. Front lines across open desert are straight
segments between points defined from towns each side is reported to have held (offsets and
midpoints are named in ``method``): they are approximations of where the front ran, not traced
from any map.

    .venv/bin/python tools/build_areas.py     # writes data/areas.geojson
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import _syria_geo as g
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

P = g.place

# --- points that are not places -------------------------------------------------------------


def t2() -> Point:
    """The T2 pumping station (hand-placed in data/places.csv, 70 km west of Abu Kamal)."""
    return P("t2-station")


@cache
def kawm() -> Point:
    """Al-Kawm, 25 km north of al-Sukhnah (Reuters, 2017-08-14: a gap of about 25 km between
    al-Koum and al-Sukhna); the direction is taken as due north; ± about 10 km."""
    return g.offset(P("sukhnah"), 25, 0)


def river_at(pid: str, km: float, name: str = "Euphrates") -> Point:
    """The point of the river ``km`` downstream (negative: upstream) of the place's nearest."""
    line = g.to_m(g.river(name))
    d = line.project(g.to_m(P(pid)))
    return g.to_deg(line.interpolate(min(max(d + km * 1000, 0), line.length)))


def road(a: Point, b: Point, km: float) -> BaseGeometry:
    """A straight corridor ``km`` wide on each side of the segment a–b (a road's held band)."""
    return g.to_deg(g.to_m(LineString([a, b])).buffer(km * 1000))


def khabur_band(a: Point, b: Point, km: float) -> BaseGeometry:
    line = g.river("Khabur")
    da, db = sorted((line.project(a), line.project(b)))
    return g.to_deg(g.to_m(substring(line, da, db)).buffer(km * 1000, cap_style="flat"))


def border_strip(lat0: float, lat1: float, depth_km: float) -> BaseGeometry:
    """Syrian ground within ``depth_km`` of the Iraqi border between two latitudes."""
    line = g.iraq_border().intersection(g.north_of(lat0)).intersection(g.south_of(lat1))
    return g.to_deg(g.to_m(line).buffer(depth_km * 1000)).intersection(g.syria())


# --- reusable parts -------------------------------------------------------------------------

DEZ_CITY_KM2 = 271_800 / 8000  # as data/city_polygons.geojson: population / 8000 per km²
AIRPORT_ID = "dez-airport"  # hand-placed in data/places.csv from the published coordinates


@cache
def dez_city() -> BaseGeometry:
    """Deir ez-Zor city: a disc around the GeoNames point cut to the right (south-west) bank,
    of population / 8000 km² (the rule of data/city_polygons.geojson)."""
    return g.disc_of_area(P("deir-ez-zor"), DEZ_CITY_KM2, g.bank("right"))


@cache
def dez_enclave() -> BaseGeometry:
    """The government's besieged ground at Deir ez-Zor: the city and a 3 km disc around the
    airport (used as a hole in the surrounding Islamic State areas)."""
    return dez_city().union(g.around(AIRPORT_ID, 3.0))


def riverside(a: str, b: str, km: float, side: str) -> BaseGeometry:
    return g.band(P(a), P(b), km, side)


# --- the main eastern territory, phase by phase -----------------------------------------------


def hasakah_south(lat: float = 36.05) -> BaseGeometry:
    """Southern al-Hasakah east of the Khabur valley (the Dashisha area), south of ``lat``."""
    has = g.governorate("Al Hasakah").intersection(g.south_of(lat))
    return has.difference(khabur_band(P("hasakah"), P("al-busayrah"), 15)).intersection(
        g.east_of(40.6)
    )


def east_valley(start: Point, width_km: float = 8.0) -> BaseGeometry:
    """The left (east) bank of the Euphrates from ``start`` down to the Iraqi border."""
    return g.band(start, river_at("baghuz", 15), width_km, "left")


DESERT_STRIP_KM2 = 1670.0  # SOHR, July 2018: the enclave along ~85 km of the border


@cache
def desert_strip() -> BaseGeometry:
    """Islamic State's enclave along the Iraqi border east of the Euphrates valley, from near
    al-Baghuz north into southern al-Hasakah (36.1° N, the Dashisha area), its depth solved so
    that the Deir ez-Zor part is SOHR's 1,670 km²."""
    dez = g.governorate("Deir ez-Zor")
    depth = g.fit(
        lambda d: border_strip(34.55, 36.10, d).intersection(dez), DESERT_STRIP_KM2, 1, 60
    )
    return border_strip(34.55, 36.10, depth)


def west_pocket() -> BaseGeometry:
    """The west-bank pocket after Mayadin and T2 fell: right bank of the Euphrates south-east of
    the al-Sukhnah–Deir ez-Zor road and east of the al-Sukhnah–T2 line, minus the government's
    bands along those roads (10 and 12 km), around T2 (12 km) and along the river and road from
    Deir ez-Zor to 6 km below al-Mayadin (12 km)."""
    sk, dz = P("sukhnah"), P("deir-ez-zor")
    region = g.halfplane(sk, dz, "right").intersection(g.halfplane(sk, t2(), "left"))
    region = region.intersection(g.bank("right")).intersection(g.syria())
    gov = road(sk, dz, 10).union(road(sk, t2(), 12)).union(g.disc(t2(), 12))
    gov = gov.union(g.band(dz, river_at("mayadin", 6), 12, "right")).union(
        road(dz, P("mayadin"), 12)
    )
    return region.difference(gov)


# The areas: (id, name, builder, method, notes). Builders return EPSG:4326 shapes.
Area = tuple[str, str, Callable[[], BaseGeometry], str, str]


# --- phase shapes of the main eastern territory ------------------------------------------------


def sdf_line_2017_07() -> list[Point]:
    """The SDF's front north of the Euphrates in July 2017, west to east: 6 km below
    al-Karamah on the river (SDF since March 2017), 30 km NNE of Ma'dan, 15 km SSW and 12 km
    SSE of al-Shaddadi (SDF since February 2016), 30 km south of al-Hawl (SDF since November
    2015), the Iraqi border at 36.15° N."""
    return [
        river_at("al-karamah", 6),
        g.offset(P("madan"), 30, 20),
        g.offset(P("shaddadi"), 15, 200),
        g.offset(P("shaddadi"), 12, 150),
        g.offset(P("al-hawl"), 30, 170),
        g.border_at_lat(36.15),
    ]


def sdf_north(line: list[Point]) -> BaseGeometry:
    """Everything north of a west-to-east SDF front line (closed far to the north)."""
    far = [
        Point(line[-1].x + 3, line[-1].y),
        Point(line[-1].x + 3, 38.5),
        Point(line[0].x - 1, 38.5),
    ]
    return g.ring([*line, *far])


def main_2017_07_01() -> BaseGeometry:
    """Islamic State's main territory on 2017-07-01: inside a ring through the Iraqi border at
    34° N, 15 km south of T2 (the army was a few km from it, Flutterbareer/SANA June 2017), the
    Palmyra – al-Sukhnah road 45 km from Palmyra (the army held Arak and T3 from 2017-06-23),
    20 km north of Palmyra, the midpoints between Uqayribat and the government-held Mukharram
    al-Fawqani, Barri al-Sharqi and As-Si'in, 12 km ENE of As-Si'in (the Ithriya road), 25 km
    south of al-Mansurah (al-Resafa) and the Euphrates 8 km below Raqqa; then the SDF line
    (``sdf_line_2017_07``) and the border. Minus the government's Deir ez-Zor enclave and 15 km
    around Palmyra."""
    palmyra, sukhnah = P("palmyra"), P("sukhnah")
    on_road = g.to_deg(
        g.to_m(LineString([palmyra, sukhnah])).interpolate(45_000)
    )  # 45 km from Palmyra towards al-Sukhnah
    south_west = [
        g.border_at_lat(34.0),
        g.offset(t2(), 15, 180),
        on_road,
        g.offset(palmyra, 20, 0),
        g.midpoint(P("mukharram-al-fawqani"), P("uqayribat")),
        g.midpoint(P("barri-ash-sharqi"), P("uqayribat")),
        g.midpoint(P("as-siin"), P("uqayribat")),
        g.offset(P("as-siin"), 12, 60),
        g.offset(P("al-mansurah"), 25, 180),
        river_at("raqqa", 8),
    ]
    north = sdf_line_2017_07()
    ring = g.ring([*south_west, *north, g.offset(g.border_at_lat(34.0), 200, 90)])
    region = ring.intersection(g.syria())
    # The SDF's north bank west of the front line's river end, and its ground north of the line.
    region = region.difference(g.bank("left").intersection(g.west_of(north[0].x)))
    region = region.difference(sdf_north(north))
    return region.difference(dez_enclave()).difference(g.around("palmyra", 15))


def resafa() -> Point:
    """The government's front near al-Resafa: 25 km south of al-Mansurah."""
    return g.offset(P("al-mansurah"), 25, 180)


def main_2017_07_22() -> BaseGeometry:
    """After the army's dash from al-Resafa to the Euphrates at al-Sabkha (2017-07-21/22): a
    10 km corridor along the segment al-Resafa – al-Sabkhah."""
    return main_2017_07_01().difference(road(resafa(), P("as-sabkhah"), 10))


def main_2017_08_05() -> BaseGeometry:
    """After al-Sukhnah: the army's 12 km band along the Palmyra – al-Sukhnah road and 12 km
    around al-Sukhnah."""
    gov = road(P("palmyra"), P("sukhnah"), 12).union(g.around("sukhnah", 12))
    return main_2017_07_22().difference(gov)


def central_cut() -> BaseGeometry:
    """West of the line al-Kawm – al-Sukhnah (the line the army closed in mid-August 2017)."""
    return g.halfplane(kawm(), P("sukhnah"), "right")


def main_2017_08_18() -> BaseGeometry:
    """The central pocket cut off west of al-Kawm – al-Sukhnah; the pocket south of Raqqa
    (west of the army's corridor) is dropped here, its end not being reported."""
    region = main_2017_08_05().difference(central_cut()).difference(road(kawm(), P("sukhnah"), 5))
    return region.difference(g.halfplane(resafa(), P("as-sabkhah"), "left"))


def central_pocket_2017_08_18() -> BaseGeometry:
    """The central pocket once the army closed the gap between al-Kawm and al-Sukhnah: the
    2017-08-05 territory west of the line al-Kawm – al-Sukhnah (less 5 km along it)."""
    return main_2017_08_05().intersection(central_cut()).difference(road(kawm(), P("sukhnah"), 5))


def sdf_line_2017_09() -> list[Point]:
    """The SDF's front north of the Euphrates once Jazira Storm reached the river opposite
    Deir ez-Zor (2017-09-10): from the river 5 km above the city to 10 km north of Markadah,
    then as in July."""
    return [river_at("deir-ez-zor", -5), g.offset(P("markadah"), 10, 0), *sdf_line_2017_07()[3:]]


def sdf_line_2017_10() -> list[Point]:
    """After the SDF reached al-Omar (2017-10-22) by the desert: from the river 3 km above
    al-Busayrah to 10 km north of Markadah, then as in July."""
    return [river_at("al-busayrah", -3), g.offset(P("markadah"), 10, 0), *sdf_line_2017_07()[3:]]


def gov_east_bank() -> BaseGeometry:
    """The army's bridgehead east of the Euphrates opposite Deir ez-Zor (Marrat, Hatla,
    Mazlum, Khusham; from 2017-09-18): 6 km of the left bank from 8 km above the city to 4 km
    below Khusham."""
    return g.band(river_at("deir-ez-zor", -8), river_at("khusham", 4), 6, "left")


def left_bank(line: list[Point]) -> BaseGeometry:
    """Islamic State's ground east of the Euphrates south of an SDF line (east of the line's
    river end)."""
    region = g.syria().intersection(g.bank("left")).intersection(g.east_of(line[0].x - 0.05))
    return region.difference(sdf_north(line))


def main_2017_09_05() -> BaseGeometry:
    """The siege of Deir ez-Zor broken: the army's 10 km band along the al-Sukhnah – Deir ez-Zor
    road; south-west of the line al-Sukhnah – T2 the army had held the desert since taking
    Humaymah (2017-08-20), except T2 itself (6 km around it Islamic State's until 2017-10-26)."""
    region = main_2017_08_18().difference(road(P("sukhnah"), P("deir-ez-zor"), 10))
    south_west = g.halfplane(P("sukhnah"), t2(), "right").difference(g.disc(t2(), 6))
    return region.difference(south_west)


def lower_khabur() -> BaseGeometry:
    """The lower Khabur valley held by Islamic State until November 2017: 8 km each side of the
    river from 8 km north of Markadah to al-Busayrah."""
    return khabur_band(g.offset(P("markadah"), 8, 0), P("al-busayrah"), 8)


def east_2017_09_10() -> BaseGeometry:
    """East of the Euphrates once Jazira Storm swept the desert north of it (from 2017-09-10):
    the river valley (12 km of the left bank from opposite Deir ez-Zor to al-Busayrah, 8 km
    below), the lower Khabur and the desert strip along the border; minus the army's
    bridgehead (from 2017-09-18)."""
    valley = g.band(river_at("deir-ez-zor", 3), P("al-busayrah"), 12, "left").union(
        east_valley(P("al-busayrah"))
    )
    region = valley.union(lower_khabur()).union(desert_strip()).intersection(g.bank("left"))
    return region.difference(gov_east_bank())


def main_2017_09_10() -> BaseGeometry:
    """West of the river as on 2017-09-05; east of it the valley, the lower Khabur and the
    desert strip along the border (``east_2017_09_10``: Jazira Storm swept the desert north of
    the river from 2017-09-09); minus the government's Deir ez-Zor enclave."""
    right = main_2017_09_05().intersection(g.bank("right"))
    return right.union(east_2017_09_10()).difference(dez_enclave())


def right_bank_2017_09_23() -> BaseGeometry:
    """West of the river after Ma'dan (2017-09-23): south-east of the al-Sukhnah – Deir ez-Zor
    road only (the desert north of the road is the Badia pocket from here)."""
    sk, dz = P("sukhnah"), P("deir-ez-zor")
    region = (
        main_2017_09_05().intersection(g.bank("right")).intersection(g.halfplane(sk, dz, "right"))
    )
    return region.difference(road(sk, dz, 10))


def main_2017_09_23() -> BaseGeometry:
    """West of the river: south-east of the al-Sukhnah – Deir ez-Zor road only (Ma'dan taken,
    the desert north of the road being the Badia pocket); east of it as from 2017-09-10."""
    return right_bank_2017_09_23().union(east_2017_09_10()).difference(dez_enclave())


def mayadin_gov() -> BaseGeometry:
    """The army's ground from Deir ez-Zor to 6 km below al-Mayadin: 12 km of the right bank
    and of the road."""
    gov = g.band(P("deir-ez-zor"), river_at("mayadin", 6), 12, "right")
    return gov.union(road(P("deir-ez-zor"), P("mayadin"), 12))


def main_2017_10_14() -> BaseGeometry:
    """As from 2017-09-23 minus the army's 12 km bands along the river and the road from Deir
    ez-Zor to 6 km below al-Mayadin (al-Mayadin taken)."""
    right = right_bank_2017_09_23().difference(mayadin_gov())
    return right.union(east_2017_09_10()).difference(dez_enclave())


def east_2017_10_26() -> BaseGeometry:
    """East of the Euphrates after the SDF reached al-Omar (2017-10-22): the valley from
    al-Busayrah down, the lower Khabur and the desert strip (al-Busayrah itself left to its own
    rows: 5 km around it excluded)."""
    region = east_valley(P("al-busayrah")).union(lower_khabur()).union(desert_strip())
    return region.intersection(g.bank("left")).difference(g.around("al-busayrah", 5))


def main_2017_10_26() -> BaseGeometry:
    """The west-bank pocket south-east of the al-Sukhnah – Deir ez-Zor road and east of the
    al-Sukhnah – T2 line (T2 taken), less the army's bands along those roads, around T2 and
    from Deir ez-Zor to below al-Mayadin; east of the river the valley from al-Busayrah down,
    the lower Khabur and the desert strip along the border (the SDF at al-Omar)."""
    return west_pocket().union(east_2017_10_26()).difference(dez_enclave())


def abu_kamal_hole() -> BaseGeometry:
    """12 km around Abu Kamal, left to the town's own rows while it changed hands."""
    return g.around("abu-kamal", 12).intersection(g.bank("right"))


def east_2017_11_09() -> BaseGeometry:
    """After Markadah (2017-11-09): the valley from al-Busayrah down and the desert strip."""
    region = east_valley(P("al-busayrah")).union(desert_strip()).intersection(g.bank("left"))
    return region.difference(g.around("al-busayrah", 5))


def main_2017_11_09() -> BaseGeometry:
    """As from 2017-10-26 without the lower Khabur (Markadah taken by the SDF) and without
    12 km around Abu Kamal (left to the town's own rows while it changed hands)."""
    return west_pocket().difference(abu_kamal_hole()).union(east_2017_11_09())


def west_2017_11_19() -> BaseGeometry:
    """The west-bank pocket after Abu Kamal: minus 15 km around the town and 10 km along the
    army's road T2 – Abu Kamal."""
    gov = g.around("abu-kamal", 15).union(road(t2(), P("abu-kamal"), 10))
    return west_pocket().difference(gov)


def main_2017_11_19() -> BaseGeometry:
    """After Abu Kamal: the west-bank pocket less 15 km around the town and 10 km along the
    army's road from T2; east of the river as from 2017-11-09."""
    return west_2017_11_19().union(east_2017_11_09())


def west_2017_11_23() -> BaseGeometry:
    """After Subaykhan and al-Jala (2017-11-23): minus 12 km of the right bank from Abu Kamal
    up to 3 km above Subaykhan."""
    return west_2017_11_19().difference(
        g.band(river_at("subaykhan", -3), P("abu-kamal"), 12, "right")
    )


def main_2017_11_23() -> BaseGeometry:
    """As from 2017-11-19 less 12 km of the right bank from Abu Kamal up to 3 km above
    Subaykhan (Subaykhan and al-Jala taken)."""
    return west_2017_11_23().union(east_2017_11_09())


def west_2017_11_28() -> BaseGeometry:
    """After al-Asharah and al-Quriyah (2017-11-27/28): minus 15 km of the right bank from
    al-Mayadin down (the desert remnant until 2017-12-07)."""
    return west_2017_11_23().difference(g.band(P("mayadin"), P("abu-kamal"), 15, "right"))


def main_2017_11_28() -> BaseGeometry:
    """As from 2017-11-23 less 15 km of the right bank from al-Mayadin down (al-Asharah and
    al-Quriyah taken): west of the river only the desert remnant is left."""
    return west_2017_11_28().union(east_2017_11_09())


# --- east of the Euphrates, December 2017 – March 2019 ----------------------------------------


def darnaj() -> Point:
    """Darnaj, the northernmost of the 17 east-bank villages SOHR listed as still Islamic
    State's in December 2017: placed 35 % of the way down the river from Dhiban to Hajin, in
    the order of SOHR's list (Dhiban, al-Tayyana, Swaidan, Darnaj, …, Gharanij, Hajin); ± 4 km."""
    return g.along(P("dhiban"), P("hajin"), 0.35, "left", 1.5)


def east_2017_12_07() -> BaseGeometry:
    """After the west bank was cleared (SOHR, 2017-12-07: about 8 % of Deir ez-Zor province
    left, east of the river): the valley from Darnaj down and the desert strip."""
    return east_valley(darnaj()).union(desert_strip()).intersection(g.bank("left"))


def east_2018_06_17() -> BaseGeometry:
    """After Dashisha (2018-06-17): the desert strip's al-Hasakah part gone."""
    has = g.governorate("Al Hasakah")
    return east_2017_12_07().difference(has)


def hajin_pocket() -> BaseGeometry:
    """The Hajin pocket once the SDF cleared the desert strip along the border (SOHR, late July
    2018): 8 km of the left bank from 3 km above Hajin to the border; the villages north of
    Hajin (Gharanij, al-Bahra…) lost before September 2018 on dates not reported here."""
    return east_valley(river_at("hajin", -3))


def pocket_below(start: Point, target_km2: float | None, width_km: float = 8.0) -> BaseGeometry:
    """The left bank of the Euphrates from a start point down to the Iraqi border: 8 km wide,
    or as wide as needed for the reported size."""
    end = river_at("baghuz", 15)
    if target_km2 is None:
        return g.band(start, end, width_km, "left")
    width = g.fit(lambda w: g.band(start, end, w, "left"), target_km2, 0.05, 20)
    return g.band(start, end, width, "left")


def baghuz_camp(target_km2: float) -> BaseGeometry:
    """The last camp on the riverbank at al-Baghuz: a disc around the river point nearest the
    al-Baghuz place, on the left bank, of the reported size."""
    return g.disc_of_area(
        g.river_point(P("baghuz")), target_km2, g.bank("left").intersection(g.syria())
    )


# --- pockets in central and southern Syria ---------------------------------------------------


def central_pocket_2017_09_03() -> BaseGeometry:
    """The central pocket after Uqayribat (2017-09-01/03), sized to the 1,800 km² the army said
    it took in the operation that ended the pocket (Reuters, 2017-10-06): a disc centred
    halfway between Uqayribat and Jubb al-Jarrah inside the August pocket, less 5 km around
    Uqayribat."""
    centre = g.midpoint(P("uqayribat"), P("jubb-al-jarrah"))
    clip = central_pocket_2017_08_18().difference(g.around("uqayribat", 5))
    return g.disc_of_area(centre, 1800.0, clip)


BADIA_KM2 = 4000.0  # SOHR, February 2019


@cache
def badia_pocket() -> BaseGeometry:
    """The desert pocket from Jabal Abu Rujmayn north of Palmyra to north of al-Sukhnah and
    the western boundary of Deir ez-Zor province (SOHR, February 2019: about 4,000 km², besieged
    since 2017): ground north-west of the line 15 km north of Palmyra – 12 km north of al-Sukhnah
    – the al-Sukhnah–Deir ez-Zor road at the Deir ez-Zor boundary, out to a parallel whose
    distance is solved for 4,000 km²; minus the army's 10 km road band."""
    sk, dz = P("sukhnah"), P("deir-ez-zor")
    boundary = g.governorate("Deir ez-Zor").boundary
    crossing = LineString([sk, dz]).intersection(boundary)
    crossing = crossing if crossing.geom_type == "Point" else next(iter(crossing.geoms))
    line = g.to_m(LineString([g.offset(P("palmyra"), 15, 0), g.offset(sk, 12, 0), crossing]))
    gov = road(sk, dz, 10).union(road(P("palmyra"), sk, 12))

    def make(d: float) -> BaseGeometry:
        side = g.to_deg(line.buffer(d * 1000, single_sided=True))
        return side.intersection(g.syria()).difference(gov)

    # single_sided buffers go left of the line's direction (west → east): the north side.
    depth = g.fit(make, BADIA_KM2, 1, 120)
    return make(depth)


RAQQA_KM2 = 17.6 + 11.7  # SOHR, 2017-08-24: the city is 29.3 km² (SDF 17.6, Islamic State 11.7)


@cache
def raqqa_city() -> BaseGeometry:
    """Raqqa city: a disc around the GeoNames point cut to the left (north) bank, of SOHR's
    29.3 km²."""
    return g.disc_of_area(P("raqqa"), RAQQA_KM2, g.bank("left"))


def raqqa_core(share: float) -> BaseGeometry:
    """Islamic State's part of Raqqa: a disc around the GeoNames point (the city centre, where
    the last positions were) inside the city, of the reported share of the city."""
    return g.disc_of_area(P("raqqa"), RAQQA_KM2 * share, raqqa_city())


def dez_districts(share: float) -> BaseGeometry:
    """Islamic State's districts of Deir ez-Zor: the part of the city next to the river (the
    old centre and the eastern districts), a band of the right bank as wide as needed for the
    reported share of the city; the government kept the south-western districts (al-Joura,
    al-Qusour) away from the river."""
    width = g.fit(
        lambda w: g.band(
            river_at("deir-ez-zor", -8), river_at("deir-ez-zor", 8), w, "right"
        ).intersection(dez_city()),
        DEZ_CITY_KM2 * share,
        0.05,
        8,
    )
    return g.band(
        river_at("deir-ez-zor", -8), river_at("deir-ez-zor", 8), width, "right"
    ).intersection(dez_city())


def dez_airport() -> BaseGeometry:
    """Deir ez-Zor airport and its base: 3 km around the published coordinates."""
    return g.around(AIRPORT_ID, 3.0)


def qalamoun_barrens() -> BaseGeometry:
    """The barrens of Qara and al-Jarajir on the Lebanese border: Syrian ground within 8 km of
    the border between 34.05° and 34.30° N (the Syrian side of the pocket the Lebanese army and
    Hezbollah attacked in August 2017). Size not reported."""
    lebanon = g.country("LBN")
    near = g.to_deg(g.to_m(lebanon).buffer(8000))
    return (
        near.intersection(g.syria()).intersection(g.north_of(34.05)).intersection(g.south_of(34.30))
    )


def ne_hama_centre() -> Point:
    """The centroid of Khanasir, Sinjar (Idlib) and As-Si'in (al-Sa'an): the corners of the
    encircled pocket of January 2018."""
    pts = [P("khanasir"), P("sinjar-164094"), P("as-siin")]
    return Point(sum(p.x for p in pts) / 3, sum(p.y for p in pts) / 3)


def ne_hama_2017_10_09() -> BaseGeometry:
    """Islamic State's enclave in north-east Hama from 2017-10-09 (a dozen villages taken from
    HTS; about 20 by late November, 34 by mid-December): a 300 km² disc halfway between As-Si'in
    and the pocket's centre. The size is an estimate (about 10 km² a village)."""
    return g.disc_of_area(g.midpoint(P("as-siin"), ne_hama_centre()), 300.0, g.syria())


def ne_hama_2018_01_18() -> BaseGeometry:
    """The encircled pocket of north-east Hama and south Aleppo, Islamic State's after HTS
    withdrew (2018-01-18): a disc of the 1,100 km² reported for the pocket (Muraselon,
    2018-02), centred between its corners."""
    return g.disc_of_area(ne_hama_centre(), 1100.0, g.syria())


def yarmouk_camp() -> BaseGeometry:
    """The Yarmouk camp and al-Hajar al-Aswad: 1 km around their two GeoNames points. Size not
    reported."""
    return g.around("al-yarmuk", 1.0).union(g.around("al-hajar-al-aswad", 1.0))


@cache
def basin_box() -> BaseGeometry:
    """The Yarmouk basin as the Syria-west module leaves it out: Daraa governorate west of
    Tasil's meridian and south of its parallel (1.5 km beyond each)."""
    t = g.to_m(P("tasil"))
    box = g.to_deg(shapely.box(t.x - 40_000, t.y - 40_000, t.x + 1500, t.y + 1500))
    return box.intersection(g.governorate("Daraa")).intersection(g.syria())


def yarmouk_basin(target_km2: float | None, centre: Point | None = None) -> BaseGeometry:
    """The Khalid ibn al-Walid Army's ground in the Yarmouk basin (south-west corner of Daraa,
    between the Golan line and the Jordanian border): the basin (``basin_box``), or the part of
    it inside a disc of the reported size around a point."""
    if target_km2 is None:
        return basin_box()
    return g.disc_of_area(centre, target_km2, basin_box())


def basin_centre() -> Point:
    """Halfway between Tasil and al-Shajarah (the group's northern town and its headquarters)."""
    return g.midpoint(P("tasil"), P("ash-shajarah"))


def sweida_line() -> BaseGeometry:
    return g.governorate("As Suwayda").boundary.intersection(g.governorate("Rif Dimashq").boundary)


def sweida_desert() -> BaseGeometry:
    """The desert east of the Sweida villages from which Islamic State attacked on 2018-07-25:
    As-Suwayda governorate between 36.9° and 37.4° E north of 32.6° N, and Rif Dimashq within
    20 km of its boundary with As-Suwayda in the same longitudes (the al-Safa lava field). Size
    not reported; the limits are a judgement."""
    band = g.east_of(36.9).intersection(g.west_of(37.4))
    swd = g.governorate("As Suwayda").intersection(band).intersection(g.north_of(32.6))
    near = g.to_deg(g.to_m(sweida_line()).buffer(20_000)).intersection(g.governorate("Rif Dimashq"))
    return swd.union(near.intersection(band))


def safa_pocket() -> BaseGeometry:
    """Tulul al-Safa, encircled from 2018-08-17: 15 km around the middle of the As-Suwayda –
    Rif Dimashq boundary east of 36.9° E (the heights lie on that boundary, north of As-Suwayda).
    Size not reported."""
    line = sweida_line().intersection(g.east_of(36.9))
    centre = (
        line.interpolate(0.5, normalized=True) if line.geom_type == "LineString" else line.centroid
    )
    return g.disc(centre, 15.0).intersection(g.syria())


def raqqa_ring() -> BaseGeometry:
    """The SDF's ground around Raqqa once the city was encircled (SOHR, 2017-06-29): the left
    bank within 30 km of the city, and the south bank's 8 km from Tabqa to 8 km below Raqqa;
    without the city itself (its own areas)."""
    north = g.disc(P("raqqa"), 30).intersection(g.bank("left"))
    south = g.band(P("tabqa"), river_at("raqqa", 8), 8, "right")
    return north.union(south).intersection(g.syria()).difference(raqqa_city())


def central_cleared() -> BaseGeometry:
    """The central Syria pocket of August 2017, cleared by the army (Reuters, 2017-10-06),
    without the Badia pocket that Islamic State kept north of Palmyra and al-Sukhnah."""
    return central_pocket_2017_08_18().difference(badia_pocket())


# --- the registry -----------------------------------------------------------------------------

MAIN = "Islamic State's main territory in eastern Syria"


def _doc(fn: Callable) -> str:
    return " ".join((fn.__doc__ or "").split())


def _main(day: str, fn: Callable, report: str) -> tuple:
    return (f"sy-isis-east-{day}", f"{MAIN} from {day}", fn, report, 25.0)


def registry() -> list[tuple[str, str, Callable[[], BaseGeometry], str, float]]:
    """(id, name, builder, what was reported about its size, smallest part kept in km²)."""
    return [
        _main(
            "2017-07-01",
            main_2017_07_01,
            (
                "SOHR, 2017-07-18: Islamic State held about 42,000 km² of Syria (22.65 %), the "
                "pockets included; IHS Conflict Monitor, 2017-06-26: about 36,200 km² in Syria and "
                "Iraq together."
            ),
        ),
        _main("2017-07-22", main_2017_07_22, "No figure for this date."),
        _main("2017-08-05", main_2017_08_05, "No figure for this date."),
        _main("2017-08-18", main_2017_08_18, "No figure for this date."),
        _main("2017-09-05", main_2017_09_05, "No figure for this date."),
        _main(
            "2017-09-10",
            main_2017_09_10,
            (
                "SOHR, 2017-09-15: Islamic State held 22,800 km² of Syria (12.3 %), the pockets "
                "included."
            ),
        ),
        _main("2017-09-23", main_2017_09_23, "No figure for this date."),
        _main(
            "2017-10-14",
            main_2017_10_14,
            (
                "SOHR, 2017-10-23: Islamic State held 14,816 km² of Syria (8 %), the pockets "
                "included (the Khalid ibn al-Walid Army's 250 km² counted apart)."
            ),
        ),
        _main(
            "2017-10-26",
            main_2017_10_26,
            (
                "SOHR via Arab News, 2017-11-04: Islamic State held about 37 % of Deir ez-Zor "
                "province."
            ),
        ),
        _main("2017-11-09", main_2017_11_09, "No figure for this date."),
        _main(
            "2017-11-19",
            main_2017_11_19,
            "Al-Masdar News, about 2017-11-20: the pocket west of the river was about 7,200 km².",
        ),
        _main("2017-11-23", main_2017_11_23, "No figure for this date."),
        _main("2017-11-28", main_2017_11_28, "No figure for this date."),
        _main(
            "2017-12-07",
            east_2017_12_07,
            (
                "SOHR via AFP, 2017-12-07: Islamic State kept about 8 % of Deir ez-Zor province, "
                "east of the river; SOHR via dpa, late December 2017: 3 % of Syria."
            ),
        ),
        _main(
            "2018-06-17",
            east_2018_06_17,
            "ANF, June 2018: after Dashisha Islamic State was confined near the Iraqi border.",
        ),
        (
            "sy-isis-hajin-2018-07",
            "The Hajin pocket from July 2018",
            hajin_pocket,
            (
                "Not reported; SOHR, July 2018: the 1,670 km² desert strip along the border was "
                "cleared, leaving the valley pocket."
            ),
            0.01,
        ),
        (
            "sy-isis-hajin-2018-12-14",
            "The pocket below Hajin from 2018-12-14",
            _call(pocket_below, river_at("hajin", 3), None, note="Start: 3 km below Hajin."),
            "Not reported.",
            0.01,
        ),
        (
            "sy-isis-hajin-2019-01-06",
            "The pocket below al-Bu Khatir and al-Bu Hasan from 2019-01-06",
            _call(pocket_below, river_at("al-shafa", -2), None, note="Start: 2 km above al-Shafa."),
            "Not reported.",
            0.01,
        ),
        (
            "sy-isis-baghuz-2019-01-13",
            "The pocket after al-Shafa from 2019-01-13",
            _call(
                pocket_below,
                river_at("al-shafa", 2),
                60.0,
                note="Start: 2 km below al-Shafa; 60 km².",
            ),
            (
                "Jisr, 2019-01-13: what Islamic State held was at most 15 km long and about 4 km "
                "deep, about 60 km²."
            ),
            0.01,
        ),
        (
            "sy-isis-baghuz-2019-01-18",
            "Al-Baghuz Fawqani and its villages from 2019-01-18",
            _call(
                pocket_below, river_at("susah", 1), 15.0, note="Start: 1 km below al-Susah; 15 km²."
            ),
            (
                "SOHR via RT, after al-Susah fell: al-Baghuz Fawqani and the villages joined to it,"
                " about 15 km² together."
            ),
            0.01,
        ),
        (
            "sy-isis-baghuz-2019-02-07",
            "Around al-Baghuz Fawqani from 2019-02-07",
            _call(baghuz_camp, 5.0, note="5 km²."),
            (
                "Al-Masdar via Sputnik, 2019-02-08: a couple of square miles around al-Baghuz "
                "Fawqani after al-Marashidah and Arqoub fell (5 km² used)."
            ),
            0.01,
        ),
        (
            "sy-isis-baghuz-2019-02-10",
            "The al-Baghuz area from 2019-02-10",
            _call(baghuz_camp, 3.0, note="3 km²."),
            "AFP, 2019-02-10: about 500 jihadists in the 3 km² al-Baghuz area.",
            0.01,
        ),
        (
            "sy-isis-baghuz-2019-02-16",
            "The al-Baghuz camp from 2019-02-16",
            _call(baghuz_camp, 1.0, note="1 km²."),
            "Aldar Xelil (Kurdistan 24, 2019-02-16/18): no larger than a square kilometre.",
            0.0,
        ),
        (
            "sy-isis-baghuz-2019-03-01",
            "The al-Baghuz camp from 2019-03-01",
            _call(baghuz_camp, 0.45, note="0.45 km²."),
            "AFP, 2019-03-01: under half a square kilometre (0.45 km² used).",
            0.0,
        ),
        (
            "sy-isis-central-2017-08-18",
            "The central Syria pocket from 2017-08-18",
            central_pocket_2017_08_18,
            (
                "SOHR via Reuters, 2017-08-14: closing the gap would encircle Islamic State in "
                "about 8,000 km² to the west."
            ),
            25.0,
        ),
        (
            "sy-isis-central-2017-09-03",
            "The central Syria pocket from 2017-09-03",
            central_pocket_2017_09_03,
            (
                "Syrian military source via Reuters, 2017-10-06: the operation that ended the "
                "pocket took 1,800 km²."
            ),
            0.01,
        ),
        (
            "sy-isis-badia",
            "The Badia pocket north of Palmyra and al-Sukhnah",
            badia_pocket,
            "SOHR, February 2019: about 4,000 km², besieged since 2017.",
            25.0,
        ),
        ("sy-raqqa-city", "Raqqa city", raqqa_city, "SOHR, 2017-08-24: the city is 29.3 km².", 0.0),
        (
            "sy-isis-raqqa-2017-07-15",
            "Islamic State's part of Raqqa from 2017-07-15",
            _call(raqqa_core, 0.70, note="Share 70 %."),
            "AFP, 2017-07-15: the SDF held about 30 % of the city.",
            0.0,
        ),
        (
            "sy-isis-raqqa-2017-07-26",
            "Islamic State's part of Raqqa from 2017-07-26",
            _call(raqqa_core, 0.50, note="Share 50 %."),
            "SOHR, 2017-07-26: the SDF held 50 % of the city.",
            0.0,
        ),
        (
            "sy-isis-raqqa-2017-08-23",
            "Islamic State's part of Raqqa from 2017-08-23",
            _call(raqqa_core, 0.399, note="Share 39.9 %."),
            "SOHR, 2017-08-24: Islamic State held 39.9 % (11.7 km²) on 2017-08-23.",
            0.0,
        ),
        (
            "sy-isis-raqqa-2017-09-01",
            "Islamic State's part of Raqqa from 2017-09-01",
            _call(raqqa_core, 0.35, note="Share 35 %."),
            "SDF statement via Rudaw, 2017-09-01: the SDF held 65 %.",
            0.0,
        ),
        (
            "sy-isis-raqqa-2017-09-20",
            "Islamic State's part of Raqqa from 2017-09-20",
            _call(raqqa_core, 0.10, note="Share 10 %."),
            "SOHR via Reuters, 2017-09-20: the SDF held more than 90 % (the SDF itself said 80 %).",
            0.0,
        ),
        (
            "sy-isis-dez-2014-07-14",
            "Islamic State's districts of Deir ez-Zor from 2014-07-14",
            _call(dez_districts, 0.80, note="Share 80 %."),
            (
                "Atlantic Council SyriaSource (2015): the government's districts were about 20 % of"
                " the city's area."
            ),
            0.0,
        ),
        (
            "sy-isis-dez-2017-09-20",
            "Islamic State's districts of Deir ez-Zor from 2017-09-20",
            _call(dez_districts, 0.15, note="Share 15 %."),
            "Sputnik, 2017-09-21: the government held more than 85 % of Deir ez-Zor.",
            0.0,
        ),
        (
            "sy-dez-airport",
            "Deir ez-Zor airport",
            dez_airport,
            "Not a reported size: 3 km around the runway's coordinates.",
            0.0,
        ),
        (
            "sy-sdf-raqqa-ring",
            "The SDF's ground around Raqqa from 2017-06-29",
            raqqa_ring,
            "Not a reported size: the SDF's encirclement of the city.",
            0.01,
        ),
        (
            "sy-gov-central-2017-10-06",
            "The former central Syria pocket, the government's from 2017-10-06",
            central_cleared,
            "Syrian military source via Reuters, 2017-10-06: the final operation took 1,800 km².",
            25.0,
        ),
        (
            "sy-isis-qalamoun",
            "The barrens of Qara and al-Jarajir",
            qalamoun_barrens,
            "Not reported.",
            0.01,
        ),
        (
            "sy-isis-ne-hama-2017-10-09",
            "Islamic State's enclave in north-east Hama from 2017-10-09",
            ne_hama_2017_10_09,
            "Not reported (a dozen to 34 villages).",
            0.01,
        ),
        (
            "sy-isis-ne-hama-2018-01-18",
            "The encircled pocket of north-east Hama from 2018-01-18",
            ne_hama_2018_01_18,
            "Muraselon, 2018-02: the pocket exceeded 1,100 km².",
            0.01,
        ),
        (
            "sy-isis-yarmouk-camp",
            "The Yarmouk camp and al-Hajar al-Aswad",
            yarmouk_camp,
            "Not reported.",
            0.0,
        ),
        (
            "sy-isis-yarmouk-basin",
            "The Yarmouk basin (Khalid ibn al-Walid Army)",
            _call(yarmouk_basin, None, note="The whole basin."),
            "SOHR, 2017-07-18 and 2017-10-23: 250 km².",
            0.01,
        ),
        (
            "sy-isis-yarmouk-basin-2018-07-28",
            "The Yarmouk basin from 2018-07-28",
            _call(
                yarmouk_basin,
                100.0,
                g.midpoint(basin_centre(), P("ash-shajarah")),
                note=(
                    "100 km² around the point a quarter of the way from the basin centre to"
                    " al-Shajarah (the army advanced from the north)."
                ),
            ),
            "Al-Masdar, 2018-07-28: about 100 km² left.",
            0.01,
        ),
        (
            "sy-isis-yarmouk-basin-2018-07-30",
            "The last villages of the Yarmouk basin from 2018-07-30",
            _call(
                yarmouk_basin,
                20.0,
                g.offset(P("ash-shajarah"), 7, 135),
                note=(
                    "20 km² around the point 7 km south-east of al-Shajarah, towards the"
                    " Jordanian border."
                ),
            ),
            "Not reported (Beit Irra and al-Kuwayya near the Jordanian border).",
            0.01,
        ),
        (
            "sy-isis-sweida-2018-07-25",
            "The desert east of Sweida",
            sweida_desert,
            "Not reported.",
            0.01,
        ),
        ("sy-isis-safa-2018-08-17", "Tulul al-Safa", safa_pocket, "Not reported.", 0.01),
    ]


# --- the other side of the fronts -------------------------------------------------------------

FRONT_KM = 5.0

# Islamic State's eastern areas in force from each date (ids without the "sy-isis-" prefix).
FRONT_DATES: list[tuple[str, list[str]]] = [
    ("2017-07-01", ["east-2017-07-01"]),
    ("2017-07-22", ["east-2017-07-22"]),
    ("2017-08-05", ["east-2017-08-05"]),
    ("2017-08-18", ["east-2017-08-18", "central-2017-08-18"]),
    ("2017-09-03", ["east-2017-08-18", "central-2017-09-03"]),
    ("2017-09-05", ["east-2017-09-05", "central-2017-09-03"]),
    ("2017-09-10", ["east-2017-09-10", "central-2017-09-03"]),
    ("2017-09-23", ["east-2017-09-23", "central-2017-09-03"]),
    ("2017-10-06", ["east-2017-09-23"]),
    ("2017-10-14", ["east-2017-10-14"]),
    ("2017-10-26", ["east-2017-10-26"]),
    ("2017-11-09", ["east-2017-11-09"]),
    ("2017-11-19", ["east-2017-11-19"]),
    ("2017-11-23", ["east-2017-11-23"]),
    ("2017-11-28", ["east-2017-11-28"]),
    ("2017-12-07", ["east-2017-12-07"]),
    ("2018-06-17", ["east-2018-06-17"]),
    ("2018-07", ["hajin-2018-07"]),
    ("2018-12-14", ["hajin-2018-12-14"]),
    ("2019-01-06", ["hajin-2019-01-06"]),
    ("2019-01-13", ["baghuz-2019-01-13"]),
    ("2019-01-18", ["baghuz-2019-01-18"]),
    ("2019-02-07", ["baghuz-2019-02-07"]),
    ("2019-02-10", ["baghuz-2019-02-10"]),
    ("2019-02-16", ["baghuz-2019-02-16"]),
    ("2019-03-01", ["baghuz-2019-03-01"]),
    ("2019-03-23", []),
]


@cache
def _isis_shape(short_id: str) -> BaseGeometry:
    builders = {fid: (build, min_part) for fid, _, build, _, min_part in registry()}
    build, min_part = builders[f"sy-isis-{short_id}"]
    return g.clean(build(), min_part)


def sdf_side(day: str) -> BaseGeometry:
    """Where the ground facing Islamic State is the SDF's: east of the Euphrates (except the
    army's bridgehead opposite Deir ez-Zor from 2017-09-18) and the SDF's strip of the south
    bank from Tabqa to 8 km below Raqqa (taken in June 2017)."""
    side = g.bank("left").intersection(g.east_of(38.0))
    side = side.union(g.band(P("tabqa"), river_at("raqqa", 8), FRONT_KM, "right"))
    if day >= "2017-09-18":
        side = side.difference(gov_east_bank())
    return side


def front_bands(day: str, isis_ids: list[str]) -> tuple[BaseGeometry, BaseGeometry]:
    """The SDF's and the government's ground along Islamic State's eastern fronts on ``day``:
    the 5 km beyond the edge of Islamic State's areas, inside Syria, split by
    ``sdf_side``; without Raqqa city (its own areas) and the al-Tanf zone. Their positions are
    not traced from any source: they stand for the side that faced Islamic State across the
    front its areas draw, so that the desert beyond goes to that side and not to Islamic
    State."""
    if not isis_ids:
        return Polygon(), Polygon()
    isis_m = g.to_m(shapely_union([_isis_shape(i) for i in isis_ids])).buffer(0)
    ring = shapely.make_valid(g.to_deg(isis_m.buffer(FRONT_KM * 1000).difference(isis_m)))
    ring = ring.intersection(g.syria()).difference(raqqa_city())
    ring = ring.difference(g.around("al-tanf", 55))
    side = sdf_side(day)
    return ring.intersection(side), ring.difference(side)


def shapely_union(geoms: list[BaseGeometry]) -> BaseGeometry:
    return shapely.make_valid(shapely.union_all([shapely.make_valid(x) for x in geoms]))


def _band(day: str, ids: list[str], which: int) -> Callable[[], BaseGeometry]:
    def build() -> BaseGeometry:
        return front_bands(day, ids)[which]

    build.__doc__ = (
        f"{_doc(front_bands)} Islamic State's areas: {', '.join('sy-isis-' + i for i in ids)}."
    )
    return build


def badia_band() -> BaseGeometry:
    """The government's ground around the Badia pocket: the 5 km beyond its edge, inside
    Syria (the pocket was besieged by the army and its allies, SOHR)."""
    return front_bands("2017-09-23", ["badia"])[1]


def front_registry() -> list[tuple[str, str, Callable[[], BaseGeometry], str, float]]:
    out = [
        (
            "sy-gov-front-badia",
            "The government's ground around the Badia pocket",
            badia_band,
            "Not a reported shape: a 5 km band around the pocket.",
            1.0,
        )
    ]
    for day, ids in FRONT_DATES:
        for which, side, who in ((0, "sdf", "The SDF"), (1, "gov", "The government")):
            out.append(
                (
                    f"sy-{side}-front-{day}",
                    f"{who}'s ground along the front with Islamic State from {day}",
                    _band(day, ids, which),
                    "Not a reported shape: a 5 km band along the front.",
                    1.0,
                )
            )
    return out


def _call(fn: Callable, *args: object, note: str = "") -> Callable[[], BaseGeometry]:
    """A builder with its arguments; its method text is the function's with ``note``."""

    def build() -> BaseGeometry:
        return fn(*args)

    build.__doc__ = f"{_doc(fn)} {note}".strip()
    return build


def features() -> list[dict]:
    out = []
    for fid, name, build, report, min_part in registry() + front_registry():
        shape = g.clean(build(), min_part)
        if shape.is_empty:
            continue
        area = g.km2(shape)
        size = f"{area:,.2f}" if area < 10 else f"{area:,.0f}"
        notes = f"Area {size} km². Reported: {report}"
        out.append(g.feature(fid, name, shape, _doc(build) or name, notes, min_part))
    return out
