"""Merging into an events table that is a symbolic link, a hard link or a 0600 file, and
outputs named over inputs (issue 14): what ``mapgen`` does with each, run as a user would.

Each scenario runs ``mapgen`` in a process of its own on files in a fresh folder and prints
what became of them: the link still a link and the real file holding the new rows, the
other name of a hard link seeing them too, the mode kept, the rows skipped and why; and for
an output named over an input, the refusal and whether the input is byte for byte as it was.

    .venv/bin/python tools/merge_scenarios.py
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

EVENTS = (
    "event_id,date,place,controller,status,opponent,source,source_url,notes\n"
    "E1,2017-10-01,hajin,isis,controlled,,Other report 2017-10-01,,\n"
)
HEADER = (
    "event_id,date,date_precision,place,controller,status,opponent,source,source_url,notes,"
    "confidence,evidence,evidence_start,evidence_end,article\n"
)
ARTICLE = "date 2017-11-04\nIraqi forces recaptured Rawa on Friday.\n"


def candidate(event_id: str, place: str, confidence: str) -> str:
    return (
        f"{event_id},2017-11-03,day,{place},iraq,controlled,,Report 2017-11-04 [a.txt],,"
        f"extracted,{confidence},Iraqi forces took it.,0,20,a.txt\n"
    )


REVIEWED = HEADER + "".join(
    [
        candidate("X1", "rawa", "0.90"),
        candidate("X2", "anah", "nan"),
        candidate("X3", "al-qaim", "high"),
        candidate("X4", "hit", "0.40"),
    ]
)


def mapgen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mapgen", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n") - 1


def said(done: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
    return "\n      ".join(lines[-6:])


def merge(reviewed: Path, target: Path, folder: Path) -> subprocess.CompletedProcess:
    return mapgen("extract", "--reviewed", reviewed, "--merge-into", target, cwd=folder)


def symlink(folder: Path, reviewed: Path) -> None:
    real = folder / "data" / "events.csv"
    real.parent.mkdir()
    real.write_text(EVENTS, encoding="utf-8")
    link = folder / "events.csv"
    link.symlink_to(real)
    done = merge(reviewed, link, folder)
    print("merge into a symbolic link (events.csv -> data/events.csv):")
    print(f"  exit {done.returncode}; says:\n      {said(done)}")
    print(
        f"  events.csv still a link: {link.is_symlink()} (to {os.readlink(link)}); "
        f"rows in the real file: {rows(real)} (was 1)"
    )


def hard_link(folder: Path, reviewed: Path) -> None:
    target = folder / "events.csv"
    target.write_text(EVENTS, encoding="utf-8")
    other = folder / "copy-of-record.csv"
    os.link(target, other)
    inode = target.stat().st_ino
    done = merge(reviewed, target, folder)
    print("merge into a file with a second hard link:")
    print(f"  exit {done.returncode}")
    print(
        f"  same inode after: {target.stat().st_ino == inode}; links: {target.stat().st_nlink}; "
        f"rows seen through the other name: {rows(other)} (was 1)"
    )


def private_mode(folder: Path, reviewed: Path) -> None:
    target = folder / "events.csv"
    target.write_text(EVENTS, encoding="utf-8")
    target.chmod(0o600)
    done = merge(reviewed, target, folder)
    mode = stat.S_IMODE(target.stat().st_mode)
    print("merge into a file of mode 0600:")
    print(f"  exit {done.returncode}; mode after: {mode:04o}; rows: {rows(target)} (was 1)")


def over_inputs(folder: Path, reviewed: Path) -> None:
    article = folder / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    events = folder / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    out = folder / "out"
    out.mkdir()
    inside = out / "timeline.csv"
    inside.write_text(EVENTS, encoding="utf-8")
    cases = [
        ("extract a.txt --out a.txt", ["extract", article, "--out", article], article),
        (
            "extract a.txt --out events.csv --merge-into events.csv",
            ["extract", article, "--out", events, "--merge-into", events],
            events,
        ),
        ("build --events out/timeline.csv --out out", ["build", "--events", inside, "--out", out],
         inside),
    ]  # fmt: skip
    print("an output named over an input:")
    for label, argv, protected in cases:
        before = digest(protected)
        done = mapgen(*argv, cwd=folder)
        print(f"  mapgen {label}: exit {done.returncode}; input unchanged: "
              f"{digest(protected) == before}\n      {said(done)}")  # fmt: skip


def main() -> None:
    for scenario in (symlink, hard_link, private_mode, over_inputs):
        folder = Path(tempfile.mkdtemp(prefix="mapgen-merge-"))
        reviewed = folder / "reviewed.csv"
        reviewed.write_text(REVIEWED, encoding="utf-8")
        scenario(folder, reviewed)


if __name__ == "__main__":
    main()
