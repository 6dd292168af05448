"""A dataset: events, places, controllers and what the map covers, loaded and checked together.

The embedded default dataset (the 2017–2019 Euphrates campaign) lives in ``mapgen/data``
(``data/`` in the repository) and is used for any file the caller does not give.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mapgen._io import read_text
from mapgen.areas import empty_shapes, read_areas, resolve_shapes
from mapgen.controllers import Controllers, read_controllers
from mapgen.dates import check_range, parse_day
from mapgen.errors import DateRangeError, InputFileError
from mapgen.events import read_events
from mapgen.fields import FieldError, toml_number, toml_text
from mapgen.gazetteer import Gazetteer, read_city_polygons, read_places
from mapgen.problems import Problems, display_path
from mapgen.relations import Relations, read_relations

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class DatasetFiles:
    """The files a dataset is read from; ``None`` means the embedded default for that part."""

    events: Path = DATA_DIR / "events.csv"
    places: Path = DATA_DIR / "places.csv"
    controllers: Path = DATA_DIR / "controllers.csv"
    city_polygons: Path | None = DATA_DIR / "city_polygons.geojson"
    info: Path | None = DATA_DIR / "dataset.toml"
    extra_places: tuple[Path, ...] = ()  # more places, added to the gazetteer's
    areas: Path | None = DATA_DIR / "areas.geojson"  # shapes of area events
    relations: Path | None = DATA_DIR / "relations.csv"  # who fights whom

    @classmethod
    def from_options(
        cls,
        *,
        events: Path | str | None = None,
        places: Path | str | None = None,
        controllers: Path | str | None = None,
        city_polygons: Path | str | None = None,
        info: Path | str | None = None,
        extra_places: tuple[Path | str, ...] = (),
        areas: Path | str | None = None,
        relations: Path | str | None = None,
    ) -> DatasetFiles:
        """Files from user options.

        A user's own events table does not inherit the default range, extent and areas
        (an ``areas.geojson`` beside it is used), a user's own controllers table does not
        inherit the default relations (a ``relations.csv`` beside it is used), and a user's
        own gazetteer does not inherit the default city polygons.
        """
        default = cls()
        own_events = events is not None
        own_places = places is not None
        if areas is None:
            areas = _beside(events, "areas.geojson") if own_events else default.areas
        if relations is None:
            relations = _beside(controllers, "relations.csv") if controllers else default.relations
        return cls(
            events=Path(events) if events else default.events,
            places=Path(places) if places else default.places,
            controllers=Path(controllers) if controllers else default.controllers,
            city_polygons=Path(city_polygons)
            if city_polygons
            else (None if own_places else default.city_polygons),
            info=Path(info) if info else (None if own_events else default.info),
            extra_places=tuple(Path(p) for p in extra_places),
            areas=Path(areas) if areas else None,
            relations=Path(relations) if relations else None,
        )

    @classmethod
    def from_folder(cls, folder: Path | str) -> DatasetFiles:
        """A dataset folder with the standard file names: ``events.csv``, ``places.csv``
        and ``controllers.csv``, and where present ``areas.geojson``, ``relations.csv``,
        ``city_polygons.geojson`` and ``dataset.toml``. Nothing of the embedded default
        dataset is used."""
        root = Path(folder)
        if not root.is_dir():
            raise InputFileError(f"{display_path(root)}: no such folder")

        def present(name: str) -> Path | None:
            return root / name if (root / name).is_file() else None

        return cls(
            events=root / "events.csv",
            places=root / "places.csv",
            controllers=root / "controllers.csv",
            city_polygons=present("city_polygons.geojson"),
            info=present("dataset.toml"),
            areas=present("areas.geojson"),
            relations=present("relations.csv"),
        )


def _beside(path: Path | str, name: str) -> Path | None:
    """``name`` in the folder of ``path``, if such a file exists."""
    candidate = Path(path).parent / name
    return candidate if candidate.is_file() else None


@dataclass(frozen=True)
class Milestone:
    """A dated note for the time axis (e.g. a declaration of victory), with its source."""

    date: pd.Timestamp
    label: str
    source: str


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is about: a title, the map's date range and its extent."""

    title: str = "Territorial control"
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    extent: tuple[float, float, float, float] | None = None
    description: str = ""
    milestones: tuple[Milestone, ...] = ()
    default_controller: str = ""  # who holds what no place or polygon says (e.g. "ukraine")


@dataclass(frozen=True)
class Dataset:
    """Checked, resolved input: the contract every later step reads from."""

    events: pd.DataFrame
    places: Gazetteer
    controllers: Controllers
    info: DatasetInfo
    files: DatasetFiles = field(default_factory=DatasetFiles)
    problems: Problems = field(default_factory=Problems)
    relations: Relations = field(default_factory=Relations)
    shapes: gpd.GeoDataFrame = field(default_factory=empty_shapes)  # area events' polygons

    @property
    def start(self) -> pd.Timestamp:
        """The first day of the map's range (from the dataset's info or its first event)."""
        if self.info.start is not None:
            return self.info.start
        return self.events["start"].min()

    @property
    def end(self) -> pd.Timestamp:
        """The last day of the map's range, inclusive."""
        if self.info.end is not None:
            return self.info.end
        return self.events["start"].max()

    def with_range(self, start: pd.Timestamp | None, end: pd.Timestamp | None) -> Dataset:
        """The same dataset with another map range (``None`` keeps that end as it is)."""
        start = start if start is not None else self.start
        end = end if end is not None else self.end
        check_range(start, end)
        return replace(self, info=replace(self.info, start=start, end=end))


def check_dataset(
    files: DatasetFiles | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> tuple[Dataset, Problems]:
    """Read and check every file, collecting all problems; never raises on bad content.

    The returned dataset holds the rows that passed; look at the problems before using it.
    """
    files = files or DatasetFiles()
    problems = Problems()
    info = read_info(files.info, problems) if files.info else DatasetInfo()
    controllers = read_controllers(files.controllers, problems)
    info = _checked_default(info, controllers, problems, files.info)
    relations = Relations()
    if _given(files.relations, files.controllers, default=DatasetFiles()):
        relations = read_relations(files.relations, controllers, problems)
    places = read_places(files.places, problems)
    for extra in files.extra_places:
        places = places.extended(read_places(extra, problems), problems, path=extra)
    if files.city_polygons is not None:
        places = read_city_polygons(files.city_polygons, places, problems)
    range_end = end if end is not None else info.end
    events = read_events(
        files.events, problems, gazetteer=places, controllers=controllers, end=range_end
    )
    if events.empty and not problems.error_count:
        problems.error("the events table has no rows", path=display_path(files.events), line=2)
    place_ids = [p for p in events["place_id"].unique() if p] if not events.empty else []
    if info.extent is not None and files.info is not None and place_ids:
        _check_extent(info.extent, places.places.geometry.loc[place_ids], problems,
                      display_path(files.info))  # fmt: skip
    areas = empty_shapes()
    if _given(files.areas, files.events, default=DatasetFiles()):
        areas = read_areas(files.areas, problems)
    shape_keys, shapes = resolve_shapes(events, areas, problems, display_path(files.events))
    events = events.assign(shape=shape_keys).drop(columns="geometry")
    dataset = Dataset(events, places, controllers, info, files, problems, relations, shapes)
    if not events.empty:
        dataset = dataset.with_range(start, end)
    return dataset, problems


def _given(path: Path | None, owner: Path, *, default: DatasetFiles) -> bool:
    """Whether an optional file is to be read: one the user gave, or the embedded default
    (if present) when the table it belongs to (``owner``) is the embedded one too."""
    if path is None:
        return False
    if path not in (default.areas, default.relations):
        return True
    return owner in (default.events, default.controllers) and path.is_file()


def load_dataset(
    files: DatasetFiles | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> Dataset:
    """Read, check and resolve a dataset; raise ValidationError listing every error at once."""
    dataset, problems = check_dataset(files, start=start, end=end)
    problems.raise_if_errors()
    return dataset


def read_info(path: Path, problems: Problems) -> DatasetInfo:
    """Read ``dataset.toml``: title, start, end, extent (lon/lat bbox) and milestones."""
    shown = display_path(path)
    try:
        raw = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{shown}: not valid TOML ({exc})") from exc
    where = {"path": shown}
    return DatasetInfo(
        title=_info_text(raw, "title", DatasetInfo.title, problems, where),
        start=_info_day(raw, "start", shown, problems),
        end=_info_day(raw, "end", shown, problems),
        extent=_info_extent(raw.get("extent"), problems, where),
        description=_info_text(raw, "description", "", problems, where),
        milestones=_milestones(raw.get("milestones", []), problems, where),
        default_controller=_info_text(raw, "default_controller", "", problems, where),
    )


def _checked_default(
    info: DatasetInfo, controllers: Controllers, problems: Problems, path: Path | None
) -> DatasetInfo:
    """The info with its default controller resolved to an id (an unknown one is an error)."""
    if not info.default_controller:
        return info
    found = controllers.resolve(info.default_controller)
    if len(found) == 1:
        return replace(info, default_controller=found[0])
    problems.error(
        "unknown default controller",
        path=display_path(path) if path else None,
        column="default_controller",
        value=info.default_controller,
        hint=controllers.hint_for(info.default_controller),
    )
    return replace(info, default_controller="")


def _info_text(
    raw: dict, key: str, default: str, problems: Problems, where: dict, prefix: str = ""
) -> str:
    value = raw.get(key, default)
    try:
        return toml_text(value)
    except FieldError as exc:
        problems.error(
            exc.message, column=prefix + key, value=str(value)[:80], hint=exc.hint, **where
        )
        return default


def _info_extent(
    value: object, problems: Problems, where: dict
) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    hint = "write [lon_min, lat_min, lon_max, lat_max] in degrees, e.g. [38.0, 33.5, 42.5, 36.5]"
    try:
        if not isinstance(value, list) or len(value) != 4:
            raise FieldError("extent must be a list of four numbers", hint)
        lon0, lat0, lon1, lat1 = (
            toml_number(v, low=low, high=high)
            for v, (low, high) in zip(value, [(-180, 180), (-90, 90)] * 2, strict=True)
        )
        if not (lon0 < lon1 and lat0 < lat1):
            raise FieldError("extent must have its minimum before its maximum", hint)
    except FieldError as exc:
        problems.error(
            f"extent: {exc.message}", column="extent", value=str(value)[:80], hint=hint, **where
        )
        return None
    return (lon0, lat0, lon1, lat1)


def _milestones(value: object, problems: Problems, where: dict) -> tuple[Milestone, ...]:
    hint = 'write [[milestones]] tables with date = "YYYY-MM-DD", label = "…", source = "…"'
    if not isinstance(value, list):
        problems.error(
            "milestones must be a list of tables",
            column="milestones",
            value=str(value)[:80],
            hint=hint,
            **where,
        )
        return ()
    milestones = []
    for number, item in enumerate(value, start=1):
        column = f"milestones[{number}]"
        if not isinstance(item, dict):
            problems.error(
                "a milestone must be a table", column=column, value=str(item)[:80], hint=hint,
                **where,
            )  # fmt: skip
            continue
        day = _info_day(item, "date", where["path"], problems, column=f"{column}.date")
        label = _info_text(item, "label", "", problems, where, f"{column}.")
        source = _info_text(item, "source", "", problems, where, f"{column}.")
        if day is not None:
            milestones.append(Milestone(day, label, source))
    return tuple(milestones)


def _check_extent(
    extent: tuple[float, float, float, float], points: gpd.GeoSeries, problems: Problems, path: str
) -> None:
    """An error if the extent holds none of the places of the events (nothing to map)."""
    lon0, lat0, lon1, lat1 = extent
    if (points.x.between(lon0, lon1) & points.y.between(lat0, lat1)).any():
        return
    x0, y0, x1, y1 = points.total_bounds
    problems.error(
        "the extent holds none of the places of the events",
        path=path,
        column="extent",
        value=str(list(extent)),
        hint=f"the places lie within [{x0:g}, {y0:g}, {x1:g}, {y1:g}]; widen the extent",
    )


def _info_day(
    raw: dict, key: str, path: str, problems: Problems, *, column: str | None = None
) -> pd.Timestamp | None:
    value = raw.get(key)
    if value is None:
        if column is not None:  # a milestone's date is required
            problems.error("a milestone needs a date", path=path, column=column)
        return None
    try:
        return parse_day(str(value), what=key)
    except DateRangeError as exc:
        problems.error(str(exc), path=path, column=column or key, value=str(value)[:80])
        return None
