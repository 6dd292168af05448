"""The territory model on geometry a person can check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
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


def _river_pair():
    """Two points 4 km off the Euphrates on opposite banks, 30 km apart along the river."""
    rivers = read_layer("rivers")
    euphrates = rivers.loc[rivers["name"] == "Euphrates"].geometry.union_all()
    near = Point(40.45154, 35.01982)  # Al Mayadin
    line = min(shapely.get_parts(shapely.line_merge(euphrates)), key=near.distance)
    at = line.project(near)
    step = 0.27  # degrees along the line, about 30 km

    def off_bank(distance: float, side: float) -> Point:
        a, b = line.interpolate(distance - 0.01), line.interpolate(distance + 0.01)
        dx, dy = b.x - a.x, b.y - a.y
        norm = np.hypot(dx, dy)
        p = line.interpolate(distance)
        return Point(p.x - side * dy / norm * 0.04, p.y + side * dx / norm * 0.04)

    return off_bank(at - step / 2, +1), off_bank(at + step / 2, -1), line


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
    cell = areas.geometry["abu-kamal"]
    assert polygon.difference(cell).area < 1e-3 * polygon.area  # up to coordinate rounding
    others = day.areas[day.areas.place_id != "abu-kamal"].geometry.values
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
    assert white.loc["isis", "held_km2"] == pytest.approx(zoned.loc["isis", "held_km2"], rel=0.03)
    # the desert counted as zones raises Islamic State's share a lot
    assert zoned.loc["isis", "area_km2"] > 3 * white.loc["isis", "area_km2"]
