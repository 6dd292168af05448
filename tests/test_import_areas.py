"""``mapgen import-areas``: dated control polygons in, a dataset folder of changes out."""

from __future__ import annotations

import csv
import gzip
import json
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import Polygon, box, mapping

from mapgen.areaimport.replay import ground_changes, ground_on, iou
from mapgen.areaimport.series import date_from_name
from mapgen.cli import cli
from mapgen.dataset import DatasetFiles, check_dataset

DEEPSTATE = Path(__file__).resolve().parents[2] / "shared" / "deepstate"
RAW_DEEPSTATE_BYTES = 27.8e6  # the 360 files uncompressed (issue 13)

# A made-up series in the Syrian desert (inside the committed base layers: no world data).
BASE = box(38.50, 34.50, 38.90, 34.80)  # about 37 x 33 km
GAIN = box(38.90, 34.60, 38.95, 34.70)  # ground taken on day 4
BITE = box(38.52, 34.52, 38.56, 34.56)  # ground lost on day 6
SERIES = {
    "2021-03-01": BASE,
    "2021-03-02": BASE,  # unchanged
    "2021-03-03": BASE,  # unchanged
    "2021-03-04": BASE.union(GAIN),
    # 2021-03-05 missing: the day before holds
    "2021-03-06": BASE.union(GAIN).difference(BITE),
    "2021-03-07": BASE.union(GAIN).difference(BITE),
}


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def write_geojson(path: Path, geoms: list[Polygon], props: list[dict] | None = None) -> Path:
    features = [
        {"type": "Feature", "properties": (props or [{}] * len(geoms))[k], "geometry": mapping(g)}
        for k, g in enumerate(geoms)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features})
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def daily_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    return [
        write_geojson(folder / f"control_{day.replace('-', '')}.geojson.gz", [geom])
        for day, geom in SERIES.items()
    ]


def events(folder: Path) -> list[dict[str, str]]:
    with (folder / "events.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_dates_come_from_file_names() -> None:
    assert date_from_name(Path("deepstatemap_data_20240708.geojson.gz")) == pd.Timestamp(
        "2024-07-08"
    )
    assert date_from_name(Path("front 2023-11-30 v2.kml")) == pd.Timestamp("2023-11-30")
    assert date_from_name(Path("areas_2024_02_29.gpkg")) == pd.Timestamp("2024-02-29")
    assert date_from_name(Path("areas_20230230.gpkg")) is None  # no such day
    assert date_from_name(Path("areas.geojson")) is None


def test_import_reproduces_every_day_and_stores_only_changes(
    daily_files: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "ds"
    result = run(
        "import-areas", *map(str, daily_files), "--controller", "sdf", "--rest", "isis",
        "--source", "Made-up maps", "--tile-deg", "0.1", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "6 days, 3 with changes" in result.output
    assert "1 days missing from the series: 2021-03-05" in result.output
    changes = ground_changes(out)["sdf"]
    assert [f"{d:%m-%d}" for d, _ in changes] == ["03-01", "03-04", "03-06"]
    every_day = pd.date_range("2021-03-01", "2021-03-07")
    for day in every_day:
        source = SERIES.get(f"{day:%Y-%m-%d}", SERIES["2021-03-04"])  # 03-05 keeps 03-04
        assert iou(ground_on(changes, day), source) >= 0.999, day
    rows = events(out)
    assert {r["date"] for r in rows} == {"2021-03-01", "2021-03-04", "2021-03-06"}
    assert all(r["source"].startswith("Made-up maps: control_2021") for r in rows)
    shapes = gpd.read_file(out / "areas.geojson").set_index("id").geometry
    # Day 4 stores the gain only, not a new copy of the ground.
    added = [r["area"] for r in rows if r["date"] == "2021-03-04"]
    assert iou(shapely.union_all(shapes.loc[added].values), GAIN) >= 0.999
    assert all(r["status"] == "controlled" for r in rows if r["date"] == "2021-03-04")
    # Day 6 ends only the pieces the bite touched; what is left of them comes back.
    ended = [r["area"] for r in rows if r["status"] == "ended"]
    restored = [r["area"] for r in rows if r["date"] == "2021-03-06" and r["status"] != "ended"]
    assert 0 < len(ended) <= 2
    assert shapely.union_all(shapes.loc[ended].values).area <= 0.1 * 0.1 + 1e-9  # one tile
    lost = shapely.union_all(shapes.loc[ended].values).difference(
        shapely.union_all(shapes.loc[restored].values)
    )
    assert iou(lost, BITE) >= 0.999


def test_the_folder_is_a_dataset_that_validates_and_says_what_it_holds(
    daily_files: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "ds"
    run("import-areas", *map(str, daily_files), "--controller", "sdf", "--rest", "isis",
        "--out", str(out))  # fmt: skip
    info = tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    assert info["start"] == "2021-03-01" and info["end"] == "2021-03-07"
    assert info["default_controller"] == "isis"
    assert info["missing_days"] == ["2021-03-05"]
    lon0, lat0, lon1, lat1 = info["extent"]
    assert lon0 <= 38.5 and lat0 <= 34.5 and lon1 >= 38.95 and lat1 >= 34.8
    with (out / "controllers.csv").open(encoding="utf-8") as f:
        controllers = {r["id"]: r for r in csv.DictReader(f)}
    assert controllers["sdf"]["countries"] == "SYR" and controllers["isis"]["countries"] == "SYR"
    with (out / "relations.csv").open(encoding="utf-8") as f:
        assert [(r["side_a"], r["side_b"], r["relation"]) for r in csv.DictReader(f)] == [
            ("isis", "sdf", "hostile")
        ]
    dataset, problems = check_dataset(DatasetFiles.from_folder(out))
    assert problems.errors == []
    assert len(dataset.events) == len(events(out))
    result = run("validate", "--dataset", str(out))
    assert result.exit_code == 0, result.output


def test_one_file_with_date_and_side_fields(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "day": ["2022-05-01", "2022-05-01", "2022-05-02", "2022-05-02"],
            "held_by": ["Red Army", "Blue", "Red Army", "Blue"],
        },
        geometry=[BASE, GAIN, BASE.union(GAIN), box(38.95, 34.6, 39.0, 34.7)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32637")  # a projected file is read back into lon/lat
    path = tmp_path / "fronts.gpkg"
    frame.to_file(path)
    out = tmp_path / "ds"
    result = run(
        "import-areas", str(path), "--date-field", "day", "--side-field", "held_by",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    changes = ground_changes(out)
    assert set(changes) == {"red-army", "blue"}
    day2 = pd.Timestamp("2022-05-02")
    assert iou(ground_on(changes["red-army"], day2), BASE.union(GAIN)) >= 0.999
    assert iou(ground_on(changes["blue"], day2), box(38.95, 34.6, 39.0, 34.7)) >= 0.999


def test_kml_and_shapefile_series(tmp_path: Path) -> None:
    paths = []
    for day, geom in [("20220101", BASE), ("20220103", BASE.union(GAIN))]:
        frame = gpd.GeoDataFrame({"name": ["front"]}, geometry=[geom], crs="EPSG:4326")
        kml = tmp_path / f"front_{day}.kml"
        frame.to_file(kml, driver="KML")
        paths.append(kml)
    shp = tmp_path / "front_20220104.shp"
    gpd.GeoDataFrame(geometry=[BASE], crs="EPSG:4326").to_file(shp)
    out = tmp_path / "ds"
    result = run("import-areas", *map(str, [*paths, shp]), "--controller", "red", "--out", str(out))
    assert result.exit_code == 0, result.output
    changes = ground_changes(out)["red"]
    assert iou(ground_on(changes, pd.Timestamp("2022-01-02")), BASE) >= 0.999
    assert iou(ground_on(changes, pd.Timestamp("2022-01-03")), BASE.union(GAIN)) >= 0.999
    assert iou(ground_on(changes, pd.Timestamp("2022-01-04")), BASE) >= 0.999


def test_a_side_that_vanishes_ends_all_its_pieces(tmp_path: Path) -> None:
    a = write_geojson(tmp_path / "x_20200101.geojson", [BASE])
    b = write_geojson(tmp_path / "x_20200102.geojson", [])
    out = tmp_path / "ds"
    assert (
        run("import-areas", str(a), str(b), "--controller", "red", "--out", str(out)).exit_code == 0
    )
    rows = events(out)
    starts = {r["area"] for r in rows if r["status"] == "controlled"}
    ends = {r["area"] for r in rows if r["status"] == "ended"}
    assert starts == ends and {r["date"] for r in rows if r["status"] == "ended"} == {"2020-01-02"}


def test_bad_input_is_named_with_file_and_feature(tmp_path: Path) -> None:
    undated = write_geojson(tmp_path / "control.geojson", [BASE])
    result = run("import-areas", str(undated), "--controller", "red", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "control.geojson: error: no date in the file name" in result.output
    dated = write_geojson(
        tmp_path / "fronts.geojson", [BASE, GAIN], [{"day": "2022-05-01"}, {"day": "May 2"}]
    )
    result = run("import-areas", str(dated), "--controller", "red", "--date-field", "day",
                 "--out", str(tmp_path / "o"))  # fmt: skip
    assert result.exit_code == 1
    assert re.search(r"fronts.geojson, feature 2, column 'day': error: .*'May 2'", result.output)
    result = run("import-areas", str(dated), "--controller", "red", "--date-field", "when",
                 "--out", str(tmp_path / "o"))  # fmt: skip
    assert "no field 'when'" in result.output and "fields: day" in result.output
    assert not (tmp_path / "o").exists()


def test_an_input_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("not polygons", encoding="utf-8")
    result = run("import-areas", str(path), "--controller", "red", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "would be overwritten" in result.output
    assert path.read_text(encoding="utf-8") == "not polygons"


@pytest.fixture(scope="module")
def deepstate_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not DEEPSTATE.is_dir():
        pytest.skip(f"DeepState polygons not found at {DEEPSTATE}")
    out = tmp_path_factory.mktemp("deepstate") / "ukraine"
    files = sorted(DEEPSTATE.glob("deepstatemap_data_*.geojson.gz"))
    result = run(
        "import-areas", *map(str, files), "--controller", "russia", "--rest", "ukraine",
        "--source", "DeepStateMap", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_deepstate_import_reproduces_every_day(deepstate_import: Path) -> None:
    changes = ground_changes(deepstate_import)["russia"]
    worst = 1.0
    for path in sorted(DEEPSTATE.glob("deepstatemap_data_*.geojson.gz")):
        day = date_from_name(path)
        source = gpd.read_file(f"/vsigzip/{path}").geometry.union_all()
        worst = min(worst, iou(ground_on(changes, day), source))
    assert worst >= 0.999


def test_deepstate_import_is_small_and_says_where_it_is(deepstate_import: Path) -> None:
    stored = sum((deepstate_import / n).stat().st_size for n in ("areas.geojson", "events.csv"))
    assert stored < RAW_DEEPSTATE_BYTES / 10
    info = tomllib.loads((deepstate_import / "dataset.toml").read_text(encoding="utf-8"))
    lon0, lat0, lon1, lat1 = info["extent"]  # Ukraine, Crimea included
    assert lon0 < 22.2 and lat0 < 44.4 and lon1 > 40.1 and lat1 > 52.3
    assert "2025-01-01" in info["missing_days"]
    with (deepstate_import / "controllers.csv").open(encoding="utf-8") as f:
        assert {r["id"]: r["countries"] for r in csv.DictReader(f)} == {
            "russia": "UKR",
            "ukraine": "UKR",
        }


# --- the land's edge: a polygon drawn with its own coast is no front there ---------------


def _metric_land(territory) -> tuple[object, object]:
    """The built study area in the territory's metric CRS, and its edge."""
    land = gpd.GeoSeries([territory.study_area], crs="EPSG:4326").to_crs(territory.crs).iloc[0]
    return land, land.boundary


def _built(folder: Path):
    from mapgen.dataset import load_dataset
    from mapgen.territory import build_territory
    from mapgen.timeline import build_timeline

    return build_territory(build_timeline(load_dataset(DatasetFiles.from_folder(folder))))


def test_a_polygon_with_its_own_coast_leaves_no_front_along_the_sea(tmp_path: Path) -> None:
    """A series drawn on its own coastline, 400 m inside the base layers' (as DeepState's
    runs inside Natural Earth's): the strip between is the default controller's, but its
    edge against the polygon is no front; the front is the polygon's inland outline."""
    from mapgen.boundaries import read_layer
    from mapgen.territory.contacts import EDGE_TOLERANCE_M

    syria = read_layer("countries").set_index("iso_a3").geometry["SYR"]
    utm = "EPSG:32637"
    land = gpd.GeoSeries([syria], crs="EPSG:4326").to_crs(utm).iloc[0]
    # the coast of Latakia and Jableh, 50 km of it: own coast 400 m inside, then 3 km
    reach = box(35.70, 35.25, 36.10, 35.65)
    near = gpd.GeoSeries([reach], crs="EPSG:4326").to_crs(utm).iloc[0]
    day1 = land.buffer(-400).intersection(near)
    inland = land.buffer(-3000).intersection(near)
    # a strip 800 m deep along the coast (ground taken from the sea): its inland edge is front
    strip = day1.difference(land.buffer(-1200))
    series = {"2022-06-01": day1, "2022-06-02": day1, "2022-06-03": inland, "2022-06-04": strip}
    folder = tmp_path / "in"
    folder.mkdir()
    files = [
        write_geojson(
            folder / f"coast_{d.replace('-', '')}.geojson",
            [gpd.GeoSeries([g], crs=utm).to_crs("EPSG:4326").iloc[0]],
        )
        for d, g in series.items()
    ]
    out = tmp_path / "ds"
    result = run("import-areas", *map(str, files), "--controller", "red", "--rest", "blue",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    territory = _built(out)
    built_land, edge = _metric_land(territory)
    series = {
        d: gpd.GeoSeries([g], crs=utm).to_crs(territory.crs).iloc[0] for d, g in series.items()
    }
    near = gpd.GeoSeries([near], crs=utm).to_crs(territory.crs).iloc[0]
    inland = series["2022-06-03"]
    for day, drawn in list(series.items())[:3]:
        (front,) = territory.on(day).frontlines.to_crs(territory.crs).itertuples()
        # the polygon's outline less what lies along the sea
        inland_outline = drawn.boundary.difference(edge.buffer(EDGE_TOLERANCE_M)).length / 1000
        assert front.length_km == pytest.approx(inland_outline, rel=0.03), day
        coastal = drawn.boundary.intersection(near.buffer(-2000)).difference(
            built_land.buffer(-1000)
        )
        assert front.geometry.intersection(coastal.buffer(50)).length < 10, day
    # where the polygon stops 3 km short of the sea, the strip is real ground: front there
    (front,) = territory.on("2022-06-03").frontlines.to_crs(territory.crs).itertuples()
    along_sea = inland.boundary.intersection(near.buffer(-2000)).difference(
        inland.boundary.intersection(built_land.buffer(-3500)).buffer(1)
    )
    assert along_sea.length > 30_000
    assert front.geometry.buffer(5).intersection(along_sea).length > 0.95 * along_sea.length
    (front,) = territory.on("2022-06-04").frontlines.to_crs(territory.crs).itertuples()
    inner = series["2022-06-04"].boundary.intersection(built_land.buffer(-1000))
    assert inner.length > 30_000
    assert front.geometry.buffer(5).intersection(inner).length > 0.95 * inner.length
    # the pieces and the default controller's tiles are drawn as one ground (no outlines)
    from mapgen.render.seams import seamless

    areas = territory.areas
    parts = seamless(areas, territory.timeline.dataset.shapes)
    assert parts[(areas["basis"] == "default").to_numpy()].all()
    assert parts[(areas["controller"] == "red").to_numpy()].all()
    assert parts.all() and len(areas) > 10
    # the ground stays the polygon's, sliver and all
    stats = territory.stats().set_index(["date", "controller"])
    for day, drawn in series.items():
        red = stats.loc[(pd.Timestamp(day), "red"), "held_km2"]
        assert red == pytest.approx(drawn.intersection(built_land).area / 1e6, rel=0.005)


def test_deepstate_days_build_a_front_of_deepstates_length(tmp_path: Path) -> None:
    """Two of DeepState's days: the built front is DeepState's own (its outline on land
    less 1 km along coast and border, ~1,240 km), not twice as long (the coast of the Sea
    of Azov and of Crimea, where its coast runs inside Natural Earth's); the ground is the
    polygon's on land."""
    if not DEEPSTATE.is_dir():
        pytest.skip(f"DeepState polygons not found at {DEEPSTATE}")
    files = [DEEPSTATE / f"deepstatemap_data_{d}.geojson.gz" for d in ("20250115", "20250116")]
    out = tmp_path / "ua"
    result = run("import-areas", *map(str, files), "--controller", "russia", "--rest",
                 "ukraine", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    territory = _built(out)
    land, edge = _metric_land(territory)
    stats = territory.stats().set_index(["date", "controller"])
    for path in files:
        day = date_from_name(path)
        source = gpd.read_file(f"/vsigzip/{path}").to_crs(territory.crs).geometry.union_all()
        truth = shapely.make_valid(source).intersection(land)
        truth = shapely.union_all([g for g in shapely.get_parts(truth) if g.area > 0])
        own_front = truth.boundary.difference(edge.buffer(1000)).length / 1000
        assert 1100 < own_front < 1400
        built = stats.loc[(day, "russia"), "frontline_km"]
        front = territory.on(day).frontlines.to_crs(territory.crs).geometry.union_all()
        along_edge = front.intersection(edge.buffer(1000)).length / 1000
        # strips of Ukraine 1-2 km wide along the coast are left out too
        assert 0.75 * own_front < built < 1.02 * own_front, day
        assert along_edge < 0.03 * built, day
        ground = territory.on(day).areas
        ground = ground[ground["controller"] == "russia"].to_crs(territory.crs)
        assert iou(ground.geometry.union_all(), truth) >= 0.999, day
