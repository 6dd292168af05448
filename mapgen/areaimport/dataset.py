"""A polygon series as a mapgen dataset folder.

``import_areas`` turns the series into each side's partition (:mod:`.pieces`) and the
tables of a dataset; ``write_dataset`` writes them with the standard file names:

``events.csv``      one area event where a piece starts (``controlled``) or ends (``ended``)
``areas.geojson``   the pieces, each with ``id``, ``name``, ``method``, ``notes``
``places.csv``      empty, or a GeoNames selection for the region
``controllers.csv`` the sides, with the ISO3 ``countries`` their ground lies in
``relations.csv``   every pair of sides, hostile unless the user says otherwise
``dataset.toml``    title, start, end, extent, ``default_controller``, ``missing_days``
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from mapgen._io import csv_text, write_text_atomic
from mapgen.areaimport.pieces import EMPTY, REMAINDER, Partition, PartitionBuilder
from mapgen.areaimport.series import Series
from mapgen.boundaries import metric_crs
from mapgen.errors import InputFileError
from mapgen.events import FILE_COLUMNS
from mapgen.export.geojson import write_frame
from mapgen.landmarks import Landmarks, geonames_landmarks
from mapgen.world.layers import country_bounds
from mapgen.world.sources import CITIES

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
EVENT_COLUMNS = [*FILE_COLUMNS, "area"]
CONTROLLER_COLUMNS = ["id", "name", "color", "aliases", "notes", "countries"]
RELATION_COLUMNS = ["side_a", "side_b", "relation", "valid_from", "valid_to", "source", "notes"]
# Okabe-Ito colours, readable with colour-blindness; the sides take them in order.
PALETTE = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442")
#: A side holds ground in a country when at least this share of its largest extent lies there.
COUNTRY_SHARE = 0.01
#: How every piece's ``method`` begins (maps draw pieces without outlines between them).
PIECE_METHOD = "imported from a series of control polygons (mapgen import-areas)"
DATASET_FILES = (
    "events.csv",
    "areas.geojson",
    "places.csv",
    "controllers.csv",
    "relations.csv",
    "dataset.toml",
)


@dataclass(frozen=True)
class ImportOptions:
    """How a series becomes a dataset."""

    source: str = ""  # who drew the polygons: goes into every event's source
    source_url: str = ""
    rest: str | None = None  # the side that holds everything else
    title: str | None = None
    extent: tuple[float, float, float, float] | None = None
    countries: tuple[str, ...] | None = None  # ISO3; None: from the base layers
    tile_deg: float = 0.25
    min_change: float = 1e-7
    name_pieces: bool = True  # name each piece after the GeoNames places near it


@dataclass
class ImportedDataset:
    """Everything an import writes, in memory."""

    partitions: list[Partition]
    series: Series
    options: ImportOptions
    extent: tuple[float, float, float, float]
    countries: dict[str, tuple[str, ...]]
    places: list[dict[str, str]] = field(default_factory=list)
    landmarks: Landmarks | None = None  # the places a piece is named after (GeoNames)

    @property
    def start(self) -> pd.Timestamp:
        return self.series.all_days()[0]

    @property
    def end(self) -> pd.Timestamp:
        return self.series.all_days()[-1]

    @property
    def sides(self) -> list[str]:
        rest = [self.options.rest] if self.options.rest else []
        return [p.side for p in self.partitions] + rest


def import_areas(
    series: Series,
    options: ImportOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportedDataset:
    """Partition each side's polygons and work out the dataset's extent and countries."""
    options = options or ImportOptions()
    if options.rest is not None and options.rest in series.sides:
        raise InputFileError(f"the side {options.rest!r} both has polygons and holds the rest")
    if not series.sides and options.rest is None:
        raise InputFileError("no polygon in the input, and no side that holds the rest")
    partitions = []
    total, done = len(series.sides) * len(series.all_days()), 0
    for side in series.sides:
        builder = PartitionBuilder(side, tile_deg=options.tile_deg, min_change=options.min_change)
        own = series.days[side]
        # A day the series has but this side has no polygon on: it holds nothing that day.
        for day in series.all_days():
            builder.add_day(day, own.get(day, EMPTY))
            done += 1
            if progress is not None:
                progress(done, total)
        partitions.append(builder.partition)
    countries = _countries(series, options)
    extent = options.extent or _extent(series, countries, options)
    every = sorted({c for cs in countries.values() for c in cs})
    landmarks = geonames_landmarks(every, extent) if options.name_pieces else None
    return ImportedDataset(partitions, series, options, extent, countries, landmarks=landmarks)


def piece_ids(shapes: pd.DataFrame) -> set[str]:
    """The area ids of a dataset's imported pieces (their ``method`` says so)."""
    if shapes.empty or "method" not in shapes.columns:
        return set()
    return set(shapes.loc[shapes["method"].astype(str).str.startswith(PIECE_METHOD), "area"])


def remainder_ids(shapes: pd.DataFrame) -> set[str]:
    """The pieces that are what is left of an ended piece: no ground changed hands there."""
    if shapes.empty or "notes" not in shapes.columns:
        return set()
    return set(shapes.loc[shapes["notes"].astype(str).str.startswith(REMAINDER), "area"])


def _countries(series: Series, options: ImportOptions) -> dict[str, tuple[str, ...]]:
    """The ISO3 countries of each side's ground (and of the rest: all of them)."""
    if options.countries is not None:
        chosen = {side: tuple(options.countries) for side in series.sides}
    else:
        chosen = {side: _countries_of(list(series.days[side].values())) for side in series.sides}
    if options.rest is not None:
        chosen[options.rest] = tuple(sorted({c for cs in chosen.values() for c in cs}))
    return chosen


def _countries_of(geoms: list[shapely.Geometry]) -> tuple[str, ...]:
    from mapgen.boundaries import read_layer

    ground = shapely.union_all(geoms)
    try:
        layer = read_layer("countries", extent=tuple(ground.bounds))
    except ImportError as exc:
        log.warning("cannot tell which countries the ground lies in: %s", exc)
        return ()
    crs = metric_crs(tuple(ground.bounds))
    metric = gpd.GeoSeries([ground], crs=WGS84).to_crs(crs).iloc[0]
    shares = layer.to_crs(crs).geometry.intersection(metric).area / max(metric.area, 1.0)
    return tuple(sorted(layer.loc[shares >= COUNTRY_SHARE, "iso_a3"]))


def _extent(
    series: Series, countries: dict[str, tuple[str, ...]], options: ImportOptions
) -> tuple[float, float, float, float]:
    """The polygons' box grown by a tenth; with ``rest``, the box of the sides' countries."""
    x0, y0, x1, y1 = series.bounds()
    every = sorted({c for cs in countries.values() for c in cs})
    if options.rest is not None and every:
        try:
            x0, y0, x1, y1 = country_bounds(every)
        except ImportError as exc:  # no world data: the polygons' box
            log.warning("cannot read the countries' outlines: %s", exc)
        pad = 0.05
    else:
        pad = 0.1 * max(x1 - x0, y1 - y0, 0.01)
    return (
        round(max(-180.0, x0 - pad), 3),
        round(max(-90.0, y0 - pad), 3),
        round(min(180.0, x1 + pad), 3),
        round(min(90.0, y1 + pad), 3),
    )


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def event_rows(data: ImportedDataset) -> list[dict[str, str]]:
    """One row where each piece starts and one where it ends, by date; ends first."""
    rows: list[tuple[pd.Timestamp, int, str, dict[str, str]]] = []
    source = data.options.source
    for part in data.partitions:
        for piece in part.pieces:
            origin = data.series.origin[(part.side, piece.start)]
            rows.append((piece.start, 1, piece.id, _event(piece.id, "start", piece.start)))
            rows[-1][3].update(
                controller=part.side,
                status="controlled",
                source=f"{source}: {origin}" if source else origin,
                notes=piece.origin,
            )
            if piece.end is not None:
                origin = data.series.origin.get((part.side, piece.end), "no polygon that day")
                rows.append((piece.end, 0, piece.id, _event(piece.id, "end", piece.end)))
                rows[-1][3].update(
                    controller=part.side,
                    status="ended",
                    source=f"{source}: {origin}" if source else origin,
                    notes="ground changed: ended, what is left is a new piece",
                )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in rows]


def _event(area: str, kind: str, day: pd.Timestamp) -> dict[str, str]:
    row = dict.fromkeys(EVENT_COLUMNS, "")
    row.update(event_id=f"{area}:{kind}", date=f"{day:%Y-%m-%d}", date_precision="day")
    row["area"] = area
    return row


def areas_frame(data: ImportedDataset) -> gpd.GeoDataFrame:
    """The pieces as the areas file: ``id``, ``name``, ``method``, ``notes``."""
    records, geoms = [], []
    method = (
        f"{PIECE_METHOD}: the side's "
        f"ground on each day cut into pieces that stay until their ground changes, on a "
        f"{data.options.tile_deg:g}° grid"
    )
    if data.landmarks is not None:
        method += f"; named after the populated places near it ({CITIES.licence})"
    pieces = [(part.side, piece) for part in data.partitions for piece in part.pieces]
    near = _places_near([piece.geometry for _, piece in pieces], data.landmarks)
    for (side, piece), place in zip(pieces, near, strict=True):
        end = f" to {piece.end:%Y-%m-%d}" if piece.end is not None else ""
        where = f" {place}," if place else ""
        records.append(
            {
                "id": piece.id,
                "name": f"{side_title(side)} ground{where} from {piece.start:%Y-%m-%d}{end}",
                "method": method,
                "notes": piece.origin,
            }
        )
        geoms.append(piece.geometry)
    frame = gpd.GeoDataFrame(
        pd.DataFrame(records, columns=["id", "name", "method", "notes"]),
        geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
    )
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def _places_near(geoms: list[shapely.Geometry], landmarks: Landmarks | None) -> list[str]:
    """Where each piece lies, in words (``near Pokrovsk, Lazurnyi``; none without landmarks)."""
    if landmarks is None or not geoms:
        return ["" for _ in geoms]
    metric = gpd.GeoSeries(geoms, crs=WGS84).to_crs(landmarks.crs)
    return landmarks.where_each(list(metric))


def side_title(side: str) -> str:
    """A side's display name made from its id (``russia`` → ``Russia``)."""
    return side.replace("-", " ").replace("_", " ").title()


def controller_rows(data: ImportedDataset) -> list[dict[str, str]]:
    rows = []
    for k, side in enumerate(data.sides):
        note = "holds all ground no polygon gives" if side == data.options.rest else ""
        rows.append(
            {
                "id": side,
                "name": side_title(side),
                "color": PALETTE[k % len(PALETTE)],
                "aliases": "",
                "notes": note or "from the imported polygons",
                "countries": "|".join(data.countries.get(side, ())),
            }
        )
    return rows


def relation_rows(data: ImportedDataset) -> list[dict[str, str]]:
    return [
        {
            "side_a": a,
            "side_b": b,
            "relation": "hostile",
            "valid_from": "",
            "valid_to": "",
            "source": "mapgen import-areas: every pair of sides is taken as hostile",
            "notes": "edit if these sides were not fighting each other",
        }
        for a, b in combinations(sorted(data.sides), 2)
    ]


def dataset_toml(data: ImportedDataset) -> str:
    missing = data.series.missing_days()
    title = (
        data.options.title or f"Territorial control, {data.start:%Y-%m-%d} to {data.end:%Y-%m-%d}"
    )
    days = len(data.series.all_days())
    description = (
        f"Imported with mapgen import-areas from {days} days of control polygons"
        + (f" ({data.options.source})" if data.options.source else "")
        + f"; {len(missing)} days missing from the series keep the day before's state."
    )
    lines = [
        "# Written by mapgen import-areas.",
        f"title = {_toml_str(title)}",
        f"description = {_toml_str(description)}",
        f'start = "{data.start:%Y-%m-%d}"',
        f'end = "{data.end:%Y-%m-%d}"',
        "# lon_min, lat_min, lon_max, lat_max",
        "extent = [" + ", ".join(f"{v:g}" for v in data.extent) + "]",
    ]
    if data.options.rest:
        lines.append(f"default_controller = {_toml_str(data.options.rest)}")
    lines.append("# Days with no polygon file: the day before's state holds.")
    lines.append("missing_days = [" + ", ".join(f'"{d:%Y-%m-%d}"' for d in missing) + "]")
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_dataset(data: ImportedDataset, out: Path | str) -> list[Path]:
    """Write the dataset's files into ``out`` (each atomically) and return their paths."""
    from mapgen.world.geonames import COLUMNS as PLACE_COLUMNS

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputFileError(f"{out}: exists and is not a folder")
    return [
        write_text_atomic(out / "events.csv", csv_text(event_rows(data), EVENT_COLUMNS)),
        write_frame(areas_frame(data), out / "areas.geojson", name="areas"),
        write_text_atomic(out / "places.csv", csv_text(data.places, PLACE_COLUMNS)),
        write_text_atomic(
            out / "controllers.csv", csv_text(controller_rows(data), CONTROLLER_COLUMNS)
        ),
        write_text_atomic(out / "relations.csv", csv_text(relation_rows(data), RELATION_COLUMNS)),
        write_text_atomic(out / "dataset.toml", dataset_toml(data)),
    ]
