"""The main job: from a dataset to every output in one folder.

``build`` computes the timeline and the territory once and hands them to each registered
writer (:data:`WRITERS`); a writer returns the files it wrote. Options that only one
writer reads live in :class:`BuildOptions`. With ``scheduler`` the work goes to a Dask
cluster (:mod:`mapgen.distributed`) and the outputs are the same, byte for byte.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mapgen._io import refuse_inside
from mapgen.dataset import Dataset, DatasetFiles
from mapgen.errors import OptionError
from mapgen.export import write_changes_csv, write_gis, write_stats_csv, write_timeline_csv
from mapgen.render.html import SliderMap, slider_map
from mapgen.render.series_options import SeriesOptions
from mapgen.render.snapshots import SeriesRenderer, write_snapshots
from mapgen.render.timelapse import write_timelapse
from mapgen.report import write_report
from mapgen.staging import staged_folder
from mapgen.territory import Territory, TerritoryOptions, build_territory
from mapgen.timeline import build_timeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    """Options of the main job beyond the dataset and the range."""

    territory: TerritoryOptions = field(default_factory=TerritoryOptions)
    daily: bool = False  # also write one GeoJSON snapshot per day (gis writer)
    tiles: str = "osm"  # html writer: "osm" (tile layer, off by default) or "none"
    # snapshots writer: out/snapshots/YYYY-MM-DD.<format> on the days chosen (all by
    # default), out/timelapse.gif and .mp4 of every day
    series: SeriesOptions = field(default_factory=SeriesOptions)
    jobs: int | None = None  # processes for rendering; None: all cores
    # the writers to run (names in WRITERS, in any order); None: all of them
    outputs: tuple[str, ...] | None = None
    scheduler: str | None = None  # address of a Dask scheduler to build on; None: this machine
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BuildContext:
    """What every writer gets: the computed territory (with its timeline and dataset), the
    folder to write into, and the output folder of the previous build (to reuse from)."""

    territory: Territory
    out: Path
    options: BuildOptions
    previous: Path | None = None
    renderer: SeriesRenderer | None = None  # None: processes of this machine (options.jobs)

    @property
    def dataset(self) -> Dataset:
        return self.territory.timeline.dataset

    @cached_property
    def slider(self) -> SliderMap:
        """The slider map's page, built once for map.html and the report."""
        return slider_map(self.territory, tiles=self.options.tiles)


def write_tables(ctx: BuildContext) -> list[Path]:
    """timeline.csv, changes.csv and stats.csv."""
    timeline = ctx.territory.timeline
    return [
        write_timeline_csv(timeline, ctx.out / "timeline.csv"),
        write_changes_csv(timeline, ctx.out / "changes.csv"),
        write_stats_csv(ctx.territory, ctx.out / "stats.csv"),
    ]


def write_gis_layers(ctx: BuildContext) -> list[Path]:
    """GeoJSON + QML styles, mapgen.gpkg, control.tif; daily snapshots with ``daily``."""
    return write_gis(ctx.territory, ctx.out, daily=ctx.options.daily)


def write_html_map(ctx: BuildContext) -> list[Path]:
    """map.html: the interactive slider map (self-contained, works offline)."""
    return [ctx.slider.save(ctx.out / "map.html")]


def write_snapshot_series(ctx: BuildContext) -> list[Path]:
    """snapshots/YYYY-MM-DD.png for the days chosen (``series.every``, ``series.dates``;
    default every day of the range), timelapse.gif and timelapse.mp4 of every day."""
    o, series = ctx.options, ctx.options.series
    previous = ctx.previous
    timeline = ctx.territory.timeline
    written = write_snapshots(
        ctx.territory,
        ctx.out / "snapshots",
        days=series.days(timeline.start, timeline.end),
        fmt=series.fmt,
        dpi=series.dpi,
        width_in=series.width_in,
        jobs=o.jobs,
        progress=o.progress,
        reuse=previous / "snapshots" if previous else None,
        renderer=ctx.renderer,
    )
    return written + write_timelapse(
        ctx.territory,
        ctx.out,
        fps=series.fps,
        pause_s=series.pause_s,
        jobs=o.jobs,
        progress=o.progress,
        reuse=previous,
        renderer=ctx.renderer,
    )


def write_report_page(ctx: BuildContext) -> list[Path]:
    """report.html: the map, maps at key dates, chart, chronology, method, credits."""
    return [write_report(ctx.territory, ctx.out / "report.html", slider=ctx.slider)]


Writer = Callable[[BuildContext], list[Path]]
WRITERS: dict[str, Writer] = {
    "tables": write_tables,
    "gis": write_gis_layers,
    "html": write_html_map,
    "snapshots": write_snapshot_series,
    "report": write_report_page,
}


def chosen_writers(*, only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The writers' names to run: ``only`` these, or all but ``skip`` (in WRITERS' order).

    Raises OptionError for a name that is not a writer (``field`` "only" or "skip"), or
    when both are given.
    """
    if only and skip:
        raise OptionError(
            "choose the outputs to write or the ones to leave out, not both", field="skip"
        )
    for name, values in (("only", only), ("skip", skip)):
        unknown = [v for v in values if v not in WRITERS]
        if unknown:
            raise OptionError(
                f"unknown output {unknown[0]!r}; the outputs are {', '.join(WRITERS)}",
                field=name,
            )
    if only:
        return tuple(name for name in WRITERS if name in only)
    return tuple(name for name in WRITERS if name not in skip)


def build(dataset: Dataset, out: Path | str, options: BuildOptions | None = None) -> list[Path]:
    """Compute the timeline and the territory, write every output into ``out``.

    ``options.outputs`` names the writers to run (:data:`WRITERS`; all by default).
    ``out`` is always the result of this one call: the outputs are written into a staging
    folder beside it that replaces it at the end (:mod:`mapgen.staging`); interrupted or
    failing, the call leaves ``out`` as it was. Up-to-date snapshots of the previous build
    are reused. Raises OverwriteError, before anything is written, if an input lies in
    ``out`` or ``out`` holds files mapgen did not write; DateRangeError or OptionError,
    before anything is computed, for snapshot days (``options.series``) outside the
    dataset's range or a step below 1. With ``options.scheduler`` the work runs on that
    Dask cluster (ClusterError if it cannot be used).

    Returns the files written (their paths in ``out``).
    """
    options = options or BuildOptions()
    names = selected_writers(options)
    if "snapshots" in names:  # a bad day or step is reported before any work
        options.series.days(dataset.start, dataset.end)
    if options.scheduler:
        from mapgen.distributed import build_on_cluster, connect

        with connect(options.scheduler) as client:
            return build_on_cluster(dataset, out, options, client)
    out = Path(out)
    refuse_inside(out, "the output folder", input_files(dataset.files))
    territory = compute_territory(dataset, options.territory)
    written: list[Path] = []
    with staged_folder(out) as staging:
        ctx = BuildContext(territory, staging, options, previous=out if out.is_dir() else None)
        for name in names:
            log.debug("writing %s", name)
            written += WRITERS[name](ctx)
    return [out / path.relative_to(staging) for path in written]


def selected_writers(options: BuildOptions) -> tuple[str, ...]:
    """The names of the writers ``options`` asks for (``outputs``; all by default), in
    WRITERS' order."""
    if options.outputs is None:
        return tuple(WRITERS)
    return chosen_writers(only=options.outputs) if options.outputs else ()


def compute_territory(dataset: Dataset, options: TerritoryOptions) -> Territory:
    """The timeline and the territory of a dataset (what every writer starts from)."""
    timeline = build_timeline(dataset)
    log.info(
        "timeline: %d places, %d intervals, %d change dates from %s to %s",
        timeline.intervals["place_id"].nunique(),
        len(timeline.intervals),
        len(timeline.change_dates),
        f"{timeline.start:%Y-%m-%d}",
        f"{timeline.end:%Y-%m-%d}",
    )
    territory = build_territory(timeline, options)
    log.info(
        "territory (%s, desert %s): %d areas, %d frontlines",
        territory.options.method,
        territory.options.desert,
        len(territory.areas),
        len(territory.frontlines),
    )
    return territory


def input_files(files: DatasetFiles) -> dict[str, list[Path]]:
    """Every input file of the dataset, by what it is (e.g. "the events file")."""
    named: dict[str, list[Path]] = {}
    for item in dataclasses.fields(files):
        value = getattr(files, item.name)
        values = value if isinstance(value, tuple | list) else [value]
        named[f"the {item.name.replace('_', ' ')} file"] = [
            Path(v) for v in values if isinstance(v, Path | str)
        ]
    return named
