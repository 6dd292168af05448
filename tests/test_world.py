"""Base layers for any region, built from the packaged world data and cached."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from mapgen.boundaries import BOUNDARIES_DIR, layers_folder, main_rivers, read_layer, study_area
from mapgen.world.layers import window_for
from mapgen.world.sources import Source, WorldDataMissing
from mapgen.world.wdbii import level_of

UKRAINE = (22.0, 44.2, 40.3, 52.5)
CRIMEA_SIMFEROPOL = Point(34.10, 44.95)
SEA_OF_AZOV = Point(36.5, 46.0)
KYIV = Point(30.52, 50.45)


def test_window_grows_and_snaps_outward_to_whole_degrees() -> None:
    assert window_for((22.1, 44.3, 40.2, 52.4)) == (21.0, 43.0, 42.0, 54.0)
    assert window_for((-179.5, -89.5, 179.5, 89.5)) == (-180.0, -90.0, 180.0, 90.0)


def test_the_default_region_reads_the_committed_layers() -> None:
    assert layers_folder(None) == BOUNDARIES_DIR
    assert layers_folder((38.0, 32.8, 45.6, 37.4)) == BOUNDARIES_DIR
    assert "Euphrates" in set(read_layer("rivers")["name"])


def test_ukraine_layers_are_built_once_and_cached() -> None:
    folder = layers_folder(UKRAINE)
    assert folder != BOUNDARIES_DIR
    stamp = (folder / "countries.geojson").stat().st_mtime_ns
    # A nearby extent falls in the same snapped window: same folder, nothing rebuilt.
    assert layers_folder((22.5, 44.5, 40.1, 52.2)) == folder
    assert (folder / "countries.geojson").stat().st_mtime_ns == stamp
    assert layers_folder((10.0, 44.2, 20.0, 52.5)) != folder


def test_countries_are_natural_earth_german_view_with_crimea_in_ukraine() -> None:
    countries = read_layer("countries", extent=UKRAINE).set_index("iso_a3")
    assert {"UKR", "RUS", "BLR", "POL", "MDA", "ROU"} <= set(countries.index)
    assert countries.geometry["UKR"].contains(CRIMEA_SIMFEROPOL)
    assert not countries.geometry["RUS"].contains(CRIMEA_SIMFEROPOL)
    assert not countries.geometry.contains(SEA_OF_AZOV).any()


def test_ukraine_study_area_is_its_land_without_sea_lakes_or_neighbours() -> None:
    area = study_area(gpd.GeoSeries([], crs="EPSG:4326"), UKRAINE, countries=("UKR",))
    km2 = gpd.GeoSeries([area.geometry], crs="EPSG:4326").to_crs(area.crs).area.iloc[0] / 1e6
    # Ukraine with Crimea: 603,550 km²; Natural Earth 1:10m minus its reservoirs is a little less.
    assert 580_000 < km2 < 605_000
    assert area.geometry.contains(KYIV) and area.geometry.contains(CRIMEA_SIMFEROPOL)
    assert not area.geometry.contains(SEA_OF_AZOV)
    assert not area.geometry.contains(Point(37.62, 55.75))  # Moscow (outside the extent too)
    assert not area.geometry.contains(Point(27.56, 53.90))  # Minsk


def test_rivers_lakes_and_admin1_lines_cover_the_region() -> None:
    rivers = read_layer("rivers", extent=UKRAINE)
    assert set(rivers["rank"]) <= {0, 1, 2, 3}
    crs = "EPSG:3035"
    near_kyiv = rivers.to_crs(crs).distance(gpd.GeoSeries([KYIV], crs=4326).to_crs(crs).iloc[0])
    assert near_kyiv.min() < 2_000  # the Dnieper passes through Kyiv
    assert main_rivers(UKRAINE).intersects(KYIV.buffer(0.05))
    lakes = read_layer("lakes", extent=UKRAINE)
    assert lakes.contains(Point(34.0, 47.3)).any()  # Kakhovka reservoir as Natural Earth has it
    lines = read_layer("governorate_lines", extent=UKRAINE)
    ukr = lines[lines["country"] == "UKR"].to_crs(crs)
    assert ukr.length.sum() / 1000 > 5_000  # 24 oblasts and Crimea: thousands of km of borders


def test_wdbii_levels_follow_the_segment_blocks() -> None:
    assert [level_of(i) for i in (0, 54, 55, 2436, 6874, 14427, 20000)] == [0, 0, 1, 2, 3, 4, 4]


def test_a_missing_world_package_names_the_extra_to_install() -> None:
    missing = Source("no-such-dist", "no_such_package_xyz", "f.dat", "none")
    with pytest.raises(WorldDataMissing, match=r"pip install 'mapgen\[world\]'"):
        missing.path()
    with pytest.raises(WorldDataMissing, match="no-such-dist"):
        missing.version()


def test_cache_folder_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MAPGEN_CACHE_DIR", str(tmp_path))
    folder = layers_folder((-10.0, 35.0, 3.0, 44.0))  # Iberia
    assert folder.is_relative_to(tmp_path)
    assert "ESP" in set(read_layer("countries", folder)["iso_a3"])


def test_open_sea_has_empty_layers_with_their_columns() -> None:
    extent = (-2.0, -2.0, 1.0, 1.0)  # the Gulf of Guinea
    assert read_layer("countries", extent=extent).empty
    assert {"iso_a3", "name"} <= set(read_layer("countries", extent=extent).columns)
    assert {"country", "admin1code", "name"} <= set(read_layer("governorates", extent=extent))
    area = study_area(gpd.GeoSeries([Point(0.1, 0.3)], crs="EPSG:4326"), extent)
    assert area.countries == () and area.geometry.equals(box(*extent))
