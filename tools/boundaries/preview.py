"""A PNG preview of the layers (matplotlib), with a zoom on the Euphrates valley."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import box

from tools.boundaries.common import Layers, Town, bbox_polygon
from tools.boundaries.divisions import ADMIN1_COUNTRIES
from tools.boundaries.rivers import BANK_RIVERS, town_of

#: Lambert conformal conic fitted to the region (standard parallels 31 N and 37 N).
PREVIEW_CRS = "+proj=lcc +lat_1=31 +lat_2=37 +lat_0=33.5 +lon_0=41.5 +datum=WGS84 +units=m +no_defs"
#: Zoom window of the preview's second panel (Albu Kamal / Al-Qaim): lon0, lat0, lon1, lat1.
PREVIEW_ZOOM = (40.5, 34.1, 41.5, 34.8)
#: Towns drawn on the preview, with a label offset in points.
PREVIEW_TOWNS: tuple[tuple[int, str, tuple[int, int]], ...] = (
    (172955, "Ar Raqqah", (3, 3)),
    (170794, "Deir ez-Zor", (3, 3)),
    (99072, "Mosul", (3, 3)),
    (390188, "Al Ḩawījah", (3, 3)),
    (92138, "Al Qā’im", (3, -9)),
    (92004, "Rāwah", (3, 3)),
    (174448, "Ālbū Kamāl", (-52, 3)),
)


def frame_of(features: Sequence[dict[str, Any]]) -> gpd.GeoDataFrame:
    """GeoDataFrame of feature dicts."""
    return gpd.GeoDataFrame(
        [f["properties"] for f in features],
        geometry=[f["geometry"] for f in features],
        crs="EPSG:4326",
    )


def render_preview(layers: Layers, towns: dict[int, Town], path: Path) -> None:
    """Overview map (LCC) plus a zoom on Albu Kamal / Al-Qaim, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, az) = plt.subplots(1, 2, figsize=(17, 9), gridspec_kw={"width_ratios": [1.7, 1]})
    countries = frame_of(layers.countries).to_crs(PREVIEW_CRS)
    govs = frame_of(layers.governorates).to_crs(PREVIEW_CRS)
    glines = frame_of(layers.governorate_lines).to_crs(PREVIEW_CRS)
    rivers = frame_of(layers.rivers).to_crs(PREVIEW_CRS)
    lakes = frame_of(layers.lakes).to_crs(PREVIEW_CRS)
    pts = gpd.GeoDataFrame(
        {"name": [n for _, n, _ in PREVIEW_TOWNS], "offset": [o for _, _, o in PREVIEW_TOWNS]},
        geometry=[town_of(towns, g, n).point for g, n, _ in PREVIEW_TOWNS],
        crs="EPSG:4326",
    ).to_crs(PREVIEW_CRS)
    for axis in (ax, az):
        colors = [
            "#f3efe4" if iso in ADMIN1_COUNTRIES else "#e4e4e4" for iso in countries["iso_a3"]
        ]
        countries.plot(ax=axis, color=colors, edgecolor="#555555", linewidth=0.9)
        inferred = glines[glines["source"] == "inferred_from_towns"]
        glines[glines["source"] == "natural_earth"].plot(
            ax=axis, color="#8a6d9e", linewidth=0.6, linestyle="--"
        )
        if len(inferred):
            inferred.plot(ax=axis, color="#c0504d", linewidth=0.6, linestyle=":")
        lakes.plot(ax=axis, color="#9cc3e6", edgecolor="#4f81bd", linewidth=0.3)
        big = rivers["name"].isin(BANK_RIVERS)
        rivers[~big].plot(ax=axis, color="#4f81bd", linewidth=0.6)
        rivers[big].plot(ax=axis, color="#1f4e9a", linewidth=1.8)
        pts.plot(ax=axis, color="black", markersize=14, zorder=5)
    for _, row in govs.iterrows():
        p = row.geometry.representative_point()
        ax.annotate(row["name"], (p.x, p.y), fontsize=6, ha="center", color="#5a4a6a")
    for _, row in rivers[rivers["name"].notna()].iterrows():
        line = (
            row.geometry
            if row.geometry.geom_type == "LineString"
            else max(row.geometry.geoms, key=lambda g: g.length)
        )
        p = line.interpolate(0.45, normalized=True)
        big = row["name"] in BANK_RIVERS
        ax.annotate(
            row["name"],
            (p.x, p.y),
            fontsize=9 if big else 6.5,
            color="#1f4e9a",
            style="italic",
            weight="bold" if big else "normal",
        )
    for _, row in pts.iterrows():
        for axis in (ax, az):
            axis.annotate(
                row["name"],
                (row.geometry.x, row.geometry.y),
                xytext=row["offset"],
                textcoords="offset points",
                fontsize=7,
            )
    for _, row in lakes[lakes["name"].notna()].iterrows():
        p = row.geometry.representative_point()
        ax.annotate(row["name"], (p.x, p.y), fontsize=5.5, color="#2f5f8f")
    x0, y0, x1, y1 = (
        gpd.GeoSeries([bbox_polygon()], crs="EPSG:4326").to_crs(PREVIEW_CRS).total_bounds
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    zx0, zy0, zx1, zy1 = (
        gpd.GeoSeries([box(*PREVIEW_ZOOM)], crs="EPSG:4326").to_crs(PREVIEW_CRS).total_bounds
    )
    az.set_xlim(zx0, zx1)
    az.set_ylim(zy0, zy1)
    ax.set_title(
        "mapgen base layers (LCC 31/37 N). Dashed: NE admin-1 lines; "
        "dotted red: inferred from GeoNames towns",
        fontsize=9,
    )
    az.set_title("Zoom: Albu Kamal / Al-Qaim (lon 40.5-41.5, lat 34.1-34.8)", fontsize=9)
    for axis in (ax, az):
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_xlabel("")
        axis.set_ylabel("")
        axis.set_facecolor("#dbe9f6")
    fig.text(
        0.01,
        0.01,
        "Made with Natural Earth. Rivers: GSHHG/WDBII (Wessel & Smith, LGPL-3.0). "
        "Governorate names: GeoNames (CC BY 4.0).",
        fontsize=7,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
