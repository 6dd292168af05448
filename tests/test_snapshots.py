"""The day-by-day series and the timelapse: files, dates, reuse, cache, errors, the command."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
import xml.etree.ElementTree as ET

import imageio_ffmpeg
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from mapgen.cli import cli
from mapgen.dataset import load_dataset
from mapgen.errors import DateRangeError, OptionError
from mapgen.render import snapshots
from mapgen.render.basemap import basemap
from mapgen.render.snapshots import snapshot_days, state_groups, write_snapshots
from mapgen.render.static import DATE_GID, snapshot_figure
from mapgen.render.style import format_day
from mapgen.render.timelapse import write_timelapse
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline
from tests.test_cli import tiny_args

SVG_NS = {"svg": "http://www.w3.org/2000/svg"}
SMALL = {"dpi": 60, "width_in": 6.0}


@pytest.fixture(scope="module")
def territory():
    return build_territory(build_timeline(load_dataset()))


@pytest.fixture
def tiny(tiny_files):
    return build_territory(build_timeline(load_dataset(tiny_files())))


@pytest.fixture
def count_renders(monkeypatch):
    """Count map bodies drawn (in-process runs, jobs=1)."""
    calls: list[pd.Timestamp] = []
    render_body, render_svg = snapshots.render_body, snapshots._render_svg

    def counted_body(inputs, day, layout):
        calls.append(day)
        return render_body(inputs, day, layout)

    def counted_svg(inputs, day, layout):
        calls.append(day)
        return render_svg(inputs, day, layout)

    monkeypatch.setattr(snapshots, "render_body", counted_body)
    monkeypatch.setattr(snapshots, "_render_svg", counted_svg)
    return calls


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def size_of(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def svg_date(path) -> str:
    root = ET.parse(path).getroot()
    group = root.find(f".//svg:g[@id='{DATE_GID}']", SVG_NS)
    return "".join(group.itertext()).strip()


def test_files_for_exactly_the_requested_days(tiny, tmp_path):
    out = tmp_path / "snaps"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    days = snapshot_days(tiny, start="2020-01-02", end="2020-01-14", every=3)
    assert [f"{d:%m-%d}" for d in days] == ["01-02", "01-05", "01-08", "01-11", "01-14"]
    paths = write_snapshots(tiny, out, days=days, jobs=1, **SMALL)
    assert [p.name for p in paths] == [f"{d:%Y-%m-%d}.png" for d in days]
    assert sorted(p.name for p in out.glob("*.png")) == [p.name for p in paths]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    sizes = {size_of(p) for p in paths}
    assert len(sizes) == 1


def test_every_day_by_default(tiny, tmp_path):
    paths = write_snapshots(tiny, tmp_path, jobs=1, **SMALL)
    days = pd.date_range(tiny.timeline.start, tiny.timeline.end)
    assert [p.name for p in paths] == [f"{d:%Y-%m-%d}.png" for d in days]


def test_svg_title_date_matches_the_file_name(territory, tmp_path):
    days = ["2017-11-08", "2017-11-09", "2017-11-12", "2017-11-13", "2018-05-01"]
    paths = write_snapshots(territory, tmp_path, days=days, fmt="svg", jobs=2)
    assert [p.name for p in paths] == [f"{d}.svg" for d in days]
    for path in paths:
        day = pd.Timestamp(path.stem)
        assert svg_date(path) == format_day(day)
        assert pd.Timestamp(svg_date(path)) == day
    text = paths[0].read_text(encoding="utf-8")
    assert "MAPGENDATEPLACEHOLDER" not in text
    assert "<dc:date>" not in text  # no time of the run inside the file


def test_png_series_shows_the_same_map_as_the_figure(territory, tmp_path):
    """A stamped series file equals the figure of that day, except the date's own pixels."""
    day = pd.Timestamp("2017-11-12")  # 2nd day of a state starting 2017-11-11
    size = {"dpi": 150, "width_in": 6.0}
    (path,) = write_snapshots(territory, tmp_path, days=[day], jobs=1, **size)
    stamped = pixels(path).astype(int)
    fig = snapshot_figure(territory, day, **size)
    fig.canvas.draw()
    drawn = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)
    assert stamped.shape == drawn.shape
    band = basemap(territory).layout(**size).title_band_px
    assert np.array_equal(stamped[band:], drawn[band:])
    # The date: the same font at the same place; anti-aliasing may differ by a few pixels.
    ink_stamped = stamped[:band].min(axis=2) < 128
    ink_drawn = drawn[:band].min(axis=2) < 128
    assert ink_drawn.sum() > 200
    assert (ink_stamped != ink_drawn).sum() < 0.05 * ink_drawn.sum()
    box_stamped, box_drawn = (
        np.r_[np.argwhere(ink).min(axis=0), np.argwhere(ink).max(axis=0)]
        for ink in (ink_stamped, ink_drawn)
    )
    assert np.abs(box_stamped - box_drawn).max() <= 1


def test_each_distinct_state_is_drawn_once(territory, tmp_path, count_renders):
    days = pd.date_range("2017-11-01", "2017-11-30")
    groups = state_groups(territory, list(days))
    # A map shows the state since the last change date and names the changes of the week
    # up to its day: days with the same last change and the same week's changes share one.
    dates = territory.timeline.change_dates
    shown = {
        (dates[dates <= d][-1], tuple(dates[(dates <= d) & (dates > d - pd.Timedelta(days=7))]))
        for d in days
    }
    assert len(groups) == len(shown)
    paths = write_snapshots(territory, tmp_path, days=days, jobs=1, **SMALL)
    assert len(count_renders) == len(groups)
    assert len(paths) == 30
    band = basemap(territory).layout(**SMALL).title_band_px
    a, b = (pixels(tmp_path / f"2017-11-{d}.png") for d in ("20", "21"))
    assert np.array_equal(a[band:], b[band:])  # same state: the same map ...
    assert not np.array_equal(a[:band], b[:band])  # ... with its own date
    c = pixels(tmp_path / "2017-11-18.png")
    assert not np.array_equal(a[band:], c[band:])  # 11-19 changed Abu Kamal


def test_days_share_a_drawing_only_if_they_name_the_same_changes(campaign):
    days = list(pd.date_range("2020-01-10", "2020-01-19"))
    groups = [[f"{d:%d}" for d in g.days] for g in state_groups(campaign, days)]
    # one state of the ground from 10 to 19 January; the note names Charlie's assault
    # (5 January) up to the 11th, Bravo's change (10 January) up to the 16th, then nothing
    assert groups == [["10", "11"], ["12", "13", "14", "15", "16"], ["17", "18", "19"]]


def test_rerun_with_unchanged_inputs_does_no_work(tiny, tmp_path, count_renders):
    first = write_snapshots(tiny, tmp_path, jobs=1, **SMALL)
    drawn = len(count_renders)
    assert drawn == len(state_groups(tiny, snapshot_days(tiny)))
    stamps = {p: p.stat().st_mtime_ns for p in first}
    again = write_snapshots(tiny, tmp_path, jobs=1, **SMALL)
    assert again == first
    assert len(count_renders) == drawn
    assert {p: p.stat().st_mtime_ns for p in again} == stamps
    # A deleted file is written again, and only its state is drawn.
    first[3].unlink()
    write_snapshots(tiny, tmp_path, jobs=1, **SMALL)
    assert len(count_renders) == drawn + 1
    assert first[3].is_file()
    # Other options are other inputs: everything is drawn again.
    write_snapshots(tiny, tmp_path, jobs=1, dpi=61, width_in=6.0)
    assert len(count_renders) == 2 * drawn + 1
    manifest = json.loads((tmp_path / snapshots.MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {p.name for p in first}


def test_parallel_and_serial_runs_write_the_same_bytes(tiny, tmp_path):
    serial = write_snapshots(tiny, tmp_path / "a", jobs=1, **SMALL)
    parallel = write_snapshots(tiny, tmp_path / "b", jobs=2, **SMALL)
    for p, q in zip(serial, parallel, strict=True):
        assert p.read_bytes() == q.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2020-01-10", "end": "2020-01-05"}, r"inverted: end 2020-01-05 .* 2020-01-10"),
        ({"dates": []}, r"list of days is empty"),
        ({"start": "2019-12-01"}, r"2019-12-01 is outside the map's range 2020-01-01"),
    ],
)
def test_bad_ranges_are_refused(tiny, kwargs, message):
    with pytest.raises(DateRangeError, match=message):
        snapshot_days(tiny, **kwargs)


def test_unknown_format_and_step_are_option_errors(tiny, tmp_path):
    with pytest.raises(OptionError, match=r"format 'jpg'.*png") as caught:
        write_snapshots(tiny, tmp_path, fmt="jpg")
    assert caught.value.field == "fmt"
    with pytest.raises(OptionError, match=r"every 0 days"):
        snapshot_days(tiny, every=0)


def test_timelapse_has_a_frame_per_day_and_holds_on_change_dates(tiny, tmp_path, count_renders):
    gif, mp4 = write_timelapse(tiny, tmp_path, fps=5, pause_s=1.0, jobs=1, dpi=40, width_in=6.0)
    days = snapshot_days(tiny)
    changes = set(tiny.timeline.change_dates)
    with Image.open(gif) as image:
        assert image.n_frames == len(days)
        durations = []
        for i in range(image.n_frames):
            image.seek(i)
            durations.append(image.info["duration"])
    assert durations == [1200 if d in changes else 200 for d in days]
    width, height = size_of(gif)
    frames = _ffmpeg_frames(mp4, width + width % 2, height + height % 2)
    assert len(frames) == len(days) + 5 * len(changes)
    # The first frame is the first day's map (H.264 is lossy: compare loosely).
    with Image.open(gif) as image:
        first = np.asarray(image.convert("RGB")).astype(int)
    assert np.abs(frames[0][:height, :width].astype(int) - first).mean() < 8
    drawn = len(count_renders)
    assert drawn == len(state_groups(tiny, days))
    write_timelapse(tiny, tmp_path, fps=5, pause_s=1.0, jobs=1, dpi=40, width_in=6.0)
    assert len(count_renders) == drawn  # up to date: nothing drawn again
    write_timelapse(tiny, tmp_path, fps=4, pause_s=1.0, jobs=1, dpi=40, width_in=6.0)
    assert len(count_renders) == 2 * drawn


def _ffmpeg_frames(path, width: int, height: int) -> np.ndarray:
    """Decode every frame of a video with the ffmpeg that imageio-ffmpeg ships."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path)]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def test_gif_frame_shows_its_date(tiny, tmp_path):
    gif, _ = write_timelapse(tiny, tmp_path, fps=5, jobs=1, dpi=40, width_in=6.0)
    with Image.open(gif) as image:
        image.seek(0)
        first = np.asarray(image.convert("RGB"))
        image.seek(1)
        second = np.asarray(image.convert("RGB"))
    band = basemap(tiny).layout(dpi=40, width_in=6.0).title_band_px
    assert not np.array_equal(first[:band], second[:band])
    assert np.array_equal(first[band:], second[band:])  # 01-01 and 01-02: one state


def test_command_writes_the_days_and_refuses_an_inverted_range(tmp_path):
    out = tmp_path / "snaps"
    args = [*tiny_args(tmp_path), "--dpi", "50", "--width", "5", "--jobs", "1", "--out", str(out)]
    result = CliRunner().invoke(
        cli, ["snapshots", *args, "--start", "2020-01-03", "--end", "2020-01-09", "--every", "3"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "2020-01-03.png",
        "2020-01-06.png",
        "2020-01-09.png",
    ]
    result = CliRunner().invoke(cli, ["snapshots", *args, "--dates", "2020-01-15,2020-01-02"])
    assert result.exit_code == 0, result.output
    assert (out / "2020-01-15.png").is_file() and (out / "2020-01-02.png").is_file()
    bad = CliRunner().invoke(
        cli, ["snapshots", *args, "--start", "2020-01-09", "--end", "2020-01-03"]
    )
    assert bad.exit_code == 1
    # The library speaks of values; the command puts the flag in front.
    assert "Error: --end: the range is inverted: end 2020-01-03 is before start 2020-01-09" in (
        bad.output
    )
    assert sys.stderr is not None


def _files(folder):
    """Every file below ``folder`` but the manifests, by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".mapgen-")
    }


def test_build_every_writes_every_nth_days_snapshot_and_leaves_the_rest_alone(tmp_path):
    """The default dataset over 15 days: ``build --every 7`` writes the PNGs of 1, 8 and 15
    October (the same bytes as those of the every-day build) and every other output as
    the every-day build does (timelapse included: it keeps every day)."""
    out = tmp_path / "out"
    args = ["build", "--start", "2017-10-01", "--end", "2017-10-15", "--skip", "report"]
    args += ["--dpi", "40", "--width", "5", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    daily = _files(out)
    assert sum(name.startswith("snapshots/") for name in daily) == 15
    result = CliRunner().invoke(cli, [*args, "--every", "7"])
    assert result.exit_code == 0, result.output
    weekly = _files(out)
    kept = ["snapshots/2017-10-01.png", "snapshots/2017-10-08.png", "snapshots/2017-10-15.png"]
    assert sorted(n for n in weekly if n.startswith("snapshots/")) == kept
    assert weekly == {n: b for n, b in daily.items() if not n.startswith("snapshots/") or n in kept}
    assert {"timelapse.gif", "map.html", "stats.csv", "mapgen.gpkg"} <= set(weekly)
    with Image.open(out / kept[1]) as image:
        assert image.size[0] == 200  # --width 5 in at --dpi 40


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "0"], "Invalid value for '--every': 0 is not in the range x>=1"),
        (["--every", "weekly"], "Invalid value for '--every': 'weekly' is not a valid integer"),
        (["--dates", "2017-10-02,2017-13-01"], "Invalid value for '--dates'"),
        (["--dates", "2019-06-01"], "--dates: 2019-06-01 is outside the map's range 2017-10-01"),
        (["--format", "jpg"], "Invalid value for '--format': 'jpg' is not one of 'png', 'svg'"),
    ],
)
def test_build_refuses_bad_snapshot_days_naming_the_option_and_value(tmp_path, args, message):
    out = tmp_path / "out"
    command = ["build", "--start", "2017-10-01", "--end", "2017-10-15", *args, "--out", str(out)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not an uncaught error
    assert "Traceback" not in result.output
    assert not out.exists()
    if "2017-13-01" in args[1]:
        assert "2017-13-01" in result.output


def test_build_checks_the_snapshot_days_before_any_work(tmp_path):
    from mapgen.build import BuildOptions, build
    from mapgen.render.series_options import SeriesOptions

    dataset = load_dataset(start=pd.Timestamp("2017-10-01"), end=pd.Timestamp("2017-10-15"))
    with pytest.raises(OptionError, match="every 0 days"):
        build(dataset, tmp_path / "a", BuildOptions(series=SeriesOptions(every=0)))
    late = SeriesOptions(dates=(pd.Timestamp("2017-10-16"),))
    with pytest.raises(DateRangeError, match="2017-10-16 is outside"):
        build(dataset, tmp_path / "b", BuildOptions(series=late))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_svg_keeps_text_as_text(tiny, tmp_path):
    (path,) = write_snapshots(tiny, tmp_path, days=["2020-01-12"], fmt="svg", jobs=1)
    text = path.read_text(encoding="utf-8")
    assert "Bravo" in text and "<text" in text
    assert svg_date(io.StringIO(text)) == "12 January 2020"


def test_progress_counts_days_up_to_the_total(tiny, tmp_path):
    seen: list[tuple[int, int]] = []
    write_snapshots(tiny, tmp_path, jobs=2, progress=lambda done, total: seen.append((done, total)))
    days = len(snapshot_days(tiny))
    assert seen[0] == (0, days) and seen[-1] == (days, days)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_progress_bar_is_silent_in_a_pipe():
    from mapgen.cli.progress import tty_progress

    with tty_progress("maps") as progress:  # pytest captures stderr: not a terminal
        assert progress is None


class _PeakAfterDrawing:
    """Draws the maps in this process, then restarts tracemalloc's peak: what is measured
    after is the encoding (stamping and writing the frames), not matplotlib."""

    def __init__(self) -> None:
        self.drawn = 0

    def bodies(self, inputs, tasks, progress):
        bodies = snapshots.LocalRenderer(1).bodies(inputs, tasks, progress)
        self.drawn = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        return bodies


def test_timelapse_memory_does_not_grow_with_the_days(tiny_files, tmp_path):
    """200 days of a few maps: the frames are encoded and written one by one, so what the
    encoding adds stays at a few frames (keeping every frame would add 200 of them)."""
    info = 'start = "2020-01-01"\nend = "2020-07-18"\n'
    tiny = build_territory(build_timeline(load_dataset(tiny_files(info=info))))
    days = snapshot_days(tiny)
    renderer = _PeakAfterDrawing()
    tracemalloc.start()
    try:
        gif, _ = write_timelapse(tiny, tmp_path, jobs=1, dpi=40, width_in=6.0, renderer=renderer)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    width, height = size_of(gif)
    with Image.open(gif) as image:
        assert image.n_frames == len(days) == 200
    maps = len(state_groups(tiny, days))
    frame = width * height  # bytes of one indexed frame (3 × that in RGB)
    added = peak - renderer.drawn
    # here about 7 frames (the MP4's RGB frame, the GIF's last two frames, copies);
    # keeping every frame, as Pillow's save(append_images=...) does, added 248
    assert added < 20 * frame, f"{maps} maps: the encoding added {added / frame:.0f} frames"


def test_a_timelapse_of_many_maps_samples_them_sparser_for_its_palette(tiny, tmp_path, monkeypatch):
    """Beyond PALETTE_MAPS distinct maps the palette samples sparser rows and columns of
    each (so its memory stays bounded); the frames keep their colours: in the first frame,
    99 % of the pixels are within 8 units (of 255) of the frame made with the full sample
    (a median-cut palette's colours are averages, so neither is exact)."""
    from mapgen.render import timelapse

    full, _ = write_timelapse(tiny, tmp_path / "full", jobs=1, dpi=40, width_in=6.0)
    monkeypatch.setattr(timelapse, "PALETTE_MAPS", 1)  # every map counts as "many"
    sparse, _ = write_timelapse(tiny, tmp_path / "sparse", jobs=1, dpi=40, width_in=6.0)
    assert full.read_bytes() != sparse.read_bytes()  # another sample, another palette
    with Image.open(full) as a, Image.open(sparse) as b:
        first_full = np.asarray(a.convert("RGB"))
        first_sparse = np.asarray(b.convert("RGB"))
    gap = np.abs(first_full.astype(int) - first_sparse.astype(int)).max(axis=2)
    differ = (gap > 8).mean()
    assert differ < 0.01, f"{differ:.2%} of the pixels differ by more than 8 units"
