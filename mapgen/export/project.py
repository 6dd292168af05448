"""A QGIS project over the GeoPackage: every layer styled and time-enabled on opening.

QGIS applies a layer's default style (the sidecar ``.qml`` or the GeoPackage's
``layer_styles``) when it opens the layer, but then resets the layer's temporal switch from
the data provider, which for files is "off": the start and end fields come pre-filled, yet
the layer is not time-enabled until the box is ticked. A project keeps the switch, so
``mapgen.qgs`` opens with the Temporal Controller ready, over the map's range, a day a step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pandas as pd
from pyproj import CRS

from mapgen.controllers import Controllers
from mapgen.export.basemap import BASE_GROUP, SEA_COLOR, base_style_body
from mapgen.export.basemap import TITLES as BASE_TITLES
from mapgen.export.layers import Layer
from mapgen.export.styles import (
    fill_template,
    has_labels,
    raster_style_body,
    vector_style_body,
    xml_attr,
)

WGS84 = CRS.from_epsg(4326)
_QGIS_GEOMETRY = {"polygon": "Polygon", "line": "Line", "point": "Point"}
HIDDEN_LAYERS = ("events",)


@dataclass(frozen=True)
class RasterEntry:
    """The control raster as the project shows it (unchecked: one band at a time)."""

    file: str
    crs: CRS
    legend: list[tuple[int, str, str]]


def project_qgs(
    layers: list[Layer],
    *,
    base: Sequence[Layer] = (),
    gpkg: str,
    controllers: Controllers,
    crs: CRS,
    extent: tuple[float, float, float, float],
    start: pd.Timestamp,
    end: pd.Timestamp,
    title: str,
    raster: RasterEntry | None = None,
) -> str:
    """The project's XML: ``layers`` from the file ``gpkg`` (a path relative to the project),
    over the ``base`` layers (bottom first, in the group "Base map"), drawn in ``crs`` over
    ``extent`` (in ``crs``) on the sea's colour, time range ``start`` to ``end`` inclusive."""
    tree, items = [], []
    for layer in reversed(layers):  # the first layer is drawn at the bottom
        source = f"./{gpkg}|layername={layer.name}"
        layer_id = f"mapgen_{layer.name}"
        checked = layer.name not in HIDDEN_LAYERS
        tree.append(_tree_item(layer_id, layer.name, source, "ogr", checked=checked))
        geometry = (
            f' geometry="{_QGIS_GEOMETRY[layer.geometry]}" labelsEnabled="{int(has_labels(layer))}"'
        )
        body = vector_style_body(layer, controllers)
        items.append(_map_layer("vector", geometry, layer_id, layer.name, source, WGS84, body))
    base_tree = []
    for layer in reversed(base):
        source = f"./{gpkg}|layername={layer.name}"
        layer_id = f"mapgen_{layer.name}"
        title = BASE_TITLES[layer.name]
        base_tree.append(_tree_item(layer_id, title, source, "ogr", checked=True, indent=2))
        geometry = f' geometry="{_QGIS_GEOMETRY[layer.geometry]}" labelsEnabled="0"'
        body = base_style_body(layer)
        items.append(_map_layer("vector", geometry, layer_id, title, source, WGS84, body))
    if raster is not None:
        source = f"./{raster.file}"
        tree.append(_tree_item("mapgen_control", "control", source, "gdal", checked=False))
        body = raster_style_body(raster.legend)
        items.append(
            _map_layer("raster", "", "mapgen_control", "control", source, raster.crs, body)
        )
    if base_tree:
        group = "".join(base_tree).rstrip("\n")
        tree.append(fill_template("project_tree_group.xml", name=BASE_GROUP, tree=group))
    xmin, ymin, xmax, ymax = extent
    red, green, blue = (int(SEA_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    return fill_template(
        "project.qgs",
        canvas_red=red,
        canvas_green=green,
        canvas_blue=blue,
        title=escape(title),
        crs=_srs(crs),
        tree="".join(tree).rstrip("\n"),
        layers="".join(items).rstrip("\n"),
        xmin=f"{xmin:.0f}",
        ymin=f"{ymin:.0f}",
        xmax=f"{xmax:.0f}",
        ymax=f"{ymax:.0f}",
        time_start=f"{start:%Y-%m-%d}T00:00:00",
        time_end=f"{end + pd.Timedelta(days=1):%Y-%m-%d}T00:00:00",
    )


def _tree_item(
    layer_id: str, name: str, source: str, provider: str, *, checked: bool, indent: int = 1
) -> str:
    return "  " * (indent - 1) + fill_template(
        "project_tree_layer.xml",
        id=layer_id,
        name=xml_attr(name),
        source=xml_attr(source),
        provider=provider,
        checked="Qt::Checked" if checked else "Qt::Unchecked",
        expanded=int(checked),
    )


def _map_layer(
    kind: str, attrs: str, layer_id: str, name: str, source: str, crs: CRS, body: str
) -> str:
    return fill_template(
        "project_layer.xml",
        type=kind,
        geometry_attr=attrs,
        id=layer_id,
        source=escape(source),
        name=escape(name),
        crs=_srs(crs),
        provider="ogr" if kind == "vector" else "gdal",
        body=body.rstrip("\n"),
    )


def _srs(crs: CRS) -> str:
    """A CRS as QGIS writes it: as WKT, with its EPSG code where it has one."""
    code = crs.to_epsg()
    element = f"<wkt>{escape(crs.to_wkt())}</wkt>"
    if code:
        element += f"\n        <authid>EPSG:{code}</authid>"
    return fill_template("spatialrefsys.xml", element=element).rstrip("\n")
