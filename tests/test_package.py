"""The embedded default dataset works from an installed wheel, not only from the checkout."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import mapgen
from mapgen.dataset import DATA_DIR, load_dataset
from mapgen.boundaries import read_layer
assert mapgen.__file__.startswith(sys.argv[1]), mapgen.__file__
ds = load_dataset()
from mapgen.build import build
import tempfile
written = build(ds, tempfile.mkdtemp())
assert all(str(p).startswith(tempfile.gettempdir()) for p in written)
print(len(ds.events), len(ds.places), len(ds.places.polygons), len(read_layer("rivers")))
"""


def test_wheel_carries_the_default_dataset_and_it_loads(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("mapgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for member in [
        "events.csv",
        "places.csv",
        "controllers.csv",
        "dataset.toml",
        "city_polygons.geojson",
        "boundaries/rivers.geojson",
    ]:
        assert f"mapgen/data/{member}" in names
    for code in ("en", "ar", "lv", "el"):  # mapgen extract's language data
        assert f"mapgen/extract/lang/{code}.toml" in names
    assert "mapgen/extract/governments.toml" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    events, places, polygons, rivers = map(int, done.stdout.split())
    # the wheel carries the repository's tables whole (they grow as the data is researched)
    assert events == _rows(ROOT / "mapgen/data/events.csv") > 60
    assert places == _rows(ROOT / "mapgen/data/places.csv") > 450
    assert polygons == 7 and rivers > 10


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


# Import names of the distributions mapgen depends on, where they differ ("distributed"
# is installed by the declared "dask[distributed]").
_DIST_OF = {"PIL": "pillow", "xstatic": "xstatic-leaflet", "imageio_ffmpeg": "imageio-ffmpeg",
            "lingua": "lingua-language-detector", "distributed": "dask"}  # fmt: skip


def test_every_third_party_import_is_a_declared_dependency():
    """What mapgen imports is in pyproject.toml: required, or (folium) an extra whose
    absence gives an install hint; the version is stated once (mapgen.__version__)."""
    import ast
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(d) for d in project["dependencies"]}
    optional = {_name(d) for d in project["optional-dependencies"]["folium"]}
    imported: dict[str, str] = {}
    for path in (ROOT / "mapgen").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top != "mapgen" and top not in sys.stdlib_module_names:
                    imported[_DIST_OF.get(top, top).lower()] = str(path.relative_to(ROOT))
    missing = {d: where for d, where in imported.items() if d not in declared | optional}
    assert not missing, missing
    assert "version" not in project and project["dynamic"] == ["version"]


def _name(requirement: str) -> str:
    for sep in "<>=!~; [":
        requirement = requirement.split(sep)[0]
    return requirement.strip().lower()
