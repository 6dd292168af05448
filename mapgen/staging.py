"""An output folder that is always the result of exactly one command.

A build writes into a staging folder beside ``--out`` (``.NAME.mapgen-staging-PID-XXXX``)
and, once every writer is done, switches it with the output folder in one step (Linux's
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames). Interrupted by SIGINT, SIGTERM,
SIGHUP or an error, it removes the staging folder and leaves the previous output as it
was. Staging folders of runs that were killed outright (SIGKILL, power loss) are removed
by the next run into the same folder.

The output folder is replaced as a whole, so it may only hold what mapgen writes: the
files the last build listed in ``.mapgen-build.json``, and the names mapgen's other commands
write there (snapshots, the timelapse, the report). Anything else makes the build refuse
before it writes a byte.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from mapgen.errors import OverwriteError
from mapgen.problems import display_path

log = logging.getLogger(__name__)

MARKER = ".mapgen-build.json"
_STAGING = re.compile(r"\.(?P<name>.+)\.mapgen-staging-(?P<pid>[0-9]+)-[A-Za-z0-9_]+")
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# What mapgen's commands write into an output folder (relative POSIX paths), besides what
# the last build lists in MARKER; a folder holding only these may be replaced.
MAPGEN_NAMES = re.compile(
    "|".join(
        [
            r"(timeline|changes|stats)\.csv",
            r"(areas|frontlines|places)\.(geojson|qml)",
            r"mapgen\.(gpkg|qgs)",
            r"control\.(tif|qml)",
            r"control\.tif\.aux\.xml",
            r"(map|report)\.html",
            rf"(snapshots/)?({_DAY}\.(png|svg)|timelapse\.(gif|mp4))",
            r"(snapshots/)?\.mapgen-(snapshots|timelapse)\.json",
            rf"daily/{_DAY}\.geojson",
            re.escape(MARKER),
            # what an interrupted earlier version left behind
            r"(snapshots/|daily/)?\.[^/]+\.tmp",
            r"(snapshots/)?\.timelapse\.partial\.mp4",
            r"\.mapgen\.gpkg\.[^/]+(/mapgen\.gpkg)?",
        ]
    )
)
SIGNALS = ("SIGTERM", "SIGHUP")


@contextlib.contextmanager
def staged_folder(out: Path | str) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it becomes ``out`` in one step.

    Raises OverwriteError before anything is written if ``out`` is not a folder or holds
    files mapgen did not write. On any exception (SIGTERM and SIGHUP are turned into
    SystemExit meanwhile) the staging folder is removed and ``out`` is left as it was.
    """
    target = Path(os.path.realpath(out))
    check_replaceable(target, shown=display_path(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.mapgen-staging-{os.getpid()}-", dir=target.parent)
    )
    try:
        with signals_as_exit():
            yield staging
            _write_marker(staging)
            os.chmod(staging, 0o755)
            _switch(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_replaceable(folder: Path, *, shown: str) -> None:
    """OverwriteError unless ``folder`` is absent, empty or holds only mapgen's outputs."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OverwriteError(f"{shown}: is a file, not a folder; choose a folder for the outputs")
    listed = _listed(folder)
    foreign = [
        rel for rel in _files(folder) if rel not in listed and not MAPGEN_NAMES.fullmatch(rel)
    ]
    if foreign:
        shown_files = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise OverwriteError(
            f"{shown}: holds files mapgen did not write ({shown_files}); the output folder is "
            "replaced as a whole, so choose a new or empty folder, or move those files"
        )


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` (symbolic links included) as a relative POSIX path."""
    found = []
    for root, dirs, files in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        links = [d for d in dirs if Path(root, d).is_symlink()]
        found += [(rel_root / name).as_posix() for name in [*files, *links]]
    return sorted(found)


def _listed(folder: Path) -> set[str]:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return {str(f) for f in data.get("files", [])}
    except (OSError, ValueError, AttributeError, TypeError):
        return set()


def _write_marker(staging: Path) -> None:
    files = [f for f in _files(staging) if f != MARKER]
    text = json.dumps({"written_by": "mapgen build", "files": files}, indent=1)
    (staging / MARKER).write_text(text + "\n", encoding="utf-8")


def remove_stale_staging(target: Path) -> None:
    """Remove staging folders beside ``target`` left by runs whose process is gone."""
    for entry in target.parent.glob(f".{glob_escape(target.name)}.mapgen-staging-*"):
        m = _STAGING.fullmatch(entry.name)
        if m is None or m["name"] != target.name or _alive(int(m["pid"])):
            continue
        log.info("removing %s, left by an interrupted run", entry)
        shutil.rmtree(entry, ignore_errors=True)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _switch(staging: Path, target: Path) -> None:
    """Make ``staging`` the ``target`` folder; the old one ends up at ``staging``'s path."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    aside = staging.with_name(staging.name + "-old")
    os.rename(target, aside)
    os.rename(staging, target)
    os.rename(aside, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    log.debug("renameat2 failed (%s); switching with two renames", os.strerror(ctypes.get_errno()))
    return False


@contextlib.contextmanager
def signals_as_exit() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise SystemExit(128 + signal) so that clean-up
    (``finally``, context managers) runs as it does for Ctrl-C; outside the main thread,
    nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, _exit_on_signal)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _exit_on_signal(number: int, frame: object) -> None:
    log.warning("interrupted by %s: removing what this run wrote", signal.Signals(number).name)
    raise SystemExit(128 + number)
