"""One day of a territory on a folium map: mapgen's ``GeoDataFrame.explore``.

The day's zones, held ground, frontlines and places are folium ``GeoJson`` layers drawn as
the slider map draws them (``render/templates/slider/layers.js``): held ground in the side's
colour, zones in its light tint (``Controller.zone_color``), contested and besieged ground
striped in the holder's and the attacker's colours with a dashed or dotted outline,
uncertain ground with level stripes, black frontlines, places as circles sized by
population. Every area and place has a popup with its state and the sources behind it, and
a tooltip. Needs folium (``pip install 'mapgen[folium]'``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from markupsafe import Markup
from shapely.geometry import box

from mapgen.boundaries import MAIN_RIVERS, base_layers
from mapgen.dates import format_date
from mapgen.errors import OptionError
from mapgen.render.folium_page import InlineLeaflet, RawHTML, figure_of, folium, template
from mapgen.render.html_data import BASE_PRECISION, PRECISION, _safe_url
from mapgen.render.style import (
    BORDER_COLOR,
    BORDER_WIDTH,
    GOVERNORATE_COLOR,
    GOVERNORATE_DASH,
    GOVERNORATE_WIDTH,
    LAKE_COLOR,
    LAKE_EDGE_WIDTH,
    MAIN_RIVER_WIDTH,
    OUTSIDE_COLOR,
    RIVER_WIDTH,
    UNASSIGNED_COLOR,
    WATER_COLOR,
    attribution,
    map_extent,
)

if TYPE_CHECKING:
    from mapgen.controllers import Controllers
    from mapgen.territory import Territory

# folium.Map keywords explore() passes on when it makes the map (as geopandas does).
MAP_KEYWORDS = (
    "location",
    "zoom_start",
    "min_zoom",
    "max_zoom",
    "control_scale",
    "zoom_control",
    "prefer_canvas",
    "crs",
    "max_bounds",
    "no_touch",
    "disable_3d",
    "font_size",
)
# The slider map's looks (slider/layers.js areaStyle, markerStyle, FRONT_STYLE).
HELD_STYLE = {"color": "#333333", "weight": 0.6, "opacity": 0.7, "fillOpacity": 0.55}
INFERRED_FILL_OPACITY = 0.3
ZONE_FILL_OPACITY = 0.6  # the tint at 0.6 looks like the slider's colour at 0.22
FIGHT_OUTLINE = {"contested": (1.8, "6 4"), "uncertain": (1.8, "6 4"), "besieged": (2.5, "1 4")}
FRONT_STYLE = {"color": "#000000", "weight": 4, "opacity": 1, "lineCap": "round"}
MARKER_EDGE = {"color": "#111111", "weight": 1, "fill": True, "fillOpacity": 1}
MARKER_FIGHT = {"contested": "3 2", "besieged": "1 2"}
BASE_MARGIN_DEG = 1.5
BASE_TOLERANCE_DEG = 0.001


def explore(
    territory: Territory,
    day: pd.Timestamp | str,
    *,
    m: folium.Map | None = None,
    tiles: str | None = "OpenStreetMap",
    attr: str | None = None,
    width: str | int = "100%",
    height: str | int = "100%",
    base_layers: bool | None = None,
    legend: bool = True,
    layer_control: bool = True,
    inline: bool = False,
    map_kwds: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> folium.Map:
    """The held ground, zones, frontlines and places of ``day`` on a folium map.

    Parameters
    ----------
    territory, day
        The territory and a day inside its range (DateRangeError otherwise).
    m
        A ``folium.Map`` to draw on; a new one when None (``tiles``, ``attr``, ``width``,
        ``height``, ``map_kwds`` and the keywords of :data:`MAP_KEYWORDS` make it).
    tiles, attr
        As for ``folium.Map``: a tile provider name or URL (and its attribution), or None.
    base_layers
        Draw the offline base map (land, borders, governorates, rivers, lakes); by default
        only on a new map without tiles.
    legend, layer_control
        Add the legend (the day and the sides) and a layer control.
    inline
        Put Leaflet into the page so that a saved map works offline (with ``tiles=None``).
    """
    unknown = sorted(set(kwargs) - set(MAP_KEYWORDS))
    if unknown:
        raise OptionError(
            f"explore() got unknown keyword(s) {', '.join(unknown)}; it takes m, tiles, attr, "
            f"width, height, base_layers, legend, layer_control, inline, map_kwds and the "
            f"folium.Map keywords {', '.join(MAP_KEYWORDS)}",
            field=unknown[0],
        )
    areas = territory.areas_on(day)
    frontlines = territory.frontlines_on(day)
    places = territory.places_on(day)
    new_map = m is None
    if m is None:
        options = {**kwargs, **(map_kwds or {})}
        m = folium.Map(tiles=tiles, attr=attr, width=width, height=height, **options)
        if "location" not in options:
            lon0, lat0, lon1, lat1 = map_extent(territory)
            m.fit_bounds([[lat0, lon0], [lat1, lon1]])
    if inline:
        m.add_child(InlineLeaflet())
    if base_layers if base_layers is not None else (new_map and tiles is None):
        _base_map(territory).add_to(m)
    controllers = territory.timeline.dataset.controllers
    events = _events(territory)
    _Patterns(_pattern_specs(areas, controllers, m)).add_to(m)
    _areas_layer(areas, "zone", "Zones", controllers, events, m).add_to(m)
    _areas_layer(areas, "held", "Held ground", controllers, events, m).add_to(m)
    _frontlines_layer(frontlines, controllers).add_to(m)
    _places_layer(places, territory, controllers, events).add_to(m)
    if legend:
        entries = _legend_entries(areas, places, controllers)
        _Legend(f"{pd.Timestamp(day):%Y-%m-%d}", entries).add_to(m)
    _Credits(attribution(territory.timeline.dataset)).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


# --- areas ---------------------------------------------------------------------------------


def _pattern_id(m: folium.Map, side: str, opponent: str, angle: int) -> str:
    return f"{m.get_name()}-hatch-{side}-{opponent or 'none'}-{angle}"


def _angle(status: str) -> int:
    return 90 if status == "uncertain" else 45  # level stripes: may have changed hands


def _pattern_specs(
    areas: gpd.GeoDataFrame, controllers: Controllers, m: folium.Map
) -> list[dict[str, str]]:
    fought = areas[(areas["kind"] == "held") & (areas["status"] != "controlled")]
    opponents = fought["opponent"].fillna("")
    looks = sorted(set(zip(fought["controller"], opponents, fought["status"], strict=True)))
    specs = {}
    for side, opponent, status in looks:
        pid = _pattern_id(m, side, opponent, _angle(status))
        specs[pid] = {
            "id": pid,
            "angle": str(_angle(status)),
            "stripe": _color(controllers, side),
            "ground": _color(controllers, opponent) if opponent else UNASSIGNED_COLOR,
        }
    return list(specs.values())


def _color(controllers: Controllers, side: str, *, zone: bool = False) -> str:
    if side not in controllers:
        return UNASSIGNED_COLOR
    return controllers[side].zone_color if zone else controllers[side].color


def _area_style(row: Mapping[str, Any], controllers: Controllers, m: folium.Map) -> dict:
    side, status = row["controller"], row["status"]
    if row["kind"] == "zone":
        color = _color(controllers, side, zone=True)
        return {"weight": 0, "fillColor": color, "fillOpacity": ZONE_FILL_OPACITY}
    inferred = row["basis"] == "inferred"
    if status in FIGHT_OUTLINE:
        weight, dash = FIGHT_OUTLINE[status]
        pattern = _pattern_id(m, side, row["opponent"] or "", _angle(status))
        return {
            "fillColor": f"url(#{pattern})",
            "fillOpacity": 0.45 if inferred else 0.75,
            "color": _color(controllers, side),
            "weight": weight,
            "opacity": 1,
            "dashArray": dash,
        }
    style = {**HELD_STYLE, "fillColor": _color(controllers, side)}
    if inferred:
        style.update(fillOpacity=INFERRED_FILL_OPACITY, dashArray="2 3")
    return style


def _areas_layer(
    areas: gpd.GeoDataFrame,
    kind: str,
    name: str,
    controllers: Controllers,
    events: dict[str, dict[str, str]],
    m: folium.Map,
) -> folium.FeatureGroup:
    chosen = areas[areas["kind"] == kind]
    styles = [_area_style(row, controllers, m) for _, row in chosen.iterrows()]
    frame = gpd.GeoDataFrame(
        {
            "key": [str(n) for n in range(len(chosen))],
            "popup": [
                _popup(
                    row["place"] or row["polygon"],
                    row,
                    f"{row['valid_from']:%Y-%m-%d}",
                    controllers,
                    events,
                )
                for _, row in chosen.iterrows()
            ],
            "tooltip": [_tooltip(row, controllers) for _, row in chosen.iterrows()],
            "controller": chosen["controller"].astype(str).to_numpy(),
            "status": chosen["status"].astype(str).to_numpy(),
            "kind": chosen["kind"].astype(str).to_numpy(),
        },
        geometry=_rounded(chosen),
        crs=chosen.crs,
    )
    by_key = dict(zip(frame["key"], styles, strict=True))
    group = folium.FeatureGroup(name=name)
    if not frame.empty:
        folium.GeoJson(
            frame,
            name=name,
            style_function=lambda f: {**by_key[f["properties"]["key"]], "className": "mapgen-area"},
            popup=folium.GeoJsonPopup(["popup"], labels=False, max_width=360),
            tooltip=folium.GeoJsonTooltip(["tooltip"], labels=False),
        ).add_to(group)
    return group


def _popup(
    title: str,
    state: Mapping[str, Any],
    since: str,
    controllers: Controllers,
    events: dict[str, dict[str, str]],
) -> str:
    """An area's or a place's popup: its name, state, since when, and the sources."""
    text = template("popup.html").module.area(
        title, _state_text(state, controllers), since, _cited(state["sources"], events)
    )
    return _inert(text)


def _state_text(row: Mapping[str, Any], controllers: Controllers) -> str:
    side = _name(controllers, row["controller"])
    text = f"zone of {side}" if row["kind"] == "zone" else f"held by {side}"
    opponent = _name(controllers, row["opponent"]) if row["opponent"] else ""
    if row["status"] == "contested":
        text += f", contested (under assault{' by ' + opponent if opponent else ''})"
    elif row["status"] == "besieged":
        text += f", besieged{' by ' + opponent if opponent else ''}"
    elif row["status"] == "uncertain":
        text += f", uncertain (may already be {opponent or 'another side'}'s)"
    if row["basis"] == "inferred":
        text += f", inferred from {row['inferred_from']}"
    return text


def _tooltip(row: Mapping[str, Any], controllers: Controllers) -> str:
    label = row["place"] or row.get("polygon") or row.get("place_id")
    return _text(f"{label}: {_state_text(row, controllers)}")


def _text(text: str) -> str:
    """Plain text as folium's tooltips and popups need it (they insert HTML)."""
    return _inert(html.escape(text))


def _inert(markup: str) -> str:
    """HTML with its braces as character references. folium passes what an element writes
    through Jinja once more, which would evaluate ``{{ … }}`` in the data."""
    return str(markup).replace("{", "&#123;").replace("}", "&#125;")


def _name(controllers: Controllers, side: str) -> str:
    return controllers[side].name if side in controllers else side


# --- frontlines and places ------------------------------------------------------------------


def _frontlines_layer(
    frontlines: gpd.GeoDataFrame, controllers: Controllers
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Frontlines")
    if frontlines.empty:
        return group
    popups = template("popup.html").module
    a = [_name(controllers, s) for s in frontlines["side_a"]]
    b = [_name(controllers, s) for s in frontlines["side_b"]]
    frame = gpd.GeoDataFrame(
        {
            "popup": [
                _inert(popups.frontline(x, y, f"{since:%Y-%m-%d}", f"{km:,.0f}"))
                for x, y, since, km in zip(
                    a, b, frontlines["valid_from"], frontlines["length_km"], strict=True
                )
            ],
            "tooltip": [_text(f"Frontline: {x} | {y}") for x, y in zip(a, b, strict=True)],
        },
        geometry=_rounded(frontlines),
        crs=frontlines.crs,
    )
    folium.GeoJson(
        frame,
        name="Frontlines",
        style_function=lambda f: {**FRONT_STYLE, "className": "mapgen-front"},
        popup=folium.GeoJsonPopup(["popup"], labels=False),
        tooltip=folium.GeoJsonTooltip(["tooltip"], labels=False),
    ).add_to(group)
    return group


def _marker_style(row: Mapping[str, Any], population: float, controllers: Controllers) -> dict:
    radius = 7 if population >= 500_000 else 5.5 if population >= 100_000 else 4.5
    style = {**MARKER_EDGE, "radius": radius, "fillColor": _color(controllers, row["controller"])}
    if row["status"] in MARKER_FIGHT:
        style.update(color="#000000", weight=2.5, dashArray=MARKER_FIGHT[row["status"]])
    if row["basis"] == "inferred":
        style.update(fillOpacity=0.6, color="#555555", weight=1)
    return style


def _places_layer(
    places: gpd.GeoDataFrame,
    territory: Territory,
    controllers: Controllers,
    events: dict[str, dict[str, str]],
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Places")
    if places.empty:
        return group
    population = places["place_id"].map(
        pd.to_numeric(territory.timeline.dataset.places.places["population"], errors="coerce")
    )
    rows = [row for _, row in places.iterrows()]
    states = [{**row, "kind": "held"} for row in rows]
    frame = gpd.GeoDataFrame(
        {
            "key": [str(n) for n in range(len(rows))],
            "popup": [
                _popup(
                    row["place"] or row["place_id"],
                    state,
                    format_date(row["valid_from"], row["from_precision"] or "day"),
                    controllers,
                    events,
                )
                for row, state in zip(rows, states, strict=True)
            ],
            "tooltip": [_tooltip(state, controllers) for state in states],
            "place_id": places["place_id"].astype(str).to_numpy(),
            "controller": places["controller"].astype(str).to_numpy(),
        },
        geometry=_rounded(places),
        crs=places.crs,
    )
    styles = {
        str(n): _marker_style(row, float(pop) if pd.notna(pop) else 0.0, controllers)
        for n, (row, pop) in enumerate(zip(rows, population, strict=True))
    }
    folium.GeoJson(
        frame,
        name="Places",
        marker=folium.CircleMarker(),
        style_function=lambda f: {**styles[f["properties"]["key"]], "className": "mapgen-place"},
        popup=folium.GeoJsonPopup(["popup"], labels=False, max_width=360),
        tooltip=folium.GeoJsonTooltip(["tooltip"], labels=False),
    ).add_to(group)
    return group


# --- sources ---------------------------------------------------------------------------------


def _events(territory: Territory) -> dict[str, dict[str, str]]:
    """Every event by id: as reported, with its source and a link only if it is http(s)."""
    table = territory.timeline.dataset.events.drop_duplicates("event_id")
    return {
        str(r["event_id"]): {
            "id": str(r["event_id"]),
            "date": str(r["date"]),
            "source": str(r["source"]),
            "url": _safe_url(str(r["source_url"] or "")),
            "notes": str(r["notes"] or ""),
        }
        for r in table.to_dict("records")
    }


def _cited(sources: object, events: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    ids = [s for s in str(sources or "").split(";") if s]
    return [events[i] for i in ids if i in events]


# --- legend, patterns, base map ----------------------------------------------------------------


def _legend_entries(
    areas: gpd.GeoDataFrame, places: gpd.GeoDataFrame, controllers: Controllers
) -> list[dict[str, str]]:
    present = set(areas["controller"]) | set(places["controller"])
    return [
        {"name": c.name, "color": c.color, "zone": c.zone_color}
        for c in controllers
        if c.id in present
    ]


class _Patterns(folium.MacroElement):
    """The SVG stripes the contested areas of one map are filled with."""

    def __init__(self, patterns: list[dict[str, str]]) -> None:
        super().__init__()
        self._name = "MapgenPatterns"
        self.patterns = patterns

    def render(self, **kwargs: Any) -> None:
        html = template("patterns.html").render(patterns=self.patterns)
        figure_of(self).html.add_child(RawHTML(html), name=self.get_name())


class _Legend(folium.MacroElement):
    """The day and the sides on the map, as a control in its top right corner."""

    def __init__(self, day: str, entries: list[dict[str, str]]) -> None:
        super().__init__()
        self._name = "MapgenLegend"
        self.day = day
        self.entries = entries

    def render(self, **kwargs: Any) -> None:
        figure = figure_of(self)
        element_id = self.get_name()
        html = template("legend.html").render(
            element_id=element_id, day=self.day, entries=self.entries
        )
        script = template("legend.js").render(
            element_id=element_id, position="topright", map_name=Markup(self._parent.get_name())
        )
        figure.html.add_child(RawHTML(html), name=element_id)
        figure.script.add_child(RawHTML(script), name=element_id)


class _Credits(folium.MacroElement):
    """The map's credits (base data, number of sources) in its attribution control."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "MapgenCredits"
        self.text = text

    def render(self, **kwargs: Any) -> None:
        script = template("credits.js").render(
            map_name=Markup(self._parent.get_name()), credits=html.escape(self.text)
        )
        figure_of(self).script.add_child(RawHTML(script), name=self.get_name())


def _base_map(territory: Territory) -> folium.FeatureGroup:
    """Land, lakes, governorate lines, borders and rivers, in the static maps' colours."""
    lon0, lat0, lon1, lat1 = map_extent(territory)
    m = BASE_MARGIN_DEG
    window = box(lon0 - m, lat0 - m, lon1 + m, lat1 + m)
    layers = base_layers(window, extent=(lon0, lat0, lon1, lat1), tolerance=BASE_TOLERANCE_DEG)
    px = 4 / 3  # points to CSS pixels
    looks = {
        "countries": {
            "color": BORDER_COLOR,
            "weight": BORDER_WIDTH * px,
            "fillColor": OUTSIDE_COLOR,
            "fillOpacity": 1,
        },
        "lakes": {
            "color": WATER_COLOR,
            "weight": LAKE_EDGE_WIDTH * px,
            "fillColor": LAKE_COLOR,
            "fillOpacity": 1,
        },
        "governorate_lines": {
            "color": GOVERNORATE_COLOR,
            "weight": GOVERNORATE_WIDTH * px,
            "dashArray": " ".join(f"{v * GOVERNORATE_WIDTH * px:g}" for v in GOVERNORATE_DASH),
        },
    }
    group = folium.FeatureGroup(name="Base map")
    for name in ("countries", "lakes", "governorate_lines"):
        _plain(layers[name], name, looks[name]).add_to(group)
    rivers = layers["rivers"]
    for main, width in ((False, RIVER_WIDTH), (True, MAIN_RIVER_WIDTH)):
        chosen = rivers[rivers["name"].isin(MAIN_RIVERS) == main]
        look = {"color": WATER_COLOR, "weight": width * px}
        _plain(chosen, "rivers", look).add_to(group)
    return group


def _rounded(frame: gpd.GeoDataFrame, decimals: int = PRECISION) -> np.ndarray:
    """The geometries with coordinates rounded as the slider map rounds them (4 decimals,
    about 11 m; the base map 3): the page is about half as large."""
    return shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, decimals))


def _plain(frame: gpd.GeoDataFrame, name: str, look: dict[str, Any]) -> folium.GeoJson:
    """A layer with one look and no attributes (GeoJSON keeps only the geometry)."""
    bare = gpd.GeoDataFrame(geometry=_rounded(frame, BASE_PRECISION), crs=frame.crs)
    return folium.GeoJson(
        bare, name=name, style_function=lambda _f: look, control=False, interactive=False
    )


__all__ = ["MAP_KEYWORDS", "explore"]
