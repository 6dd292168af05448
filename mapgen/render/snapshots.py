"""The day-by-day series: one map per requested day, rendered once per distinct state.

Days between two change dates show the same ground, frontlines and places, and the same
"last change" marking: they share one *state*. Each state's map is drawn once (in parallel
over the cores); every day then gets its own file with its own date in the title, stamped
on the rendered map:

- PNG: the map body is compressed once; per day only the title band (the rows above the
  map) is redrawn with the date, in the same font file matplotlib uses, compressed and
  spliced in front of the body's compressed rows (a zlib full flush separates them), so a
  day costs a few milliseconds.
- SVG: text stays text (``svg.fonttype = none``); the date is a placeholder in the drawn
  SVG that each day's file replaces.

A hard link to the previous day's file would show the wrong date, so days never share
files; what they share is the rendered map. Re-running with unchanged inputs does nothing:
``.mapgen-snapshots.json`` in the output folder records, for every file, a hash of what it
shows (the state's rows and geometries, the base layers, the options, the code's render
version and the date) and the sha256 of the file written; a file is up to date when both
still match.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import json
import logging
import multiprocessing
import os
import shutil
import signal
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from mapgen import __version__
from mapgen._io import write_bytes_atomic, write_text_atomic
from mapgen.boundaries import BOUNDARIES_DIR, LAYERS
from mapgen.errors import OptionError
from mapgen.render.basemap import Basemap, Layout, basemap, map_state
from mapgen.render.changes import change_notes
from mapgen.render.series_options import DEFAULT_DPI, DEFAULT_WIDTH_IN, FORMATS, series_days
from mapgen.render.static import draw_map
from mapgen.render.style import format_day
from mapgen.territory import Territory
from mapgen.validity import valid_on_days

log = logging.getLogger(__name__)

RENDER_VERSION = "3"  # with the renderer's source files, part of every cache key
MANIFEST = ".mapgen-snapshots.json"
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "mapgen"}
_PLACEHOLDER = "MAPGENDATEPLACEHOLDER"
Progress = Callable[[int, int], None]


def snapshot_days(
    territory: Territory,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    every: int = 1,
    dates: Iterable[pd.Timestamp | str] | None = None,
) -> list[pd.Timestamp]:
    """The days of a series: ``dates`` if given, else every ``every``-th day from start to end.

    Start and end default to the territory's range. Raises DateRangeError for an inverted
    or empty range or a day outside the territory's range, OptionError for a step below 1.
    """
    first, last = territory.timeline.start, territory.timeline.end
    return series_days(first, last, start=start, end=end, every=every, dates=dates)


@dataclass(frozen=True)
class Group:
    """Days that show one state: ``key`` hashes the state; ``days`` are in order."""

    key: str
    days: tuple[pd.Timestamp, ...]


def state_groups(territory: Territory, days: Sequence[pd.Timestamp]) -> list[Group]:
    """Group ``days`` by the state their maps show, in order of first day: the rows valid
    then, and the changes the map names (those of its change window)."""
    starts, keys = _period_keys(territory)
    notes = change_notes(territory)
    period = np.searchsorted(starts, np.array(days, dtype="datetime64[ns]"), "right") - 1
    grouped: dict[str, list[pd.Timestamp]] = {}
    for day, p in zip(days, period, strict=True):
        note = hashlib.sha256(notes.on(day).key().encode()).hexdigest()
        grouped.setdefault(f"{keys[p]}:{note}", []).append(day)
    return [Group(key, tuple(ds)) for key, ds in grouped.items()]


def _period_keys(territory: Territory) -> tuple[np.ndarray, list[str]]:
    """For each period of constant state: its first day and a hash of the rows valid then."""
    periods = territory.timeline.periods()
    starts = periods["valid_from"].values.astype("datetime64[ns]")
    tables = [
        (territory.areas, ["unit", "kind", "controller", "status", "opponent", "basis"]),
        (territory.frontlines, ["side_a", "side_b"]),
        (territory.places, ["place_id", "controller", "status", "basis"]),
    ]
    per_table = [_valid_digests(frame, cols, starts) for frame, cols in tables]
    keys = []
    for p in range(len(starts)):
        h = hashlib.sha256()
        for digests, valid in per_table:
            h.update(b"".join(sorted(digests[valid[p]])))
            h.update(b"|")
        keys.append(h.hexdigest())
    return starts, keys


def _valid_digests(
    frame: pd.DataFrame, columns: list[str], starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A digest per row (values + geometry) and ``valid[p, row]`` for each period start."""
    values = ["\x1f".join(map(str, row)) for row in frame[columns].itertuples(index=False)]
    wkb = list(frame.geometry.to_wkb())
    digests = np.array(
        [
            hashlib.sha256(v.encode() + b"\x1e" + g).digest()
            for v, g in zip(values, wkb, strict=True)
        ],
        dtype=object,
    )
    return digests, valid_on_days(frame, starts)


def context_digest(territory: Territory, **options: object) -> str:
    """A hash of everything drawn on every map of a series besides the state, and options."""
    base = basemap(territory)
    h = hashlib.sha256()
    h.update(f"{RENDER_VERSION}|{__version__}|{matplotlib.__version__}".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(
        json.dumps(
            [
                base.title,
                base.credit,
                [(e.id, e.name, e.color) for e in base.legend],
                base.colors,
                base.names,
                base.xlim,
                base.ylim,
            ]
        ).encode()
    )
    h.update(base.labels.to_csv().encode())
    for name in LAYERS:
        h.update(_file_digest(BOUNDARIES_DIR / f"{name}.geojson").encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):  # the drawing code itself
        h.update(_file_digest(source).encode())
    return h.hexdigest()


@cache
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- rendering one state ---------------------------------------------------------------


@dataclass(frozen=True)
class RenderInputs:
    """What every render task needs besides its own days: the territory and its base map."""

    territory: Territory
    base: Basemap


def render_body(inputs: RenderInputs, day: pd.Timestamp, layout: Layout) -> np.ndarray:
    """The map of ``day``'s state without a date, as an RGB array (height, width, 3)."""
    state = map_state(inputs.territory, day, inputs.base)
    fig = draw_map(inputs.base, state, layout, date_text="")
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    return np.ascontiguousarray(rgba[:, :, :3])


def _render_svg(inputs: RenderInputs, day: pd.Timestamp, layout: Layout) -> str:
    state = map_state(inputs.territory, day, inputs.base)
    fig = draw_map(inputs.base, state, layout, date_text=_PLACEHOLDER)
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def body_task(
    inputs: RenderInputs, task: tuple[str, Layout, list[tuple[pd.Timestamp, str]]]
) -> np.ndarray:
    """The map body (no date) of the state of a task's first day."""
    _, layout, items = task
    return render_body(inputs, items[0][0], layout)


def _write_group(
    inputs: RenderInputs, task: tuple[str, Layout, list[tuple[pd.Timestamp, str]]]
) -> list[tuple[str, str]]:
    """Render one state and write the file of each of its days; ``(path, sha256)`` each."""
    fmt, layout, items = task
    written = []
    if fmt == "svg":
        svg = _render_svg(inputs, items[0][0], layout)
        for day, path in items:
            data = svg.replace(_PLACEHOLDER, format_day(day)).encode("utf-8")
            write_bytes_atomic(path, data)
            written.append((path, hashlib.sha256(data).hexdigest()))
    else:
        stamper = PngStamper(render_body(inputs, items[0][0], layout), layout)
        for day, path in items:
            data = stamper.png(format_day(day))
            write_bytes_atomic(path, data)
            written.append((path, hashlib.sha256(data).hexdigest()))
    return written


# --- date stamping ------------------------------------------------------------------------


@cache
def date_font(size_px: float) -> ImageFont.FreeTypeFont:
    """The bold font matplotlib draws the date with, at ``size_px`` pixels per em."""
    props = font_manager.FontProperties(family="DejaVu Sans", weight="bold")
    return ImageFont.truetype(font_manager.findfont(props), size=size_px)


def stamp_band(band: np.ndarray, text: str, layout: Layout) -> np.ndarray:
    """A copy of the title band (RGB rows) with ``text`` drawn where the title's date goes."""
    image = Image.fromarray(band)
    ImageDraw.Draw(image).text(
        layout.date_anchor_px,
        text,
        font=date_font(layout.date_size_px),
        fill=(0, 0, 0),
        anchor="ls",
    )
    return np.asarray(image)


class PngStamper:
    """PNG files of one rendered map body with different dates in the title band.

    The body rows (below the band) are filtered and deflated once; each :meth:`png` call
    deflates only the band, ends it with a full flush and appends the body's stream.
    """

    def __init__(self, rgb: np.ndarray, layout: Layout, *, keep_rgb: bool = True) -> None:
        self.height, self.width = rgb.shape[:2]
        self.layout = layout
        self.band = rgb[: layout.title_band_px].copy()
        # without keep_rgb only :meth:`png` works (a smaller object to keep or to send)
        self._rgb = rgb if keep_rgb else None
        body = _filtered_rows(rgb[layout.title_band_px :], up=True)
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        self._body_adler = zlib.adler32(body)
        self._body_len = len(body)
        self._body_deflated = compressor.compress(body) + compressor.flush(zlib.Z_FINISH)

    def rgb(self, text: str) -> np.ndarray:
        """The full image with ``text`` as the date (for frames)."""
        if self._rgb is None:
            raise ValueError("this stamper was made without keep_rgb: it only writes PNG files")
        band = stamp_band(self.band, text, self.layout)
        return np.concatenate([band, self._rgb[self.layout.title_band_px :]])

    def png(self, text: str) -> bytes:
        """PNG bytes of the map with ``text`` as the date."""
        band = _filtered_rows(stamp_band(self.band, text, self.layout), up=True)
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)  # a mostly white band: fast
        head = compressor.compress(band) + compressor.flush(zlib.Z_FULL_FLUSH)
        adler = adler32_combine(zlib.adler32(band), self._body_adler, self._body_len)
        idat = b"\x78\x9c" + head + self._body_deflated + struct.pack(">I", adler)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"".join(
            [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", idat), _chunk(b"IEND")]
        )


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """The Adler-32 of A + B from those of A and B and the length of B (zlib's
    ``adler32_combine``, which Python's zlib does not expose)."""
    base = 65521
    rem = len2 % base
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 += (adler2 & 0xFFFF) + base - 1
    sum2 += (adler1 >> 16) + (adler2 >> 16) + base - rem
    sum1 -= base if sum1 >= base else 0
    sum1 -= base if sum1 >= base else 0
    sum2 -= 2 * base if sum2 >= 2 * base else 0
    sum2 -= base if sum2 >= base else 0
    return sum1 | (sum2 << 16)


def _filtered_rows(rgb: np.ndarray, *, up: bool) -> bytes:
    """Scanlines with their PNG filter byte: None for the first, Up for the rest if ``up``."""
    rows = rgb.reshape(rgb.shape[0], -1)
    filters = np.zeros((rows.shape[0], 1), dtype=np.uint8)
    data = rows
    if up and rows.shape[0] > 1:
        data = rows.copy()
        data[1:] -= rows[:-1]
        filters[1:] = 2
    return np.concatenate([filters, data], axis=1).tobytes()


def _chunk(kind: bytes, data: bytes = b"") -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# --- the series ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPlan:
    """What a run has to do: every requested file, those to take from an earlier run, and
    the groups still to render."""

    files: dict[pd.Timestamp, Path]
    inputs: dict[str, str]  # file name -> hash of what it shows
    reused: dict[str, str]  # file name -> sha256 of an up-to-date file of an earlier run
    todo: list[Group]


def plan_series(
    territory: Territory,
    out_dir: Path,
    days: Sequence[pd.Timestamp],
    *,
    fmt: str,
    dpi: int,
    width_in: float,
    reuse: Path | None = None,
) -> SeriesPlan:
    """Which files the days need, and which states must be rendered.

    A file of ``reuse`` (default ``out_dir``) is up to date if the manifest there records
    the same inputs for it and the file still has the content recorded (its sha256), so a
    file that an interrupted run rewrote is never taken for a current one.
    """
    context = context_digest(territory, fmt=fmt, dpi=dpi, width_in=width_in)
    source = reuse if reuse is not None else out_dir
    recorded = read_manifest(source)
    files: dict[pd.Timestamp, Path] = {}
    inputs: dict[str, str] = {}
    reused: dict[str, str] = {}
    todo: list[Group] = []
    for group in state_groups(territory, days):
        stale = []
        for day in group.days:
            path = out_dir / f"{day:%Y-%m-%d}.{fmt}"
            digest = hashlib.sha256(f"{context}|{group.key}|{day:%Y-%m-%d}".encode()).hexdigest()
            files[day] = path
            inputs[path.name] = digest
            entry = recorded.get(path.name, {})
            if entry.get("inputs") == digest and file_sha256(source / path.name) == entry.get(
                "sha256"
            ):
                reused[path.name] = entry["sha256"]
            else:
                stale.append(day)
        if stale:
            todo.append(Group(group.key, tuple(stale)))
    return SeriesPlan(dict(sorted(files.items())), inputs, reused, todo)


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def take_file(source: Path, target: Path) -> None:
    """Put an up-to-date file of an earlier run at ``target``: a hard link, else a copy."""
    if target.exists() and os.path.samefile(source, target):
        return
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_snapshots(
    territory: Territory,
    out_dir: Path | str,
    *,
    days: Iterable[pd.Timestamp | str] | None = None,
    fmt: str = "png",
    dpi: int = DEFAULT_DPI,
    width_in: float = DEFAULT_WIDTH_IN,
    jobs: int | None = None,
    progress: Progress | None = None,
    reuse: Path | str | None = None,
    renderer: SeriesRenderer | None = None,
) -> list[Path]:
    """Write ``out_dir/YYYY-MM-DD.<fmt>`` for each day (default: every day of the range).

    Each distinct state is rendered once, by ``renderer`` (default: on ``jobs`` processes
    of this machine, all cores if None); files already up to date (same inputs and
    content, per the manifest) are left alone, or taken from ``reuse``, the folder of an
    earlier run, if given.
    ``progress(done, total)`` is called as days are written.

    Returns the paths of the requested days' files, in date order.
    """
    if fmt not in FORMATS:
        raise OptionError(
            f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}", field="fmt"
        )
    out = Path(out_dir)
    source = Path(reuse) if reuse is not None else out
    wanted = snapshot_days(territory, dates=days) if days is not None else snapshot_days(territory)
    plan = plan_series(territory, out, wanted, fmt=fmt, dpi=dpi, width_in=width_in, reuse=source)
    base = basemap(territory)
    layout = base.layout(width_in=width_in, dpi=dpi)
    tasks = [(fmt, layout, [(d, str(plan.files[d])) for d in group.days]) for group in plan.todo]
    stale_days = sum(len(g.days) for g in plan.todo)
    log.info(
        "snapshots: %d day(s), %d state(s) to render, %d file(s) to write, %d up to date",
        len(wanted),
        len(plan.todo),
        stale_days,
        len(wanted) - stale_days,
    )
    out.mkdir(parents=True, exist_ok=True)
    for name in plan.reused:
        take_file(source / name, out / name)
    hashes = dict(plan.reused)
    inputs = RenderInputs(territory, base)
    renderer = renderer or LocalRenderer(jobs)
    for written in renderer.write_groups(inputs, tasks, progress):
        hashes.update((Path(path).name, sha) for path, sha in written)
    entries = {name: {"inputs": plan.inputs[name], "sha256": sha} for name, sha in hashes.items()}
    _write_manifest(out, entries, keep=source == out)
    return list(plan.files.values())


# --- running tasks in worker processes ---------------------------------------------------

Task = tuple[str, Layout, list]


class SeriesRenderer(Protocol):
    """Where the maps of a series are drawn: this machine's processes (:class:`LocalRenderer`)
    or a Dask cluster (:class:`mapgen.distributed.ClusterRenderer`). A task is
    ``(fmt, layout, [(day, path), ...])``: one state and the days that show it."""

    def write_groups(
        self, inputs: RenderInputs, tasks: list[Task], progress: Progress | None
    ) -> Iterable[list[tuple[str, str]]]:
        """Render each task's state and write the file of each of its days (at the paths
        of its items); yield ``(path, sha256)`` lists as files are written, in any order."""
        ...

    def bodies(
        self, inputs: RenderInputs, tasks: list[Task], progress: Progress | None
    ) -> list[np.ndarray]:
        """The map body (RGB, no date) of each task's state, in task order."""
        ...


@dataclass(frozen=True)
class LocalRenderer:
    """Rendering on ``jobs`` processes of this machine (None: all cores), files written by
    the processes themselves."""

    jobs: int | None = None

    def write_groups(
        self, inputs: RenderInputs, tasks: list[Task], progress: Progress | None
    ) -> Iterable[list[tuple[str, str]]]:
        return run_tasks(_write_group, tasks, inputs, jobs=self.jobs, progress=progress)  # type: ignore[return-value]

    def bodies(
        self, inputs: RenderInputs, tasks: list[Task], progress: Progress | None
    ) -> list[np.ndarray]:
        return list(run_tasks(body_task, tasks, inputs, jobs=self.jobs, progress=progress))  # type: ignore[arg-type]


# In a worker process only (set by its initializer; the process ends with its pool).
_WORKER_JOB: tuple[Callable[[RenderInputs, Task], object], RenderInputs] | None = None


def run_tasks(
    fn: Callable[[RenderInputs, Task], object],
    tasks: list[Task],
    inputs: RenderInputs,
    *,
    jobs: int | None,
    progress: Progress | None,
) -> Iterable[object]:
    """Run ``fn(inputs, task)`` over ``tasks`` (each ``(fmt, layout, items)``), in processes
    if worth it.

    Yields results in task order; reports progress by items done. Worker processes end
    with the run: when it finishes, fails or is interrupted (the pool is terminated), and
    when this process dies (they get SIGKILL from the kernel on Linux).
    """
    total = sum(len(t[2]) for t in tasks)
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    done = 0
    if progress:
        progress(0, total)
    if workers <= 1:
        for task in tasks:
            result = fn(inputs, task)
            done += len(task[2])
            if progress:
                progress(done, total)
            yield result
        return
    results: dict[int, object] = {}
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][2]))  # long groups first
    start = (fn, inputs, os.getpid())
    with multiprocessing.Pool(workers, initializer=_start_worker, initargs=start) as pool:
        for i, result in pool.imap_unordered(_run_in_worker, [(i, tasks[i]) for i in order]):
            results[i] = result
            done += len(tasks[i][2])
            if progress:
                progress(done, total)
    for i in range(len(tasks)):
        yield results[i]


def _start_worker(
    fn: Callable[[RenderInputs, Task], object], inputs: RenderInputs, parent: int
) -> None:
    """Initializer of a worker process: die with the parent, leave signals to it."""
    global _WORKER_JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent ends the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    _WORKER_JOB = (fn, inputs)


def _run_in_worker(item: tuple[int, Task]) -> tuple[int, object]:
    assert _WORKER_JOB is not None, "called outside a worker process"
    fn, inputs = _WORKER_JOB
    return item[0], fn(inputs, item[1])


def die_with_parent(parent: int) -> None:
    """Make this process end when process ``parent`` does, however it ends."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Elsewhere than Linux (and as a fallback): poll for the parent's end."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def read_manifest(out: Path) -> dict[str, dict[str, str]]:
    """The manifest of a snapshot folder: per file name, its inputs' hash and its sha256."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): v for k, v in files.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_manifest(out: Path, entries: dict[str, dict[str, str]], *, keep: bool) -> None:
    """Write the manifest; ``keep`` the entries of other files already in it (same folder)."""
    files = {**read_manifest(out), **entries} if keep else entries
    text = json.dumps(
        {"render_version": RENDER_VERSION, "files": dict(sorted(files.items()))},
        indent=1,
        sort_keys=True,
    )
    write_text_atomic(out / MANIFEST, text + "\n")
