"""The territory model on geometry a person can check by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from shapely.geometry import Point

from mapgen.boundaries import read_layer
from mapgen.dataset import load_dataset
from mapgen.errors import UnknownMethodError
from mapgen.territory import TerritoryOptions, build_territory
from mapgen.timeline import build_timeline
from tests.conftest import TINY_EVENTS

HEADER = "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
PLACES_HEADER = "id,name,lat,lon,population\n"


def territory_of(tiny_files, events=TINY_EVENTS, places=None, **options):
    files = tiny_files(events=events, **({"places": places} if places else {}))
    return build_territory(build_timeline(load_dataset(files)), TerritoryOptions(**options))


def held(areas):
    """The held ground of each place, indexed by place id."""
    return areas[areas["kind"] == "held"].set_index("place_id")


def metric(territory, frame):
    return frame.to_crs(territory.crs)


@pytest.mark.parametrize("method", ["voronoi", "cost"])
def test_three_places_on_a_line_give_two_frontlines_at_the_midpoints(tiny_files, method):
    # in the Syrian desert, 50 km and more from any river
    places = PLACES_HEADER + "".join(
        f"{pid},{pid.title()},34.0,{lon},1000\n"
        for pid, lon in [("alpha", 39.0), ("bravo", 39.5), ("charlie", 40.0)]
    )
    events = (
        HEADER
        + "A,2020-01-01,alpha,red,,,R,,\n"
        + "B,2020-01-01,bravo,blue,,,R,,\n"
        + "C,2020-01-01,charlie,red,,,R,,\n"
    )
    t = territory_of(tiny_files, events, places, method=method, desert="zone")
    assert len(t.frontlines) == 1
    front = t.frontlines.iloc[0]
    assert (front.side_a, front.side_b) == ("blue", "red")
    parts = shapely.get_parts(front.geometry)
    assert len(parts) == 2
    # where the lines cross the parallel of the three places, lon 39.25 and 39.75
    parallel = shapely.LineString([(38.0, 34.0), (41.0, 34.0)])
    crossings = sorted(shapely.get_coordinates(parallel.intersection(front.geometry))[:, 0])
    tolerance = 0.01 if method == "voronoi" else 0.05  # the cost grid is 2 km
    assert crossings == pytest.approx([39.25, 39.75], abs=tolerance)


# rows of eight places along parallels of the Syrian desert (far from rivers), each row
# with its own spacing (degrees of longitude), red to the west and blue to the east
ROW_SPACINGS = {33.6: 0.040, 33.9: 0.043, 34.2: 0.045, 34.5: 0.047, 34.8: 0.050}


def _rows_of_places(tiny_files):
    places, events = PLACES_HEADER, HEADER
    for row, (lat, step) in enumerate(ROW_SPACINGS.items()):
        for k in range(8):
            pid = f"r{row}p{k}"
            places += f"{pid},{pid},{lat},{39.0 + k * step:.4f},1000\n"
            events += f"{pid},2020-01-01,{pid},{'red' if k < 4 else 'blue'},,,R,,\n"
    return tiny_files(events=events, places=places)


def _crossing_errors_km(territory) -> list[float]:
    """Per row, how far east (km) of the midpoint between the 4th and 5th places the
    frontline crosses the row's parallel."""
    front = territory.frontlines.geometry.union_all()
    errors = []
    for lat, step in ROW_SPACINGS.items():
        parallel = shapely.LineString([(38.5, lat), (40.0, lat)])
        (x,) = shapely.get_coordinates(parallel.intersection(front))[:, 0]
        km_per_degree = 111.32 * np.cos(np.radians(lat))
        errors.append((x - (39.0 + 3.5 * step)) * km_per_degree)
    return errors


def test_the_line_between_neighbours_is_where_their_costs_meet_without_a_side_of_the_grid(
    tiny_files,
):
    timeline = build_timeline(load_dataset(_rows_of_places(tiny_files)))
    # on a 2 km grid: within half a cell of the midpoint and, over rows placed differently
    # against the grid, not pushed one way (scipy gives a cell reached at equal cost from
    # two places to the later one: with places started from their cells' centres, the
    # eastern place won every tie and every row's line lay 0.5-1.8 km to the west)
    coarse = _crossing_errors_km(build_territory(timeline, TerritoryOptions(resolution_m=2000)))
    assert max(abs(e) for e in coarse) <= 1.0, coarse
    assert abs(np.mean(coarse)) <= 0.3, coarse
    # places 4.1-4.6 km apart get a 1 km grid (a quarter of their spacing) by default
    fitted = build_territory(timeline, TerritoryOptions())
    assert fitted.options.resolution_m == 1000
    errors = _crossing_errors_km(fitted)
    assert max(abs(e) for e in errors) <= 0.5, errors


@pytest.mark.parametrize(
    ("spacing_km", "cell_m"), [(4.5, 1000), (6.2, 1500), (9.3, 2000), (2.0, 1000)]
)
def test_the_grid_is_a_quarter_of_the_spacing_of_places_within_1_to_2_km(spacing_km, cell_m):
    from mapgen.territory.options import grid_for_places

    rng = np.random.default_rng(1)
    square = np.array([(i, j) for i in range(30) for j in range(30)], dtype=float)
    jitter = rng.uniform(-0.02, 0.02, square.shape)  # no exact ties of distance
    assert grid_for_places((square + jitter) * spacing_km * 1000) == cell_m
    assert grid_for_places(np.array([[0.0, 0.0]])) == 2000
    # no finer than 4 million cells over the study area's box: a continent of villages
    # 4.5 km apart (a 3,000 x 3,000 km box) gets 1.5 km cells, not 1 km
    box = 3_000_000.0**2
    assert grid_for_places((square + jitter) * spacing_km * 1000, box) == max(cell_m, 1500)


def _river_pair():
    """Two points 4 km off the Euphrates on opposite banks, 30 km apart along the river."""
    rivers = read_layer("rivers")
    euphrates = rivers.loc[rivers["name"] == "Euphrates"].geometry.union_all()
    near = Point(40.45154, 35.01982)  # Al Mayadin
    line = min(shapely.get_parts(shapely.line_merge(euphrates)), key=near.distance)
    at = line.project(near)
    step = 0.27  # degrees along the line, about 30 km

    return _off_bank(line, at - step / 2, +1), _off_bank(line, at + step / 2, -1), line


def _off_bank(line, distance: float, side: float, offset: float = 0.04) -> Point:
    """The point ``offset`` degrees off ``line`` at ``distance`` along it, on ``side``."""
    a, b = line.interpolate(distance - 0.01), line.interpolate(distance + 0.01)
    dx, dy = b.x - a.x, b.y - a.y
    norm = np.hypot(dx, dy)
    p = line.interpolate(distance)
    return Point(p.x - side * dy / norm * offset, p.y + side * dx / norm * offset)


def test_cost_frontline_follows_the_river_voronoi_does_not(tiny_files):
    west, east, river = _river_pair()
    places = (
        PLACES_HEADER
        + f"west,West,{west.y:.5f},{west.x:.5f},20000\neast,East,{east.y:.5f},{east.x:.5f},20000\n"
    )
    events = HEADER + "A,2020-01-01,west,red,,,R,,\nB,2020-01-01,east,blue,,,R,,\n"
    share_near_river = {}
    for method in ("cost", "voronoi"):
        t = territory_of(tiny_files, events, places, method=method, desert="zone")
        front = t.frontlines.to_crs(t.crs).geometry.iloc[0]
        river_m = (
            t.frontlines.iloc[[0]].set_geometry([river], crs=4326).to_crs(t.crs).geometry.iloc[0]
        )
        # the part of the frontline between the two places (within 25 km of both)
        middle = front.intersection(
            t.frontlines.iloc[[0]]
            .set_geometry([shapely.MultiPoint([west, east])], crs=4326)
            .to_crs(t.crs)
            .geometry.iloc[0]
            .convex_hull.buffer(25_000)
        )
        share_near_river[method] = middle.intersection(river_m.buffer(3000)).length / middle.length
    assert share_near_river["cost"] > 0.8
    assert share_near_river["voronoi"] < 0.4


def test_towns_on_both_banks_keep_to_their_own_bank(tiny_files):
    # sixteen pairs of towns 1.3 km off the Euphrates, red on one bank, blue on the other,
    # closer to the river than a 2 km cell: a town standing in a river cell starts from the
    # nearest cell of its own bank (it used to be the nearest cell, on either bank, and a
    # red town started on the blue bank drew red stripes 100 km into it), and its entry
    # never slips diagonally through the river
    _, _, river = _river_pair()
    at = river.project(Point(40.45154, 35.01982))
    places, events = PLACES_HEADER, HEADER
    for k in range(16):
        for side, who in ((1, "red"), (-1, "blue")):
            p = _off_bank(river, at - 0.8 + k * 0.1, side, 0.012)
            places += f"{who}{k},{who}{k},{p.y:.5f},{p.x:.5f},2000\n"
            events += f"{who}{k},2020-01-01,{who}{k},{who},,,R,,\n"
    timeline = build_timeline(load_dataset(tiny_files(events=events, places=places)))
    for resolution in (2000, None):
        t = build_territory(timeline, TerritoryOptions(resolution_m=resolution))
        front = t.frontlines.to_crs(t.crs).geometry.union_all()
        river_m = gpd.GeoSeries([river], crs=4326).to_crs(t.crs).iloc[0]
        assert front.difference(river_m.buffer(2500)).length < 100, t.options.resolution_m


def test_reversal_gives_back_the_earlier_geometry(tiny_files):
    events = (
        HEADER
        + "A,2020-01-01,alpha,red,,,R,,\n"
        + "B,2020-01-01,bravo,red,,,R,,\n"
        + "C,2020-01-01,charlie,blue,,,R,,\n"
        + "D,2020-01-05,bravo,blue,,,R,,\nE,2020-01-09,bravo,red,,,R,,\n"
    )
    t = territory_of(tiny_files, events, method="voronoi", desert="zone")
    before, during, after = (t.on(day) for day in ("2020-01-02", "2020-01-06", "2020-01-09"))
    assert before.frontlines.geometry.iloc[0].equals(after.frontlines.geometry.iloc[0])
    assert not before.frontlines.geometry.iloc[0].equals(during.frontlines.geometry.iloc[0])
    bravo = [held(s.areas).geometry["bravo"] for s in (before, during, after)]
    assert bravo[0].equals(bravo[1]) and bravo[1].equals(bravo[2])
    rows = t.areas[(t.areas.place_id == "bravo") & (t.areas.kind == "held")]
    assert list(rows.controller) == ["red", "blue", "red"]


@pytest.mark.parametrize("desert", ["unassigned", "zone"])
@pytest.mark.parametrize("method", ["voronoi", "cost"])
def test_sides_plus_unassigned_equal_the_study_area_without_overlap(tiny_files, method, desert):
    t = territory_of(tiny_files, method=method, desert=desert)
    stats = t.stats()
    totals = stats.groupby("date")["area_km2"].sum()
    assert np.allclose(totals, t.study_area_km2, atol=1.0)
    for day in ("2020-01-01", "2020-01-12"):
        areas = metric(t, t.on(day).areas)
        assert areas.is_valid.all()
        union = shapely.union_all(areas.geometry.values).area
        assert union == pytest.approx(areas.geometry.area.sum(), rel=1e-6)
        mapped = stats[(stats.date == day) & (stats.controller != "unassigned")]["area_km2"].sum()
        assert mapped == pytest.approx(union / 1e6, abs=1.0)
    assert t.frontlines.is_valid.all()
    if desert == "unassigned":
        assert stats[stats.controller == "unassigned"]["area_km2"].min() > 0
    # the reach grows with population: alpha (10,000) reaches further than charlie (unknown)
    first = held(t.on("2020-01-01").areas)["area_km2"]
    assert first["alpha"] > first["charlie"]
    zones = stats.groupby("date")["zone_km2"].sum()
    assert (zones > 0).all() if desert == "zone" else (zones == 0).all()
    assert np.allclose(stats["held_km2"] + stats["zone_km2"], stats["area_km2"], atol=0.11)


def test_areas_are_per_change_not_per_day(tiny_files):
    t = territory_of(tiny_files, method="voronoi")
    # 3 places, held ground and zone each; bravo changes twice: 10 intervals for 15 days
    assert len(t.areas) == 10
    contested = held(t.on("2020-01-12").areas).loc["bravo"]
    assert (contested.status, contested.controller, contested.opponent) == (
        "contested",
        "red",
        "blue",
    )
    assert contested.sources == "T4"
    assert t.areas["valid_from"].min() == pd.Timestamp("2020-01-01")
    assert t.areas["valid_to"].max() == pd.Timestamp("2020-01-16")


def test_inference_copies_the_nearest_place_on_the_same_bank(tiny_files):
    west, east, _ = _river_pair()
    # a minor place 2 km from 'east' but on the west bank would be wrong to infer from east
    places = (
        PLACES_HEADER
        + f"west,West,{west.y:.5f},{west.x:.5f},20000\n"
        + f"east,East,{east.y:.5f},{east.x:.5f},20000\n"
        + f"minor,Minor,{west.y + 0.02:.5f},{west.x + 0.02:.5f},500\n"
    )
    events = HEADER + "A,2020-01-01,west,red,,,R,,\nB,2020-01-01,east,blue,,,R,,\n"
    off = territory_of(tiny_files, events, places, method="voronoi")
    assert "minor" not in set(off.places.place_id)
    on = territory_of(tiny_files, events, places, method="voronoi", infer=True)
    minor = on.places.set_index("place_id").loc["minor"]
    assert (minor.controller, minor.basis, minor.inferred_from, minor.sources) == (
        "red",
        "inferred",
        "west",
        "A",
    )
    assert set(on.areas[on.areas.place_id == "minor"].basis) == {"inferred"}
    assert set(on.areas[on.areas.place_id == "west"].basis) == {"reported"}


def test_unknown_method_and_desert_rule_are_clear_errors(tiny_files):
    with pytest.raises(UnknownMethodError, match="choose one of cost, voronoi"):
        territory_of(tiny_files, method="kriging")
    with pytest.raises(UnknownMethodError, match="zone, unassigned"):
        territory_of(tiny_files, desert="everything")


@pytest.fixture(scope="module")
def default_territory():
    return build_territory(build_timeline(load_dataset()), TerritoryOptions())


def test_default_campaign_key_dates(default_territory):
    t = default_territory
    day = t.on("2017-11-10")
    areas = held(day.areas)
    assert areas.loc["abu-kamal", "controller"] == "syria"
    assert areas.loc["al-qaim", "controller"] == "iraq"
    assert areas.loc["deir-ez-zor", "status"] == "controlled"
    # the city polygon is held whole by its controller and by nobody else
    polygon = t.timeline.dataset.places.polygons.geometry["abu-kamal"]
    # (its own ground, or the government's area of 9 November drawn over it)
    syria = day.areas[(day.areas.controller == "syria") & (day.areas.kind == "held")]
    cell = shapely.union_all(syria.geometry.values)
    assert polygon.difference(cell).area < 1e-3 * polygon.area  # up to coordinate rounding
    others = day.areas[day.areas.controller != "syria"].geometry.values
    assert shapely.area(shapely.intersection(others, polygon)).max() < 1e-3 * polygon.area
    # on 2017-11-12 Islamic State holds it again, contested by the army
    again = held(t.on("2017-11-12").areas).loc["abu-kamal"]
    assert (again.controller, again.status, again.opponent) == ("isis", "contested", "syria")
    assert again.sources == "E058"


def test_area_within_a_governorate_sums_to_its_land(default_territory):
    dz = read_layer("governorates").set_index("name").geometry["Deir ez-Zor"]
    zoned = default_territory.area_within(dz, "2017-11-03")
    assert zoned["area_km2"].sum() == pytest.approx(26_700, rel=0.02)  # Natural Earth's
    assert zoned.loc["isis", "held_km2"] > 0 and zoned.loc["syria", "held_km2"] > 0
    assert zoned.loc["unassigned", "area_km2"] < 1.0  # every cell has a side
    white = build_territory(
        default_territory.timeline, TerritoryOptions(desert="unassigned")
    ).area_within(dz, "2017-11-03")
    assert white["zone_km2"].sum() == 0
    # the same held ground (up to the smoothing of the 2 km grid's edges)
    assert white.loc["isis", "held_km2"] == pytest.approx(zoned.loc["isis", "held_km2"], rel=0.05)
    # the desert counted as zones: a large part of the governorate, none of it white
    assert zoned["zone_km2"].sum() > 0.2 * zoned["area_km2"].sum()
    assert zoned.loc["isis", "area_km2"] >= white.loc["isis", "area_km2"]


# --- the rules of a control map, on small made-up regions of real Syria and Iraq ----------

RULES_PLACES = PLACES_HEADER.replace("population", "population,country") + "".join(
    f"{pid},{pid.title()},{lat},{lon},{pop},{iso}\n"
    for pid, lat, lon, pop, iso in [
        ("west", 35.0, 40.3, 20000, "SYR"),  # Deir ez-Zor governorate
        ("east", 35.2, 43.0, 20000, "IRQ"),  # Nineveh
        ("kamal", 34.45226, 40.91854, 50000, "SYR"),  # Abu Kamal, 6 km from the border
        ("qaim", 34.39251, 40.98945, 50000, "IRQ"),  # Al-Qaim, across it
        ("north", 36.0, 38.8, 20000, "SYR"),
        ("middle", 34.8, 38.5, 20000, "SYR"),
        ("south", 33.6, 37.0, 20000, "SYR"),
    ]
)
RULES_SIDES = "id,name,color,countries\nred,Red,#d55e00,{red}\nblue,Blue,#0072b2,{blue}\n"
RULES_SIDES += "green,Green,#009e73,SYR\n"
SQUARE = "POLYGON ((40.25 34.95, 40.35 34.95, 40.35 35.05, 40.25 35.05, 40.25 34.95))"


def rules_territory(tiny_files, events, *, red="SYR|IRQ", blue="IRQ", relations=None, **opts):
    """A territory over the whole of Syria and Iraq from a few made-up places."""
    files = tiny_files(
        info='start = "2020-01-01"\nend = "2020-03-31"\nextent = [35.5, 29.0, 48.8, 37.5]\n',
        events=HEADER.replace("place,", "place,area,").replace("notes", "notes,geometry") + events,
        places=RULES_PLACES,
        controllers=RULES_SIDES.format(red=red, blue=blue),
        relations=relations,
    )
    return build_territory(build_timeline(load_dataset(files)), TerritoryOptions(**opts))


def country_land(t, iso):
    land = read_layer("countries").set_index("iso_a3").geometry[iso]
    return metric(t, gpd.GeoSeries([land.intersection(t.study_area)], crs=4326)).iloc[0]


def ground_in(t, day, side, land, kind=None):
    """km² of a side's ground (of one kind, or both) inside a country's land on a day."""
    areas = metric(t, t.on(day).areas)
    areas = areas[(areas.controller == side) & ((areas.kind == kind) if kind else True)]
    return shapely.union_all(areas.geometry.values).intersection(land).area / 1e6


def test_allocation_never_crosses_a_border_except_from_places_held_beyond_it(tiny_files):
    events = "A,2020-01-01,west,,red,,,R,,,\nB,2020-01-01,east,,blue,,,R,,,\n"
    events += "C,2020-01-05,qaim,,red,,,R,,,\n"
    t = rules_territory(tiny_files, events)
    syria, iraq = country_land(t, "SYR"), country_land(t, "IRQ")
    # day 1: red holds only in Syria, blue only in Iraq; each fills its country, no more
    assert ground_in(t, "2020-01-01", "red", iraq) < 1.0
    assert ground_in(t, "2020-01-01", "blue", syria) < 1.0
    assert ground_in(t, "2020-01-01", "blue", iraq) == pytest.approx(iraq.area / 1e6, rel=1e-3)
    # hostile, but their zones only meet along the border: that is no front
    assert t.on("2020-01-01").frontlines.empty
    # day 5: red holds a town in Iraq, so it holds ground and zone around it there
    assert ground_in(t, "2020-01-05", "red", iraq, "held") > 100
    assert ground_in(t, "2020-01-05", "red", iraq, "zone") > 1000
    front = t.on("2020-01-05").frontlines
    assert list(zip(front.side_a, front.side_b, strict=True)) == [("blue", "red")]
    # a side that may hold ground in Syria only holds around its town in Iraq, no zone
    only = rules_territory(tiny_files, events, red="SYR")
    assert ground_in(only, "2020-01-05", "red", iraq, "held") > 100
    assert ground_in(only, "2020-01-05", "red", iraq, "zone") < 1.0


def test_a_border_is_a_front_only_where_a_side_holds_ground_on_it(tiny_files):
    events = "A,2020-01-01,kamal,,red,,,R,,,\nB,2020-01-01,qaim,,blue,,,R,,,\n"
    events += "C,2020-01-01,west,,red,,,R,,,\nD,2020-01-01,east,,blue,,,R,,,\n"
    t = rules_territory(tiny_files, events)
    (front,) = t.on("2020-01-02").frontlines.itertuples()
    # red's and blue's ground meet along the whole Syria-Iraq border, but only the stretch
    # where Abu Kamal's and Al-Qaim's held ground reach it is a front
    areas = metric(t, t.on("2020-01-02").areas)
    red, blue = (
        shapely.union_all(areas[areas.controller == side].geometry.values)
        for side in ("red", "blue")
    )
    contact = shapely.intersection(red.boundary, blue.boundary, grid_size=1).length / 1000
    assert contact > 500
    assert 1 < front.length_km < 50
    stats = t.stats().set_index(["date", "controller"])
    assert stats.loc[(pd.Timestamp("2020-01-02"), "red"), "front_blue_km"] == pytest.approx(
        front.length_km, abs=0.2
    )


def test_allies_touch_without_a_front_enemies_meet_on_one_continuous_line(tiny_files):
    events = "A,2020-01-01,north,,red,,,R,,,\nB,2020-01-01,middle,,blue,,,R,,,\n"
    events += "C,2020-01-01,south,,green,,,R,,,\n"
    relations = "side_a,side_b,relation\nred,blue,allied\nred,green,neutral\n"
    t = rules_territory(tiny_files, events, blue="SYR", relations=relations)
    fronts = t.on("2020-01-01").frontlines
    assert list(zip(fronts.side_a, fronts.side_b, strict=True)) == [("blue", "green")]
    line = shapely.line_merge(metric(t, fronts).geometry.iloc[0])
    assert line.geom_type == "LineString"  # one piece, not islands
    # it runs from the edge of the map (the Iraqi border) to where red's ground begins
    edge = metric(t, gpd.GeoSeries([t.study_area], crs=4326)).iloc[0].boundary
    areas = metric(t, t.on("2020-01-01").areas)
    red = shapely.union_all(areas[areas.controller == "red"].geometry.values)
    ends = [shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])]
    assert sorted(round(min(edge.distance(p), red.distance(p))) for p in ends) == [0, 0]
    assert line.length > 250_000
    hostile = rules_territory(tiny_files, events, blue="SYR")
    assert {("blue", "red"), ("blue", "green")} <= set(
        zip(hostile.frontlines.side_a, hostile.frontlines.side_b, strict=True)
    )


def test_an_area_event_overrides_the_places_and_can_be_replaced_and_ended(tiny_files):
    events = (
        "A,2020-01-01,west,,red,,,R,,,\nB,2020-01-01,east,,blue,,,R,,,\n"
        f'C,2020-01-05,,pocket,blue,contested,red,R,,,"{SQUARE}"\n'
        "D,2020-01-10,,pocket,red,,,R,,,\n"
        "E,2020-01-12,,pocket,,ended,,R,,,\n"
    )
    t = rules_territory(tiny_files, events)
    square = metric(t, gpd.GeoSeries([shapely.from_wkt(SQUARE)], crs=4326)).iloc[0]
    first, during, replaced, ended = (
        t.on(day).areas for day in ("2020-01-01", "2020-01-06", "2020-01-10", "2020-01-12")
    )
    pocket = metric(t, during[during.polygon == "pocket"]).iloc[0]
    assert (pocket.kind, pocket.controller, pocket.status, pocket.opponent) == (
        "held",
        "blue",
        "contested",
        "red",
    )
    assert pocket.geometry.symmetric_difference(square).area < 1e-4 * square.area
    west = metric(t, held(during).loc[["west"]]).geometry.iloc[0]
    assert west.intersection(square).area < 1e-4 * square.area  # cut out of the town's ground
    fronts = t.on("2020-01-06").frontlines
    assert ("blue", "red") in set(zip(fronts.side_a, fronts.side_b, strict=True))
    assert replaced[replaced.polygon == "pocket"].controller.unique().tolist() == ["red"]
    assert ended[ended.polygon == "pocket"].empty
    assert held(ended).geometry["west"].equals(held(first).geometry["west"])
    assert t.timeline.changes()["polygon"].tolist().count("pocket") == 3


def test_a_month_precision_change_is_drawn_uncertain_until_its_month_ends(tiny_files):
    events = "A,2020-01-01,west,,red,,,R,,,\nB,2020-01-01,east,,blue,,,R,,,\n"
    events += "C,2020-02,west,,blue,,,R,,,\n"
    t = rules_territory(tiny_files, events, blue="SYR|IRQ")
    stats = t.stats().set_index(["date", "controller"])
    during = stats.loc[(pd.Timestamp("2020-02-14"), "red")]
    assert during["uncertain_km2"] == pytest.approx(during["area_km2"], abs=0.2)
    assert during["uncertain_km2"] > 1000
    area = held(t.on("2020-02-14").areas).loc["west"]
    assert (area.controller, area.status, area.opponent) == ("red", "uncertain", "blue")
    after = stats.loc[(pd.Timestamp("2020-03-01"), "blue")]
    assert after["uncertain_km2"] == 0
    assert stats.loc[(pd.Timestamp("2020-03-01"), "red"), "area_km2"] == 0


def test_a_default_controller_holds_what_no_place_or_polygon_says(tiny_files):
    """A polygon archive (one side's ground per day, no places): the other side holds the
    rest of the country, stored in tiles, so a day's change rewrites only nearby tiles."""
    day1 = "POLYGON ((40.2 34.9, 40.4 34.9, 40.4 35.1, 40.2 35.1, 40.2 34.9))"
    day2 = "POLYGON ((40.2 34.9, 40.5 34.9, 40.5 35.1, 40.2 35.1, 40.2 34.9))"
    events = (
        f'A,2020-01-01,,occupied,red,,,R,,,"{day1}"\nB,2020-01-05,,occupied,red,,,R,,,"{day2}"\n'
    )
    files = tiny_files(
        events=HEADER.replace("place,", "place,area,").replace("notes", "notes,geometry") + events,
        places=PLACES_HEADER,
        controllers="id,name,color,countries\nred,Red,#d55e00,SYR\nblue,Blue,#0072b2,SYR\n",
        info='start = "2020-01-01"\nend = "2020-01-10"\ndefault_controller = "Blue"\n',
    )
    t = build_territory(build_timeline(load_dataset(files)))
    stats = t.stats().set_index(["date", "controller"])
    for day, shape in (("2020-01-02", day1), ("2020-01-06", day2)):
        red = metric(t, gpd.GeoSeries([shapely.from_wkt(shape)], crs=4326)).iloc[0].area / 1e6
        assert stats.loc[(pd.Timestamp(day), "red"), "held_km2"] == pytest.approx(red, abs=0.2)
        blue = stats.loc[(pd.Timestamp(day), "blue"), "held_km2"]
        assert blue + red == pytest.approx(t.study_area_km2, abs=1.0)
        assert stats.loc[(pd.Timestamp(day), "unassigned"), "area_km2"] < 1.0
        (front,) = t.on(day).frontlines.itertuples()
        assert (
            front.length_km == pytest.approx(2 * (0.2 * 111 + 0.2 * 91), rel=0.1)
            if (day == "2020-01-02")
            else front.length_km > 0
        )
    rest = t.areas[t.areas.unit.str.startswith("rest:")]
    assert set(rest.basis) == {"default"} and set(rest.controller) == {"blue"}
    tiles = rest.unit.nunique()
    assert tiles > 10  # Syria in 100 km tiles
    # the change of day 5 rewrites the tiles the polygon touches, not the others
    assert len(rest) - tiles <= 2


def test_a_pocket_under_assault_is_its_polygon_not_the_reach_of_the_town_inside(tiny_files):
    """Baghuz, 1 March 2019: the polygon reports the pocket's extent (AFP: under half a
    km²); the village inside it, or the village the row names, must not hold its usual
    reach around it."""
    events = "B,2020-01-01,east,,blue,,,R,,,\nN,2020-01-01,north,,blue,,,R,,,\n"
    events += "A,2020-01-01,west,,red,contested,blue,R,,,\n"
    pocket = 'C,2020-01-05,{place},pocket,red,{status},blue,R,,,"{shape}"\n'
    beside = shapely.affinity.translate(shapely.from_wkt(SQUARE), xoff=0.15).wkt
    day = pd.Timestamp("2020-01-06")
    for place, shape, status, only_pocket in (
        ("", SQUARE, "contested", True),  # the village is inside
        ("west", beside, "contested", True),  # the row names it (1.7 km away at Baghuz)
        ("", beside, "contested", False),  # neither: the village holds its own reach
        ("", SQUARE, "", False),  # a plainly held polygon: its reach around it is held too
    ):
        row = pocket.format(place=place, status=status, shape=shape)
        t = rules_territory(tiny_files, events + row, blue="SYR|IRQ")
        area = metric(t, gpd.GeoSeries([shapely.from_wkt(shape)], crs=4326)).iloc[0].area / 1e6
        red = t.stats().set_index(["date", "controller"]).loc[(day, "red"), "held_km2"]
        if only_pocket:
            assert red == pytest.approx(area, rel=0.02), (place, status)
        else:
            assert red > 1.3 * area, (place, status)


def test_a_newer_report_of_a_place_holds_its_ground_over_an_older_area(tiny_files):
    """Abu Kamal, 8 November 2017: an Islamic State area drawn in October covers the town;
    the report of the assault on it is newer, so its ground is drawn contested over it."""
    events = "A,2020-01-01,west,,red,,,R,,,\nB,2020-01-01,east,,blue,,,R,,,\n"
    events += f'C,2020-01-05,,pocket,blue,,,R,,,"{SQUARE}"\n'
    events += "D,2020-01-10,west,,red,contested,blue,R,,,\n"
    t = rules_territory(tiny_files, events, blue="SYR|IRQ")
    square = metric(t, gpd.GeoSeries([shapely.from_wkt(SQUARE)], crs=4326)).iloc[0]

    def west_in_square(day):
        own = held(metric(t, t.on(day).areas)).loc[["west"]]
        return own.geometry.iloc[0].intersection(square).area / square.area, own.iloc[0]

    before, _ = west_in_square("2020-01-06")  # the area is newer than the town's state
    after, row = west_in_square("2020-01-11")  # the town's report is newer than the area
    assert before < 0.01
    assert after > 0.5
    assert (row.controller, row.status, row.opponent) == ("red", "contested", "blue")
