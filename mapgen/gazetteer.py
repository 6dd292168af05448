"""Places: points, optional city polygons, multilingual names and lookup.

The gazetteer is a table (``data/places.csv``) with one row per place and a stable id. City
polygons (``data/city_polygons.geojson``) are optional and replaceable: a user can pass a
file of their own, e.g. an urban outline traced in QGIS, with a ``place`` property naming the
place id.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from mapgen._io import check_columns, read_csv
from mapgen._vector import Feature, read_features
from mapgen.fields import (
    PLACE_ID,
    FieldError,
    checked,
    clean_text,
    identifier,
    number,
    optional_whole_number,
    polygon,
)
from mapgen.names import name_keys, split_aliases
from mapgen.problems import Problems, Suggester, display_path

REQUIRED_COLUMNS = ["id", "name", "lat", "lon"]
OPTIONAL_COLUMNS = [
    "name_ar",
    "aliases",
    "country",
    "governorate",
    "population",
    "population_source",
    "geonames_id",
    "kind",
    "origin",
    "notes",
]
CRS = "EPSG:4326"


class Gazetteer:
    """Places with their names, points and (for some) polygons, looked up by any name.

    Attributes
    ----------
    places
        GeoDataFrame indexed by place id, EPSG:4326 points, columns as in ``places.csv``.
    polygons
        GeoDataFrame indexed by place id of the places that have an area (``method`` says
        how each polygon was made).
    """

    def __init__(self, places: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame | None = None):
        self.places = places
        self.polygons = polygons if polygons is not None else _empty_polygons()
        self._keys: dict[str, set[str]] = {}
        self._memo: dict[str, list[str]] = {}
        self._suggest: Suggester | None = None
        for pid, row in places.iterrows():
            for text in (str(pid), row["name"], row["name_ar"], *row["aliases"]):
                for key in name_keys(text) if text else ():
                    self._keys.setdefault(key, set()).add(str(pid))

    def __contains__(self, place_id: object) -> bool:
        return place_id in self.places.index

    def __len__(self) -> int:
        return len(self.places)

    def resolve(self, text: str) -> list[str]:
        """The ids of the places whose id, name or alias matches ``text``."""
        if text not in self._memo:
            found: set[str] = {text} if text in self.places.index else set()
            for key in () if found else name_keys(text):
                found |= self._keys.get(key, set())
            self._memo[text] = sorted(found)
        return list(self._memo[text])

    def hint_for(self, text: str) -> str:
        if self._suggest is None:  # built on the first unknown name, then reused
            self._suggest = Suggester([*self.places.index, *self.places["name"]])
        suggestion = self._suggest(text)
        return suggestion or "use a place id or a name or alias from the gazetteer"

    def name(self, place_id: str) -> str:
        return str(self.places.at[place_id, "name"])

    def with_polygons(self, polygons: gpd.GeoDataFrame) -> Gazetteer:
        return Gazetteer(self.places, polygons)

    def extended(self, other: Gazetteer, problems: Problems, *, path: Path | str) -> Gazetteer:
        """This gazetteer plus the places of ``other`` (e.g. places an import added).

        An id already taken is an error and the new place is left out.
        """
        clash = other.places.index.intersection(self.places.index)
        for place_id in clash:
            problems.error(
                "the place id is already in the gazetteer",
                path=display_path(path),
                column="id",
                value=str(place_id),
                hint="rename the added place",
            )
        added = other.places.drop(index=clash)
        frame = gpd.GeoDataFrame(pd.concat([self.places, added]), crs=CRS)
        return Gazetteer(frame, self.polygons)


def _empty_polygons() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"method": pd.Series(dtype="str")},
        geometry=gpd.GeoSeries([], crs=CRS),
        index=pd.Index([], name="place", dtype="str"),
    )


def read_places(path: Path | str, problems: Problems) -> Gazetteer:
    """Read and check the places table; problems go to ``problems``, good rows are kept."""
    table = read_csv(path, problems)
    if not check_columns(table, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS):
        return Gazetteer(_frame([]))
    return places_from_rows(((r.line, r.values) for r in table.rows), problems, path=table.path)


def places_from_rows(
    rows: Iterable[tuple[int, dict[str, str]]], problems: Problems, *, path: str
) -> Gazetteer:
    """Check ``(line, values)`` rows of the places table in memory; good rows are kept."""
    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        record = _place_record(values, problems, path=path, line=line, seen=seen)
        if record is not None:
            seen[str(record["id"])] = line
            records.append(record)
    return Gazetteer(_frame(records))


def _place_record(
    v: dict[str, str], problems: Problems, *, path: str, line: int, seen: dict[str, int]
) -> dict[str, object] | None:
    where = {"path": path, "line": line}
    before = problems.error_count
    if checked(problems, _place_id, v["id"], column="id", **where) and v["id"] in seen:
        problems.error(
            f"duplicate place id (first on line {seen[v['id']]})",
            column="id",
            value=v["id"],
            **where,
        )
    if not v["name"]:
        problems.error("a place needs a name", column="name", **where)
    lat = checked(problems, _latitude, v["lat"], column="lat", **where)
    lon = checked(problems, _longitude, v["lon"], column="lon", **where)
    population = checked(problems, optional_whole_number, v.get("population", ""),
                         column="population", **where)  # fmt: skip
    geonames_id = checked(problems, optional_whole_number, v.get("geonames_id", ""),
                          column="geonames_id", **where)  # fmt: skip
    if problems.error_count > before or lat is None or lon is None:
        return None
    return {
        "id": v["id"],
        "name": v["name"],
        "name_ar": v.get("name_ar", ""),
        "aliases": split_aliases(v.get("aliases", "")),
        "country": v.get("country", ""),
        "governorate": v.get("governorate", ""),
        "population": population,
        "population_source": v.get("population_source", ""),
        "geonames_id": geonames_id,
        "kind": v.get("kind", ""),
        "origin": v.get("origin", ""),
        "notes": v.get("notes", ""),
        "geometry": Point(lon, lat),
    }


def _place_id(text: str) -> str:
    return identifier(text, PLACE_ID, rule="lower case letters, digits, '-' or '_'",
                      example="'abu-kamal'")  # fmt: skip


def _latitude(text: str) -> float:
    return number(text, low=-90, high=90, example="34.45226 (decimal degrees, WGS 84)")


def _longitude(text: str) -> float:
    return number(text, low=-180, high=180, example="40.91874 (decimal degrees, WGS 84)")


def _frame(records: list[dict[str, object]]) -> gpd.GeoDataFrame:
    columns = ["id", "name", *OPTIONAL_COLUMNS, "geometry"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["population"] = frame["population"].astype("Int64")
    frame["geonames_id"] = frame["geonames_id"].astype("Int64")
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)
    return gdf.set_index("id")


def read_city_polygons(path: Path | str, gazetteer: Gazetteer, problems: Problems) -> Gazetteer:
    """Attach polygons from a GeoJSON/GeoPackage whose features have a ``place`` property.

    Features are checked: the place must exist, the geometry must be a valid (Multi)Polygon
    (:func:`mapgen.fields.polygon`) and should contain the place's point. Returns a new
    gazetteer with the good polygons.
    """
    shown = display_path(path)
    names, features = read_features(path)
    if "place" not in names:
        problems.error(
            "the polygons need a 'place' property with a place id",
            path=shown,
            hint=f"found properties: {', '.join(names) or 'none'}",
        )
        return gazetteer
    keep: dict[str, object] = {}
    methods: dict[str, str] = {}
    for feature in features:
        place = _polygon_place(feature, gazetteer, problems, shown, keep)
        if place is not None:
            keep[place] = feature.geometry
            method = feature.properties.get("method")
            methods[place] = clean_text(method)[0] if isinstance(method, str) and method else ""
            methods[place] = methods[place] or "user-supplied"
    polygons = gpd.GeoDataFrame(
        {"method": pd.Series(methods, dtype="str")},
        geometry=gpd.GeoSeries(keep, crs=CRS),
    )
    polygons.index.name = "place"
    return gazetteer.with_polygons(polygons.sort_index())


def _polygon_place(
    feature: Feature,
    gazetteer: Gazetteer,
    problems: Problems,
    path: str,
    keep: dict[str, object],
) -> str | None:
    """The place id of a good polygon feature, or None after reporting why it is not."""
    label = f"feature {feature.number}"
    try:
        place = feature.text("place")
    except FieldError as exc:
        problems.error(exc.message, path=path, column="place", hint=exc.hint)
        return None
    where = {"path": path, "column": "place", "value": place}
    if place not in gazetteer:
        problems.error(f"{label}: unknown place", hint=gazetteer.hint_for(place), **where)
        return None
    if place in keep:
        problems.error(f"{label}: a second polygon for the same place", **where)
        return None
    try:
        geom = polygon(feature.geometry)
    except FieldError as exc:
        problems.error(f"{label}: {exc.message}", hint=exc.hint, **where)
        return None
    point = gazetteer.places.geometry.loc[place]
    if not geom.buffer(0.01).contains(point):
        problems.warning(f"{label}: the polygon is away from the place's point", **where)
    return place
