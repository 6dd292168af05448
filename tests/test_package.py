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
