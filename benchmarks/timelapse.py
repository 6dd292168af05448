"""Benchmark: peak memory and time of the timelapse (``timelapse.gif`` + ``timelapse.mp4``).

Builds the territory of a dataset folder (e.g. an import of DeepState's polygons made by
``mapgen import-areas``; default: the embedded dataset), then writes the timelapse of its
days in this process and reports the wall time of ``write_timelapse`` and the process's
peak resident memory before it (dataset + territory) and after it (the timelapse's peak is
the rise, if any: ``ru_maxrss`` is a high-water mark).

    .venv/bin/python benchmarks/timelapse.py [--dataset FOLDER] [--end YYYY-MM-DD] [--jobs N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from mapgen.dataset import DatasetFiles, load_dataset
from mapgen.render.timelapse import write_timelapse
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, help="dataset folder (default: embedded)")
    parser.add_argument("--start", type=pd.Timestamp)
    parser.add_argument("--end", type=pd.Timestamp)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--out", type=Path, help="keep the files here (default: a temp dir)")
    args = parser.parse_args()
    files = DatasetFiles.from_folder(args.dataset) if args.dataset else None
    started = time.perf_counter()
    territory = build_territory(build_timeline(load_dataset(files, start=args.start, end=args.end)))
    days = len(pd.date_range(territory.timeline.start, territory.timeline.end))
    before = peak_mb()
    print(f"territory: {time.perf_counter() - started:.1f} s, peak {before:.0f} MB, {days} days")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        started = time.perf_counter()
        gif, mp4 = write_timelapse(territory, out, jobs=args.jobs)
        wall = time.perf_counter() - started
        after = peak_mb()
        sizes = f"gif {gif.stat().st_size / 1e6:.1f} MB, mp4 {mp4.stat().st_size / 1e6:.1f} MB"
    print(f"timelapse: {wall:.1f} s, peak {after:.0f} MB (+{after - before:.0f} MB), {sizes}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
