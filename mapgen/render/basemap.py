"""What a static map is drawn from: the base map every map of a territory shares, the
figure layout, and one day's state in the map CRS.

The base map (:func:`basemap`) is computed once and passed to every map drawn from it: the
projection (Lambert Conformal Conic fitted to the dataset's extent, see :func:`map_crs`),
the base layers read from ``data/boundaries/`` and projected, the label candidates, the
inset, the legend entries, credits and the change notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import box

from mapgen.boundaries import MAIN_RIVERS, fitted_conic, layers_folder, read_layer
from mapgen.dates import check_within
from mapgen.render.changes import Change, ChangeNotes, change_notes
from mapgen.render.inset import Inset, find_inset
from mapgen.render.style import LegendEntry, attribution, legend_entries, map_extent
from mapgen.territory import Territory
from mapgen.territory.model import UNASSIGNED

PROJECTION_NAME = "Lambert Conformal Conic"
# Layout in inches: the title band on top, the map, the footer (legend, note, credits).
TITLE_H_IN = 0.95
FOOTER_H_IN = 1.6
MARGIN_IN = 0.2
DATE_PT = 24.0
DATE_X_IN = MARGIN_IN
DATE_BASELINE_IN = 0.5  # from the top of the figure
FONT = "DejaVu Sans"  # matplotlib's own font: the series stamps dates with the same file
_CLIP_MARGIN_DEG = 0.5  # base layers are cut to the view plus this much


def map_crs(extent: tuple[float, float, float, float]) -> CRS:
    """The Lambert Conformal Conic projection the maps of ``extent`` are drawn in."""
    return fitted_conic(extent, "lcc")


@dataclass(frozen=True)
class Layout:
    """Sizes of one map figure in inches, and its resolution."""

    width_in: float
    dpi: int
    map_h_in: float

    @property
    def height_in(self) -> float:
        return TITLE_H_IN + self.map_h_in + FOOTER_H_IN

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) in pixels, as Agg renders them."""
        return round(self.width_in * self.dpi), round(self.height_in * self.dpi)

    @property
    def title_band_px(self) -> int:
        """Pixel rows of the title band (where the date is)."""
        return math.ceil(TITLE_H_IN * self.dpi)

    @property
    def date_anchor_px(self) -> tuple[float, float]:
        """Left end of the date's baseline, pixels from the top-left corner."""
        return DATE_X_IN * self.dpi, DATE_BASELINE_IN * self.dpi

    @property
    def date_size_px(self) -> float:
        return DATE_PT * self.dpi / 72


@dataclass(frozen=True)
class Basemap:
    """What every map of one territory shares: projection, extent, base layers, labels."""

    crs: CRS
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    outside: gpd.GeoSeries
    study: gpd.GeoSeries
    lakes: gpd.GeoSeries
    rivers: gpd.GeoSeries
    main_rivers: gpd.GeoSeries
    borders: gpd.GeoSeries
    governorate_lines: gpd.GeoSeries
    labels: pd.DataFrame  # place_id, name, population, x, y (label priority order)
    colors: dict[str, str]
    names: dict[str, str]
    legend: tuple[LegendEntry, ...]  # the sides present at some time, in table order
    title: str
    credit: str
    projection_note: str
    notes: ChangeNotes = field(repr=False)
    unassigned_km2: pd.Series = field(repr=False)  # by date: ground no side reaches

    def layout(self, *, width_in: float, dpi: int) -> Layout:
        """The figure layout for a width: the map keeps the extent's aspect ratio."""
        map_w = width_in - 2 * MARGIN_IN
        aspect = (self.ylim[1] - self.ylim[0]) / (self.xlim[1] - self.xlim[0])
        # a whole number of pixel rows, so that text placed from the bottom (matplotlib)
        # and from the top (the date stamped on a series) lands on the same rows
        rows = round((TITLE_H_IN + map_w * aspect + FOOTER_H_IN) * dpi)
        map_h = rows / dpi - TITLE_H_IN - FOOTER_H_IN
        return Layout(width_in=width_in, dpi=dpi, map_h_in=map_h)


# Ground no side reaches shows in the legend from this much on (km², or share of the area):
# below it, it is the rounding of the overlays, not a white patch a reader could see.
UNASSIGNED_MIN_KM2 = 1.0
UNASSIGNED_MIN_SHARE = 1e-5


@dataclass(frozen=True)
class MapState:
    """What a map shows apart from its date: areas, frontlines, places, the recent changes,
    the enlargement of where they are (if any) and whether any ground is unassigned."""

    areas: gpd.GeoDataFrame  # in the map CRS
    frontlines: gpd.GeoDataFrame
    places: pd.DataFrame  # place_id, controller, status
    change: Change | None = field(default=None)
    inset: Inset | None = None
    unassigned: bool = False


def basemap(territory: Territory) -> Basemap:
    """The shared parts of every map of ``territory``.

    Computing it reads and projects the base layers: draw many maps from one base map.
    """
    dataset = territory.timeline.dataset
    extent = map_extent(territory)
    crs = map_crs(extent)
    frame = gpd.GeoSeries([box(*extent).segmentize(0.05)], crs="EPSG:4326").to_crs(crs)
    x0, y0, x1, y1 = frame.total_bounds
    view = box(x0, y0, x1, y1)
    clip_ll = gpd.GeoSeries([view], crs=crs).to_crs("EPSG:4326").iloc[0]
    clip_ll = clip_ll.buffer(_CLIP_MARGIN_DEG)
    study = gpd.GeoSeries([territory.study_area], crs="EPSG:4326").to_crs(crs)
    folder = layers_folder(extent)  # the base layers covering the map
    countries = read_layer("countries", folder)
    land = countries.geometry.union_all().intersection(clip_ll)
    outside = gpd.GeoSeries([land], crs="EPSG:4326").to_crs(crs).difference(study.iloc[0])
    rivers = read_layer("rivers", folder)
    rivers = rivers[rivers.intersects(clip_ll)]
    is_main = rivers["name"].isin(MAIN_RIVERS)
    controllers = list(dataset.controllers)
    labels = _label_candidates(territory, crs)
    xlim, ylim = (float(x0), float(x1)), (float(y0), float(y1))
    return Basemap(
        crs=crs,
        xlim=xlim,
        ylim=ylim,
        outside=outside,
        study=study,
        lakes=_project(read_layer("lakes", folder).geometry, clip_ll, crs),
        rivers=_project(rivers.loc[~is_main].geometry, clip_ll, crs),
        main_rivers=_project(rivers.loc[is_main].geometry, clip_ll, crs),
        borders=_project(countries.geometry.boundary, clip_ll, crs),
        governorate_lines=_project(read_layer("governorate_lines", folder).geometry, clip_ll, crs),
        labels=labels,
        colors={c.id: c.color for c in controllers},
        names={c.id: c.name for c in controllers},
        legend=tuple(legend_entries(territory)),
        title=dataset.info.title,
        credit=attribution(dataset),
        projection_note=f"{PROJECTION_NAME}, {_crs_note(extent)}",
        notes=change_notes(territory),
        unassigned_km2=_unassigned(territory),
    )


def map_state(territory: Territory, day: pd.Timestamp, base: Basemap) -> MapState:
    """Everything a map of ``day`` shows except the date, in the map CRS."""
    state = territory.on(day)
    areas = state.areas.to_crs(base.crs).sort_values(["unit", "kind"], kind="stable")
    lines = state.frontlines.to_crs(base.crs).sort_values(["side_a", "side_b"], kind="stable")
    places = pd.DataFrame(state.places[["place_id", "controller", "status"]])
    change = base.notes.on(day)
    inset = find_inset(focus_ground(areas, change), base.labels, base.xlim, base.ylim)
    floor = max(UNASSIGNED_MIN_KM2, UNASSIGNED_MIN_SHARE * territory.study_area_km2)
    unassigned = bool(base.unassigned_km2.get(pd.Timestamp(day).normalize(), 0.0) > floor)
    return MapState(areas, lines, places, change, inset, unassigned)


def changed_ground(areas: gpd.GeoDataFrame, change: Change | None) -> gpd.GeoDataFrame:
    """The held ground of the places and areas that changed in the change's window."""
    if change is None or not change.units:
        return areas.iloc[0:0]
    return areas[(areas["kind"] == "held") & areas["unit"].isin(change.units)]


def focus_ground(areas: gpd.GeoDataFrame, change: Change | None) -> gpd.GeoDataFrame:
    """Where a map's enlargement looks: the ground that just changed, or else the held
    ground under assault (the fighting still under way), or else under siege. An assault
    comes before a siege: a siege can last years (the Badia pocket) while the battle of the
    day (Baghuz in March 2019) is elsewhere."""
    changed = changed_ground(areas, change)
    if not changed.empty:
        return changed
    held = areas[areas["kind"] == "held"]
    assaulted = held[held["status"] == "contested"]
    return assaulted if not assaulted.empty else held[held["status"] == "besieged"]


def _unassigned(territory: Territory) -> pd.Series:
    stats = territory.stats()
    rest = stats[stats["controller"] == UNASSIGNED]
    return pd.Series(rest["held_km2"].to_numpy(), index=pd.DatetimeIndex(rest["date"]))


def check_day(territory: Territory, day: pd.Timestamp | str) -> pd.Timestamp:
    """``day`` as a Timestamp, or DateRangeError if it is outside the territory's range."""
    ts = pd.Timestamp(day).normalize()
    check_within([ts], territory.timeline.start, territory.timeline.end, field="day")
    return ts


def _crs_note(extent: tuple[float, float, float, float]) -> str:
    lon0, lat0, lon1, lat1 = extent
    span = lat1 - lat0
    return (
        f"standard parallels {lat0 + span / 6:.1f}°N and {lat1 - span / 6:.1f}°N, "
        f"central meridian {(lon0 + lon1) / 2:.1f}°E"
    )


def _project(geoms: gpd.GeoSeries, clip_ll: shapely.Geometry, crs: CRS) -> gpd.GeoSeries:
    clipped = geoms.intersection(clip_ll)
    return gpd.GeoSeries(clipped[~clipped.is_empty], crs="EPSG:4326").to_crs(crs)


def _label_candidates(territory: Territory, crs: CRS) -> pd.DataFrame:
    """The mapped places, biggest population first (ties by name): the label priority."""
    gazetteer = territory.timeline.dataset.places.places
    ids = sorted(set(territory.places["place_id"]))
    known = [i for i in ids if i in gazetteer.index]
    rows = gazetteer.loc[known]
    points = gpd.GeoSeries(rows.geometry.values, crs="EPSG:4326").to_crs(crs)
    frame = pd.DataFrame(
        {
            "place_id": known,
            "name": rows["name"].astype(str).values,
            "population": pd.to_numeric(rows["population"], errors="coerce").fillna(0).values,
            "x": points.x.values,
            "y": points.y.values,
        }
    )
    frame = frame.sort_values(["population", "name"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)
