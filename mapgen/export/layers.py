"""The GIS layers: the territory's areas, frontlines and places and the dataset's events,
as export-ready frames with one column type per field.

Every layer has a start and an end date column (``datetime64``, end exclusive, ``NaT`` for
an open end) that GIS software uses to show a feature only while it is valid. Empty text
becomes a null, so that ``"opponent" IS NULL`` means "no opponent" in a GIS.

Areas and frontlines exist only inside the map's range; one that reaches the end of the
range (``valid_to`` is the day after the last day) gets an open end: it is still so on the
last day the data covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from mapgen.dates import ReportedDate
from mapgen.territory import AREA_COLUMNS, Territory

WGS84 = "EPSG:4326"
LAYER_NAMES = ("areas", "frontlines", "places", "events")


@dataclass(frozen=True)
class Layer:
    """One exported layer: its name, features, geometry kind and temporal fields.

    Attributes
    ----------
    name
        The layer (and file) name: ``areas``, ``frontlines``, ``places`` or ``events``.
    frame
        The features, EPSG:4326, sorted, with ``start_field``/``end_field`` as datetime64.
    geometry
        ``polygon``, ``line`` or ``point``: which style template the layer gets.
    start_field, end_field
        The columns a GIS reads the time span from (start inclusive, end exclusive).
    color_field
        The column holding a controller id the style colours by, or ``None``.
    """

    name: str
    frame: gpd.GeoDataFrame
    geometry: str
    start_field: str = "valid_from"
    end_field: str = "valid_to"
    color_field: str | None = "controller"


def territory_layers(territory: Territory) -> list[Layer]:
    """The areas, frontlines and places layers of a territory, and the events behind it."""
    return [
        areas_layer(territory),
        frontlines_layer(territory),
        places_layer(territory),
        events_layer(territory),
    ]


def areas_layer(territory: Territory) -> Layer:
    """Control areas: one feature per unit, kind (held ground or zone) and interval of
    constant state."""
    frame = _open_at_range_end(territory.areas[[*AREA_COLUMNS, "geometry"]], territory)
    frame = frame.sort_values(["valid_from", "unit", "kind"], kind="stable")
    return Layer("areas", _clean(frame), "polygon")


def frontlines_layer(territory: Territory) -> Layer:
    """Frontlines: where two sides' areas meet, one feature per pair of sides and interval."""
    columns = ["frontline_id", "side_a", "side_b", "valid_from", "valid_to", "length_km"]
    frame = _open_at_range_end(territory.frontlines[[*columns, "geometry"]], territory)
    frame = frame.sort_values(["valid_from", "side_a", "side_b"], kind="stable")
    return Layer("frontlines", _clean(frame), "line", color_field=None)


def places_layer(territory: Territory) -> Layer:
    """Place states (reported and inferred), with the precision their dates were known to."""
    columns = [
        "place_id",
        "place",
        "controller",
        "status",
        "opponent",
        "basis",
        "polygon",
        "inferred_from",
        "sources",
        "valid_from",
        "valid_to",
        "from_precision",
        "to_precision",
        "reported",
    ]
    frame = territory.places[[*columns, "geometry"]]
    frame = frame.sort_values(["place_id", "valid_from"], kind="stable")
    return Layer("places", _clean(frame), "point")


def events_layer(territory: Territory) -> Layer:
    """The events at their places' points; ``date_from``/``date_to`` span the reported date.

    A month-precision event ("2017-08") spans the whole month, a day event one day. An area
    event without a place sits on a point inside its polygon (``polygon`` names it).
    """
    dataset = territory.timeline.dataset
    events = dataset.events.sort_values(["start", "line"], kind="stable")
    ends = [
        ReportedDate(start, precision).end
        for start, precision in zip(events["start"], events["precision"], strict=True)
    ]
    points = dataset.places.places.geometry
    frame = pd.DataFrame(
        {
            "event_id": events["event_id"].astype("str"),
            "date": events["date"].astype("str"),
            "precision": events["precision"].astype("str"),
            "place_id": events["place_id"].astype("str"),
            "polygon": events["area"].astype("str"),
            "place": events["place_id"].map(dataset.places.places["name"]).fillna("").astype("str"),
            "controller": events["controller"].astype("str"),
            "status": events["status"].astype("str"),
            "opponent": events["opponent"].astype("str"),
            "source": events["source"].astype("str"),
            "source_url": events["source_url"].astype("str"),
            "notes": events["notes"].astype("str"),
            "date_from": pd.to_datetime(events["start"]).astype("datetime64[ns]"),
            "date_to": pd.to_datetime(pd.Series(ends, index=events.index)).astype("datetime64[ns]"),
        }
    )
    inside = dataset.shapes.geometry.representative_point()
    at = events["place_id"].map(points)
    at = at.where(events["place_id"] != "", events["shape"].map(inside))
    geometry = gpd.GeoSeries(at.values, crs=WGS84)
    gdf = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry.values, crs=WGS84)
    return Layer("events", _clean(gdf), "point", start_field="date_from", end_field="date_to")


def _open_at_range_end(frame: gpd.GeoDataFrame, territory: Territory) -> gpd.GeoDataFrame:
    after_end = territory.timeline.end + pd.Timedelta(days=1)
    frame = frame.copy()
    frame["valid_to"] = frame["valid_to"].where(frame["valid_to"] < after_end)
    return frame


def _clean(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reset the index, make text columns plain objects with None for empty text, and dates
    datetime64[ns]."""
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.astype("datetime64[ns]")
        elif pd.api.types.is_string_dtype(series) or series.dtype == object:
            out[column] = pd.Series(
                [None if pd.isna(v) or v == "" else str(v) for v in series],
                dtype=object,
                index=out.index,
            )
    return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=WGS84)
