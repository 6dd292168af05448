"""The timelapse: every day of the range as one frame of ``timelapse.gif`` and ``timelapse.mp4``.

Frames are the static maps (:mod:`mapgen.render.static`) at a lower resolution, built the
way the snapshot series is: each distinct state is rendered once (in parallel), each day's
frame is that map with its own date stamped in the title. The animation holds on change
dates (``pause_s``): the GIF gives those frames a longer duration, the MP4 repeats them.

The GIF has one palette for all frames and is written frame by frame with Pillow's GIF
encoder, each frame as the rectangle that changed (the bytes Pillow's ``save(save_all=True)``
writes, without holding every frame); the MP4, at the same time, with imageio and the
ffmpeg binary shipped by ``imageio-ffmpeg`` (H.264, yuv420p, plays in browsers and slides).
Memory is a few frames plus each distinct map deflated, and, while the palette is made,
the quantizer's sample of every map.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import BinaryIO

import imageio.v2 as imageio
import numpy as np
import pandas as pd
from PIL import GifImagePlugin, Image

from mapgen._io import atomic_path, write_text_atomic
from mapgen.errors import OptionError
from mapgen.render.basemap import Layout, basemap
from mapgen.render.series_options import DEFAULT_FPS, DEFAULT_PAUSE_S
from mapgen.render.snapshots import (
    LocalRenderer,
    Progress,
    RenderInputs,
    SeriesRenderer,
    Task,
    context_digest,
    file_sha256,
    snapshot_days,
    stamp_band,
    state_groups,
    take_file,
)
from mapgen.render.style import format_day
from mapgen.territory import Territory

log = logging.getLogger(__name__)

GIF_NAME = "timelapse.gif"
MP4_NAME = "timelapse.mp4"
MANIFEST = ".mapgen-timelapse.json"
DEFAULT_DPI = 100
DEFAULT_WIDTH_IN = 8.0
DRAW_CHUNK = 32  # maps drawn per call of the renderer (held uncompressed until encoded)
PALETTE_MAPS = 48  # distinct maps sampled in full (every other pixel) for the palette


def write_timelapse(
    territory: Territory,
    out_dir: Path | str,
    *,
    days: Iterable[pd.Timestamp | str] | None = None,
    fps: float = DEFAULT_FPS,
    pause_s: float = DEFAULT_PAUSE_S,
    dpi: int = DEFAULT_DPI,
    width_in: float = DEFAULT_WIDTH_IN,
    jobs: int | None = None,
    progress: Progress | None = None,
    reuse: Path | str | None = None,
    renderer: SeriesRenderer | None = None,
) -> list[Path]:
    """Write ``out_dir/timelapse.gif`` and ``out_dir/timelapse.mp4``, one frame per day.

    ``fps`` frames (days) per second; change dates are held ``pause_s`` seconds longer.
    Up to date files (same inputs and options and the content recorded, per
    ``.mapgen-timelapse.json``) are kept, or taken from ``reuse``, the folder of an earlier
    run, if given. The distinct maps are drawn by ``renderer`` (default: on ``jobs``
    processes of this machine); the frames are stamped and encoded here. Returns the two
    paths.
    """
    if fps <= 0:
        raise OptionError(f"frame rate {fps}: must be above 0 frames per second", field="fps")
    if pause_s < 0:
        raise OptionError(f"pause {pause_s} s: must be 0 or more seconds", field="pause_s")
    out = Path(out_dir)
    wanted = snapshot_days(territory, dates=days) if days is not None else snapshot_days(territory)
    groups = state_groups(territory, wanted)
    context = context_digest(territory, fmt="timelapse", dpi=dpi, width_in=width_in)
    digest = hashlib.sha256(
        json.dumps(
            [context, fps, pause_s, [(g.key, [f"{d:%Y-%m-%d}" for d in g.days]) for g in groups]]
        ).encode()
    ).hexdigest()
    paths = [out / GIF_NAME, out / MP4_NAME]
    source = Path(reuse) if reuse is not None else out
    recorded = _recorded(source, digest)
    if recorded is not None:
        out.mkdir(parents=True, exist_ok=True)
        for path in paths:
            take_file(source / path.name, path)
        _write_record(out, digest, recorded)
        log.info("timelapse: %s and %s are up to date", GIF_NAME, MP4_NAME)
        return paths
    base = basemap(territory)
    layout = base.layout(width_in=width_in, dpi=dpi)
    tasks = [("rgb", layout, [(d, "") for d in g.days]) for g in groups]
    log.info("timelapse: %d frame(s), %d state(s) to render", len(wanted), len(groups))
    inputs = RenderInputs(territory, base)
    drawn = _draw(renderer or LocalRenderer(jobs), inputs, tasks, progress)
    maps = {g.key: m for g, m in zip(groups, drawn, strict=True)}
    key_of = {d: g.key for g in groups for d in g.days}
    change_dates = set(territory.timeline.change_dates)
    frames = [(day, maps[key_of[day]], day in change_dates) for day in wanted]
    out.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    with ThreadPoolExecutor(1) as encoder:  # ffmpeg encodes while Pillow writes the GIF
        mp4 = encoder.submit(_write_mp4, frames, paths[1], fps, pause_s, stop)
        try:
            _write_gif(frames, paths[0], fps, pause_s)
        except BaseException:
            stop.set()  # interrupted: do not wait for the whole video
            raise
        mp4.result()
    _write_record(out, digest, {p.name: file_sha256(p) or "" for p in paths})
    return paths


def _recorded(folder: Path, digest: str) -> dict[str, str] | None:
    """The files' sha256 if ``folder`` holds both files made from ``digest``, unchanged."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = {name: str(data["files"][name]) for name in (GIF_NAME, MP4_NAME)}
        if data["inputs"] != digest:
            return None
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None
    same = all(file_sha256(folder / name) == sha for name, sha in files.items())
    return files if same else None


def _write_record(out: Path, digest: str, files: dict[str, str]) -> None:
    text = json.dumps({"inputs": digest, "files": files}, sort_keys=True)
    write_text_atomic(out / MANIFEST, text + "\n")


def _even(rgb: np.ndarray) -> np.ndarray:
    """Pad with white to even height and width (H.264 with yuv420p needs them)."""
    h, w = rgb.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return rgb
    return np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), constant_values=255)


def _draw(
    renderer: SeriesRenderer,
    inputs: RenderInputs,
    tasks: list[Task],
    progress: Progress | None,
) -> list[_Map]:
    """The map of each task, drawn :data:`DRAW_CHUNK` tasks at a time and kept compressed,
    so that no more than a chunk of maps is held uncompressed."""
    total = sum(len(t[2]) for t in tasks)
    maps: list[_Map] = []
    done = 0
    for start in range(0, len(tasks), DRAW_CHUNK):
        chunk = tasks[start : start + DRAW_CHUNK]
        report = None
        if progress is not None:
            report = partial(_report, progress, done, total)
        bodies = renderer.bodies(inputs, chunk, report)
        for i, task in enumerate(chunk):
            maps.append(_Map(bodies[i], task[1]))
            bodies[i] = None  # type: ignore[call-overload]
        done += sum(len(t[2]) for t in chunk)
    return maps


def _report(progress: Progress, before: int, total: int, done: int, _: int) -> None:
    progress(before + done, total)


class _Map:
    """One distinct map of the timelapse (RGB, no date), kept deflated; each day's frame is
    it with the day stamped in the title band."""

    def __init__(self, rgb: np.ndarray, layout: Layout) -> None:
        self.layout = layout
        self.shape = rgb.shape
        band = layout.title_band_px
        self._band = zlib.compress(np.ascontiguousarray(rgb[:band]), 1)
        self._body = zlib.compress(np.ascontiguousarray(rgb[band:]), 1)

    def band(self, text: str) -> np.ndarray:
        """The title band (RGB rows) with ``text`` as the date."""
        return stamp_band(self._rows(self._band), text, self.layout)

    def body(self) -> np.ndarray:
        """The rows below the title band."""
        return self._rows(self._body)

    def _rows(self, data: bytes) -> np.ndarray:
        return np.frombuffer(zlib.decompress(data), np.uint8).reshape(-1, *self.shape[1:])

    def rgb(self, text: str) -> np.ndarray:
        """The full frame with ``text`` as the date."""
        return np.concatenate([self.band(text), self.body()])


class _Stopped(Exception):
    """The GIF failed or was interrupted: the video is abandoned."""


def _write_mp4(
    frames: list[tuple[pd.Timestamp, _Map, bool]],
    path: Path,
    fps: float,
    pause_s: float,
    stop: threading.Event,
) -> None:
    hold = round(pause_s * fps)
    try:
        with atomic_path(path, fresh=True) as tmp:  # ffmpeg goes by the extension
            writer = imageio.get_writer(
                tmp,
                format="FFMPEG",
                mode="I",
                fps=fps,
                codec="libx264",
                pixelformat="yuv420p",
                macro_block_size=2,
                quality=None,
                output_params=["-preset", "ultrafast", "-crf", "23", "-threads", "1"],
                ffmpeg_log_level="error",
            )
            try:
                for day, frame_map, changed in frames:
                    if stop.is_set():
                        raise _Stopped  # atomic_path removes the partial file
                    frame = _even(frame_map.rgb(format_day(day)))
                    for _ in range(1 + (hold if changed else 0)):
                        writer.append_data(frame)
            finally:
                writer.close()
    except _Stopped:
        return
    log.info("wrote %s (%d frames)", path.name, len(frames))


def _write_gif(
    frames: list[tuple[pd.Timestamp, _Map, bool]], path: Path, fps: float, pause_s: float
) -> None:
    """Write the GIF frame by frame: only the current map's indexed body and the last
    frame are held, whatever the number of days."""
    palette = _palette([m for _, m, _ in frames])
    colours: list[int] = palette.getpalette()  # type: ignore[assignment]
    body: np.ndarray | None = None
    shown: _Map | None = None
    with atomic_path(path) as tmp, tmp.open("wb") as fp:
        gif = _GifStream(fp, colours)
        for day, frame_map, changed in frames:
            if frame_map is not shown or body is None:
                body = _indexed(frame_map.body(), palette)
            band = _indexed(frame_map.band(format_day(day)), palette)
            duration = round(1000 / fps + (1000 * pause_s if changed else 0))
            gif.add(
                np.concatenate([band, body]),
                duration,
                same_below=len(band) if frame_map is shown else None,
            )
            shown = frame_map
        gif.close()
    log.info("wrote %s (%d frames)", path.name, len(frames))


class _GifStream:
    """A GIF written one frame at a time, with the bytes Pillow's
    ``save(save_all=True, loop=0, optimize=False)`` writes for the same frames (Pillow
    keeps every frame until the end; this keeps the last one and the one not yet written).

    As Pillow does: the first frame carries the global header and palette; each later
    frame is the rectangle that differs from the frame before (with the palette as a
    local colour table); a frame identical to the one before adds its duration to it.
    """

    def __init__(self, fp: BinaryIO, palette: list[int], loop: int = 0) -> None:
        self._fp = fp
        self._palette = palette
        self._loop = loop
        self._previous: np.ndarray | None = None
        self._pending: tuple[np.ndarray, tuple[int, int, int, int] | None, int] | None = None
        self._written = 0

    def add(self, pixels: np.ndarray, duration: int, *, same_below: int | None = None) -> None:
        """Add a frame (palette indices); ``same_below``: rows from there on are known to
        be those of the frame before (only the rows above are compared)."""
        box = None
        if self._previous is not None:
            box = _changed_box(self._previous, pixels, same_below)
            if box is None:
                if duration and self._pending is not None:
                    kept, kept_box, kept_duration = self._pending
                    self._pending = (kept, kept_box, kept_duration + duration)
                return
        self._flush()
        self._pending = (pixels, box, duration)
        self._previous = pixels

    def close(self) -> None:
        """Write the last frame and the trailer."""
        if self._written == 0 and self._pending is not None:  # one frame: Pillow's own form
            pixels, _, duration = self._pending
            image = self._image(pixels)
            image.save(
                self._fp,
                format="GIF",
                save_all=True,
                duration=duration,
                loop=self._loop,
                optimize=False,
            )
            self._pending = None
            return
        self._flush()
        self._fp.write(b";")

    def _flush(self) -> None:
        if self._pending is None:
            return
        pixels, box, duration = self._pending
        if self._written == 0:
            image = self._image(pixels)
            info = {"loop": self._loop, "duration": duration, "optimize": False}
            header, _ = GifImagePlugin.getheader(image, None, info)
            self._fp.write(b"".join(header))
            data = GifImagePlugin.getdata(image, (0, 0), **info)
        else:
            assert box is not None
            left, top, right, bottom = box
            image = self._image(pixels[top:bottom, left:right])
            data = GifImagePlugin.getdata(
                image, (left, top), duration=duration, include_color_table=True
            )
        self._fp.write(b"".join(data))
        self._written += 1
        self._pending = None

    def _image(self, pixels: np.ndarray) -> Image.Image:
        image = Image.fromarray(np.ascontiguousarray(pixels), mode="P")
        image.putpalette(self._palette)
        return image


def _changed_box(
    before: np.ndarray, after: np.ndarray, same_below: int | None
) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the pixels that differ, or None (Pillow's getbbox of
    the frames' difference)."""
    rows = slice(0, same_below)
    differs = before[rows] != after[rows]
    ys = np.flatnonzero(differs.any(axis=1))
    if len(ys) == 0:
        return None
    xs = np.flatnonzero(differs.any(axis=0))
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def _palette(maps: list[_Map]) -> Image.Image:
    """One 256-colour palette for every frame, from the distinct maps (and black text).

    Every map is sampled, every other row and column of each while there are at most
    :data:`PALETTE_MAPS` of them; beyond, sparser rows and columns keep the sample (and
    the quantizer's memory, ~13 bytes a pixel) to about that many maps' worth, so a year of
    daily maps does not add a gigabyte for its palette."""
    unique = list({id(m): m for m in maps}.values())
    step = 2 * max(1, math.ceil(math.sqrt(len(unique) / PALETTE_MAPS)))
    # the sampled rows and columns of each map, one below the other, pasted map by map
    parts = [(-(-h // step), -(-w // step)) for h, w, _ in (m.shape for m in unique)]
    sample = Image.new("RGB", (parts[0][1], sum(h for h, _ in parts)))
    top = 0
    for m, (h, _) in zip(unique, parts, strict=True):
        rgb = m.rgb("0123456789")[::step, ::step]
        sample.paste(Image.fromarray(np.ascontiguousarray(rgb)), (0, top))
        top += h
    return sample.quantize(colors=256, method=Image.Quantize.MEDIANCUT)


def _indexed(rgb: np.ndarray, palette: Image.Image) -> np.ndarray:
    image = Image.fromarray(rgb).quantize(palette=palette, dither=Image.Dither.NONE)
    return np.asarray(image)
