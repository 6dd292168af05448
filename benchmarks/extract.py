"""Benchmark: mapgen extract on the seed articles, repeated.

Copies the five seeds (../shared/seeds) N times into a temporary folder (the seeds without a
dateline get one, as in tests/data/seed_dates.csv) and times the extraction of all of them
with one extractor: articles per second and characters per second (median of repeats).
Index building (gazetteer and controllers, once per language) is timed apart. Also times one
long article (all seeds concatenated many times) to show the cost grows linearly, and two
hostile inputs at two sizes each (issue 14): HTML of nothing but ``<a`` (80k and 160k times)
and plain text that is one statement after another (400 kB and 800 kB); each time should
about double with the size.

    .venv/bin/python benchmarks/extract.py [--copies 20 --repeat 5] [--hostile-only]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
from pathlib import Path

from mapgen.extract import default_extractor
from mapgen.extract.lang import languages
from mapgen.extract.reader import read_article

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("MAPGEN_SEEDS", ROOT.parent / "shared" / "seeds"))
STATEMENTS = "Iraqi forces captured Al-Qaim on Friday. Islamic State still holds Rawa. "


def seed_texts() -> list[str]:
    with open(ROOT / "tests" / "data" / "seed_dates.csv", encoding="utf-8") as f:
        dates = {r["seed"]: r["date"] for r in csv.DictReader(f)}
    texts = []
    for path in sorted(SEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        date = dates.get(path.name)
        texts.append(f"date {date}\n{text}" if date else text)
    return texts


def timed(func, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def hostile(extractor, folder: Path) -> None:
    """Times of the two hostile inputs at two sizes (one run each; they are slow by design)."""
    for n in (80_000, 160_000):
        page = folder / f"links{n}.html"
        page.write_text("<html><body>date 2017-11-04\n" + "<a" * n, encoding="utf-8")
        seconds, _ = timed(read_article, page)
        print(f"HTML of '<a' x {n} ({page.stat().st_size / 1e3:.0f} kB): read in {seconds:.2f} s")
    for size in (400_000, 800_000):
        text = "date 2017-11-04\n" + STATEMENTS * (size // len(STATEMENTS))
        path = folder / f"statements{size}.txt"
        path.write_text(text, encoding="utf-8")
        seconds, _ = timed(extractor.extract, [path])
        print(f"plain text of statements ({len(text) / 1e3:.0f} kB): extracted in {seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the five seeds")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hostile-only", action="store_true", help="only the hostile inputs")
    args = parser.parse_args()
    if args.hostile_only:
        hostile(default_extractor(), Path(tempfile.mkdtemp(prefix="mapgen-extract-bench-")))
        return
    if not SEEDS.is_dir():
        raise SystemExit(f"{SEEDS} is absent")
    folder = Path(tempfile.mkdtemp(prefix="mapgen-extract-bench-"))
    texts = seed_texts()
    paths = []
    for n in range(args.copies):
        for i, text in enumerate(texts):
            path = folder / f"{n:03d}_{i}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    chars = sum(len(t) for t in texts) * args.copies

    build_s, extractor = timed(default_extractor)
    index_s, _ = timed(lambda: [extractor.indexes(lang) for lang in languages().values()])
    runs = [timed(extractor.extract, paths)[0] for _ in range(args.repeat)]
    median = statistics.median(runs)

    long_text = "\n\n".join(texts) * 10
    long_path = folder / "long.txt"
    long_path.write_text("date 2017-11-04\n" + long_text, encoding="utf-8")
    long_runs = [timed(extractor.extract, [long_path])[0] for _ in range(args.repeat)]
    long_median = statistics.median(long_runs)

    print(
        f"gazetteer + controllers read: {build_s:.2f} s; "
        f"name indexes ({len(languages())} languages): {index_s:.2f} s"
    )
    print(
        f"{len(paths)} articles ({chars / 1e3:.0f} k characters), median of {args.repeat}: "
        f"{median:.2f} s = {len(paths) / median:.1f} articles/s, "
        f"{chars / median / 1e3:.0f} k chars/s"
    )
    print(
        f"one article of {len(long_text) / 1e3:.0f} k characters: {long_median:.2f} s = "
        f"{len(long_text) / long_median / 1e3:.0f} k chars/s "
        "(ratio to the many-articles rate: "
        f"{len(long_text) / long_median / (chars / median):.2f})"
    )
    hostile(extractor, folder)


if __name__ == "__main__":
    main()
