"""Render mapgen's QGIS project for one day with QGIS itself, to look at the styles.

Run with the system Python that has PyQGIS (Debian ``python3-qgis``)::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/qgis_preview.py out/mapgen.qgs \
        2017-11-10 docs/img/qgis_2017-11-10.png

The map is drawn as QGIS draws it with the Temporal Controller set to that day.
"""

from __future__ import annotations

import sys

from qgis.core import (
    QgsApplication,
    QgsDateTimeRange,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QSize, QTime
from qgis.PyQt.QtGui import QColor


def render(project_path: str, day: str, png: str, bbox: list[float] | None = None) -> None:
    project = QgsProject.instance()
    if not project.read(project_path):
        raise SystemExit(f"cannot read {project_path}")
    root = project.layerTreeRoot()
    layers = [n.layer() for n in root.findLayers() if n.isVisible()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(1400, 1000))
    settings.setBackgroundColor(QColor("#f4f1ea"))
    extent = project.viewSettings().defaultViewExtent()
    if bbox:
        extent = QgsRectangle(*bbox)
    settings.setExtent(extent)
    start = QDateTime(QDate.fromString(day, "yyyy-MM-dd"), QTime(0, 0))
    settings.setIsTemporal(True)
    settings.setTemporalRange(QgsDateTimeRange(start, start.addDays(1), True, False))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png)


if __name__ == "__main__":
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    box = [float(v) for v in sys.argv[4].split(",")] if len(sys.argv) > 4 else None
    render(sys.argv[1], sys.argv[2], sys.argv[3], box)
