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
version and the date).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from mapgen import __version__
from mapgen._io import write_bytes_atomic, write_text_atomic
from mapgen.boundaries import BOUNDARIES_DIR, LAYERS
from mapgen.errors import DateRangeError, UnknownMethodError
from mapgen.render.basemap import Basemap, Layout, basemap, map_state
from mapgen.render.static import draw_map
from mapgen.render.style import format_day
from mapgen.territory import Territory

log = logging.getLogger(__name__)

FORMATS = ("png", "svg")
RENDER_VERSION = "2"  # with the renderer's source files, part of every cache key
MANIFEST = ".mapgen-snapshots.json"
DEFAULT_DPI = 150
DEFAULT_WIDTH_IN = 10.0
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
    or empty range, a step below 1, or a day outside the territory's range.
    """
    first, last = territory.timeline.start, territory.timeline.end
    if dates is not None:
        days = sorted({pd.Timestamp(d).normalize() for d in dates})
        if not days:
            raise DateRangeError("no dates given: the list of days is empty")
    else:
        if every < 1:
            raise DateRangeError(f"every {every} days: the step must be 1 or more")
        lo = pd.Timestamp(start).normalize() if start is not None else first
        hi = pd.Timestamp(end).normalize() if end is not None else last
        if hi < lo:
            raise DateRangeError(
                f"the range is inverted: end {hi:%Y-%m-%d} is before start {lo:%Y-%m-%d}"
            )
        days = list(pd.date_range(lo, hi, freq=f"{every}D"))
    outside = [d for d in days if not first <= d <= last]
    if outside:
        raise DateRangeError(
            f"{outside[0]:%Y-%m-%d} is outside the map's range {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d} ({len(outside)} day(s) outside)"
        )
    return days


@dataclass(frozen=True)
class Group:
    """Days that show one state: ``key`` hashes the state; ``days`` are in order."""

    key: str
    days: tuple[pd.Timestamp, ...]


def state_groups(territory: Territory, days: Sequence[pd.Timestamp]) -> list[Group]:
    """Group ``days`` by the state their maps show, in order of first day."""
    starts, keys = _period_keys(territory)
    period = np.searchsorted(starts, np.array(days, dtype="datetime64[ns]"), "right") - 1
    grouped: dict[str, list[pd.Timestamp]] = {}
    for day, p in zip(days, period, strict=True):
        grouped.setdefault(keys[p], []).append(day)
    return [Group(key, tuple(ds)) for key, ds in grouped.items()]


def _period_keys(territory: Territory) -> tuple[np.ndarray, list[str]]:
    """For each period of constant state: its first day and a hash of what its maps show."""
    periods = territory.timeline.periods()
    starts = periods["valid_from"].values.astype("datetime64[ns]")
    tables = [
        (territory.areas, ["place_id", "controller", "status", "opponent", "basis"]),
        (territory.frontlines, ["side_a", "side_b"]),
        (territory.places, ["place_id", "controller", "status", "basis"]),
    ]
    per_table = [_valid_digests(frame, cols, starts) for frame, cols in tables]
    change_dates = set(territory.timeline.change_dates.values.astype("datetime64[ns]"))
    changes = territory.timeline.changes()
    by_date = {
        np.datetime64(d, "ns"): rows.drop(columns=["sources"], errors="ignore").to_csv()
        for d, rows in changes.groupby("date")
    }
    keys = []
    for p, start in enumerate(starts):
        h = hashlib.sha256()
        for digests, valid in per_table:
            h.update(b"".join(sorted(digests[valid[p]])))
            h.update(b"|")
        marked = start in change_dates
        h.update(by_date.get(start, "").encode() if marked else b"no change")
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
    vf = frame["valid_from"].values.astype("datetime64[ns]")
    vt = frame["valid_to"].values.astype("datetime64[ns]")
    s = starts[:, None]
    valid = (vf[None, :] <= s) & (np.isnat(vt)[None, :] | (vt[None, :] > s))
    return digests, valid


def context_digest(territory: Territory, **options: object) -> str:
    """A hash of everything drawn on every map of a series besides the state, and options."""
    base = basemap(territory)
    h = hashlib.sha256()
    h.update(f"{RENDER_VERSION}|{__version__}|{matplotlib.__version__}".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(
        json.dumps(
            [base.title, base.credit, base.legend, base.colors, base.names, base.xlim, base.ylim]
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


# --- the per-process worker -------------------------------------------------------------

_WORKER: dict[str, object] = {}


def _init_worker(territory: Territory, base: Basemap) -> None:
    _WORKER["territory"] = territory
    _WORKER["base"] = base


def _state_of(day: pd.Timestamp) -> tuple[Basemap, object]:
    territory = _WORKER["territory"]
    base = _WORKER["base"]
    return base, map_state(territory, day, base)  # type: ignore[arg-type]


def render_body(day: pd.Timestamp, layout: Layout) -> np.ndarray:
    """The map of ``day``'s state without a date, as an RGB array (height, width, 3)."""
    base, state = _state_of(day)
    fig = draw_map(base, state, layout, date_text="")  # type: ignore[arg-type]
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    return np.ascontiguousarray(rgba[:, :, :3])


def _render_svg(day: pd.Timestamp, layout: Layout) -> str:
    base, state = _state_of(day)
    fig = draw_map(base, state, layout, date_text=_PLACEHOLDER)  # type: ignore[arg-type]
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _write_group(task: tuple[str, Layout, list[tuple[pd.Timestamp, str]]]) -> list[str]:
    """Render one state and write the file of each of its days."""
    fmt, layout, items = task
    if fmt == "svg":
        svg = _render_svg(items[0][0], layout)
        for day, path in items:
            write_text_atomic(path, svg.replace(_PLACEHOLDER, format_day(day)))
    else:
        stamper = PngStamper(render_body(items[0][0], layout), layout)
        for day, path in items:
            write_bytes_atomic(path, stamper.png(format_day(day)))
    return [path for _, path in items]


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

    def __init__(self, rgb: np.ndarray, layout: Layout) -> None:
        self.height, self.width = rgb.shape[:2]
        self.layout = layout
        self.band = rgb[: layout.title_band_px]
        self._rgb = rgb
        body = _filtered_rows(rgb[layout.title_band_px :], up=True)
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        self._body_adler = zlib.adler32(body)
        self._body_len = len(body)
        self._body_deflated = compressor.compress(body) + compressor.flush(zlib.Z_FINISH)

    def rgb(self, text: str) -> np.ndarray:
        """The full image with ``text`` as the date (for frames)."""
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
    """What a run has to do: every requested file, and the groups still to render."""

    files: dict[pd.Timestamp, Path]
    hashes: dict[str, str]  # file name -> hash of what it shows
    todo: list[Group]


def plan_series(
    territory: Territory,
    out_dir: Path,
    days: Sequence[pd.Timestamp],
    *,
    fmt: str,
    dpi: int,
    width_in: float,
) -> SeriesPlan:
    """Which files the days need, and which states must be rendered (not up to date)."""
    context = context_digest(territory, fmt=fmt, dpi=dpi, width_in=width_in)
    recorded = _read_manifest(out_dir)
    files: dict[pd.Timestamp, Path] = {}
    hashes: dict[str, str] = {}
    todo: list[Group] = []
    for group in state_groups(territory, days):
        stale = []
        for day in group.days:
            path = out_dir / f"{day:%Y-%m-%d}.{fmt}"
            digest = hashlib.sha256(f"{context}|{group.key}|{day:%Y-%m-%d}".encode()).hexdigest()
            files[day] = path
            hashes[path.name] = digest
            if recorded.get(path.name) != digest or not path.is_file():
                stale.append(day)
        if stale:
            todo.append(Group(group.key, tuple(stale)))
    return SeriesPlan(dict(sorted(files.items())), hashes, todo)


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
) -> list[Path]:
    """Write ``out_dir/YYYY-MM-DD.<fmt>`` for each day (default: every day of the range).

    Each distinct state is rendered once, on ``jobs`` processes (default: all cores);
    files already up to date (same inputs, per the manifest) are left alone.
    ``progress(done, total)`` is called as days are written.

    Returns the paths of the requested days' files, in date order.
    """
    if fmt not in FORMATS:
        raise UnknownMethodError(f"format {fmt!r} is not supported; use one of {FORMATS}")
    out = Path(out_dir)
    wanted = snapshot_days(territory, dates=days) if days is not None else snapshot_days(territory)
    plan = plan_series(territory, out, wanted, fmt=fmt, dpi=dpi, width_in=width_in)
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
    for _ in run_tasks(_write_group, tasks, territory, base, jobs=jobs, progress=progress):
        pass
    _write_manifest(out, plan.hashes)
    return list(plan.files.values())


def run_tasks(
    fn: Callable[..., object],
    tasks: list,
    territory: Territory,
    base: Basemap,
    *,
    jobs: int | None,
    progress: Progress | None,
) -> Iterable[object]:
    """Run ``fn`` over ``tasks`` (each ``(fmt, layout, items)``), in processes if worth it.

    Yields results in task order; reports progress by items done.
    """
    total = sum(len(t[2]) for t in tasks)
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    done = 0
    if progress:
        progress(0, total)
    if workers <= 1:
        _init_worker(territory, base)
        for task in tasks:
            result = fn(task)
            done += len(task[2])
            if progress:
                progress(done, total)
            yield result
        return
    results: dict[int, object] = {}
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][2]))  # long groups first
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(territory, base)) as pool:
        futures = {pool.submit(fn, tasks[i]): i for i in order}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            done += len(tasks[i][2])
            if progress:
                progress(done, total)
    for i in range(len(tasks)):
        yield results[i]


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return dict(data.get("files", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def _write_manifest(out: Path, hashes: dict[str, str]) -> None:
    files = {**_read_manifest(out), **hashes}
    text = json.dumps({"render_version": RENDER_VERSION, "files": files}, indent=1, sort_keys=True)
    write_text_atomic(out / MANIFEST, text + "\n")
