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

import itertools
import json
import math
from collections.abc import Iterable
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from mapgen.boundaries import read_layer
from mapgen.dates import format_date
from mapgen.geomstore import GeometryStore
from mapgen.render.style import (
    BESIEGED_LABEL,
    CONTESTED_LABEL,
    UNASSIGNED_COLOR,
    attribution,
    legend_entries,
    map_extent,
)
from mapgen.territory import Territory

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
        "labels": {"contested": CONTESTED_LABEL, "besieged": BESIEGED_LABEL},
        "unassigned_color": UNASSIGNED_COLOR,
        "attribution": attribution(dataset),
        "places": _places(territory, places, event_index),
        "areas": _areas(territory, place_index, geoms),
        "frontlines": frontlines,
        "lines": lines,
        "geoms": geoms.items,
        "events": [[e[name] for name in SCHEMA["event"]] for e in events],
        "stats": _stats(territory),
        "base": _base_layers(extent),
    }


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
        {"id": c.id, "name": c.name, "color": c.color, "legend": c.id in shown}
        for c in territory.timeline.dataset.controllers
    ]


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
                date=format_date(s.valid_from, s.from_precision or "day"),
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


def _name(place_id: object, names: pd.Series) -> str:
    """A place's name for display (its id when the gazetteer has no name)."""
    text = str(place_id or "")
    name = names.get(text)
    return str(name) if isinstance(name, str) and name else text


def _split(sources: object) -> list[str]:
    return [s for s in str(sources or "").split(";") if s]


def _events(territory: Territory) -> list[dict[str, str]]:
    """The events cited by any place state, in event-id order of first citation."""
    cited: dict[str, None] = {}
    for sources in territory.places["sources"]:
        for e in _split(sources):
            cited.setdefault(e, None)
    table = territory.timeline.dataset.events.drop_duplicates("event_id")
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
    territory: Territory, place_index: dict[str, int], geoms: GeometryStore[list]
) -> list[dict[str, Any]]:
    start = territory.timeline.start
    out = []
    areas = _with_days(territory.areas, start)
    for a in areas.itertuples(index=False):
        out.append(
            record(
                "area",
                place=place_index.get(a.place_id, -1) if not a.polygon else -1,
                controller=a.controller,
                status=STATUS_CODES[a.status],
                opponent=a.opponent or "",
                inferred=1 if a.basis == "inferred" else 0,
                kind=KIND_CODES[a.kind],
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
    """Area per side at the start of each period of constant state (a step function)."""
    timeline = territory.timeline
    periods = timeline.periods()
    days = [_day(d, timeline.start) for d in periods["valid_from"]]
    stats = territory.stats()
    stats = stats[stats["date"].isin(periods["valid_from"])]
    table = stats.pivot_table(
        index="date", columns="controller", values="area_km2", aggfunc="sum", fill_value=0.0
    )
    table = table.reindex(periods["valid_from"], fill_value=0.0)
    sides = [c.id for c in timeline.dataset.controllers if c.id in table.columns]
    return {
        "d": days,
        "km2": {s: [round(float(v), 1) for v in table[s]] for s in sides},
        "total": round(float(territory.study_area_km2), 1),
    }


def _base_layers(extent: Iterable[float]) -> dict[str, list]:
    """Countries, governorate lines, rivers and lakes around the extent, simplified."""
    lon0, lat0, lon1, lat1 = extent
    m = _BASE_MARGIN_DEG
    window = box(lon0 - m, lat0 - m, lon1 + m, lat1 + m)
    tolerance = 10.0**-BASE_PRECISION
    out: dict[str, list] = {}
    for name in BASE_LAYERS:
        layer: gpd.GeoDataFrame = read_layer(name)
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
