"""Interrupted builds (issue 14): what SIGINT, SIGTERM and SIGKILL mid-build leave behind.

Builds the default dataset over a short range into a fresh folder (the output to protect),
then, for each signal: starts a rebuild with another territory method, sends the signal to
the main process only (as ``kill`` or a service manager does) once the render workers have
written some snapshots into the staging folder, and reports

- whether the previous output is byte for byte what it was (every file's sha256);
- what is left beside it (staging folders, temporary files);
- how many of the build's processes are alive 30 s later (workers that outlived it);
- then runs the first command again: what it reused ("up to date"), whether its output is
  byte-identical to the first build's (a cache keyed by existence would keep the other
  method's snapshots), and what is left beside it after.

Last, a build over a shorter range into the same folder: the snapshots of days outside the
new range must be gone.

    .venv/bin/python tools/interrupt_scenarios.py [--start 2017-10-01 --end 2017-11-30]
        [--jobs 2] [--signals SIGINT SIGTERM SIGKILL]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def mapgen_build(out: Path, *args: str, jobs: int) -> subprocess.Popen:
    """``mapgen -v build … --out out`` in a process group of its own (found again by id);
    its log goes to ``build.log`` beside the folder (a pipe nobody reads would stall it)."""
    command = [sys.executable, "-m", "mapgen", "-v", "build", "--out", str(out), "--jobs"]
    with open(out.parent / "build.log", "w", encoding="utf-8") as log:
        return subprocess.Popen(
            [*command, str(jobs), *args],
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )


def finished(process: subprocess.Popen, out: Path, what: str) -> str:
    process.wait(timeout=3600)
    stderr = (out.parent / "build.log").read_text(encoding="utf-8")
    if process.returncode != 0:
        raise SystemExit(f"{what} failed ({process.returncode}):\n{stderr[-3000:]}")
    return stderr


def contents(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def alive_in_group(group: int) -> list[str]:
    """Processes (not zombies) of a process group, as 'pid command'."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_file.read_text()
        except OSError:
            continue
        command, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        state, _, pgrp = rest.split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(f"{stat_file.parent.name} {command}")
    return found


def beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def wait_until(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def up_to_date(stderr: str) -> str:
    """The build's own words on what it reused ('N up to date' of snapshots and timelapse)."""
    found = re.findall(r"snapshots: .*?(\d+) up to date", stderr)
    timelapse = "timelapse reused" if re.search(r"timelapse.*(up to date|reus)", stderr) else ""
    return ", ".join(filter(None, [f"{'+'.join(found) or 0} snapshot(s) up to date", timelapse]))


def interrupt(out: Path, number: int, args: list[str], jobs: int) -> dict[str, object]:
    staged = f".{out.name}.mapgen-staging-*/snapshots/*.png"
    build = mapgen_build(out, *args, "--method", "voronoi", jobs=jobs)
    started = wait_until(lambda: any(out.parent.glob(staged)) or build.poll() is not None, 1800)
    if not started or build.poll() is not None:
        raise SystemExit("the rebuild ended before it could be interrupted")
    time.sleep(1.0)  # let the workers write a few more files
    written = len(list(out.parent.glob(staged)))
    processes = len(alive_in_group(build.pid))
    os.kill(build.pid, number)
    sent = time.monotonic()
    build.wait(timeout=600)
    gone = wait_until(lambda: not alive_in_group(build.pid), 30)
    return {
        "exit": build.returncode,
        "snapshots staged when signalled": written,
        "processes when signalled": processes,
        "processes alive 30 s later": 0 if gone else len(alive_in_group(build.pid)),
        "seconds until all ended": round(time.monotonic() - sent, 1) if gone else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", default="2017-10-01")
    parser.add_argument("--end", default="2017-11-30")
    parser.add_argument("--short-start", default="2017-10-15")
    parser.add_argument("--short-end", default="2017-10-31")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--signals", nargs="+", default=["SIGINT", "SIGTERM", "SIGKILL"])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mapgen-interrupt-"))
    out = folder / "out"
    first_args = ["--start", args.start, "--end", args.end]
    began = time.monotonic()
    finished(mapgen_build(out, *first_args, jobs=args.jobs), out, "the first build")
    before = contents(out)
    print(
        f"first build ({args.start} to {args.end}, default method): {len(before)} files, "
        f"{time.monotonic() - began:.0f} s"
    )
    for name in args.signals:
        found = interrupt(out, getattr(signal, name), first_args, args.jobs)
        found["previous output byte-identical"] = contents(out) == before
        found["left beside it"] = beside(out) or "nothing"
        print(f"\n{name} during a rebuild with --method voronoi:")
        for key, value in found.items():
            print(f"  {key}: {value}")
        again = mapgen_build(out, *first_args, jobs=args.jobs)
        stderr = finished(again, out, "the first command again")
        after = contents(out)
        print("  the first command again:")
        print(f"    {up_to_date(stderr)}")
        print(f"    output byte-identical to the first build: {after == before}")
        if after != before:
            changed = sorted(k for k in set(after) | set(before) if after.get(k) != before.get(k))
            print(f"    differs in: {changed[:10]}")
        print(f"    left beside it: {beside(out) or 'nothing'}")
    short = ["--start", args.short_start, "--end", args.short_end]
    finished(mapgen_build(out, *short, jobs=args.jobs), out, "the shorter build")
    days = sorted(p.stem for p in (out / "snapshots").glob("*.png"))
    outside = [d for d in days if not args.short_start <= d <= args.short_end]
    print(
        f"\nshorter range ({args.short_start} to {args.short_end}) into the same folder: "
        f"{len(days)} snapshots, {days[0]} to {days[-1]}, {len(outside)} outside the range; "
        f"left beside it: {beside(out) or 'nothing'}"
    )


if __name__ == "__main__":
    main()
