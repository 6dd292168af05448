"""Benchmark: ``mapgen validate`` on events tables full of errors grows linearly.

Writes events tables of N rows that each have one error (an unknown place) beside the
embedded places and controllers, and times :func:`mapgen.dataset.check_dataset` plus the
formatting of every problem (what ``mapgen validate`` prints), median of repeats, at each N.
Linear: the time per error stays the same as N doubles.

    .venv/bin/python benchmarks/validate_errors.py [--sizes 20000 40000 --repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from mapgen.dataset import DatasetFiles, check_dataset

HEADER = "event_id,date,place,controller,status,opponent,source,source_url,notes\n"


def events_with_errors(path: Path, count: int) -> Path:
    rows = [f"E{i},2017-11-03,nowhere-{i},iraq,controlled,,Report {i},," for i in range(count)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def timed_validate(files: DatasetFiles) -> tuple[float, int]:
    start = time.perf_counter()
    _, problems = check_dataset(files)
    lines = [str(p) for p in problems.items]
    return time.perf_counter() - start, sum(1 for line in lines if ": error: " in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 40_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = events_with_errors(Path(tmp) / f"events_{size}.csv", size)
            files = DatasetFiles.from_options(events=path)
            runs = [timed_validate(files) for _ in range(args.repeat)]
            median = statistics.median(t for t, _ in runs)
            errors = runs[0][1]
            print(
                f"{size:>7} bad rows: {errors} errors, {median:6.2f} s "
                f"({1e6 * median / errors:.0f} µs per error; median of {args.repeat})"
            )


if __name__ == "__main__":
    main()
