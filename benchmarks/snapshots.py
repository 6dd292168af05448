"""Benchmark: the day-by-day map series and the timelapse, against naive per-day rendering.

(a) The default dataset: every day of the range as PNG (``write_snapshots``) plus
    ``timelapse.gif`` and ``timelapse.mp4`` (``write_timelapse``), into an empty folder
    each run (cold cache); then the same call again on the full folder (warm cache).
(b) The synthetic scenario (default 2,000 places, 20,000 events, 1,000 days) written with
    ``mapgen synth``'s generator: every day as PNG.

The naive way draws and saves every day's figure on one core
(``snapshot_figure(...).savefig``). It is timed, in the same run, on a sample of days
spread over the range and scaled to the whole range. Medians of repeats.

    .venv/bin/python benchmarks/snapshots.py [--repeat 3] [--synth-repeat 1] [--sample 12]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mapgen.dataset import load_dataset
from mapgen.render.snapshots import snapshot_days, state_groups, write_snapshots
from mapgen.render.static import snapshot_figure
from mapgen.render.timelapse import write_timelapse
from mapgen.synth import synthesize
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline

CPU: list[float] = []  # CPU seconds of each timed call, this process and its children


def cpu_seconds() -> float:
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(func, *args, **kwargs):
    cpu, start = cpu_seconds(), time.perf_counter()
    result = func(*args, **kwargs)
    CPU.append(cpu_seconds() - cpu)
    return time.perf_counter() - start, result


def series_and_timelapse(territory, out: Path) -> None:
    write_snapshots(territory, out / "snapshots")
    write_timelapse(territory, out)


def naive_per_day(territory, days: list[pd.Timestamp], out: Path) -> list[float]:
    """Seconds to draw and save each day's map the straightforward way."""
    seconds = []
    for day in days:
        start = time.perf_counter()
        snapshot_figure(territory, day).savefig(out / f"{day:%Y-%m-%d}.png")
        seconds.append(time.perf_counter() - start)
    return seconds


def sample_days(territory, n: int) -> list[pd.Timestamp]:
    days = snapshot_days(territory)
    picks = np.linspace(0, len(days) - 1, n).round().astype(int)
    return [days[i] for i in picks]


def fresh(root: Path, name: str) -> Path:
    folder = root / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def measure(label: str, territory, work, root: Path, name: str, repeat: int, sample: int) -> Path:
    """Run ``work(territory, folder)`` ``repeat`` times in fresh folders, the naive way on
    ``sample`` days, and print both; returns the first run's folder."""
    runs = []
    CPU.clear()
    for i in range(repeat):
        seconds, _ = timed(work, territory, fresh(root, f"{name}-{i}"))
        runs.append(seconds)
    cpu = list(CPU)
    naive = naive_per_day(territory, sample_days(territory, sample), fresh(root, f"naive-{name}"))
    report(label, territory, runs, naive, cpu)
    return root / f"{name}-0"


def report(label: str, territory, runs: list[float], naive: list[float], cpu: list[float]) -> None:
    days = snapshot_days(territory)
    states = len(state_groups(territory, days))
    full = statistics.median(runs)
    per_day = statistics.median(naive)
    naive_total = per_day * len(days)
    print(
        f"{label}: {len(days)} days, {states} distinct states; series median {full:.1f} s "
        f"of {len(runs)} ({', '.join(f'{r:.1f}' for r in runs)}); naive per day median "
        f"{per_day:.3f} s x {len(days)} = {naive_total:.0f} s; ratio {naive_total / full:.1f}x; "
        f"CPU time of the series median {statistics.median(cpu):.1f} s "
        f"(wall time on {os.cpu_count()} idle cores cannot be below CPU / cores)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs on the default dataset")
    parser.add_argument("--synth-repeat", type=int, default=1, help="runs on the scenario")
    parser.add_argument("--sample", type=int, default=12, help="days drawn the naive way")
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--skip-synth", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mapgen-bench-snapshots-"))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; output in {root}")
    print("load average is of the whole machine: other jobs running at the same time slow it")

    territory = build_territory(build_timeline(load_dataset()))
    label = "default dataset, PNG series + GIF + MP4"
    first = measure(
        label, territory, series_and_timelapse, root, "default", args.repeat, args.sample
    )
    warm, _ = timed(series_and_timelapse, territory, first)
    print(f"default dataset, re-run with unchanged inputs (cache): {warm:.2f} s")

    if args.skip_synth:
        return
    scenario = synthesize(places=args.places, events=args.events, days=args.days, seed=0)
    files = scenario.write(root / "synth-input")
    setup, territory = timed(lambda f: build_territory(build_timeline(load_dataset(f))), files)
    print(f"scenario: timeline + territory {setup:.1f} s (not part of the series)")
    label = f"synthetic {args.places} places / {args.events} events, PNG series"
    measure(label, territory, write_snapshots, root, "synth", args.synth_repeat, args.sample)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
