"""The control raster: who holds each cell, one band per date on which anything changes.

Band 1 is the first day of the range, every further band a change date; a band's
description is its date (``YYYY-MM-DD``) and holds until the next band's date. Cells hold
a code: 1..n for the ground each side *holds* (the controllers in table order), n+1 for
contested ground (held ground under assault), n+2 for uncertain ground (a change known
only to the month that may not have happened yet), n+3..2n+2 for each side's *zone* (ground
beyond every place's reach, nearest to its held ground; drawn in a light tint), 0 for ground
no side reaches (nodata). Besieged areas keep their holder's code. The grid is in the
territory model's equal-area CRS, aligned to whole multiples of the resolution, so the
same input gives the same file.

A TIFF can only store a colour table for a single-band image, so the colours travel in
the GDAL sidecar ``control.tif.aux.xml`` (read by GDAL, rasterio and QGIS) and in the QGIS
style ``control.qml``; the codes are also listed in the file's own metadata.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from pyproj import CRS
from rasterio.features import rasterize
from rasterio.transform import Affine

from mapgen._io import atomic_path, write_text_atomic
from mapgen.territory import Territory
from mapgen.validity import valid_on_days

RESOLUTION_M = 2000.0
NODATA = 0
UNASSIGNED_LABEL = "unassigned (nodata)"
CONTESTED_ID = "contested"
CONTESTED_LABEL = "contested (under assault)"
CONTESTED_COLOR = "#7b3294"
UNCERTAIN_ID = "uncertain"
UNCERTAIN_LABEL = "uncertain (may have changed hands this month)"
UNCERTAIN_COLOR = "#bdbdbd"
_PROFILE = {
    "driver": "GTiff",
    "dtype": "uint8",
    "nodata": NODATA,
    "tiled": True,
    "blockxsize": 256,
    "blockysize": 256,
    "compress": "deflate",
    "interleave": "band",
}


@dataclass(frozen=True)
class Code:
    """One cell value of the raster: the side it stands for, its label and colour."""

    value: int
    id: str
    label: str
    color: str


@dataclass(frozen=True)
class ControlRaster:
    """Codes per band and cell, with the grid's georeferencing and the code table."""

    bands: np.ndarray  # uint8, (dates, rows, columns)
    dates: pd.DatetimeIndex
    transform: Affine
    crs: CRS
    codes: list[Code]


def control_codes(territory: Territory) -> list[Code]:
    """Cell values: 0 unassigned, 1..n held per side, n+1 contested, n+2 uncertain,
    n+3..2n+2 each side's zone (id ``<side>:zone``)."""
    controllers = list(territory.timeline.dataset.controllers)
    n = len(controllers)
    codes = [Code(0, "unassigned", UNASSIGNED_LABEL, "#ffffff")]
    codes += [Code(k, c.id, c.name, c.color) for k, c in enumerate(controllers, start=1)]
    codes.append(Code(n + 1, CONTESTED_ID, CONTESTED_LABEL, CONTESTED_COLOR))
    codes.append(Code(n + 2, UNCERTAIN_ID, UNCERTAIN_LABEL, UNCERTAIN_COLOR))
    codes += [
        Code(n + 2 + k, f"{c.id}:zone", f"{c.name}: zone", c.zone_color)
        for k, c in enumerate(controllers, start=1)
    ]
    return codes


def control_raster(territory: Territory, *, resolution_m: float = RESOLUTION_M) -> ControlRaster:
    """Rasterise the control areas on the first day of the range and every change date."""
    crs = territory.crs
    area = gpd.GeoSeries([territory.study_area], crs="EPSG:4326").to_crs(crs).iloc[0]
    transform, shape = _grid(area.bounds, resolution_m)
    codes = control_codes(territory)
    value = {c.id: c.value for c in codes}
    areas = territory.areas.to_crs(crs)
    side = np.where(areas["kind"] == "zone", areas["controller"] + ":zone", areas["controller"])
    cell_value = np.select(
        [areas["status"] == "contested", areas["status"] == UNCERTAIN_ID],
        [value[CONTESTED_ID], value[UNCERTAIN_ID]],
        pd.Series(side).map(value).to_numpy(),
    ).astype("uint8")
    dates = pd.DatetimeIndex([territory.timeline.start, *territory.timeline.change_dates])
    bands = np.zeros((len(dates), *shape), dtype="uint8")
    valid = valid_on_days(areas, dates.to_numpy())
    cells = _cells(areas.geometry.to_numpy(), np.flatnonzero(valid.any(axis=0)), shape, transform)
    for b in range(len(dates)):
        band = bands[b].reshape(-1)
        for row in np.flatnonzero(valid[b]):  # in table order: a later row paints over
            band[cells[row]] = cell_value[row]
    return ControlRaster(bands, dates, transform, crs, codes)


def _cells(
    geoms: np.ndarray, rows: np.ndarray, shape: tuple[int, int], transform: Affine
) -> dict[int, np.ndarray]:
    """The flat indices of the grid cells whose centre lies in each of ``geoms[rows]``.

    Each area is rasterised once, however many bands it is valid on, in the window of the
    grid around its bounds (a cell wider on every side); painting these cells in table
    order gives the same band as rasterising all its areas together (GDAL burns them one
    by one, later over earlier)."""
    height, width = shape
    size = transform.a
    cells = {}
    with rasterio.Env():
        for row in rows.tolist():
            geom = geoms[row]
            if geom is None or geom.is_empty:
                cells[row] = np.zeros(0, dtype=np.int64)
                continue
            x0, y0, x1, y1 = geom.bounds
            c0 = max(math.floor((x0 - transform.c) / size) - 1, 0)
            c1 = min(math.ceil((x1 - transform.c) / size) + 1, width)
            r0 = max(math.floor((transform.f - y1) / size) - 1, 0)
            r1 = min(math.ceil((transform.f - y0) / size) + 1, height)
            if c0 >= c1 or r0 >= r1:
                cells[row] = np.zeros(0, dtype=np.int64)
                continue
            window = transform @ Affine.translation(c0, r0)
            mask = rasterize([(geom, 1)], out_shape=(r1 - r0, c1 - c0), transform=window, fill=0)
            r, c = np.nonzero(mask)
            cells[row] = (r + r0) * width + (c + c0)
    return cells


def _grid(bounds: tuple[float, float, float, float], size: float) -> tuple[Affine, tuple]:
    """A grid of ``size`` cells covering ``bounds``, its corners on multiples of ``size``."""
    west, south = math.floor(bounds[0] / size) * size, math.floor(bounds[1] / size) * size
    east, north = math.ceil(bounds[2] / size) * size, math.ceil(bounds[3] / size) * size
    width, height = round((east - west) / size), round((north - south) / size)
    return Affine(size, 0.0, west, 0.0, -size, north), (height, width)


def write_control_raster(raster: ControlRaster, path: Path | str) -> list[Path]:
    """Write the GeoTIFF and its colour sidecar ``<path>.aux.xml``; return both paths."""
    count, height, width = raster.bands.shape
    profile = {**_PROFILE, "count": count, "height": height, "width": width}
    with (
        atomic_path(path) as tmp,
        rasterio.Env(GDAL_PAM_ENABLED="NO"),
        rasterio.open(tmp, "w", crs=raster.crs, transform=raster.transform, **profile) as dst,
    ):
        dst.write(raster.bands)
        dst.update_tags(**_code_tags(raster.codes))
        for b, day in enumerate(raster.dates, start=1):
            dst.set_band_description(b, f"{day:%Y-%m-%d}")
            dst.update_tags(b, DATE=f"{day:%Y-%m-%d}")
    sidecar = Path(f"{path}.aux.xml")
    write_text_atomic(sidecar, _pam_xml(raster))
    return [Path(path), sidecar]


def _code_tags(codes: list[Code]) -> dict[str, str]:
    tags = {f"CODE_{c.value}": f"{c.id}: {c.label} {c.color}" for c in codes}
    tags["CODES"] = ",".join(f"{c.value}={c.id}" for c in codes)
    tags["BANDS"] = "one per date: the first day of the range, then every change date"
    return tags


def _pam_xml(raster: ControlRaster) -> str:
    """GDAL's sidecar: per band the date, the palette and the code names."""
    top = max(c.value for c in raster.codes)
    colors = {c.value: c.color for c in raster.codes}
    names = {c.value: c.label for c in raster.codes}
    entries = []
    for value in range(top + 1):
        red, green, blue = (int(colors.get(value, "#000000")[i : i + 2], 16) for i in (1, 3, 5))
        alpha = 0 if value == NODATA else 255
        entries.append(f'      <Entry c1="{red}" c2="{green}" c3="{blue}" c4="{alpha}" />')
    categories = [f"      <Category>{escape(names.get(v, ''))}</Category>" for v in range(top + 1)]
    lines = ["<PAMDataset>"]
    for b, day in enumerate(raster.dates, start=1):
        lines += [
            f'  <PAMRasterBand band="{b}">',
            f"    <Description>{day:%Y-%m-%d}</Description>",
            "    <ColorInterp>Palette</ColorInterp>",
            "    <CategoryNames>",
            *categories,
            "    </CategoryNames>",
            "    <ColorTable>",
            *entries,
            "    </ColorTable>",
            "  </PAMRasterBand>",
        ]
    lines.append("</PAMDataset>")
    return "\n".join(lines) + "\n"
