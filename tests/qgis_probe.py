"""Open mapgen's GIS exports in QGIS and report what QGIS made of them, as JSON.

Run with the system Python that has PyQGIS (Debian ``python3-qgis``), not the project's
virtual environment::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_probe.py OUT_DIR DAY [DAY ...]

For every vector layer (the three GeoJSON files and the four GeoPackage layers) it reports
the style QGIS loaded by itself (renderer, categories and colours, temporal settings,
labels), the field types, and which features QGIS's own temporal filter keeps on each DAY
(a one-day frame, start included, end excluded, as the Temporal Controller steps by day).
For the raster it reports the renderer and the band names. ``tests/test_export.py`` runs
this script and compares the report with the territory model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
    QgsVectorLayerTemporalContext,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

ID_FIELDS = {
    "areas": "area_id",
    "frontlines": "frontline_id",
    "places": "place_id",
    "events": "event_id",
}


def day_range(day: str) -> QgsDateTimeRange:
    start = QDateTime(QDate.fromString(day, "yyyy-MM-dd"), QTime(0, 0))
    return QgsDateTimeRange(start, start.addDays(1), True, False)


def vector_report(layer: QgsVectorLayer, name: str, days: list[str]) -> dict:
    temporal = layer.temporalProperties()
    renderer = layer.renderer()
    report: dict = {
        "valid": layer.isValid(),
        "count": layer.featureCount(),
        "crs": layer.crs().authid(),
        "fields": {f.name(): f.typeName() for f in layer.fields()},
        "temporal": {
            "active": temporal.isActive(),
            "mode": int(temporal.mode()),
            "start_field": temporal.startField(),
            "end_field": temporal.endField(),
            "limit_mode": int(temporal.limitMode()),
        },
        "renderer": renderer.type(),
        "labels": layer.labelsEnabled() and layer.labeling().settings().fieldName,
    }
    if renderer.type() == "categorizedSymbol":
        report["attr"] = renderer.classAttribute()
        categories = renderer.categories()  # keep the list alive while its symbols are used
        report["categories"] = {
            str(c.value()): {"color": c.symbol().color().name(), "label": c.label()}
            for c in categories
        }
        first = categories[0].symbol()
        report["symbol_layers"] = [
            first.symbolLayer(i).layerType() for i in range(first.symbolLayerCount())
        ]
    if not temporal.isActive():
        # QGIS resets the temporal switch after applying the default style when it opens a
        # layer; applying the same default style again shows what the stored style holds.
        layer.loadDefaultStyle()
        temporal = layer.temporalProperties()
        report["after_reload"] = {
            "active": temporal.isActive(),
            "start_field": temporal.startField(),
            "end_field": temporal.endField(),
        }
    if name not in ID_FIELDS:
        return report  # a base map layer: no time, always shown
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    report["on"] = {}
    for day in days:
        expression = temporal.createFilterString(context, day_range(day))
        request = QgsFeatureRequest().setFilterExpression(expression)
        ids = sorted(str(f[ID_FIELDS[name]]) for f in layer.getFeatures(request))
        report["on"][day] = ids
    report["filter_example"] = temporal.createFilterString(context, day_range(days[0]))
    return report


def raster_report(path: Path) -> dict:
    layer = QgsRasterLayer(str(path), path.stem)
    renderer = layer.renderer()
    report = {
        "valid": layer.isValid(),
        "bands": layer.bandCount(),
        "band_names": [layer.bandName(b) for b in range(1, layer.bandCount() + 1)],
        "renderer": renderer.type(),
        "crs_wkt": layer.crs().toWkt(),
    }
    if renderer.type() == "paletted":
        report["palette"] = {
            str(int(c.value)): {"color": c.color.name(), "label": c.label}
            for c in renderer.classes()
        }
    return report


def main(out: Path, days: list[str]) -> dict:
    from osgeo import gdal

    report: dict = {"qgis": Qgis.QGIS_VERSION, "gdal": gdal.__version__, "layers": {}}
    for name in ("areas", "frontlines", "places"):
        layer = QgsVectorLayer(str(out / f"{name}.geojson"), name, "ogr")
        report["layers"][f"geojson:{name}"] = vector_report(layer, name, days)
    for name in ("areas", "frontlines", "places", "events"):
        layer = QgsVectorLayer(f"{out / 'mapgen.gpkg'}|layername={name}", name, "ogr")
        report["layers"][f"gpkg:{name}"] = vector_report(layer, name, days)
    report["raster"] = raster_report(out / "control.tif")
    report["project"] = project_report(out / "mapgen.qgs", days)
    return report


def project_report(path: Path, days: list[str]) -> dict:
    """Open the project as QGIS does and report its layers and time settings."""
    project = QgsProject.instance()
    ok = project.read(str(path))
    time_range = project.timeSettings().temporalRange()
    report: dict = {
        "read": ok,
        "crs_wkt": project.crs().toWkt(),
        "time": [time_range.begin().toString(Qt.ISODate), time_range.end().toString(Qt.ISODate)],
        "step": [project.timeSettings().timeStep(), int(project.timeSettings().timeStepUnit())],
        "layers": {},
    }
    tree = project.layerTreeRoot()
    report["order"] = [node.layer().name() for node in tree.findLayers()]
    report["background"] = project.backgroundColor().name()
    for layer in project.mapLayers().values():
        node = tree.findLayer(layer.id())
        entry: dict = {"visible": node.isVisible(), "type": layer.type()}
        entry["group"] = node.parent().name()
        if isinstance(layer, QgsVectorLayer):
            entry.update(vector_report(layer, layer.name(), days))
        else:
            entry.update({"valid": layer.isValid(), "renderer": layer.renderer().type()})
        report["layers"][layer.name()] = entry
    return report


if __name__ == "__main__":
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2:])), flush=True)
    # No exitQgis(): tearing QGIS down under the offscreen platform can crash, and the
    # report is already out.
