"""All GIS exports of a territory in one call: GeoJSON with QGIS styles, the GeoPackage,
the control raster and, on request, per-day GeoJSON snapshots."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd

from mapgen._io import write_text_atomic
from mapgen.export.basemap import base_layer_qml, base_map_layers
from mapgen.export.geojson import write_daily, write_geojson
from mapgen.export.gpkg import write_geopackage
from mapgen.export.layers import Layer, territory_layers
from mapgen.export.project import RasterEntry, project_qgs
from mapgen.export.raster import control_raster, write_control_raster
from mapgen.export.styles import layer_qml, raster_qml
from mapgen.territory import Territory

log = logging.getLogger(__name__)
GEOJSON_LAYERS = ("areas", "frontlines", "places")
GEOPACKAGE = "mapgen.gpkg"
RASTER = "control.tif"
PROJECT = "mapgen.qgs"
DAILY_FOLDER = "daily"


def write_gis(territory: Territory, out: Path | str, *, daily: bool = False) -> list[Path]:
    """Write the GIS files into ``out`` and return their paths.

    ``areas``/``frontlines``/``places.geojson`` with a ``.qml`` style each, ``mapgen.gpkg``
    (those layers plus ``events`` and the base map's ``base_*`` layers, styles stored
    inside), ``control.tif`` with its colour
    sidecar and style, ``mapgen.qgs`` (a QGIS project over the
    GeoPackage), and with ``daily`` one ``daily/YYYY-MM-DD.geojson`` per day.
    """
    out = Path(out)
    controllers = territory.timeline.dataset.controllers
    layers = territory_layers(territory)
    base = base_map_layers(territory)
    styles = {layer.name: layer_qml(layer, controllers) for layer in layers}
    styles.update({layer.name: base_layer_qml(layer) for layer in base})
    written: list[Path] = []
    for layer in layers:
        if layer.name in GEOJSON_LAYERS:
            written.append(write_geojson(layer, out / f"{layer.name}.geojson"))
            written.append(write_text_atomic(out / f"{layer.name}.qml", styles[layer.name]))
    written.append(
        write_geopackage(
            layers + base, out / GEOPACKAGE, styles=styles, as_of=territory.timeline.end
        )
    )
    raster = control_raster(territory)
    written += write_control_raster(raster, out / RASTER)
    legend = [(c.value, c.label, c.color) for c in raster.codes if c.value]
    written.append(write_text_atomic(out / "control.qml", raster_qml(legend)))
    project = _project(territory, layers, base, RasterEntry(RASTER, raster.crs, legend))
    written.append(write_text_atomic(out / PROJECT, project))
    if daily:
        days = write_daily(layers, territory.timeline.periods(), out / DAILY_FOLDER)
        log.info("wrote %d daily snapshots into %s", len(days), out / DAILY_FOLDER)
        written += days
    return written


def _project(
    territory: Territory, layers: list[Layer], base: list[Layer], raster: RasterEntry
) -> str:
    dataset = territory.timeline.dataset
    area = gpd.GeoSeries([territory.study_area], crs="EPSG:4326").to_crs(territory.crs)
    return project_qgs(
        layers,
        base=base,
        gpkg=GEOPACKAGE,
        controllers=dataset.controllers,
        crs=territory.crs,
        extent=tuple(area.total_bounds),
        start=territory.timeline.start,
        end=territory.timeline.end,
        title=dataset.info.title,
        raster=raster,
    )
