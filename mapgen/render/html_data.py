"""The data of the slider map: every distinct state once, with the days it is valid.

The page never stores a day's snapshot. Each area, frontline and place state is one record
with ``f`` (first day, inclusive) and ``t`` (end day, exclusive, ``null`` when open), both as
day numbers counted from the first day of the range. Geometries are stored once and shared
by every record that uses them (a place's cell keeps its shape while its controller changes),
with coordinates rounded to :data:`PRECISION` decimals. The size therefore grows with the
number of changes, not with the number of days.

Field names are short because they repeat thousands of times; they come from one schema,
``templates/slider/schema.json``, which this module writes records with and the page's script
(``slider/data.js``) decodes them with.
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import math
import operator
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from mapgen.boundaries import layers_folder, read_layer
from mapgen.controllers import zone_tint
from mapgen.dates import format_date
from mapgen.events import ENDED
from mapgen.geomstore import GeometryStore
from mapgen.render.seams import seamless
from mapgen.render.series import PARTS, ground_series
from mapgen.render.style import (
    BESIEGED_LABEL,
    CONTESTED_LABEL,
    UNASSIGNED_COLOR,
    attribution,
    legend_entries,
    map_extent,
)
from mapgen.territory import Territory
from mapgen.territory.model import UNASSIGNED
from mapgen.timeline import UNCERTAIN

PRECISION = 4  # decimals of a degree: about 11 m
BASE_PRECISION = 3  # base layers: about 110 m, simplified to the same tolerance
BASE_LAYERS = ("countries", "governorate_lines", "rivers", "lakes")
_BASE_MARGIN_DEG = 1.5
SCHEMA_JSON = (resources.files("mapgen.render") / "templates" / "slider" / "schema.json").read_text(
    encoding="utf-8"
)
SCHEMA: dict[str, Any] = json.loads(SCHEMA_JSON)
STATUS_CODES = {name: code for code, name in enumerate(SCHEMA["status"])}
KIND_CODES = {name: code for code, name in enumerate(SCHEMA["kind"])}
LABELS = {
    "contested": CONTESTED_LABEL,
    "besieged": BESIEGED_LABEL,
    "zone_key": "Each side: held ground | zone (light tint)",
    "zone": "zone: beyond every place's reach, allotted to the nearest side",
    "uncertain": "uncertain: may have changed hands (month-dated); dots: new holder",
    "inferred": "inferred (no report of its own)",
    "unassigned": "unassigned: beyond every side's reach",
    "frontline": "frontline (between sides at war)",
}
_PAYLOAD = re.compile(r'<script type="application/gzip" class="mg-data"[^>]*>([^<]*)</script>')
_COARSE_DATE = re.compile(r"^\d{4}(-\d{2})?$")  # a date reported to the year or month


def record(name: str, /, **fields: Any) -> dict[str, Any]:
    """A record of ``name`` (area, frontline, place, state, milestone) with the schema's keys."""
    keys = SCHEMA[name]
    unknown = set(fields) - set(keys)
    if unknown or len(fields) != len(keys):
        raise ValueError(f"{name} record: fields {sorted(fields)} do not match {sorted(keys)}")
    return {key: fields[name] for name, key in keys.items()}


def map_data(territory: Territory) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready Python objects (deterministic)."""
    timeline = territory.timeline
    dataset = timeline.dataset
    start, end = timeline.start, timeline.end
    places = _place_table(territory)
    place_index = {pid: n for n, pid in enumerate(places["id"])}
    events = _events(territory)
    event_index = {e["id"]: n for n, e in enumerate(events)}
    polygons = _polygons(territory, event_index)
    polygon_index = {p["id"]: n for n, p in enumerate(polygons)}
    geoms: GeometryStore[list] = GeometryStore(lambda g: _coords(g, PRECISION))
    extent = map_extent(territory)
    frontlines, lines = _frontlines(territory)
    return {
        "title": dataset.info.title,
        "start": _iso(start),
        "end": _iso(end),
        "days": _day(end, start) + 1,
        "changes": [_day(d, start) for d in timeline.change_dates],
        "milestones": [
            record("milestone", day=_day(m.date, start), label=m.label)
            for m in dataset.info.milestones
            if start <= m.date <= end
        ],
        "extent": list(extent),
        "sides": _sides(territory),
        "labels": LABELS,
        "legend": _legend_marks(territory),
        "unassigned_color": UNASSIGNED_COLOR,
        "attribution": attribution(dataset),
        "places": _places(territory, places, event_index),
        "polygons": [
            record("polygon", id=p["id"], name=p["name"], place=p["place"], history=p["history"])
            for p in polygons
        ],
        "areas": _areas(territory, place_index, polygon_index, geoms),
        "frontlines": frontlines,
        "lines": lines,
        "geoms": geoms.items,
        "events": [[e[name] for name in SCHEMA["event"]] for e in events],
        "stats": _stats(territory),
        "base": _base_layers(extent),
    }


def to_script_payload(data_json: str) -> str:
    """The page's data: its JSON gzip-compressed (deterministic: no time stamp) in base64.

    Daily polygons repeat most of their coordinates from one piece or one day to the next,
    which the page's JSON spells out again and gzip does not: a year of DeepState's map
    is about a seventh of its JSON. The page inflates it with the browser's own
    ``DecompressionStream`` (``slider/load.js``).
    """
    packed = gzip.compress(data_json.encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def page_data(page: str) -> list[dict[str, Any]]:
    """The data of every slider map in a page written by mapgen (``map.html``, a fragment,
    a folium map with a ``ControlSlider``), in page order: to read a map's records back."""
    found = re.findall(
        r'<script type="application/gzip" class="mg-data"[^>]*>([^<]*)</script>', page
    )
    return [json.loads(gzip.decompress(base64.b64decode(text))) for text in found]


def to_script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _iso(day: pd.Timestamp) -> str:
    return f"{day:%Y-%m-%d}"


def _day(day: pd.Timestamp, start: pd.Timestamp) -> int:
    return int((pd.Timestamp(day) - start) / pd.Timedelta(days=1))


def _opt_int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _with_days(frame: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """``frame`` with ``day_from``/``day_to``: valid_from/valid_to as day numbers (None if open)."""
    one = pd.Timedelta(days=1)
    first = ((frame["valid_from"] - start) // one).astype("int64")
    end = (frame["valid_to"] - start) // one
    return frame.assign(
        day_from=first.to_numpy(),
        day_to=end.astype("Int64").to_numpy(dtype=object, na_value=None),
    )


def _sides(territory: Territory) -> list[dict[str, str]]:
    shown = {e.id for e in legend_entries(territory)}
    return [
        {
            "id": c.id,
            "name": c.name,
            "color": c.color,
            "zone_color": zone_tint(c.color),
            "legend": c.id in shown,
        }
        for c in territory.timeline.dataset.controllers
    ]


def _legend_marks(territory: Territory) -> dict[str, bool]:
    """Which marks the map shows on some day of the range: only those go in its legend."""
    areas = territory.areas
    statuses = set(areas["status"])
    stats = territory.stats()
    rest = stats.loc[stats["controller"] == UNASSIGNED, "held_km2"]
    floor = max(1.0, 1e-5 * territory.study_area_km2)
    return {
        "zone": bool((areas["kind"] == "zone").any()),
        "uncertain": UNCERTAIN in statuses,
        "contested": "contested" in statuses,
        "besieged": "besieged" in statuses,
        "inferred": bool((areas["basis"] == "inferred").any()),
        "unassigned": bool((rest > floor).any()),
        "frontline": not territory.frontlines.empty,
    }


def _place_table(territory: Territory) -> pd.DataFrame:
    """One row per place that has a state at some time: id, name, lon, lat, population."""
    states = territory.places.sort_values("place_id", kind="stable").drop_duplicates("place_id")
    gazetteer = territory.timeline.dataset.places.places
    names = states["place_id"].map(gazetteer["name"]).fillna(states["place_id"])
    population = states["place_id"].map(gazetteer["population"]).astype("Float64").fillna(0)
    return pd.DataFrame(
        {
            "id": states["place_id"].to_numpy(),
            "name": names.astype(str).to_numpy(),
            "lon": states.geometry.x.round(PRECISION).to_numpy(),
            "lat": states.geometry.y.round(PRECISION).to_numpy(),
            "pop": population.astype("int64").to_numpy(),
        }
    )


def _places(
    territory: Territory, places: pd.DataFrame, event_index: dict[str, int]
) -> list[dict[str, Any]]:
    """Each place with its states, oldest first (states before the range keep their date)."""
    start = territory.timeline.start
    states = territory.places.sort_values(["place_id", "valid_from"], kind="stable")
    states = _with_days(states, start)
    names = territory.timeline.dataset.places.places["name"]
    by_place: dict[str, list] = {}
    for s in states.drop(columns="geometry").itertuples(index=False):
        by_place.setdefault(s.place_id, []).append(s)
    out = []
    for row in places.itertuples(index=False):
        history = [
            record(
                "state",
                controller=s.controller,
                status=STATUS_CODES[s.status],
                opponent=s.opponent or "",
                inferred=1 if s.basis == "inferred" else 0,
                inferred_from=_name(s.inferred_from, names) if s.basis == "inferred" else "",
                date=_state_date(s),
                events=[event_index[e] for e in _split(s.sources) if e in event_index],
                **{"from": int(s.day_from), "to": _opt_int(s.day_to)},
            )
            for s in by_place[row.id]
        ]
        out.append(
            record(
                "place",
                id=row.id,
                name=row.name,
                latlon=[float(row.lat), float(row.lon)],
                population=int(row.pop),
                history=history,
            )
        )
    return out


def _state_date(state: Any) -> str:
    """A state's first day as reported: ``2017-11-08``, ``2018-12`` for the uncertain days
    of a month-dated change, ``2019-01-01 (reported as 2018-12)`` for the day it is certain."""
    text = format_date(state.valid_from, state.from_precision or "day")
    reported = str(getattr(state, "reported", "") or "")
    if state.status != UNCERTAIN and _COARSE_DATE.match(reported) and reported != text:
        return f"{text} (reported as {reported})"
    return text


def _polygons(territory: Territory, event_index: dict[str, int]) -> list[dict[str, Any]]:
    """Each area event's polygon with its history (its states, and the end of its event),
    in id order, citing events by their index in ``event_index``."""
    timeline = territory.timeline
    start = timeline.start
    intervals = timeline.polygon_intervals
    if intervals.empty:
        return []
    intervals = _with_days(intervals.sort_values(["polygon", "valid_from"], kind="stable"), start)
    names = territory.areas.drop_duplicates("polygon").set_index("polygon")["place"]
    shape_names = timeline.dataset.shapes["name"]
    place_names = timeline.dataset.places.places["name"]
    out = []
    plain = pd.DataFrame(intervals.drop(columns="geometry"))
    plain = plain[plain["polygon"].notna()]
    # one pass over the table (per-group itertuples of thousands of areas took a minute)
    for polygon, rows in itertools.groupby(
        plain.itertuples(index=False), key=operator.attrgetter("polygon")
    ):
        history: list[dict[str, Any]] = []
        items = list(rows)
        for k, s in enumerate(items):
            history.append(_polygon_state(s, event_index))
            following = items[k + 1].valid_from if k + 1 < len(items) else None
            if pd.notna(s.valid_to) and s.valid_to != following:
                ended = timeline.ended_events(polygon, s.valid_to)
                history.append(
                    record(
                        "state",
                        controller="",
                        status=STATUS_CODES[ENDED],
                        opponent="",
                        inferred=0,
                        inferred_from="",
                        date=format_date(s.valid_to, s.to_precision or "day"),
                        events=[event_index[e] for e in ended["event_id"] if e in event_index],
                        **{"from": int(s.day_to), "to": _opt_int(_day_of(following, start))},
                    )
                )
        last = items[-1]
        shape = str(last.shape)
        out.append(
            {
                "id": str(polygon),
                "name": str(names.get(polygon, shape_names.get(shape, polygon))),
                "place": _name(last.place_id, place_names) if last.place_id else "",
                "history": history,
            }
        )
    return out


def _polygon_state(s: Any, event_index: dict[str, int]) -> dict[str, Any]:
    return record(
        "state",
        controller=s.controller,
        status=STATUS_CODES[s.status],
        opponent=s.opponent or "",
        inferred=0,
        inferred_from="",
        date=_state_date(s),
        events=[event_index[e] for e in _split(s.sources) if e in event_index],
        **{"from": int(s.day_from), "to": _opt_int(s.day_to)},
    )


def _day_of(day: object, start: pd.Timestamp) -> int | None:
    return None if day is None or pd.isna(day) else _day(day, start)


def _name(place_id: object, names: pd.Series) -> str:
    """A place's name for display (its id when the gazetteer has no name)."""
    text = str(place_id or "")
    name = names.get(text)
    return str(name) if isinstance(name, str) and name else text


def _split(sources: object) -> list[str]:
    return [s for s in str(sources or "").split(";") if s]


def _events(territory: Territory) -> list[dict[str, str]]:
    """The events cited by any place or polygon state (and the rows ending an area event),
    in order of first citation."""
    cited: dict[str, None] = {}
    polygons = territory.timeline.polygon_intervals
    for sources in [*territory.places["sources"], *polygons["sources"]]:
        for e in _split(sources):
            cited.setdefault(e, None)
    table = territory.timeline.dataset.events.drop_duplicates("event_id")
    if "area" in table.columns:  # the rows that end an area event
        for e in table.loc[(table["area"] != "") & (table["status"] == ENDED), "event_id"]:
            cited.setdefault(e, None)
    rows = {r["event_id"]: r for r in table.to_dict("records")}
    return [
        {
            "id": e,
            "date": str(rows[e]["date"]),
            "source": str(rows[e]["source"]),
            "url": _safe_url(str(rows[e]["source_url"])),
            "notes": str(rows[e]["notes"]),
        }
        for e in cited
        if e in rows
    ]


def _safe_url(url: str) -> str:
    """Only http(s) links become links; anything else (``javascript:`` …) is dropped."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def _areas(
    territory: Territory,
    place_index: dict[str, int],
    polygon_index: dict[str, int],
    geoms: GeometryStore[list],
) -> list[dict[str, Any]]:
    """The areas: a place's ground points to the place, a polygon's to the polygon (its
    popup), a default controller's tile (``rest:<n>``) to neither."""
    start = territory.timeline.start
    out = []
    areas = _with_days(territory.areas, start)
    parts = seamless(areas, territory.timeline.dataset.shapes)
    for a, part in zip(areas.itertuples(index=False), parts, strict=True):
        out.append(
            record(
                "area",
                place=place_index.get(a.place_id, -1) if not a.polygon else -1,
                polygon=polygon_index.get(a.polygon, -1) if a.polygon else -1,
                controller=a.controller,
                status=STATUS_CODES[a.status],
                opponent=a.opponent or "",
                inferred=1 if a.basis == "inferred" else 0,
                kind=KIND_CODES[a.kind],
                edge=0 if part else 1,
                geometry=geoms.add(a.geometry),
                **{"from": int(a.day_from), "to": _opt_int(a.day_to)},
            )
        )
    return out


def _frontlines(territory: Territory) -> tuple[list[dict[str, Any]], list[list]]:
    """Frontline runs as lists of line pieces, and the pieces.

    A frontline changes with every change along it, but it is made of the same edges between
    cells; storing each piece of line once keeps the page small.
    """
    start = territory.timeline.start
    rows = [
        f
        for f in _with_days(territory.frontlines, start).itertuples(index=False)
        if f.geometry is not None and not f.geometry.is_empty
    ]
    piece_ids, pieces = _line_pieces([f.geometry for f in rows], PRECISION)
    records = [
        record(
            "frontline",
            side_a=f.side_a,
            side_b=f.side_b,
            pieces=ids,
            **{"from": int(f.day_from), "to": _opt_int(f.day_to)},
        )
        for f, ids in zip(rows, piece_ids, strict=True)
    ]
    return records, pieces


def _line_pieces(
    geoms: list[BaseGeometry], precision: int
) -> tuple[list[list[int]], list[list[list[float]]]]:
    """Split lines at every junction or end point they share, and number the pieces.

    Returns, per geometry, the ids of its pieces, and the pieces as [lat, lon] lists.
    """
    if not geoms:
        return [], []
    parts, owner = shapely.get_parts(np.array(geoms, dtype=object), return_index=True)
    xy, part = shapely.get_coordinates(parts, return_index=True)
    xy = np.round(xy, precision)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = (part[1:] != part[:-1]) | np.any(xy[1:] != xy[:-1], axis=1)
    xy, part = xy[keep], part[keep]
    points, ids = np.unique(xy, axis=0, return_inverse=True)
    ids = ids.ravel()
    first = np.ones(len(ids), dtype=bool)
    first[1:] = part[1:] != part[:-1]
    last = np.roll(first, -1)
    # Degree of each point in the union of all segments (each undirected segment once).
    seg = ~first
    a, b = ids[np.flatnonzero(seg) - 1], ids[seg]
    edges = np.unique(np.sort(np.stack([a, b], axis=1), axis=1), axis=0)
    degree = np.bincount(edges.ravel(), minlength=len(points))
    breaks = (degree != 2)[ids] | first | last
    index: dict[tuple[int, ...], int] = {}
    pieces: list[list[list[float]]] = []
    own: list[set[int]] = [set() for _ in geoms]
    cuts = np.flatnonzero(breaks)
    for begin, end in itertools.pairwise(cuts):
        if first[end] or part[begin] != part[end]:
            continue
        piece = tuple(ids[begin : end + 1].tolist())
        key = min(piece, piece[::-1])
        if key not in index:
            index[key] = len(pieces)
            pieces.append([[_num(points[k][1]), _num(points[k][0])] for k in key])
        own[owner[part[begin]]].add(index[key])
    return [sorted(o) for o in own], pieces


def _stats(territory: Territory) -> dict[str, Any]:
    """Ground per side at the start of each period of constant state (a step function):
    held and zone, each certain and uncertain (:func:`mapgen.render.series.ground_series`)."""
    timeline = territory.timeline
    series = ground_series(territory)
    days = [_day(d, timeline.start) for d in series.index]
    sides = list(dict.fromkeys(series.columns.get_level_values(0)))
    return {
        "d": days,
        "parts": list(PARTS),
        "km2": {
            side: {part: [round(float(v), 1) for v in series[(side, part)]] for part in PARTS}
            for side in sides
        },
        "total": round(float(territory.study_area_km2), 1),
    }


def _base_layers(extent: Iterable[float]) -> dict[str, list]:
    """Countries, governorate lines, rivers and lakes around the extent, simplified."""
    lon0, lat0, lon1, lat1 = extent
    m = _BASE_MARGIN_DEG
    window = box(lon0 - m, lat0 - m, lon1 + m, lat1 + m)
    tolerance = 10.0**-BASE_PRECISION
    out: dict[str, list] = {}
    try:
        folder = layers_folder((lon0, lat0, lon1, lat1))
    except ImportError:  # no base layers for this region (the world data is not installed)
        return {name: [] for name in BASE_LAYERS}
    for name in BASE_LAYERS:
        layer: gpd.GeoDataFrame = read_layer(name, folder)
        clipped = shapely.intersection(layer.geometry.values, window)
        clipped = shapely.simplify(clipped, tolerance, preserve_topology=True)
        names = layer["name"] if "name" in layer.columns else pd.Series([""] * len(layer))
        out[name] = [
            [str(n) if isinstance(n, str) else "", _coords(g, BASE_PRECISION)]
            for n, g in zip(names, clipped, strict=True)
            if g is not None and not g.is_empty and _coords(g, BASE_PRECISION)
        ]
    return out


def _coords(geom: BaseGeometry, precision: int) -> list:
    """Leaflet-ready [lat, lon] nesting: a list of polygons (rings) or of lines.

    Polygons become ``[[ring, hole…], …]`` and lines ``[[point…], …]``; whether it is a
    polygon or a line is known from the layer it belongs to.
    """
    parts = getattr(geom, "geoms", [geom])
    out: list = []
    for part in parts:
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
            coded = [_ring(r.coords, precision) for r in rings]
            coded = [r for r in coded if len(r) >= 4]
            if coded:
                out.append(coded)
        elif part.geom_type == "LineString":
            line = _ring(part.coords, precision)
            if len(line) >= 2:
                out.append(line)
        elif part.geom_type in ("MultiPolygon", "MultiLineString", "GeometryCollection"):
            out.extend(_coords(part, precision))
    return out


def _ring(coords: Iterable, precision: int) -> list[list[float]]:
    arr = np.round(np.asarray(coords, dtype=float)[:, :2], precision)
    keep = np.ones(len(arr), dtype=bool)
    keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)
    arr = arr[keep]
    return [[_num(lat), _num(lon)] for lon, lat in arr]


def _num(x: float) -> float | int:
    if not math.isfinite(x):
        raise ValueError(f"coordinate {x!r} is not a finite number")
    return int(x) if x == int(x) else float(x)
