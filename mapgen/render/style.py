"""What every renderer shows the same way: side colours, legend entries, attribution."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from shapely.geometry import box

from mapgen.boundaries import read_layer
from mapgen.dataset import Dataset
from mapgen.territory import Territory

UNASSIGNED_COLOR = "#ffffff"
# Fallbacks for a side the controllers table does not know.
UNKNOWN_SIDE_COLOR = "#ffffff"
UNKNOWN_BESIEGER_COLOR = "#000000"

# Static maps: base layers.
OUTSIDE_COLOR = "#e4e4e4"  # land outside the study area
WATER_COLOR = "#6baed6"  # rivers, lake shores
LAKE_COLOR = "#c6dbef"  # lakes and the sea (the map's background)
BORDER_COLOR = "#555555"
GOVERNORATE_COLOR = "#9a9a9a"
MAP_EDGE_COLOR = "#555555"  # the map's frame
# Static maps (and the QGIS project's base map): line widths in points, dash pattern.
BORDER_WIDTH = 1.1
GOVERNORATE_WIDTH = 0.5
GOVERNORATE_DASH = (4, 2)  # dash, gap, in line widths
RIVER_WIDTH = 0.6
MAIN_RIVER_WIDTH = 1.4  # the rivers of mapgen.boundaries.MAIN_RIVERS
LAKE_EDGE_WIDTH = 0.4
# Static maps: what is drawn over the ground.
AREA_OUTLINE_COLOR = "white"
FRONTLINE_COLOR = "black"
HALO_COLOR = "white"  # behind frontlines, labels and the scale bar's figures
CHANGED_COLOR = "#cc0000"  # dashed outline of the places that changed last
INSET_EDGE_COLOR = "#222222"  # the enlargement and its window
MARKER_EDGE_COLOR = "black"
# Static maps: title, legend, notes, credits.
SUBTITLE_COLOR = "#333333"
LEGEND_EDGE_COLOR = "#555555"
LEGEND_SAMPLE_COLOR = "#bbbbbb"  # neutral fill of the contested/besieged/zone samples
LEGEND_SAMPLE_BG = "#eeeeee"  # under the uncertain sample's dots
LEGEND_SAMPLE_EDGE_COLOR = "#333333"
INFERRED_SAMPLE_COLOR = "#888888"
CHANGE_NOTE_COLOR = "#aa0000"
NO_CHANGE_NOTE_COLOR = "#333333"
CREDIT_COLOR = "#555555"
# Area chart.
CHART_CHANGE_LINE_COLOR = "#222222"
CHART_GRID_COLOR = "#dddddd"
CONTESTED_LABEL = "contested (under assault)"
BESIEGED_LABEL = "besieged"
NATURAL_EARTH_CREDIT = "Borders, lakes: Made with Natural Earth (public domain)"
GSHHG_CREDIT = "Rivers: GSHHG/WDBII, Wessel & Smith (LGPL-3.0)"
GEONAMES_CREDIT = "Places: GeoNames (CC BY 4.0)"
BASE_ATTRIBUTION = " · ".join([NATURAL_EARTH_CREDIT, GSHHG_CREDIT, GEONAMES_CREDIT])
CHANGED_LABEL = "changed {date}"
FRONTLINE_LABEL = "frontline (between sides at war)"
UNCERTAIN_HATCH = ".."  # dots: ground whose holder may have changed (month-dated change)
UNCERTAIN_SAMPLE_HATCH = "...."  # the same, denser, on a legend's small swatch
INFERRED_ALPHA = 0.5  # inferred ground is drawn this much lighter


def format_day(day: pd.Timestamp) -> str:
    """The date as a map title shows it: ``8 November 2017``."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class LegendEntry:
    """One side of the legend: id, display name, colour."""

    id: str
    name: str
    color: str


def legend_entries(territory: Territory) -> list[LegendEntry]:
    """The sides that hold ground or places at some time in the range, in table order."""
    present = set(territory.areas["controller"]) | set(territory.places["controller"])
    controllers = territory.timeline.dataset.controllers
    return [LegendEntry(c.id, c.name, c.color) for c in controllers if c.id in present]


def map_extent(territory: Territory) -> tuple[float, float, float, float]:
    """The lon/lat box every map of ``territory`` shows: the dataset's extent, or the study
    area's bounds when the dataset names none (rounded to 4 decimals, ≈11 m)."""
    extent = territory.timeline.dataset.info.extent
    if extent is None:
        extent = tuple(round(float(v), 4) for v in territory.study_area.bounds)
    return extent


def source_count(dataset: Dataset) -> int:
    """How many distinct sources the events cite."""
    return int(dataset.events["source"].nunique())


def attribution(dataset: Dataset) -> str:
    """The credit line every map carries: the base data it shows and the event sources.

    Natural Earth and GSHHG are credited when the map's extent reaches the embedded base
    layers, GeoNames when a place of the gazetteer comes from it (has a GeoNames id), so a
    made-up or user's own dataset is not credited to sources it does not use.
    """
    parts = [NATURAL_EARTH_CREDIT, GSHHG_CREDIT] if _shows_base_layers(dataset) else []
    if dataset.places.places["geonames_id"].notna().any() or _names_from_geonames(dataset):
        parts.append(GEONAMES_CREDIT)
    return " · ".join([*parts, f"Events: {source_count(dataset)} sources"])


def _names_from_geonames(dataset: Dataset) -> bool:
    """Whether the areas or the change notes name ground after GeoNames places: pieces the
    import named so, or any imported pieces (their changes are named at note time)."""
    from mapgen.areaimport.dataset import piece_ids  # the import writes with mapgen.export
    from mapgen.landmarks import geonames_installed

    shapes = dataset.shapes
    if shapes.empty or "method" not in shapes.columns:
        return False
    if shapes["method"].astype(str).str.contains("GeoNames", regex=False).any():
        return True
    return bool(piece_ids(shapes)) and geonames_installed()


def _shows_base_layers(dataset: Dataset) -> bool:
    extent = dataset.info.extent or tuple(dataset.places.places.total_bounds)
    try:
        countries = read_layer("countries", extent=extent)
    except ImportError:  # no base layers for this region (the world data is not installed)
        return False
    return bool(countries.intersects(box(*extent)).any())
