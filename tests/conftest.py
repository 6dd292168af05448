"""Shared fixtures: a tiny made-up dataset written to files, and paths to the seed articles."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mapgen.dataset import DatasetFiles

if TYPE_CHECKING:
    from mapgen.territory import Territory

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

TINY_CONTROLLERS = """id,name,color,aliases,notes
red,Red side,#d55e00,Reds|الحمر|Red army,
blue,Blue side,#0072b2,Blues|Blue forces,
"""

TINY_PLACES = """id,name,name_ar,aliases,lat,lon,country,governorate,population,geonames_id
alpha,Alpha,ألفا,Al-Alpha|Alfa,35.0,40.0,SYR,North,10000,1
bravo,Bravo,برافو,Bravo Town,35.0,40.5,SYR,North,5000,2
charlie,Charlie,,,35.0,41.0,IRQ,South,,
"""

TINY_EVENTS = """event_id,date,place,controller,status,opponent,source,source_url,notes
T1,2020-01-01,alpha,red,controlled,,Report A 2020-01-01,,
T2,2020-01-01,bravo,red,controlled,,Report A 2020-01-01,,
T3,2020-01-01,charlie,blue,controlled,,Report B 2020-01-01,https://example.org/b,
T4,2020-01-10,bravo,red,contested,blue,Report C 2020-01-10,,
T5,2020-01-15,bravo,blue,controlled,,Report D 2020-01-15,,
"""


@pytest.fixture(autouse=True, scope="session")
def _world_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Base layers built for other regions go into a cache of the test session, not the
    user's."""
    folder = tmp_path_factory.mktemp("mapgen-cache")
    before = os.environ.get("MAPGEN_CACHE_DIR")
    os.environ["MAPGEN_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("MAPGEN_CACHE_DIR", None)
    else:
        os.environ["MAPGEN_CACHE_DIR"] = before


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under tmp_path exactly as given (str as UTF-8, bytes untouched)."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return _write


def tiny_territory(folder: Path, events: str = TINY_EVENTS) -> Territory:
    """The tiny dataset's territory, its files written into ``folder`` (for module-scoped
    fixtures, which cannot use ``tiny_files``)."""
    from mapgen.dataset import load_dataset
    from mapgen.territory import build_territory
    from mapgen.timeline import build_timeline

    paths = {}
    for name, text in (
        ("events.csv", events),
        ("places.csv", TINY_PLACES),
        ("controllers.csv", TINY_CONTROLLERS),
    ):
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    files = DatasetFiles(
        events=paths["events.csv"],
        places=paths["places.csv"],
        controllers=paths["controllers.csv"],
        city_polygons=None,
        info=None,
    )
    return build_territory(build_timeline(load_dataset(files)))


@pytest.fixture
def tiny_files(write: Callable[[str, str | bytes], Path]) -> Callable[..., DatasetFiles]:
    """Files of the tiny dataset; pass events=... (text) to use other events."""

    def _files(
        events: str = TINY_EVENTS,
        places: str = TINY_PLACES,
        *,
        controllers: str = TINY_CONTROLLERS,
        relations: str | None = None,
        areas: str | None = None,
        info: str | None = None,
    ) -> DatasetFiles:
        return DatasetFiles(
            events=write("events.csv", events),
            places=write("places.csv", places),
            controllers=write("controllers.csv", controllers),
            city_polygons=None,
            info=write("dataset.toml", info) if info is not None else None,
            relations=write("relations.csv", relations) if relations is not None else None,
            areas=write("areas.geojson", areas) if areas is not None else None,
        )

    return _files


@pytest.fixture
def seeds() -> Path:
    """The seed articles folder; tests using it skip when it is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    return SEEDS


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by playwright; skipped when absent, a failure under CI=true."""
    import os

    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} not found (make browser installs it)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests need Chromium under CI: {missing}")
        pytest.skip(missing)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# A made-up campaign along the Euphrates (real coordinates, made-up names and events) with
# every kind of change the maps must tell apart: a day-dated change of hands, an assault,
# a month-dated change (uncertain for its month), and an area event (a polygon) that is
# replaced and then ended. Sides may hold ground in Syria only, so Iraq is a neighbour.
CAMPAIGN_CONTROLLERS = """id,name,color,countries
red,Red side,#d55e00,SYR
blue,Blue side,#0072b2,SYR
green,Green side,#009e73,SYR
"""
CAMPAIGN_PLACES = """id,name,lat,lon,country,population
alpha,Alpha,35.336,40.141,SYR,200000
bravo,Bravo,35.015,40.452,SYR,40000
charlie,Charlie,34.452,40.919,SYR,50000
delta,Delta,35.150,40.600,SYR,10000
echo,Echo,35.700,40.750,SYR,10000
"""
CAMPAIGN_EVENTS = """event_id,date,place,area,controller,status,opponent,source,source_url,notes
E1,2020-01-01,alpha,,blue,,,Report 1,,
E2,2020-01-01,bravo,,red,,,Report 1,,
E3,2020-01-01,charlie,,red,,,Report 1,,
E4,2020-01-01,delta,,red,,,Report 1,,
E5,2020-01-01,echo,,green,,,Report 1,,
A1,2020-01-01,,pocket,red,,,Report 1,,
E6,2020-01-05,charlie,,red,contested,blue,Report 2,,
E7,2020-01-10,bravo,,blue,,,Report 3,https://example.org/3,
A2,2020-01-20,,pocket,blue,,,Report 4,,
E8,2020-02,delta,,green,,,Monthly report 5,,
A3,2020-03-05,,pocket,,ended,,Report 6,,
"""
CAMPAIGN_AREAS = """{"type": "FeatureCollection", "features": [{"type": "Feature",
 "properties": {"id": "pocket", "name": "Kasra pocket", "method": "made up for the tests"},
 "geometry": {"type": "Polygon", "coordinates": [[[40.75, 34.85], [40.85, 34.85],
 [40.85, 34.95], [40.75, 34.95], [40.75, 34.85]]]}}]}
"""
CAMPAIGN_INFO = """title = "A made-up campaign"
start = "2020-01-01"
end = "2020-03-31"
extent = [39.0, 33.8, 42.0, 36.2]
"""


def campaign_files(folder: Path, *, info: str = CAMPAIGN_INFO) -> DatasetFiles:
    """The made-up campaign written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "events.csv": CAMPAIGN_EVENTS,
        "places.csv": CAMPAIGN_PLACES,
        "controllers.csv": CAMPAIGN_CONTROLLERS,
        "areas.geojson": CAMPAIGN_AREAS,
        "dataset.toml": info,
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return DatasetFiles(
        events=folder / "events.csv",
        places=folder / "places.csv",
        controllers=folder / "controllers.csv",
        city_polygons=None,
        info=folder / "dataset.toml",
        relations=None,
        areas=folder / "areas.geojson",
    )


@pytest.fixture(scope="session")
def campaign(tmp_path_factory):
    """The made-up campaign's territory (default options: zones beyond every reach)."""
    from mapgen.dataset import load_dataset
    from mapgen.territory import build_territory
    from mapgen.timeline import build_timeline

    files = campaign_files(tmp_path_factory.mktemp("campaign"))
    return build_territory(build_timeline(load_dataset(files)))
