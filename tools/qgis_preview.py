"""Render mapgen's QGIS project for one day with QGIS itself, to look at the styles.

Run with the system Python that has PyQGIS (Debian ``python3-qgis``)::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/qgis_preview.py out/mapgen.qgs \
        2017-11-10 docs/img/qgis_2017-11-10.png

The map is drawn as QGIS draws it with the Temporal Controller set to that day, on the
project's background colour, over the project's default view (or ``xmin,ymin,xmax,ymax`` in
the project's CRS as a fourth argument). It prints, as JSON, the extent drawn (QGIS widens
the view to the image's shape) and the image size, so that a test can find a point's pixel.
"""

from __future__ import annotations

import json
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

SIZE = (1400, 1000)


def render(project_path: str, day: str, png: str, bbox: list[float] | None = None) -> dict:
    project = QgsProject.instance()
    if not project.read(project_path):
        raise SystemExit(f"cannot read {project_path}")
    root = project.layerTreeRoot()
    layers = [n.layer() for n in root.findLayers() if n.isVisible()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(*SIZE))
    settings.setBackgroundColor(project.backgroundColor())
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
    drawn = settings.visibleExtent()
    return {
        "extent": [drawn.xMinimum(), drawn.yMinimum(), drawn.xMaximum(), drawn.yMaximum()],
        "size": list(SIZE),
        "background": project.backgroundColor().name(),
        "layers": [layer.name() for layer in layers],
    }


if __name__ == "__main__":
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    box = [float(v) for v in sys.argv[4].split(",")] if len(sys.argv) > 4 else None
    print(json.dumps(render(sys.argv[1], sys.argv[2], sys.argv[3], box)), flush=True)
