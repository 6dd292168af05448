"""Builds on a real Dask cluster: a scheduler and two workers started as subprocesses on
127.0.0.1 (as a user starts them: ``dask scheduler``, ``dask worker``), torn down after.

Every output of a build on the cluster must equal, byte for byte, the output of a local
``--jobs 1`` build; also when a worker is killed in the middle of the build, and for the
builds of ``mapgen build-many``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mapgen.batch import read_manifest
from mapgen.dataset import DATA_DIR
from mapgen.errors import ValidationError
from mapgen.render.html_data import page_data

DASK = Path(sys.executable).with_name("dask")
MAPGEN = [sys.executable, "-m", "mapgen"]
START, END = "2017-10-12", "2017-10-21"  # 10 days, 5 changes of hands (Raqqa, Deir ez-Zor)
RANGE = ["--start", START, "--end", END]
STARTUP_S = 90  # for the scheduler and each worker to come up
BUILD_S = 600  # for one build (the machine may be shared and slow)
RENDER_TASKS = ("png_body_task", "stamp_task", "frame_body_task", "export_task")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]
    logs: Path

    def client(self):  # a client of the tests' own, to watch the cluster
        from distributed import Client

        return Client(self.address, timeout=30, set_as_default=False)


def _start(args: list[str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=log.parent
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"the scheduler did not listen within {STARTUP_S} s")


def start_cluster(folder: Path, workers: int = 2) -> Iterator[Cluster]:
    """A scheduler and ``workers`` single-threaded workers, each its own process (no
    nanny: killing one kills the worker); all stopped when the generator closes."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    try:
        log = folder / "scheduler.log"
        options = f"--host 127.0.0.1 --port {port} --no-dashboard --idle-timeout 900"
        scheduler = _start([str(DASK), "scheduler", *options.split()], log)
        procs.append(scheduler)
        _wait_for_port(port, scheduler, log)
        for i in range(workers):
            options = (
                f"--nthreads 1 --no-nanny --host 127.0.0.1 --name w{i} --no-dashboard "
                "--death-timeout 60 --memory-limit 0"
            )
            procs.append(
                _start([str(DASK), "worker", address, *options.split()], folder / f"worker{i}.log")
            )
        cluster = Cluster(address, scheduler, procs[1:], folder)
        with cluster.client() as client:
            client.wait_for_workers(workers, timeout=STARTUP_S)
        yield cluster
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    yield from start_cluster(tmp_path_factory.mktemp("cluster"))


def run_mapgen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MAPGEN, *args],
        capture_output=True,
        text=True,
        timeout=BUILD_S,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def local_build(tmp_path_factory) -> Path:
    """The reference: the default dataset built here on one process."""
    out = tmp_path_factory.mktemp("local") / "out"
    result = run_mapgen("build", *RANGE, "--jobs", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_same_files(actual: Path, expected: Path) -> None:
    a, b = files_of(actual), files_of(expected)
    assert sorted(a) == sorted(b)
    differ = [name for name in b if a[name] != b[name]]
    assert not differ, f"differ from the local build: {differ}"
    assert len(b) > 30 and any(n.startswith("snapshots/") and n.endswith(".png") for n in b)


def task_prefixes(cluster: Cluster) -> set[str]:
    """The kinds of task the scheduler has run since it started."""
    with cluster.client() as client:
        return set(
            client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
        )


def test_a_build_on_the_cluster_equals_a_local_build_byte_for_byte(cluster, local_build, tmp_path):
    out = tmp_path / "out"
    result = run_mapgen(
        "build", *RANGE, "--out", str(out), env={"MAPGEN_SCHEDULER": cluster.address}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same_files(out, local_build)
    assert {"territory_task", *RENDER_TASKS} <= task_prefixes(cluster)  # the workers did it
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left


def test_a_worker_killed_during_the_build_changes_nothing(local_build, tmp_path):
    cluster = start_cluster(tmp_path / "cluster")
    running = next(cluster)
    try:
        out = tmp_path / "out"
        build = subprocess.Popen(
            [*MAPGEN, "build", *RANGE, "--out", str(out), "--scheduler", running.address],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        victim, keys = _worker_busy_rendering(running, build)
        victim_proc = next(p for p in running.workers if _address_of(p, running) == victim)
        victim_proc.send_signal(signal.SIGKILL)
        victim_proc.wait(timeout=30)
        _, stderr = build.communicate(timeout=BUILD_S)
        assert build.returncode == 0, stderr[-3000:]
        assert_same_files(out, local_build)
        with running.client() as client:
            assert victim not in client.scheduler_info()["workers"]
            assert len(client.scheduler_info()["workers"]) == 1
        assert keys  # tasks were running on the worker killed: they were run again elsewhere
    finally:
        cluster.close()


def _worker_busy_rendering(cluster: Cluster, build: subprocess.Popen) -> tuple[str, list[str]]:
    """Wait until a worker runs a rendering or export task; its address and those keys."""
    deadline = time.monotonic() + BUILD_S
    with cluster.client() as client:
        while time.monotonic() < deadline:
            assert build.poll() is None, build.stderr.read()[-3000:] if build.stderr else ""
            for worker, keys in client.processing().items():
                busy = [str(k) for k in keys if str(k).startswith(RENDER_TASKS)]
                if busy:
                    return worker, busy
            time.sleep(0.05)
    raise AssertionError("no worker ever rendered")


def _address_of(proc: subprocess.Popen, cluster: Cluster) -> str:
    """The address of the worker run by ``proc`` (matched by its process id)."""
    with cluster.client() as client:
        pids = client.run(os.getpid)
    return next(address for address, pid in pids.items() if pid == proc.pid)


BROKEN_LINE = 5


def test_build_many_builds_the_good_datasets_and_reports_the_broken_one(
    cluster, local_build, tmp_path
):
    events = (DATA_DIR / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fields = events[BROKEN_LINE - 1].split(",")
    assert events[0].split(",")[4] == "controller"
    fields[4] = "nobody-at-all"  # no such controller
    events[BROKEN_LINE - 1] = ",".join(fields)
    (tmp_path / "broken.csv").write_text("".join(events), encoding="utf-8")
    # the default events name polygons: their shapes go beside the copy, as a user's would
    (tmp_path / "areas.geojson").write_bytes((DATA_DIR / "areas.geojson").read_bytes())
    (tmp_path / "builds.toml").write_text(
        f'[[dataset]]\nname = "october"\nout = "out/october"\nstart = "{START}"\n'
        f'end = "{END}"\n\n'
        '[[dataset]]\nname = "broken"\nout = "out/broken"\nevents = "broken.csv"\n'
        f'info = "{DATA_DIR / "dataset.toml"}"\n\n'
        '[[dataset]]\nname = "november"\nout = "out/november"\nstart = "2017-11-02"\n'
        'end = "2017-11-04"\nmethod = "voronoi"\ntiles = "none"\n',
        encoding="utf-8",
    )
    result = run_mapgen("build-many", str(tmp_path / "builds.toml"), "--scheduler", cluster.address)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "1 of 3 builds failed ('broken')" in result.stderr
    failure = result.stderr[result.stderr.index("broken: failed: 1 error(s) in the input:") :]
    located = failure.splitlines()[1]
    assert f"broken.csv:{BROKEN_LINE}, column 'controller': error:" in located
    assert "'nobody-at-all'" in located
    assert "Traceback" not in result.stderr
    assert_same_files(tmp_path / "out" / "october", local_build)
    november = files_of(tmp_path / "out" / "november")
    assert [n for n in november if n.startswith("snapshots/2")] == [
        f"snapshots/2017-11-0{d}.png" for d in (2, 3, 4)
    ]
    assert page_data(november["map.html"].decode())[0]["tiles"] is None  # tiles = "none"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["november", "october"]


def test_a_manifest_with_mistakes_is_refused_with_every_mistake_located(tmp_path):
    manifest = tmp_path / "builds.toml"
    manifest.write_text(
        '[[dataset]]\nname = "a"\nout = "out/a"\n\n'
        '[[dataset]]\nname = "b"\nout = "out/b"\nmethdo = "voronoi"\nstart = "2017-13-01"\n'
        '\n[[dataset]]\nout = "out/c"\ninfer = "yes"\n'
        '\n[[dataset]]\nname = "d"\nout = "out/a/d"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        read_manifest(manifest)
    text = str(caught.value)
    assert "builds.toml:5: error: dataset 'b': unknown key 'methdo'" in text
    assert "did you mean 'method'?" in text
    assert "builds.toml:5: error: dataset 'b':" in text and "2017-13-01" in text
    assert "builds.toml:11: error: dataset 3: 'name' is missing" in text
    assert "'infer' must be a bool" in text
    assert "datasets 'a' and 'd' write into the same folder or one into the other's" in text


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    result = run_mapgen("build", *RANGE, "--out", str(tmp_path / "out"), "--scheduler", address)
    assert result.returncode == 1
    assert f"--scheduler: '{address}': no Dask scheduler answered" in result.stderr
    assert "dask scheduler" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
