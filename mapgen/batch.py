"""Several builds in one run (``mapgen build-many MANIFEST.toml``).

The manifest lists one ``[[dataset]]`` table per build::

    [[dataset]]
    name = "raqqa-2017"              # shown in messages; unique
    out = "out/raqqa-2017"           # its own output folder; unique
    start = "2017-06-01"             # optional, as mapgen build's options:
    end = "2017-10-31"               # events, places, extra_places (a list), controllers,
    method = "voronoi"               # city_polygons, info, start, end, daily, tiles and
                                     # the territory options (method, desert, infer, ...)

Paths are relative to the manifest's folder; a dataset without ``events`` is the embedded
one. Each build is a complete :func:`mapgen.build.build` into its own folder. On a Dask
cluster the builds run at the same time, sharing the workers; on this machine, one after
the other, each on all cores. A build that fails is reported and the others go on.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
import typing
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mapgen._io import check_input_file
from mapgen.build import BuildOptions, build
from mapgen.dataset import DatasetFiles, load_dataset
from mapgen.dates import parse_day
from mapgen.errors import MapgenError
from mapgen.problems import Problems, did_you_mean, display_path
from mapgen.staging import signals_as_exit
from mapgen.territory import TerritoryOptions

log = logging.getLogger(__name__)

FILE_KEYS = ("events", "places", "controllers", "city_polygons", "info")
LIST_KEYS = ("extra_places",)
BUILD_KEYS = {"daily": bool, "tiles": str}
MOST_AT_ONCE = 8  # builds running at the same time on a cluster (each mostly waits on it)


@dataclass(frozen=True)
class Job:
    """One build of a manifest: what to read, where to write, how."""

    name: str
    out: Path
    files: DatasetFiles
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    options: BuildOptions = field(default_factory=BuildOptions)


@dataclass(frozen=True)
class Outcome:
    """What became of a job: the files written, or the error that stopped it."""

    job: Job
    written: list[Path] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# --- the manifest -------------------------------------------------------------------------


def _territory_types() -> dict[str, tuple[type, ...]]:
    """Each territory option's accepted Python types (from its annotation)."""
    hints = typing.get_type_hints(TerritoryOptions)
    types = {}
    for item in dataclasses.fields(TerritoryOptions):
        accepted = typing.get_args(hints[item.name]) or (hints[item.name],)
        types[item.name] = tuple(t for t in accepted if t is not type(None))
    return types


def read_manifest(path: Path | str) -> list[Job]:
    """The jobs of a manifest. Raises InputFileError if it cannot be read and
    ValidationError listing every problem (file, line, key, what is valid)."""
    path = Path(path)
    check_input_file(path)
    shown = display_path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = Problems()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        problems.error(
            f"not valid TOML: {exc}",
            path=shown,
            line=int(line[1]) if line else None,
            hint="see https://toml.io; each build is a [[dataset]] table",
        )
        problems.raise_if_errors()
    extra = sorted(set(data) - {"dataset"})
    for key in extra:
        problems.error(
            f"unknown top-level key {key!r}",
            path=shown,
            line=_line_of(text, rf"^\s*\[?\[?\s*{re.escape(key)}\b"),
            hint="a manifest holds [[dataset]] tables only",
        )
    tables = data.get("dataset")
    if not isinstance(tables, list) or not tables:
        problems.error(
            "no [[dataset]] table: nothing to build",
            path=shown,
            hint='add one per build: [[dataset]] with name = "..." and out = "..."',
        )
        problems.raise_if_errors()
    headers = [n + 1 for n, line in enumerate(text.splitlines()) if _is_header(line)]
    jobs = []
    for i, table in enumerate(tables):
        line = headers[i] if i < len(headers) else None
        job = _job(table, i, path.parent, problems, where={"path": shown, "line": line})
        if job is not None:
            jobs.append(job)
    _check_unique(jobs, problems, shown)
    problems.raise_if_errors()
    return jobs


def _is_header(line: str) -> bool:
    return re.match(r"^\s*\[\[\s*dataset\s*\]\]", line) is not None


def _line_of(text: str, pattern: str) -> int | None:
    for n, line in enumerate(text.splitlines()):
        if re.match(pattern, line):
            return n + 1
    return None


def _job(
    table: dict[str, Any], index: int, base: Path, problems: Problems, where: dict[str, Any]
) -> Job | None:
    errors = problems.error_count
    label = f"dataset {table.get('name', index + 1)!r}"
    territory_types = _territory_types()
    known = {"name", "out", "start", "end", *FILE_KEYS, *LIST_KEYS, *BUILD_KEYS, *territory_types}
    for key in sorted(set(table) - known):
        problems.error(
            f"{label}: unknown key {key!r}",
            **where,
            hint=did_you_mean(key, known) or f"valid keys: {', '.join(sorted(known))}",
        )

    def text(key: str, *, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                problems.error(f"{label}: {key!r} is missing", **where, hint=f'{key} = "..."')
            return None
        if not isinstance(value, str) or not value.strip():
            problems.error(
                f"{label}: {key!r} must be a non-empty string", **where, value=repr(value)
            )
            return None
        return value

    name = text("name", required=True)
    out = text("out", required=True)
    files = {key: base / value for key in FILE_KEYS if (value := text(key))}
    extra = table.get("extra_places", [])
    if not isinstance(extra, list) or not all(isinstance(v, str) for v in extra):
        problems.error(
            f"{label}: 'extra_places' must be a list of paths", **where, value=repr(extra)
        )
        extra = []
    days: dict[str, pd.Timestamp | None] = {}
    for key in ("start", "end"):
        value = text(key)
        days[key] = None
        if value is not None:
            try:
                days[key] = parse_day(value, what=key)
            except ValueError as exc:
                problems.error(f"{label}: {exc}", **where, hint="a day as YYYY-MM-DD")
    build_values: dict[str, Any] = {}
    for key, kind in BUILD_KEYS.items():
        if key in table:
            if isinstance(table[key], kind):
                build_values[key] = table[key]
            else:
                problems.error(
                    f"{label}: {key!r} must be a {kind.__name__}", **where, value=str(table[key])
                )
    territory_values: dict[str, Any] = {}
    for key, kinds in territory_types.items():
        if key not in table:
            continue
        value = table[key]
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            wanted = " or ".join(k.__name__ for k in kinds)
            problems.error(f"{label}: {key!r} must be a {wanted}", **where, value=str(value))
            continue
        territory_values[key] = value
    if problems.error_count > errors or name is None or out is None:
        return None
    options = BuildOptions(territory=TerritoryOptions(**territory_values), **build_values)
    dataset_files = DatasetFiles.from_options(
        events=files.get("events"),
        places=files.get("places"),
        controllers=files.get("controllers"),
        city_polygons=files.get("city_polygons"),
        info=files.get("info"),
        extra_places=tuple(base / p for p in extra),
    )
    return Job(name, base / out, dataset_files, days["start"], days["end"], options)


def _check_unique(jobs: list[Job], problems: Problems, shown: str) -> None:
    names: dict[str, int] = {}
    for job in jobs:
        names[job.name] = names.get(job.name, 0) + 1
    for name, count in names.items():
        if count > 1:
            problems.error(f"{count} datasets are named {name!r}", path=shown, hint="rename one")
    outs = [(job.name, Path(job.out).resolve()) for job in jobs]
    for i, (name_a, a) in enumerate(outs):
        for name_b, b in outs[i + 1 :]:
            if a == b or a in b.parents or b in a.parents:
                problems.error(
                    f"datasets {name_a!r} and {name_b!r} write into the same folder or one "
                    "into the other's",
                    path=shown,
                    value=str(b if a in b.parents else a),
                    hint="give each its own folder",
                )


# --- running ------------------------------------------------------------------------------


def build_many(
    jobs: list[Job],
    *,
    scheduler: str | None = None,
    processes: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Build every job; a failing job is reported in its outcome and the others go on.

    With ``scheduler`` (a Dask scheduler's address) the builds run at the same time on
    its cluster; without, one after the other on ``processes`` processes each (None: all
    cores). ``on_done(outcome)`` is called as each ends. Returns the outcomes in job order.
    ClusterError if the cluster cannot be used (before any build starts).
    """
    if not scheduler:
        outcomes = []
        for job in jobs:
            outcome = run_job(job, lambda j: build(*_loaded(j), _options(j, jobs=processes)))
            if on_done:
                on_done(outcome)
            outcomes.append(outcome)
        return outcomes
    from mapgen.distributed import build_on_cluster, connect

    with connect(scheduler) as client, signals_as_exit():

        def on_cluster(job: Job) -> list[Path]:
            dataset, out = _loaded(job)
            return build_on_cluster(dataset, out, _options(job), client)

        return _in_threads(jobs, on_cluster, on_done, client.close)


def _in_threads(
    jobs: list[Job],
    work: Callable[[Job], list[Path]],
    on_done: Callable[[Outcome], None] | None,
    stop: Callable[[], object],
) -> list[Outcome]:
    """Run the jobs in threads (each mostly waits on the cluster). Interrupted, ``stop()``
    ends the cluster session, so the threads' builds fail (their staging folders go) and
    the interruption is raised once they have."""
    results: dict[int, Outcome] = {}
    pool = ThreadPoolExecutor(min(len(jobs), MOST_AT_ONCE), thread_name_prefix="build")
    try:
        futures = {pool.submit(run_job, job, work): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            outcome = future.result()
            results[futures[future]] = outcome
            if on_done:
                on_done(outcome)
    except BaseException:
        stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(jobs))]


def run_job(job: Job, work: Callable[[Job], list[Path]]) -> Outcome:
    """``work(job)`` as an outcome: its files, or the message of the error that stopped it."""
    try:
        written = work(job)
    except MapgenError as exc:
        return Outcome(job, error=str(exc))
    except Exception as exc:  # a bug or a cluster failure: reported, the other jobs go on
        log.debug("build %s failed", job.name, exc_info=True)
        return Outcome(job, error=f"{type(exc).__name__}: {exc}")
    return Outcome(job, written=written)


def _loaded(job: Job) -> tuple[Any, Path]:
    dataset = load_dataset(job.files, start=job.start, end=job.end)
    for problem in dataset.problems.warnings:
        log.warning("%s: %s", job.name, problem)
    return dataset, job.out


def _options(job: Job, **changes: Any) -> BuildOptions:
    return dataclasses.replace(job.options, **changes)
