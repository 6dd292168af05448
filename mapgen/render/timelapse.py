"""The timelapse: every day of the range as one frame of ``timelapse.gif`` and ``timelapse.mp4``.

Frames are the static maps (:mod:`mapgen.render.static`) at a lower resolution, built the
way the snapshot series is: each distinct state is rendered once (in parallel), each day's
frame is that map with its own date stamped in the title. The animation holds on change
dates (``pause_s``): the GIF gives those frames a longer duration, the MP4 repeats them.

The GIF is written with Pillow (imageio's GIF backend) using one palette for all frames,
so unchanged parts of consecutive frames are not re-encoded; the MP4 with imageio and the
ffmpeg binary shipped by ``imageio-ffmpeg`` (H.264, yuv420p, plays in browsers and slides).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
import pandas as pd
from PIL import Image

from mapgen._io import atomic_path, write_text_atomic
from mapgen.errors import OptionError
from mapgen.render.basemap import basemap
from mapgen.render.series_options import DEFAULT_FPS, DEFAULT_PAUSE_S
from mapgen.render.snapshots import (
    LocalRenderer,
    PngStamper,
    Progress,
    RenderInputs,
    SeriesRenderer,
    context_digest,
    file_sha256,
    snapshot_days,
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
    bodies = (renderer or LocalRenderer(jobs)).bodies(inputs, tasks, progress)
    stampers = {g.key: PngStamper(b, layout) for g, b in zip(groups, bodies, strict=True)}  # type: ignore[arg-type]
    key_of = {d: g.key for g in groups for d in g.days}
    change_dates = set(territory.timeline.change_dates)
    frames = [(day, stampers[key_of[day]], day in change_dates) for day in wanted]
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


class _Stopped(Exception):
    """The GIF failed or was interrupted: the video is abandoned."""


def _write_mp4(
    frames: list[tuple[pd.Timestamp, PngStamper, bool]],
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
                for day, stamper, changed in frames:
                    if stop.is_set():
                        raise _Stopped  # atomic_path removes the partial file
                    frame = _even(stamper.rgb(format_day(day)))
                    for _ in range(1 + (hold if changed else 0)):
                        writer.append_data(frame)
            finally:
                writer.close()
    except _Stopped:
        return
    log.info("wrote %s (%d frames)", path.name, len(frames))


def _write_gif(
    frames: list[tuple[pd.Timestamp, PngStamper, bool]], path: Path, fps: float, pause_s: float
) -> None:
    palette = _palette([s for _, s, _ in frames])
    bodies: dict[int, np.ndarray] = {}
    images = []
    durations = []
    for day, stamper, changed in frames:
        body = bodies.get(id(stamper))
        if body is None:
            body = _indexed(stamper.rgb(""), palette)
            bodies[id(stamper)] = body
        band = _indexed(stamper.rgb(format_day(day))[: stamper.layout.title_band_px], palette)
        image = Image.fromarray(np.concatenate([band, body[len(band) :]]), mode="P")
        image.putpalette(palette.getpalette())  # type: ignore[arg-type]
        images.append(image)
        durations.append(round(1000 / fps + (1000 * pause_s if changed else 0)))
    with atomic_path(path) as tmp:
        images[0].save(
            tmp,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=durations,
            loop=0,
            optimize=False,
        )
    log.info("wrote %s (%d frames)", path.name, len(images))


def _palette(stampers: list[PngStamper]) -> Image.Image:
    """One 256-colour palette for every frame, from the distinct maps (and black text)."""
    unique = list({id(s): s for s in stampers}.values())
    sample = np.concatenate([s.rgb("0123456789")[::2, ::2] for s in unique])
    return Image.fromarray(sample).quantize(colors=256, method=Image.Quantize.MEDIANCUT)


def _indexed(rgb: np.ndarray, palette: Image.Image) -> np.ndarray:
    image = Image.fromarray(rgb).quantize(palette=palette, dither=Image.Dither.NONE)
    return np.asarray(image)
