"""Reports: a self-contained page with the slider map, maps at key dates, the area chart,
the chronology of changes and the method in plain words."""

from mapgen.report.page import report_html, write_report

__all__ = ["report_html", "write_report"]
