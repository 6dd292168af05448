"""GIS exports read back with GDAL (pyogrio, rasterio) and, where installed, with QGIS."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from PIL import Image
from pyproj import CRS, Transformer
from shapely.geometry import Point

from mapgen.boundaries import read_layer
from mapgen.build import BuildOptions, build
from mapgen.dataset import load_dataset
from mapgen.errors import OverwriteError
from mapgen.export import write_gis
from mapgen.render.style import BORDER_COLOR, LAKE_COLOR, OUTSIDE_COLOR, WATER_COLOR
from mapgen.territory import Territory, build_territory
from mapgen.timeline import build_timeline

SAMPLE_DAYS = ["2017-07-01", "2017-11-10", "2017-11-15", "2017-11-20", "2019-03-31"]
ABU_KAMAL = Point(40.91854, 34.45226)
SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).parent / "qgis_probe.py"
PREVIEW = Path(__file__).parent.parent / "tools" / "qgis_preview.py"
# The base map's layers in the GeoPackage and their names in the project, top to bottom.
BASE = {
    "base_rivers": "Rivers",
    "base_borders": "Borders",
    "base_governorate_lines": "Governorate lines",
    "base_lakes": "Lakes",
    "base_study_area": "Study area",
    "base_land": "Land",
}


@pytest.fixture(scope="module")
def territory() -> Territory:
    return build_territory(build_timeline(load_dataset()))


@pytest.fixture(scope="module")
def out(territory: Territory, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gis")
    write_gis(territory, folder)
    return folder


def valid_on(frame: pd.DataFrame, day: str, start: str, end: str) -> pd.DataFrame:
    d = pd.Timestamp(day)
    return frame[(frame[start] <= d) & (frame[end].isna() | (frame[end] > d))]


# --- GeoJSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["areas", "frontlines", "places"])
def test_geojson_reads_back_as_dated_lonlat_features(out, territory, name):
    info = pyogrio.read_info(out / f"{name}.geojson")
    assert info["crs"] == "EPSG:4326"
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["valid_from"] == "OFTDate"
    assert types["valid_to"] == "OFTDate"
    assert types["controller" if name != "frontlines" else "side_a"] == "OFTString"
    assert info["features"] == len(getattr(territory, name))
    frame = gpd.read_file(out / f"{name}.geojson")
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()


def _positions(coordinates: list) -> list:
    """Every [x, y] position of a GeoJSON coordinates array, however deeply nested."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    return [xy for item in coordinates for xy in _positions(item)]


def test_geojson_is_rfc7946(out):
    raw = json.loads((out / "areas.geojson").read_text(encoding="utf-8"))
    assert "crs" not in raw
    for feature in raw["features"]:
        polygon = shapely.geometry.shape(feature["geometry"])
        for part in getattr(polygon, "geoms", [polygon]):
            assert part.exterior.is_ccw
            assert all(not ring.is_ccw for ring in part.interiors)
        xs = [xy[0] for xy in _positions(feature["geometry"]["coordinates"])]
        assert all(len(repr(x).split(".")[-1]) <= 6 for x in xs)
        assert min(xs) >= 35.5 and max(xs) <= 48.8  # lon first, inside Syria and Iraq


def test_open_ends_are_null_never_empty_strings(out, territory):
    after_end = f"{territory.timeline.end + pd.Timedelta(days=1):%Y-%m-%d}"
    for name in ("areas", "frontlines", "places"):
        raw = json.loads((out / f"{name}.geojson").read_text(encoding="utf-8"))
        ends = [f["properties"]["valid_to"] for f in raw["features"]]
        starts = [f["properties"]["valid_from"] for f in raw["features"]]
        still = name != "frontlines" or not territory.on(territory.timeline.end).frontlines.empty
        assert (None in ends) == still, name
        assert "" not in ends + starts, name
        assert after_end not in ends, name  # reaching the range's end is an open end
        assert all(pd.Timestamp(s).strftime("%Y-%m-%d") == s for s in starts)


def town_ground(areas: gpd.GeoDataFrame, place_id: str, point: Point) -> pd.Series:
    """A town's held ground on a day: its own, or the area event's polygon over it (an
    area newer than the town's own state covers it: Islamic State's of October 2017)."""
    held = areas[areas["kind"] == "held"]
    own = held[held["place_id"] == place_id]
    return own.iloc[0] if len(own) else held[held.contains(point)].iloc[0]


def test_abu_kamal_area_on_sample_days(out):
    areas = gpd.read_file(out / "areas.geojson")
    held = {
        day: town_ground(valid_on(areas, day, "valid_from", "valid_to"), "abu-kamal", ABU_KAMAL)
        for day in ("2017-11-07", "2017-11-10", "2017-11-15", "2017-11-20")
    }
    assert (held["2017-11-07"]["controller"], held["2017-11-07"]["status"]) == (
        "isis",
        "controlled",
    )
    assert held["2017-11-10"]["controller"] == "syria"
    assert (held["2017-11-15"]["controller"], held["2017-11-15"]["status"]) == (
        "isis",
        "contested",
    )
    assert held["2017-11-15"]["opponent"] == "syria"
    assert held["2017-11-20"]["controller"] == "syria"
    assert held["2017-11-20"]["basis"] == "reported"
    assert held["2017-11-20"]["sources"] == "E060"


@pytest.mark.parametrize("source", ["geojson", "gpkg"])
@pytest.mark.parametrize("name", ["areas", "frontlines", "places"])
def test_state_on_sample_days_equals_the_model(out, territory, source, name):
    if source == "geojson":
        frame = gpd.read_file(out / f"{name}.geojson")
    else:
        frame = gpd.read_file(out / "mapgen.gpkg", layer=name)
    key = {"areas": "area_id", "frontlines": "frontline_id", "places": "place_id"}[name]
    columns = [key, "controller", "status"] if name != "frontlines" else [key, "side_a"]
    for day in SAMPLE_DAYS:
        model = getattr(territory.on(day), name)
        exported = valid_on(frame, day, "valid_from", "valid_to")
        got = sorted(map(tuple, exported[columns].astype(str).to_numpy()))
        want = sorted(map(tuple, model[columns].astype(str).to_numpy()))
        assert got == want, (source, name, day)
        geoms = exported.sort_values(columns).geometry.to_numpy()
        model_geoms = model.sort_values(columns).geometry.to_numpy()
        same = shapely.equals_exact(
            shapely.normalize(geoms), shapely.normalize(model_geoms), tolerance=1e-6
        )
        # a GeoPackage layer has one geometry type: a LineString comes back as a
        # MultiLineString of one part, the same line
        same |= shapely.hausdorff_distance(geoms, model_geoms) <= 1e-6
        assert same.all(), (source, name, day)


# --- GeoPackage ------------------------------------------------------------------------------


def test_geopackage_layers_have_datetime_columns(out, territory):
    layers = dict(pyogrio.list_layers(out / "mapgen.gpkg"))
    assert set(layers) == {"areas", "frontlines", "places", "events", "layer_styles", *BASE}
    counts = {
        "areas": len(territory.areas),
        "frontlines": len(territory.frontlines),
        "places": len(territory.places),
        "events": len(territory.timeline.dataset.events),
    }
    for name, count in counts.items():
        info = pyogrio.read_info(out / "mapgen.gpkg", layer=name)
        types = dict(zip(info["fields"], info["ogr_types"], strict=True))
        start, end = ("date_from", "date_to") if name == "events" else ("valid_from", "valid_to")
        assert (types[start], types[end]) == ("OFTDateTime", "OFTDateTime"), name
        assert info["crs"] == "EPSG:4326"
        assert info["features"] == count
    with sqlite3.connect(out / "mapgen.gpkg") as db:
        declared = dict(db.execute("SELECT name, type FROM pragma_table_info('areas')").fetchall())
    assert declared["valid_from"] == "DATETIME"


def test_month_precision_event_spans_its_month(out):
    events = gpd.read_file(out / "mapgen.gpkg", layer="events").set_index("event_id")
    dhiban = events.loc["SYE136"]  # SDF take Dhiban, "2017-12", month precision
    assert dhiban["date"] == "2017-12"
    assert dhiban["precision"] == "month"
    assert dhiban["date_from"] == pd.Timestamp("2017-12-01")
    assert dhiban["date_to"] == pd.Timestamp("2018-01-01")


def test_geopackage_stores_the_styles_as_defaults(out):
    with sqlite3.connect(out / "mapgen.gpkg") as db:
        rows = db.execute(
            "SELECT f_table_schema, f_table_name, f_geometry_column, useAsDefault, styleQML, "
            "update_time FROM layer_styles ORDER BY f_table_name"
        ).fetchall()
        contents = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        changed = {r[0] for r in db.execute("SELECT last_change FROM gpkg_contents")}
    assert [r[1] for r in rows] == ["areas", *sorted(BASE), "events", "frontlines", "places"]
    assert all(r[0] == "" and r[2] == "geom" and r[3] == 1 for r in rows)
    for name, qml in ((r[1], r[4]) for r in rows):
        if name in BASE:  # always shown: no time
            assert "<temporal" not in qml and "renderer-v2" in qml
            continue
        if name != "events":  # events are in the GeoPackage only
            assert qml == (out / f"{name}.qml").read_text(encoding="utf-8")
        assert '<temporal enabled="1" mode="2"' in qml
    assert contents["layer_styles"] == "attributes"
    assert changed == {"2019-03-31T00:00:00.000Z"}  # the range's end, not the time of the run
    assert {r[5] for r in rows} == {"2019-03-31T00:00:00.000Z"}


# --- QML -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["areas", "places"])
def test_qml_colours_by_controller_and_sets_the_time_fields(out, territory, name):
    root = ET.parse(out / f"{name}.qml").getroot()
    temporal = root.find("temporal")
    assert temporal.get("enabled") == "1"
    assert temporal.get("mode") == "2"  # separate fields for start and end
    assert temporal.get("limitMode") == "0"  # include start, exclude end
    assert (temporal.get("startField"), temporal.get("endField")) == ("valid_from", "valid_to")
    renderer = root.find("renderer-v2")
    attr = "controller" if name == "places" else '"controller" || \':\' || "kind"'
    assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", attr)
    symbols = {s.get("name"): s for s in renderer.find("symbols")}
    controllers = territory.timeline.dataset.controllers
    colors = {c.id: c.color for c in controllers}
    colors |= {f"{c.id}:held": c.color for c in controllers}
    colors |= {f"{c.id}:zone": c.zone_color for c in controllers}
    seen = set()
    for category in renderer.find("categories"):
        symbol = symbols[category.get("symbol")]
        first = symbol.find("layer")
        color = {p.get("k"): p.get("v") for p in first.findall("prop")}["color"]
        want = colors[category.get("value")]
        assert color == ",".join(str(int(want[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"
        seen.add(category.get("value"))
    frame = getattr(territory, name)
    keys = frame["controller"] if name == "places" else frame["controller"] + ":" + frame["kind"]
    assert seen == set(keys)


# --- GeoTIFF ---------------------------------------------------------------------------------


def test_control_raster_bands_codes_and_colours(out, territory):
    with rasterio.open(out / "control.tif") as src:
        dates = [territory.timeline.start, *territory.timeline.change_dates]
        assert src.count == len(dates)
        assert list(src.descriptions) == [f"{d:%Y-%m-%d}" for d in dates]
        assert CRS.from_wkt(src.crs.to_wkt()).equals(territory.crs)
        assert src.res == (2000.0, 2000.0)
        assert (src.nodata, src.dtypes[0]) == (0, "uint8")
        assert src.profile["tiled"] and src.profile["compress"] == "deflate"
        codes = dict(item.split("=") for item in src.tags()["CODES"].split(","))
        code = {v: int(k) for k, v in codes.items()}
        band = {d: src.descriptions.index(d) + 1 for d in src.descriptions}
        at = {}
        for day in ("2017-07-01", "2017-11-08", "2017-11-09", "2017-11-11", "2017-11-19"):
            # a cell well inside the town's ground (its point may sit on the cell's edge)
            ground = town_ground(territory.on(day).areas, "abu-kamal", ABU_KAMAL)
            inside = gpd.GeoSeries([ground.geometry], crs=4326).to_crs(territory.crs).iloc[0]
            core = inside.buffer(-1500)
            x, y = (core if not core.is_empty else inside).representative_point().coords[0]
            at[day] = int(src.read(band[day])[src.index(x, y)])
        colormap = src.colormap(1)
        everything = src.read()
    assert at == {
        "2017-07-01": code["isis"],
        "2017-11-08": code["contested"],
        "2017-11-09": code["syria"],
        "2017-11-11": code["contested"],
        "2017-11-19": code["syria"],
    }
    for controller in territory.timeline.dataset.controllers:
        want = (*(int(controller.color[i : i + 2], 16) for i in (1, 3, 5)), 255)
        assert colormap[code[controller.id]] == want
    for controller in territory.timeline.dataset.controllers:
        tint = controller.zone_color
        want = (*(int(tint[i : i + 2], 16) for i in (1, 3, 5)), 255)
        assert colormap[code[f"{controller.id}:zone"]] == want
    assert colormap[0][3] == 0  # nodata is transparent
    # Held ground and zones per side equal the model's within a few cells' worth.
    stats = territory.stats().set_index(["date", "controller"])
    first = everything[0]
    for kind, key in (("held_km2", "iraq"), ("zone_km2", "iraq:zone")):
        km2 = (first == code[key]).sum() * 4.0
        assert km2 == pytest.approx(stats.loc[(territory.timeline.start, "iraq"), kind], rel=0.05)
    # every cell of the study area has a code: zones cover the desert between places
    assert (first > 0).sum() * 4.0 == pytest.approx(territory.study_area_km2, rel=0.02)


# --- Determinism, daily snapshots, the build ------------------------------------------------


def test_same_input_gives_byte_identical_files(territory, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    written = write_gis(territory, first)
    write_gis(territory, second)
    assert {p.name for p in written} == {
        "areas.geojson",
        "areas.qml",
        "frontlines.geojson",
        "frontlines.qml",
        "places.geojson",
        "places.qml",
        "mapgen.gpkg",
        "control.tif",
        "control.tif.aux.xml",
        "control.qml",
        "mapgen.qgs",
    }
    for path in written:
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in written)


def test_daily_snapshots_one_file_per_day(tiny_files, tmp_path):
    dataset = load_dataset(tiny_files())
    out = tmp_path / "out"
    (out / "daily").mkdir(parents=True)
    (out / "daily" / "2019-12-31.geojson").write_text("stale", encoding="utf-8")
    (out / "daily" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OverwriteError, match=r"did not write \(daily/notes\.txt\)"):
        build(dataset, out, BuildOptions(daily=True))  # the folder is replaced: never theirs
    assert (out / "daily" / "notes.txt").read_text(encoding="utf-8") == "mine"
    (out / "daily" / "notes.txt").unlink()
    build(dataset, out, BuildOptions(daily=True))
    territory = build_territory(build_timeline(dataset))
    days = pd.date_range(dataset.start, dataset.end, freq="D")
    files = sorted(p.name for p in (out / "daily").glob("*.geojson"))
    assert files == [f"{d:%Y-%m-%d}.geojson" for d in days]
    for day in (days[0], pd.Timestamp("2020-01-12"), days[-1]):
        path = out / "daily" / f"{day:%Y-%m-%d}.geojson"
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert raw["date"] == f"{day:%Y-%m-%d}"
        frame = gpd.read_file(path)
        state = territory.on(day)
        for name in ("areas", "frontlines", "places"):
            got = frame[frame["layer"] == name]
            assert len(got) == len(getattr(state, name)), (day, name)
        areas = frame[(frame["layer"] == "areas") & (frame["kind"] == "held")]
        bravo = areas[areas["place_id"] == "bravo"].iloc[0]
        want = state.areas[state.areas.kind == "held"].set_index("place_id").loc["bravo"]
        assert (bravo["controller"], bravo["status"]) == (want["controller"], want["status"])


def test_build_without_daily_writes_no_daily_folder(tiny_files, tmp_path):
    written = build(load_dataset(tiny_files()), tmp_path / "out")
    assert not (tmp_path / "out" / "daily").exists()
    assert {"mapgen.gpkg", "control.tif", "areas.geojson"} <= {p.name for p in written}


# --- QGIS itself -----------------------------------------------------------------------------


def _pyqgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    found = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False
    )
    return found.returncode == 0


@pytest.fixture(scope="module")
def qgis_report(out: Path) -> dict:
    if not _pyqgis_available():
        pytest.skip("PyQGIS not installed (Debian: apt-get install python3-qgis)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE), str(out), *SAMPLE_DAYS],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def _gdal_version(report: dict) -> tuple[int, ...]:
    return tuple(int(part) for part in report["gdal"].split(".")[:2])


def _check_qgis_layer(
    report: dict, name: str, territory: Territory, *, active: bool, null_end_bug: bool = False
) -> None:
    assert report["valid"] and report["crs"] == "EPSG:4326"
    temporal = report["temporal"]
    start, end = ("date_from", "date_to") if name == "events" else ("valid_from", "valid_to")
    assert (temporal["mode"], temporal["limit_mode"]) == (2, 0)
    assert (temporal["start_field"], temporal["end_field"]) == (start, end)
    assert temporal["active"] is active
    assert report["fields"][start] in ("Date", "DateTime")
    controllers = territory.timeline.dataset.controllers
    if name in ("places", "events"):
        assert report["renderer"] == "categorizedSymbol" and report["attr"] == "controller"
        colors = controllers.colors()
        assert {k: v["color"] for k, v in report["categories"].items()} == {
            k: colors[k] for k in report["categories"]
        }
    if name == "areas":
        # held ground in the side's colour, its zone in a light tint of it, named apart
        assert report["renderer"] == "categorizedSymbol"
        assert report["attr"] == '"controller" || \':\' || "kind"'
        kinds = set(territory.areas["controller"] + ":" + territory.areas["kind"])
        assert set(report["categories"]) == kinds
        for key, category in report["categories"].items():
            side, kind = key.split(":")
            c = controllers[side]
            want = (c.color, c.name) if kind == "held" else (c.zone_color, f"{c.name}: zone")
            assert (category["color"], category["label"]) == want
    if name == "areas":
        assert report["symbol_layers"] == ["SimpleFill", "LinePatternFill"]
    if name == "places":
        assert report["labels"] == "place"
    if name == "events":
        return
    key = {"areas": "area_id", "frontlines": "frontline_id", "places": "place_id"}[name]
    after_end = territory.timeline.end + pd.Timedelta(days=1)
    for day in SAMPLE_DAYS:
        model = getattr(territory.on(day), name)
        if null_end_bug:
            # GDAL's OGR SQL before 3.12 fails on a null Date ("Failed to parse date ''") and
            # QGIS then drops the open-ended features of a GeoJSON layer; GeoPackage layers
            # are filtered by SQLite and are not affected. Checked: 3.6.2 drops them.
            open_end = model["valid_to"].isna() | (model["valid_to"] >= after_end)
            model = model[~open_end]
        want = sorted(model[key].astype(str))
        assert report["on"][day] == want, (name, day)


@pytest.mark.parametrize("name", ["areas", "frontlines", "places"])
def test_qgis_opens_the_geojson_with_its_style(qgis_report, territory, name):
    report = qgis_report["layers"][f"geojson:{name}"]
    assert report["count"] == len(getattr(territory, name))
    old_gdal = _gdal_version(qgis_report) < (3, 12)
    _check_qgis_layer(report, name, territory, active=False, null_end_bug=old_gdal)
    assert report["after_reload"]["active"] is True


@pytest.mark.parametrize("name", ["areas", "frontlines", "places", "events"])
def test_qgis_opens_the_geopackage_with_its_style(qgis_report, territory, name):
    report = qgis_report["layers"][f"gpkg:{name}"]
    assert report["fields"]["valid_from" if name != "events" else "date_from"] == "DateTime"
    _check_qgis_layer(report, name, territory, active=False)
    assert report["after_reload"]["active"] is True


def test_qgis_project_opens_time_enabled(qgis_report, territory):
    project = qgis_report["project"]
    assert project["read"]
    assert project["time"] == ["2017-07-01T00:00:00", "2019-04-01T00:00:00"]
    assert project["step"] == [1.0, 4]  # one day
    assert CRS.from_wkt(project["crs_wkt"]).equals(territory.crs)
    layers = project["layers"]
    assert {n: layers[n]["visible"] for n in layers} == {
        "areas": True,
        "frontlines": True,
        "places": True,
        "events": False,
        "control": False,
        **dict.fromkeys(BASE.values(), True),
    }
    # the base map is a group under the control layers, drawn on the sea's colour
    controls = ["events", "places", "frontlines", "areas", "control"]
    assert project["order"] == [*controls, *BASE.values()]
    assert {layers[n]["group"] for n in BASE.values()} == {"Base map"}
    assert project["background"] == LAKE_COLOR
    for name in ("areas", "frontlines", "places", "events"):
        _check_qgis_layer(layers[name], name, territory, active=True)
    assert layers["control"]["renderer"] == "paletted"


def test_qgis_reads_the_raster_palette_and_band_dates(qgis_report, territory):
    raster = qgis_report["raster"]
    assert raster["valid"] and raster["renderer"] == "paletted"
    assert raster["bands"] == 1 + len(territory.timeline.change_dates)
    assert raster["band_names"][0].endswith(f"{territory.timeline.start:%Y-%m-%d}")
    palette = raster["palette"]
    controllers = list(territory.timeline.dataset.controllers)
    for n, controller in enumerate(controllers, start=1):
        assert palette[str(n)] == {"color": controller.color, "label": controller.name}
        zone = palette[str(len(controllers) + 2 + n)]
        assert zone == {"color": controller.zone_color, "label": f"{controller.name}: zone"}
    assert len(palette) == 2 * len(controllers) + 2  # held, zones, contested, uncertain


# --- The project drawn by QGIS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def qgis_drawing(out: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, dict]:
    """The project drawn by QGIS on 2017-11-15 (tools/qgis_preview.py), as an RGB array, and
    the extent and size it was drawn at."""
    if not _pyqgis_available():
        pytest.skip("PyQGIS not installed (Debian: apt-get install python3-qgis)")
    png = tmp_path_factory.mktemp("qgis_drawing") / "2017-11-15.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [SYSTEM_PYTHON, str(PREVIEW), str(out / "mapgen.qgs"), "2017-11-15", str(png)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    info = json.loads(run.stdout.strip().splitlines()[-1])
    return np.asarray(Image.open(png).convert("RGB")).astype(int), info


def _rgb(color: str) -> list[int]:
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def _pixels_along(line, territory: Territory, info: dict, image: np.ndarray) -> list[np.ndarray]:
    """The 7x7 pixel windows around points spread along ``line`` (lon/lat) inside the image."""
    to_map = Transformer.from_crs("EPSG:4326", territory.crs, always_xy=True)
    (x0, y0, x1, y1), (width, height) = info["extent"], info["size"]
    windows = []
    for fraction in np.linspace(0.02, 0.98, 25):
        point = line.interpolate(fraction, normalized=True)
        x, y = to_map.transform(point.x, point.y)
        col, row = int((x - x0) / (x1 - x0) * width), int((y1 - y) / (y1 - y0) * height)
        if 3 <= col < width - 3 and 3 <= row < height - 3:
            windows.append(image[row - 3 : row + 4, col - 3 : col + 4].reshape(-1, 3))
    return windows


def test_qgis_draws_borders_and_rivers_under_the_areas(qgis_drawing, territory):
    image, info = qgis_drawing
    assert info["layers"][:3] == ["places", "frontlines", "areas"]
    assert info["layers"][3:] == list(BASE.values())
    countries = read_layer("countries").set_index("iso_a3").geometry
    # Jordan's border with Saudi Arabia: outside the study area, nothing drawn over it
    border = countries["JOR"].boundary.intersection(countries["SAU"].buffer(0.001))
    windows = _pixels_along(border, territory, info, image)
    assert len(windows) >= 10
    assert all((w == _rgb(BORDER_COLOR)).all(axis=1).any() for w in windows)
    # the Euphrates in Turkey, north of the study area
    rivers = read_layer("rivers")
    euphrates = rivers[rivers["name"] == "Euphrates"].geometry.union_all()
    windows = _pixels_along(euphrates.intersection(countries["TUR"]), territory, info, image)
    assert len(windows) >= 3
    water = _rgb(WATER_COLOR)
    assert all((np.abs(w - water) <= 40).all(axis=1).any() for w in windows)
    # land outside the study area in the static maps' grey, the sea in their blue
    desert = _pixels_along(shapely.LineString([(41.5, 30.2), (42.0, 30.0)]), territory, info, image)
    assert desert and all((w == _rgb(OUTSIDE_COLOR)).all() for w in desert)
    gulf = _pixels_along(shapely.LineString([(48.6, 29.0), (48.7, 29.3)]), territory, info, image)
    assert gulf and all((w == _rgb(LAKE_COLOR)).all() for w in gulf)
    # inside the study area the control layers cover the base map
    abu_kamal = _pixels_along(
        shapely.LineString([ABU_KAMAL, (ABU_KAMAL.x + 0.01, ABU_KAMAL.y)]), territory, info, image
    )
    assert not any((w == _rgb(OUTSIDE_COLOR)).all(axis=1).any() for w in abu_kamal)


def test_tables_tell_kinds_of_change_and_ground_apart(campaign, tmp_path):
    """The made-up campaign (tests/conftest.py): changes.csv says which rows are an
    uncertain window (dated to the month), its close and the end of an area event;
    stats.csv counts held ground, zones and uncertain ground apart."""
    from mapgen.export import write_changes_csv, write_stats_csv

    changes = pd.read_csv(
        write_changes_csv(campaign.timeline, tmp_path / "changes.csv"), keep_default_na=False
    )
    columns = ["date", "place", "polygon", "kind"]
    assert list(changes[columns].itertuples(index=False, name=None)) == [
        ("2020-01-05", "Charlie", "", "change"),
        ("2020-01-10", "Bravo", "", "change"),
        ("2020-01-20", "Kasra pocket", "pocket", "change"),
        ("2020-02", "Delta", "", "uncertain"),
        ("2020-03-01", "Delta", "", "settled"),
        ("2020-03-05", "Kasra pocket", "pocket", "ended"),
    ]
    stats = pd.read_csv(write_stats_csv(campaign, tmp_path / "stats.csv"))
    day = stats[stats["date"] == "2020-02-10"].set_index("controller")
    assert (day["area_km2"] - day["held_km2"] - day["zone_km2"]).abs().max() < 0.2
    assert day.loc["red", "uncertain_km2"] > day.loc["red", "held_km2"]  # Delta's zone too
    assert day.loc["red", "front_blue_km"] == day.loc["blue", "front_red_km"] > 0


def test_raster_and_geojson_tell_uncertain_ground_zones_and_polygons_apart(campaign, tmp_path):
    """The made-up campaign through GDAL: Delta's month-dated change is the uncertain code
    for February and green's from March; the Kasra pocket is a polygon unit of its own;
    the desert far from every place is a zone."""
    from mapgen.export.raster import control_raster, write_control_raster

    write_control_raster(control_raster(campaign), tmp_path / "control.tif")
    with rasterio.open(tmp_path / "control.tif") as src:
        code = {v: int(k) for k, v in (i.split("=") for i in src.tags()["CODES"].split(","))}
        band = {d: n for n, d in enumerate(src.descriptions, start=1)}

        def cell(day: str, lon: float, lat: float) -> int:
            x, y = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(src.crs).iloc[0].coords[0]
            return int(src.read(band[day])[src.index(x, y)])

        delta = (40.600, 35.150)
        assert [cell(d, *delta) for d in ("2020-01-20", "2020-02-01", "2020-03-01")] == [
            code["red"],
            code["uncertain"],
            code["green"],
        ]
        pocket = (40.80, 34.90)
        assert [cell(d, *pocket) for d in ("2020-01-01", "2020-01-20")] == [
            code["red"],
            code["blue"],
        ]
        assert cell("2020-01-01", 39.4, 35.2) == code["blue:zone"]  # far west of Alpha
    write_gis(campaign, tmp_path / "gis")
    areas = gpd.read_file(tmp_path / "gis" / "areas.geojson", engine="pyogrio")
    start, end = pd.to_datetime(areas["valid_from"]), pd.to_datetime(areas["valid_to"])
    day = pd.Timestamp("2020-02-10")
    on = areas[(start <= day) & ~(end <= day)]
    delta_rows = on[on["place_id"] == "delta"][["kind", "status", "opponent"]]
    assert set(delta_rows.itertuples(index=False, name=None)) == {
        ("held", "uncertain", "green"),
        ("zone", "uncertain", "green"),
    }
    pocket_rows = areas[areas["polygon"] == "pocket"]
    assert set(pocket_rows["unit"]) == {"polygon:pocket"}
    assert set(pocket_rows["place"]) == {"Kasra pocket"}
