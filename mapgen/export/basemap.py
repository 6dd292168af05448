"""The base map under the control layers of the GeoPackage and the QGIS project.

Land, the study area, lakes, governorate lines, borders and rivers, cut to the map's extent
plus a margin, drawn as the static maps draw them (colours and widths from
:mod:`mapgen.render.style`): land outside the study area grey, the study area white, the
sea (the project's background) and lakes blue, dashed governorate lines, grey borders, the
Euphrates and the Tigris wider than the other rivers. In the GeoPackage the layers are
named ``base_*``; in the project they form the group "Base map" under the control layers.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from mapgen.boundaries import MAIN_RIVERS, base_layers, read_layer
from mapgen.export.layers import Layer
from mapgen.export.styles import fill_template, qgis_color, xml_attr
from mapgen.render.style import (
    BORDER_COLOR,
    BORDER_WIDTH,
    GOVERNORATE_COLOR,
    GOVERNORATE_DASH,
    GOVERNORATE_WIDTH,
    LAKE_COLOR,
    LAKE_EDGE_WIDTH,
    MAIN_RIVER_WIDTH,
    OUTSIDE_COLOR,
    RIVER_WIDTH,
    UNASSIGNED_COLOR,
    WATER_COLOR,
    map_extent,
)
from mapgen.territory import Territory

WGS84 = "EPSG:4326"
BASE_GROUP = "Base map"
SEA_COLOR = LAKE_COLOR  # the static maps' background: the project's canvas colour
MARGIN_DEG = 1.5
# Bottom to top: (layer, title in the project, geometry)
BASE_MAP = (
    ("base_land", "Land", "polygon"),
    ("base_study_area", "Study area", "polygon"),
    ("base_lakes", "Lakes", "polygon"),
    ("base_governorate_lines", "Governorate lines", "line"),
    ("base_borders", "Borders", "line"),
    ("base_rivers", "Rivers", "line"),
)
TITLES = {name: title for name, title, _ in BASE_MAP}
_GEOMETRY_TYPES = {"line": 1, "polygon": 2}


def base_map_layers(territory: Territory) -> list[Layer]:
    """The base map's layers around the territory's extent, bottom to top (empty ones left
    out: a dataset outside the embedded boundaries gets none)."""
    lon0, lat0, lon1, lat1 = map_extent(territory)
    window = box(lon0 - MARGIN_DEG, lat0 - MARGIN_DEG, lon1 + MARGIN_DEG, lat1 + MARGIN_DEG)
    source = base_layers(window, extent=(lon0, lat0, lon1, lat1))
    countries = source["countries"]
    rivers = source["rivers"]
    frames = {
        "base_land": countries[["iso_a3", "name", "geometry"]],
        "base_study_area": gpd.GeoDataFrame(
            {"name": ["study area"]}, geometry=[territory.study_area], crs=WGS84
        ),
        "base_lakes": source["lakes"][["name", "geometry"]],
        "base_governorate_lines": source["governorate_lines"],
        "base_borders": _borders(window),
        "base_rivers": rivers[["name", "rank", "geometry"]].assign(
            main=rivers["name"].isin(MAIN_RIVERS).astype("int32")
        ),
    }
    return [
        Layer(name, _plain(frames[name]), geometry, color_field=None)
        for name, _, geometry in BASE_MAP
        if not frames[name].empty
    ]


def _borders(window: BaseGeometry) -> gpd.GeoDataFrame:
    """The countries' outlines (borders and coasts) inside ``window``: cut after taking
    the outlines, so the cut adds no lines of its own."""
    countries = read_layer("countries")
    lines = shapely.intersection(countries.boundary.values, window)
    frame = gpd.GeoDataFrame(countries[["iso_a3", "name"]], geometry=lines, crs=WGS84)
    return frame[~frame.geometry.is_empty]


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text columns as plain strings (None for missing), EPSG:4326, a fresh index."""
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if column != out.geometry.name and not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = [None if pd.isna(v) else str(v) for v in out[column]]
    return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=WGS84)


def is_base(layer: Layer) -> bool:
    """Whether ``layer`` is one of the base map's layers."""
    return layer.name in TITLES


def base_style_body(layer: Layer) -> str:
    """The style elements of a base layer (no time: it is always shown)."""
    return fill_template(
        "base_body.xml",
        renderer=_renderer(layer.name).rstrip("\n"),
        geometry_type=_GEOMETRY_TYPES[layer.geometry],
    )


def base_layer_qml(layer: Layer) -> str:
    """The QML style of a base layer (for the GeoPackage's ``layer_styles``)."""
    return fill_template("base.qml", layer=xml_attr(layer.name), body=base_style_body(layer))


def _renderer(name: str) -> str:
    if name == "base_rivers":
        categories = "".join(
            fill_template("category.xml", value=value, label=label, symbol=value)
            for value, label in (("0", "river"), ("1", ", ".join(MAIN_RIVERS)))
        )
        symbols = _line("0", WATER_COLOR, RIVER_WIDTH) + _line("1", WATER_COLOR, MAIN_RIVER_WIDTH)
        return fill_template(
            "categorized.xml",
            field="main",
            categories=categories.rstrip("\n"),
            symbols=symbols.rstrip("\n"),
        )
    symbol = {
        "base_land": lambda: _fill(OUTSIDE_COLOR),
        "base_study_area": lambda: _fill(UNASSIGNED_COLOR),
        "base_lakes": lambda: _fill(LAKE_COLOR, WATER_COLOR, LAKE_EDGE_WIDTH),
        "base_governorate_lines": lambda: _line(
            "0", GOVERNORATE_COLOR, GOVERNORATE_WIDTH, GOVERNORATE_DASH
        ),
        "base_borders": lambda: _line("0", BORDER_COLOR, BORDER_WIDTH),
    }[name]()
    return fill_template("single.xml", symbols=symbol.rstrip("\n"))


def _fill(color: str, outline: str | None = None, width: float = 0.0) -> str:
    return fill_template(
        "base_fill_symbol.xml",
        name="0",
        color=qgis_color(color),
        outline_color=qgis_color(outline or color),
        outline_style="solid" if outline else "no",
        outline_width=f"{width:g}",
    )


def _line(name: str, color: str, width: float, dash: tuple[float, float] | None = None) -> str:
    """A line ``width`` points wide; ``dash`` in line widths, as matplotlib's dashes."""
    return fill_template(
        "base_line_symbol.xml",
        name=name,
        color=qgis_color(color),
        width=f"{width:g}",
        custom_dash=int(dash is not None),
        dash=";".join(f"{v * width:g}" for v in dash) if dash else "5;2",
    )
