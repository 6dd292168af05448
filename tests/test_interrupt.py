"""A build folder is the result of exactly one command, whatever happens to the build.

Real builds in processes of their own (the tiny dataset, two render workers), interrupted by
SIGINT, SIGTERM and SIGKILL while the workers draw snapshots: the previous output stays byte
for byte, nothing is left beside it (but after SIGKILL, which nothing can catch: the next
build clears that), and no process outlives the build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mapgen.build import build
from mapgen.dataset import load_dataset
from mapgen.errors import OverwriteError
from tests.test_cli import tiny_args

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to find processes left behind"
)


def run_build(args: list[str], out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "mapgen", "-q", "build", *args, "--out", str(out)]
    return subprocess.Popen(
        [*command, "--jobs", "2", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: what is left of it can be found
        preexec_fn=_signals_as_from_a_shell,
    )


def _signals_as_from_a_shell() -> None:
    """In the child before exec: SIGINT and SIGTERM neither blocked nor ignored, as a
    shell starts a command (ignored and blocked signals outlive exec).

    In the full suite, not alone, the build ignored the test's SIGINT and finished
    (returned 0), three runs in three, though the test process's own SigIgn and SigBlk
    (/proc) changed during no earlier test. With this (which also makes subprocess fork
    rather than vfork) the same sequence of tests passes."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def contents(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def alive_in_group(group: int) -> list[str]:
    """Processes (not zombies) of a process group: 'pid state command'."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_file.read_text()
        except OSError:
            continue
        command, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        state, _, pgrp = rest.split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(f"{stat_file.parent.name} {state} {command}")
    return found


def wait_until(condition, timeout: float = 180.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """A complete build of the tiny dataset (default method): the output to protect."""
    folder = tmp_path_factory.mktemp("interrupt")
    args = tiny_args(folder)
    out = folder / "out"
    done = run_build(args, out)
    _, stderr = done.communicate(timeout=600)
    assert done.returncode == 0, stderr
    return args, out, contents(out)


def interrupt_rebuild(args, out: Path, number: int) -> subprocess.Popen:
    """Start a rebuild with another method; send ``number`` once workers are drawing.

    The rebuild draws a snapshot of each of 120 days at 300 dpi, so that once the first is
    staged much work is left: the tiny dataset's own 15 days share their pixels, and on a
    loaded machine (CI beside other work) its last snapshots, timelapse and report were
    done before the test process ran again to send the signal, twice."""
    staged = f".{out.name}.mapgen-staging-*/snapshots/*.png"
    build = run_build(args, out, "--method", "voronoi", "--dpi", "300", "--end", "2020-04-29")
    assert wait_until(lambda: any(out.parent.glob(staged)) or build.poll() is not None)
    assert build.poll() is None, "the build ended before it could be interrupted"
    os.kill(build.pid, number)  # the main process only, as `kill` or a service manager does
    build.communicate(timeout=300)
    return build


def litter_beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_an_interrupted_build_leaves_the_previous_output_and_nothing_else(first_build, name):
    args, out, before = first_build
    number = getattr(signal, name)
    build = interrupt_rebuild(args, out, number)
    assert build.returncode != 0
    assert wait_until(lambda: not alive_in_group(build.pid), timeout=30), alive_in_group(build.pid)
    assert contents(out) == before
    assert litter_beside(out) == []


def test_after_sigkill_workers_die_and_the_next_build_is_whole(first_build):
    args, out, before = first_build
    build = interrupt_rebuild(args, out, signal.SIGKILL)
    assert build.returncode == -signal.SIGKILL
    # The workers get SIGKILL from the kernel when their parent dies (PR_SET_PDEATHSIG).
    assert wait_until(lambda: not alive_in_group(build.pid), timeout=30), alive_in_group(build.pid)
    assert contents(out) == before
    assert len(litter_beside(out)) == 1  # the staging folder nothing could remove
    # The original command again: it clears the litter, reuses what is up to date (checked
    # by content, not by existence) and gives the same bytes as the first build.
    again = run_build(args, out)
    _, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr
    assert contents(out) == before
    assert litter_beside(out) == []


def test_a_build_replaces_a_folder_as_a_whole(tiny_files, tmp_path):
    dataset = load_dataset(tiny_files())
    out = tmp_path / "out"
    out.mkdir()
    (out / "snapshots").mkdir()
    stale = out / "snapshots" / "1999-01-01.png"
    stale.write_bytes(b"an older, longer range")
    written = build(dataset, out)
    assert not stale.exists()  # a folder of this build only
    assert {p.relative_to(out).as_posix() for p in written} <= set(contents(out))
    assert litter_beside(out) == []
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    before = contents(out)
    with pytest.raises(OverwriteError, match=r"holds files mapgen did not write \(my notes\.txt\)"):
        build(dataset, out)
    assert contents(out) == before and litter_beside(out) == []


def test_a_build_into_a_file_is_refused(tiny_files, tmp_path):
    target = tmp_path / "out"
    target.write_text("a file", encoding="utf-8")
    with pytest.raises(OverwriteError, match="is a file, not a folder"):
        build(load_dataset(tiny_files()), target)
    assert target.read_text(encoding="utf-8") == "a file"


def test_staging_of_a_dead_run_is_removed_and_a_live_ones_kept(tmp_path):
    from mapgen.staging import remove_stale_staging

    out = tmp_path / "out"
    dead = tmp_path / ".out.mapgen-staging-999999999-abc"
    live = tmp_path / f".out.mapgen-staging-{os.getppid()}-abc"
    other = tmp_path / ".other.mapgen-staging-999999999-abc"
    for folder in (dead, live, other):
        folder.mkdir()
    remove_stale_staging(out)
    assert not dead.exists() and live.exists() and other.exists()
    shutil.rmtree(live)


def test_a_worker_dies_with_its_parent_however_the_parent_ends(tmp_path):
    grandchild = (
        "import os, time\n"
        "from mapgen.render.snapshots import die_with_parent\n"
        "die_with_parent(os.getppid())\n"
        "print('ready', flush=True)\n"
        "time.sleep(300)\n"
    )
    child = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
        "time.sleep(300)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", child], stdout=subprocess.PIPE, text=True, start_new_session=True
    ) as parent:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        assert len(alive_in_group(parent.pid)) == 2
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
    assert wait_until(lambda: not alive_in_group(parent.pid), timeout=10), alive_in_group(
        parent.pid
    )
