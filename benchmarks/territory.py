"""Benchmark: the territory history of a large synthetic scenario, per method.

Builds the whole history on change dates only (what mapgen does) and compares it with
recomputing every day from scratch, measured in the same run. Recomputing all 1,000 days
is slow, so it is timed on a sample of days spread over the range and scaled to the range.

    .venv/bin/python benchmarks/territory.py [--places 2000 --events 20000 --days 1000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from mapgen.dataset import load_dataset
from mapgen.synth import synthesize
from mapgen.territory import METHODS, TerritoryOptions, build_territory
from mapgen.timeline import build_timeline


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def from_scratch(dataset, options: TerritoryOptions):
    """The naive way: timeline and territory for a one-day range."""
    return build_territory(build_timeline(dataset), options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the full build")
    parser.add_argument("--sample", type=int, default=15, help="days timed from scratch")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="mapgen-bench-"))
    scenario = synthesize(places=args.places, events=args.events, days=args.days, seed=0)
    files = scenario.write(folder)
    load_s, dataset = timed(load_dataset, files)
    timeline_s, timeline = timed(build_timeline, dataset)
    print(
        f"scenario: {args.places} places, {len(dataset.events)} events, {args.days} days, "
        f"{len(timeline.change_dates)} change dates"
    )
    print(f"load + validate: {load_s:.2f} s; timeline: {timeline_s:.2f} s")
    sample = np.linspace(0, args.days - 1, args.sample).round().astype(int)
    days = [dataset.start + np.timedelta64(int(d), "D") for d in sample]
    for method in METHODS:
        options = TerritoryOptions(method=method)
        runs = [timed(build_territory, timeline, options) for _ in range(args.repeat)]
        full = statistics.median(r[0] for r in runs)
        territory = runs[0][1]
        per_day = []
        for day in days:
            one_day = dataset.with_range(day, day)
            seconds, _ = timed(from_scratch, one_day, options)
            per_day.append(seconds)
        naive = statistics.median(per_day) * args.days
        print(
            f"{method:8s} change-date build: median {full:.2f} s of {args.repeat} "
            f"({len(territory.areas)} areas, {len(territory.frontlines)} frontlines); "
            f"from scratch per day: median {statistics.median(per_day):.3f} s x {args.days} days "
            f"= {naive:.0f} s; ratio {naive / full:.0f}x"
        )


if __name__ == "__main__":
    main()
