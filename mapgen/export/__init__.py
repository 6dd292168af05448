"""Writers for the computed results: CSV tables and GIS layers. Every file is written
atomically."""

from mapgen.export.gis import write_gis
from mapgen.export.tables import write_changes_csv, write_stats_csv, write_timeline_csv

__all__ = ["write_changes_csv", "write_gis", "write_stats_csv", "write_timeline_csv"]
