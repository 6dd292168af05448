"""Builds on a Dask cluster (``mapgen build --scheduler ADDRESS``).

What goes where:

- The client (the machine running ``mapgen``) loads and validates the dataset, plans the
  series (which states to draw, which files are already up to date), writes every output
  into the staging folder of ``--out`` (:mod:`mapgen.staging`) and encodes the timelapse.
- One task computes the timeline and the territory from the dataset (sent with the task;
  workers need no input files, only mapgen installed). A second task adds the base map to
  it. Every other task depends on that result, so each worker receives the territory and
  base map once, from a peer, and keeps it while the build needs it; no task carries them.
  Being results of tasks rather than scattered data, they are recomputed if every worker
  holding them is lost.
- Snapshots: one task per distinct state draws its map body and deflates it
  (:class:`~mapgen.render.snapshots.PngStamper`); tasks of up to :data:`STAMP_CHUNK` days
  each stamp their days' dates onto it and return the PNG bytes. The scheduler runs them
  where the body is, so bodies do not travel. SVG: one task per state returns the SVG.
- Timelapse: one task per state returns its frame body (zlib-compressed RGB).
- The other writers (tables, GIS layers, map.html, report.html) are independent of each
  other: each is one task that writes into a temporary folder on its worker and returns
  the files' bytes.

A lost worker's tasks are rerun elsewhere by the scheduler; the client writes only the
results it receives, atomically, so the output is complete and the same as a local
build's, byte for byte (given the same versions of mapgen and the drawing libraries on the
workers, which :func:`connect` checks). Matplotlib is not thread-safe: each worker process
runs one mapgen task at a time (start workers with ``--nthreads 1`` and ``--nworkers N``).

dask is imported by this module only: ``mapgen --help`` and local builds do not load it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.metadata
import logging
import os
import tempfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mapgen._io import refuse_inside, write_bytes_atomic
from mapgen.build import (
    WRITERS,
    BuildContext,
    BuildOptions,
    compute_territory,
    input_files,
    selected_writers,
)
from mapgen.dataset import Dataset
from mapgen.errors import ClusterError
from mapgen.render.basemap import Layout, basemap
from mapgen.render.snapshots import (
    _PLACEHOLDER,
    PngStamper,
    Progress,
    RenderInputs,
    Task,
    _render_svg,
    render_body,
)
from mapgen.render.style import format_day
from mapgen.staging import staged_folder
from mapgen.territory import Territory, TerritoryOptions

if TYPE_CHECKING:
    from distributed import Client, Future

log = logging.getLogger(__name__)

STAMP_CHUNK = 16  # days stamped per task: a few hundred ms of work, a few MB of PNG bytes
CONNECT_TIMEOUT_S = 10.0
WORKERS_TIMEOUT_S = 60.0
SNAPSHOTS = "snapshots"  # the writer whose series is split into tasks; others are one task
# Distributions whose versions decide the bytes of the outputs: mapgen must match the
# client's; a difference in the others is reported (the outputs may then differ in bytes).
DRAWING_PACKAGES = ("matplotlib", "pillow", "numpy", "shapely", "pyproj", "geopandas", "pyogrio")

# One mapgen task at a time per worker process: matplotlib's drawing is not thread-safe.
_TASK_LOCK = threading.Lock()


# --- connecting ---------------------------------------------------------------------------


@contextlib.contextmanager
def connect(
    address: str,
    *,
    timeout_s: float = CONNECT_TIMEOUT_S,
    workers_timeout_s: float = WORKERS_TIMEOUT_S,
) -> Iterator[Client]:
    """A client of the Dask scheduler at ``address``, closed on exit.

    Raises ClusterError if no scheduler answers within ``timeout_s``, if no worker joins it
    within ``workers_timeout_s``, or if a worker lacks mapgen or has another version.
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency of mapgen
        raise ClusterError(
            "building on a cluster needs dask.distributed: pip install 'dask[distributed]'",
            field="scheduler",
        ) from exc
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False, name="mapgen")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise ClusterError(
            f"{address!r}: no Dask scheduler answered within {timeout_s:g} s ({exc}); start "
            "one with `dask scheduler` and give the address it prints, e.g. "
            "tcp://192.168.1.5:8786",
            field="scheduler",
        ) from exc
    try:
        _wait_for_workers(client, address, workers_timeout_s)
        check_workers(client, address)
        yield client
    finally:
        client.close()


def _wait_for_workers(client: Client, address: str, timeout_s: float) -> None:
    if client.scheduler_info().get("workers"):
        return
    log.info("waiting for a worker to join the scheduler at %s", address)
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except TimeoutError as exc:
        raise ClusterError(
            f"{address!r}: the scheduler has no workers (waited {timeout_s:g} s); start them "
            f"with `dask worker {address} --nworkers N --nthreads 1` on machines where "
            "mapgen is installed",
            field="scheduler",
        ) from exc


def package_versions() -> dict[str, str | None]:
    """The installed versions of mapgen and the drawing libraries (None: not installed)."""
    versions: dict[str, str | None] = {}
    for name in ("mapgen", *DRAWING_PACKAGES):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def check_workers(client: Client, address: str) -> None:
    """ClusterError if a worker cannot import mapgen or has another version of it; a
    warning if a drawing library differs; a note if workers run several threads."""
    mine = package_versions()
    theirs = client.run(package_versions, on_error="return")
    problems = []
    for worker, versions in sorted(theirs.items()):
        if isinstance(versions, BaseException):
            problems.append(f"{worker} cannot run mapgen ({type(versions).__name__}: {versions})")
        elif versions.get("mapgen") != mine["mapgen"]:
            problems.append(f"{worker} has mapgen {versions.get('mapgen')}")
    if problems:
        raise ClusterError(
            f"{address!r}: {'; '.join(problems)}; install mapgen {mine['mapgen']} (this "
            "version) on every worker, e.g. pip install mapgen==" + str(mine["mapgen"]),
            field="scheduler",
        )
    for worker, versions in sorted(theirs.items()):
        differ = [
            f"{name} {versions.get(name)} (here {mine[name]})"
            for name in DRAWING_PACKAGES
            if versions.get(name) != mine[name]
        ]
        if differ:
            log.warning(
                "worker %s has %s: its maps may differ in bytes from a local build",
                worker,
                ", ".join(differ),
            )
    threads = client.nthreads()
    if any(n > 1 for n in threads.values()):
        log.info(
            "workers with several threads run one mapgen task at a time each; start them "
            "with --nthreads 1 --nworkers N to use N cores"
        )


# --- tasks (run on the workers) -----------------------------------------------------------


def territory_task(dataset: Dataset, options: TerritoryOptions) -> Territory:
    with _TASK_LOCK:
        return compute_territory(dataset, options)


def inputs_task(territory: Territory) -> RenderInputs:
    with _TASK_LOCK:
        return RenderInputs(territory, basemap(territory))


def png_body_task(inputs: RenderInputs, layout: Layout, day: pd.Timestamp) -> PngStamper:
    with _TASK_LOCK:
        return PngStamper(render_body(inputs, day, layout), layout, keep_rgb=False)


def stamp_task(
    stamper: PngStamper, items: list[tuple[pd.Timestamp, str]]
) -> list[tuple[str, bytes]]:
    with _TASK_LOCK:
        return [(path, stamper.png(format_day(day))) for day, path in items]


def svg_task(
    inputs: RenderInputs, layout: Layout, items: list[tuple[pd.Timestamp, str]]
) -> list[tuple[str, bytes]]:
    with _TASK_LOCK:
        svg = _render_svg(inputs, items[0][0], layout)
    return [
        (path, svg.replace(_PLACEHOLDER, format_day(day)).encode("utf-8")) for day, path in items
    ]


def frame_body_task(
    inputs: RenderInputs, layout: Layout, day: pd.Timestamp
) -> tuple[tuple[int, ...], bytes]:
    """A frame body as its shape and zlib-compressed bytes (maps compress about 20 times)."""
    with _TASK_LOCK:
        rgb = render_body(inputs, day, layout)
    return rgb.shape, zlib.compress(rgb.tobytes(), 1)


def export_task(
    inputs: RenderInputs, name: str, options: BuildOptions
) -> tuple[list[str], dict[str, bytes]]:
    """Run writer ``name`` into a temporary folder; the paths it returned and the bytes of
    every file it wrote, relative to the folder."""
    with _TASK_LOCK, tempfile.TemporaryDirectory(prefix="mapgen-export-") as tmp:
        folder = Path(tmp)
        returned = WRITERS[name](BuildContext(inputs.territory, folder, options))
        files = {}
        for root, _, names in os.walk(folder):
            for file in names:
                path = Path(root, file)
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        return [p.relative_to(folder).as_posix() for p in returned], files


# --- the client's side --------------------------------------------------------------------


@dataclass
class Transfers:
    """Tasks submitted and bytes received by the client, by kind of task."""

    tasks: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, tasks: int = 0, received: int = 0) -> None:
        self.tasks[kind] = self.tasks.get(kind, 0) + tasks
        self.received[kind] = self.received.get(kind, 0) + received


class ClusterRenderer:
    """A :class:`~mapgen.render.snapshots.SeriesRenderer` on a Dask cluster: the maps are
    drawn by tasks depending on ``inputs`` (a future of the territory and base map), the
    files written here."""

    def __init__(
        self,
        client: Client,
        inputs: Future,
        *,
        chunk: int = STAMP_CHUNK,
        transfers: Transfers | None = None,
    ) -> None:
        self.client, self.inputs, self.chunk = client, inputs, chunk
        self.transfers = transfers if transfers is not None else Transfers()

    def write_groups(
        self, inputs: RenderInputs, tasks: list[Task], progress: Progress | None
    ) -> Iterator[list[tuple[str, str]]]:
        from distributed import as_completed

        total = sum(len(t[2]) for t in tasks)
        if progress:
            progress(0, total)
        futures = []
        for fmt, layout, items in sorted(tasks, key=lambda t: -len(t[2])):  # long ones first
            if fmt == "svg":
                futures.append(self._submit(svg_task, self.inputs, layout, items))
                continue
            body = self._submit(png_body_task, self.inputs, layout, items[0][0])
            for i in range(0, len(items), self.chunk):
                futures.append(self._submit(stamp_task, body, items[i : i + self.chunk]))
        self.transfers.add("stamp/svg", tasks=len(futures))
        done = 0
        for future in as_completed(futures, loop=self.client.loop):
            files: list[tuple[str, bytes]] = future.result()
            written = []
            for path, data in files:
                write_bytes_atomic(path, data)
                written.append((path, hashlib.sha256(data).hexdigest()))
            self.transfers.add("stamp/svg", received=sum(len(d) for _, d in files))
            done += len(files)
            if progress:
                progress(done, total)
            yield written

    def bodies(
        self, inputs: RenderInputs, tasks: list[Task], progress: Progress | None
    ) -> list[np.ndarray]:
        from distributed import as_completed

        total = sum(len(t[2]) for t in tasks)
        if progress:
            progress(0, total)
        index = {}
        for i, (_, layout, items) in enumerate(tasks):
            index[self._submit(frame_body_task, self.inputs, layout, items[0][0])] = i
        self.transfers.add("frame", tasks=len(index))
        bodies: list[np.ndarray | None] = [None] * len(tasks)
        done = 0
        for future in as_completed(list(index), loop=self.client.loop):
            shape, data = future.result()
            self.transfers.add("frame", received=len(data))
            i = index.pop(future)
            bodies[i] = np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(shape)
            done += len(tasks[i][2])
            if progress:
                progress(done, total)
        return bodies  # type: ignore[return-value]

    def _submit(self, fn: Any, *args: Any) -> Future:
        return self.client.submit(fn, *args, pure=False)


def build_on_cluster(
    dataset: Dataset,
    out: Path | str,
    options: BuildOptions,
    client: Client,
    *,
    transfers: Transfers | None = None,
) -> list[Path]:
    """:func:`mapgen.build.build` with the work done by the workers of ``client``.

    Same outputs, same atomic replacement of ``out``; the client computes nothing but the
    plan of the series and the timelapse encoding. Returns the files written.
    """
    out = Path(out)
    names = selected_writers(options)
    refuse_inside(out, "the output folder", input_files(dataset.files))
    transfers = transfers if transfers is not None else Transfers()
    remote = dataclasses.replace(options, progress=None, scheduler=None)
    territory_future = client.submit(territory_task, dataset, options.territory, pure=False)
    inputs = client.submit(inputs_task, territory_future, pure=False)
    exports = {
        name: client.submit(export_task, inputs, name, remote, pure=False)
        for name in names
        if name != SNAPSHOTS
    }
    transfers.add("export", tasks=len(exports))
    territory: Territory = territory_future.result()
    log.info(
        "territory (computed on the cluster): %d areas, %d frontlines, %d change dates",
        len(territory.areas),
        len(territory.frontlines),
        len(territory.timeline.change_dates),
    )
    del territory_future  # the workers keep it while ``inputs`` may need recomputing
    renderer = ClusterRenderer(client, inputs, transfers=transfers)
    written: dict[str, list[Path]] = {}
    with staged_folder(out) as staging:
        previous = out if out.is_dir() else None
        ctx = BuildContext(territory, staging, options, previous=previous, renderer=renderer)
        if SNAPSHOTS in names:
            written[SNAPSHOTS] = WRITERS[SNAPSHOTS](ctx)
        for name, future in exports.items():
            returned, files = future.result()
            for rel, data in files.items():
                write_bytes_atomic(staging / rel, data)
            transfers.add("export", received=sum(len(d) for d in files.values()))
            written[name] = [staging / rel for rel in returned]
        paths = [path for name in names for path in written[name]]
    return [out / path.relative_to(staging) for path in paths]
