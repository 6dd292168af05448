"""Benchmark: the inputs that were slow by design (issue 14), each at two sizes.

Four cases, each timed at a size and at twice that size; linear code takes about twice as
long at twice the size (ratio ~2), quadratic code about four times (ratio ~4):

- ``html``: an article that is ``<a`` repeated N times (the HTML reader);
- ``statements``: plain text that is one statement after another, N characters (the
  extractor: reading, statements, consolidation of the candidates);
- ``names``: plain text that is one place name repeated N times without punctuation (the
  extractor's runs of capitalised names);
- ``bad-dates``: an events table of N rows, each with an invalid date (``validate``:
  collecting and formatting N errors);
- ``unknown-places``: an events table of N rows, each naming a place the gazetteer lacks
  (``validate`` with a "did you mean" hint for each).

``--commit REV`` times the code of an earlier commit instead (its ``mapgen`` package is
unpacked with ``git archive`` into a temporary folder put first on ``sys.path``), e.g. the
last commit before the fixes, eb534ca. A measurement over ``--timeout`` seconds is cut
and shown as "> T s".

    .venv/bin/python benchmarks/hostile_inputs.py [--cases html statements ...]
        [--scale 1.0] [--repeat 3] [--timeout 120] [--commit eb534ca]
"""

from __future__ import annotations

import argparse
import importlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATEMENTS = "Iraqi forces captured Al-Qaim on Friday. Islamic State still holds Rawa. "
EVENTS_HEADER = "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
# case: (the smaller size, its unit)
CASES: dict[str, tuple[int, str]] = {
    "html": (80_000, "'<a'"),
    "statements": (400_000, "characters"),
    "names": (1_000, "words"),
    "bad-dates": (20_000, "bad rows"),
    "unknown-places": (20_000, "bad rows"),
}


class TimedOut(Exception):
    """A measurement ran past the timeout."""


def _alarm(signum: int, frame: object) -> None:
    raise TimedOut


def html_case(folder: Path, n: int) -> Callable[[], object]:
    reader = importlib.import_module("mapgen.extract.reader")
    page = folder / f"links{n}.html"
    page.write_text("<html><body>date 2017-11-04\n" + "<a" * n, encoding="utf-8")
    return lambda: reader.read_article(page)


def statements_case(folder: Path, n: int) -> Callable[[], object]:
    extractor = importlib.import_module("mapgen.extract").default_extractor()
    path = folder / f"statements{n}.txt"
    text = "date 2017-11-04\n" + STATEMENTS * (n // len(STATEMENTS))
    path.write_text(text, encoding="utf-8")
    warm_up = folder / "warm-up.txt"  # its name indexes are built on first use: not timed
    warm_up.write_text("date 2017-11-04\n" + STATEMENTS, encoding="utf-8")
    extractor.extract([warm_up])
    return lambda: _rows(extractor.extract([path]))


def names_case(folder: Path, n: int) -> Callable[[], object]:
    extractor = importlib.import_module("mapgen.extract").default_extractor()
    path = folder / f"names{n}.txt"
    head = "date 2017-11-04\nIraqi forces recaptured Rawa on Friday.\n"  # English, one fact
    path.write_text(head + "Rawa " * n, encoding="utf-8")
    return lambda: _rows(extractor.extract([path]))


def _rows(result: object) -> int:
    rows = len(result.rows())  # type: ignore[attr-defined]
    assert rows > 0, "nothing extracted: the article was not read"
    return rows


def _validate_case(folder: Path, n: int, row: Callable[[int], str]) -> Callable[[], object]:
    dataset = importlib.import_module("mapgen.dataset")
    path = folder / f"events{n}.csv"
    path.write_text(EVENTS_HEADER + "".join(row(i) for i in range(n)), encoding="utf-8")
    files = dataset.DatasetFiles.from_options(events=path)

    def run() -> int:  # what `mapgen validate` does: check, then format every problem
        _, problems = dataset.check_dataset(files)
        lines = [str(p) for p in problems.items]
        errors = sum(": error: " in line for line in lines)
        assert errors >= n, f"{errors} errors for {n} bad rows"
        return errors

    return run


def bad_dates_case(folder: Path, n: int) -> Callable[[], object]:
    return _validate_case(
        folder, n, lambda i: f"E{i},2017-13-{i % 90:02d},raqqa,sdf,controlled,,Report {i},,\n"
    )


def unknown_places_case(folder: Path, n: int) -> Callable[[], object]:
    return _validate_case(
        folder, n, lambda i: f"E{i},2017-11-03,nowhere-{i},iraq,controlled,,Report {i},,\n"
    )


MAKERS: dict[str, Callable[[Path, int], Callable[[], object]]] = {
    "html": html_case,
    "statements": statements_case,
    "names": names_case,
    "bad-dates": bad_dates_case,
    "unknown-places": unknown_places_case,
}


def measure(run: Callable[[], object], *, repeat: int, timeout: int) -> float | None:
    """Median seconds of ``repeat`` runs, or None if one ran past ``timeout``."""
    times = []
    for _ in range(repeat):
        signal.alarm(timeout)
        start = time.perf_counter()
        try:
            run()
        except TimedOut:
            return None
        finally:
            signal.alarm(0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def unpack(commit: str, folder: Path) -> str:
    """The ``mapgen`` package and ``data`` (its data files) of ``commit`` unpacked into
    ``folder``; the commit's short hash."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "mapgen", "data"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    short = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit],
        capture_output=True,
        text=True,
        check=True,
    )
    return short.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--scale", type=float, default=1.0, help="times the default sizes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=120, help="seconds per measurement")
    parser.add_argument("--commit", help="time this commit's code instead of the checkout's")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory(prefix="mapgen-hostile-") as tmp:
        folder = Path(tmp)
        code = "this checkout"
        if args.commit:
            (folder / "code").mkdir()
            code = f"commit {unpack(args.commit, folder / 'code')}"
            sys.path.insert(0, str(folder / "code"))
        mapgen = importlib.import_module("mapgen")
        print(f"code: {code} ({Path(mapgen.__file__).parent}); median of {args.repeat}")
        for case in args.cases:
            base, unit = CASES[case]
            sizes = [round(base * args.scale), round(2 * base * args.scale)]
            MAKERS[case](folder, 1000)()  # warm-up, not timed: imports, indexes built on use
            times = []
            for size in sizes:
                run = MAKERS[case](folder, size)
                seconds = measure(run, repeat=args.repeat, timeout=args.timeout)
                times.append(seconds)
                shown = f"> {args.timeout} s" if seconds is None else f"{seconds:7.2f} s"
                per = "" if seconds is None else f"  ({1e6 * seconds / size:.1f} µs per unit)"
                print(f"{case:>15}: {size:>9,} {unit:<10} {shown}{per}", flush=True)
                if seconds is None:
                    break  # the larger size would time out too
            if len(times) == 2 and None not in times:
                print(f"{'':>15}  ratio at twice the size: {times[1] / times[0]:.2f}")


if __name__ == "__main__":
    main()
