"""Options shared by several commands.

Library modules are imported where they are used, not at the top: the command line loads
pandas, geopandas and matplotlib only for a command that needs them (``mapgen --help`` and
``mapgen validate --help`` load none).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd

    from mapgen.dataset import Dataset, DatasetFiles

_FILE = click.Path(path_type=Path, dir_okay=False)
DATASET_FILE_OPTIONS = (
    "events",
    "places",
    "extra_places",
    "controllers",
    "city_polygons",
    "info",
    "areas",
    "relations",
)


def dataset_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--events/--places/--controllers/--city-polygons/--info/--areas/--relations, defaulting
    to the embedded data."""
    options = [
        click.option(
            "--dataset",
            type=click.Path(path_type=Path, file_okay=False, exists=True),
            help="A dataset folder (events.csv, places.csv, controllers.csv and, where "
            "present, areas.geojson, relations.csv, city_polygons.geojson, dataset.toml), "
            "e.g. one written by import-areas. Options below replace single files.",
        ),
        click.option("--events", type=_FILE, help="Events table (CSV). Default: embedded."),
        click.option("--places", type=_FILE, help="Gazetteer (CSV). Default: embedded."),
        click.option(
            "--extra-places",
            type=_FILE,
            multiple=True,
            help="More places (CSV, the gazetteer's layout) added to the gazetteer, e.g. "
            "the new places of an ACLED import. Repeatable.",
        ),
        click.option("--controllers", type=_FILE, help="Controllers (CSV). Default: embedded."),
        click.option(
            "--city-polygons",
            type=_FILE,
            help="Polygons of places (GeoJSON/GPKG with a 'place' property). Default: embedded.",
        ),
        click.option(
            "--info",
            type=_FILE,
            help="Dataset info (TOML: title, start, end, extent). Default: embedded, "
            "unless --events is given.",
        ),
        click.option(
            "--areas",
            type=_FILE,
            help="Shapes of the area (polygon) events: GeoJSON, features with an 'id'. "
            "Default: areas.geojson beside --events, else embedded.",
        ),
        click.option(
            "--relations",
            type=_FILE,
            help="Who fights whom (CSV: side_a, side_b, relation hostile|allied|neutral). "
            "Default: relations.csv beside --controllers, else embedded.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def files_from(options: dict[str, Any]) -> DatasetFiles:
    """The dataset files named by :func:`dataset_options` values: a --dataset folder's
    files, each replaced by the file an option names."""
    from mapgen.dataset import DatasetFiles

    if options.get("dataset"):
        files = DatasetFiles.from_folder(options["dataset"])
        chosen = {
            name: Path(options[name])
            for name in ("events", "places", "controllers", "city_polygons", "info")
            if options.get(name)
        }
        extra = tuple(Path(p) for p in options.get("extra_places") or ())
        return dataclasses.replace(files, **chosen, extra_places=extra)
    return DatasetFiles.from_options(
        events=options.get("events"),
        places=options.get("places"),
        controllers=options.get("controllers"),
        city_polygons=options.get("city_polygons"),
        info=options.get("info"),
        extra_places=tuple(options.get("extra_places") or ()),
        areas=options.get("areas"),
        relations=options.get("relations"),
    )


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> pd.Timestamp | None:
    from mapgen.dates import parse_day

    if value is None:
        return None
    try:
        return parse_day(value, what=f"--{param.name}")
    except ValueError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1]) from exc


def range_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--start/--end: the first and last day of the map (YYYY-MM-DD)."""
    func = click.option(
        "--end", callback=_day, metavar="YYYY-MM-DD", help="Last day (default: dataset's)."
    )(func)
    return click.option(
        "--start", callback=_day, metavar="YYYY-MM-DD", help="First day (default: dataset's)."
    )(func)


def territory_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--method/--desert/--zone-max-km/--infer, gathered into one ``territory`` argument."""
    from mapgen.territory import DESERT_RULES, METHODS, TerritoryOptions

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        method: str,
        desert: str,
        zone_max_km: float | None,
        infer: bool,
        **kwargs: Any,
    ) -> Any:
        kwargs["territory"] = TerritoryOptions(
            method=method, desert=desert, zone_max_km=zone_max_km, infer=infer
        )
        return func(*args, **kwargs)

    defaults = TerritoryOptions()
    wrapper = click.option(
        "--infer/--no-infer",
        default=defaults.infer,
        show_default=True,
        help="Let gazetteer places without events inherit the state of the nearest "
        "reported place on the same river bank (marked as inferred).",
    )(wrapper)
    wrapper = click.option(
        "--zone-max-km",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="KM",
        help="With --desert zone: ground farther than KM of travel from all held ground "
        "stays unassigned (default: no limit).",
    )(wrapper)
    wrapper = click.option(
        "--desert",
        type=click.Choice(DESERT_RULES),
        default=defaults.desert,
        show_default=True,
        help="Ground beyond every place's reach: 'zone' gives it, as a zone counted apart from "
        "held ground, to the side whose held ground is nearest; 'unassigned' leaves it white.",
    )(wrapper)
    return click.option(
        "--method",
        type=click.Choice(list(METHODS)),
        default=defaults.method,
        show_default=True,
        help="How held places become held ground.",
    )(wrapper)


def _days(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> list[pd.Timestamp] | None:
    from mapgen.dates import parse_day

    days = []
    for item in value:
        for text in filter(None, (t.strip() for t in item.split(","))):
            try:
                days.append(parse_day(text, what=f"--{param.name}"))
            except ValueError as exc:
                raise click.BadParameter(str(exc).split(": ", 1)[-1]) from exc
    return sorted(set(days)) or None


def days_option(name: str, *, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Days as ``YYYY-MM-DD``, comma-separated and/or repeated; ``None`` when not given."""
    return click.option(name, multiple=True, callback=_days, metavar="YYYY-MM-DD,...", help=help)


def series_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--every/--dates/--format/--dpi/--width (snapshots) and --fps/--pause (timelapse),
    gathered into one ``series`` argument (:class:`~mapgen.render.series_options.SeriesOptions`,
    whose defaults they show); ``build`` and ``snapshots`` both take them."""
    from mapgen.render.series_options import SeriesOptions

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _SERIES_FIELDS}
        if values["dates"] is not None:
            values["dates"] = tuple(values["dates"])
        kwargs["series"] = SeriesOptions(**values)
        return func(*args, **kwargs)

    for option in reversed(_series_click_options()):
        wrapper = option(wrapper)
    return wrapper


_SERIES_FIELDS = ("every", "dates", "fmt", "dpi", "width_in", "fps", "pause_s")


def _series_click_options() -> list[Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """The click options of :func:`series_options`, in the order --help shows them."""
    from mapgen.render.series_options import FORMATS, SeriesOptions

    defaults = SeriesOptions()
    return [
        click.option(
            "--every",
            type=click.IntRange(min=1),
            default=defaults.every,
            show_default=True,
            metavar="N",
            help="Snapshots: every N-th day only, from the first day.",
        ),
        days_option(
            "--dates", help="Snapshots: only these days (comma-separated); overrides --every."
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=defaults.fmt,
            show_default=True,
            help="Snapshots: PNG for slides and the web, SVG (text kept as text) for reports.",
        ),
        click.option(
            "--dpi",
            type=click.IntRange(min=20),
            default=defaults.dpi,
            show_default=True,
            help="Snapshots: resolution of PNG files.",
        ),
        click.option(
            "--width",
            "width_in",
            type=click.FloatRange(min=3),
            default=defaults.width_in,
            show_default=True,
            help="Snapshots: width of a map in inches (the height follows the extent).",
        ),
        click.option(
            "--fps",
            type=click.FloatRange(min=0.1),
            default=defaults.fps,
            show_default=True,
            help="Timelapse: days per second.",
        ),
        click.option(
            "--pause",
            "pause_s",
            type=click.FloatRange(min=0),
            default=defaults.pause_s,
            show_default=True,
            help="Timelapse: extra seconds held on each change date.",
        ),
    ]


def jobs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--jobs: processes to render maps with."""
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes to render the maps with. Default: all cores.",
    )(func)


def scheduler_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--scheduler (or MAPGEN_SCHEDULER): the address of a Dask scheduler to build on."""
    return click.option(
        "--scheduler",
        envvar="MAPGEN_SCHEDULER",
        metavar="ADDRESS",
        default=None,
        help="Build on the Dask cluster whose scheduler is at ADDRESS (e.g. "
        "tcp://10.0.0.5:8786; also read from MAPGEN_SCHEDULER); the outputs are written "
        "here, the same as a local build's. Default: on this machine (see --jobs).",
    )(func)


def load_checked(options: dict[str, Any], *, ranged: bool = True) -> Dataset:
    """The dataset named by the options, its warnings echoed to stderr.

    ``ranged``: cut the map's range to --start/--end (commands that draw only some days
    but compute the whole history pass False).
    """
    from mapgen.dataset import load_dataset

    files = files_from(options)
    if ranged:
        dataset = load_dataset(files, start=options.get("start"), end=options.get("end"))
    else:
        dataset = load_dataset(files)
    for problem in dataset.problems.warnings:
        click.echo(str(problem), err=True)
    return dataset


def _extent(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        lon0, lat0, lon1, lat1 = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not four numbers; write LON_MIN,LAT_MIN,LON_MAX,LAT_MAX"
        ) from exc
    if not (-180 <= lon0 < lon1 <= 180 and -90 <= lat0 < lat1 <= 90):
        raise click.BadParameter(
            f"{value!r} is not a box: need -180 ≤ lon_min < lon_max ≤ 180, "
            "-90 ≤ lat_min < lat_max ≤ 90"
        )
    return (lon0, lat0, lon1, lat1)


def extent_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--extent: a lon/lat box (LON_MIN,LAT_MIN,LON_MAX,LAT_MAX)."""
    return click.option(
        "--extent",
        callback=_extent,
        metavar="LON_MIN,LAT_MIN,LON_MAX,LAT_MAX",
        help="Only this lon/lat box (decimal degrees, WGS 84).",
    )(func)
