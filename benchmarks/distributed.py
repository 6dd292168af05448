"""Benchmark: the synthetic snapshot series on the local process pool and on a Dask
LocalCluster of 1 and 2 workers, in one run; per-task times and bytes moved; an estimate
for 8 and 32 workers.

The scenario is written by ``mapgen synth``'s generator (default 500 places, 4,000 events,
120 days: a smaller slice than benchmarks/snapshots.py's 1,000 days, so that three
configurations fit in one run on a shared machine). Each configuration writes every day
as PNG (``write_snapshots``) into an empty folder, ``--repeat`` times; medians and ratios.
The cluster's start-up is timed apart (a real cluster is started once for many builds).

Then, with ``--build-days N`` (default 20), a full build (every writer) of the default
dataset's first N days of October 2017 on the pool and on the 2-worker cluster: the
choice of the local default.

    .venv/bin/python benchmarks/distributed.py [--repeat 3] [--days 120] [--build-days 20]
"""

# ruff: noqa: E402
from __future__ import annotations

import sys
from pathlib import Path

# This file has the name of the dask.distributed package: keep its folder off the import
# path, or ``import distributed`` would import this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import logging
import os
import pickle
import shutil
import statistics
import tempfile
import time
from collections import defaultdict

import pandas as pd
from dask.utils import key_split
from distributed import Client, LocalCluster, get_task_stream

from mapgen.build import BuildOptions, build
from mapgen.dataset import load_dataset
from mapgen.distributed import ClusterRenderer, Transfers, build_on_cluster, inputs_task
from mapgen.render.basemap import basemap
from mapgen.render.snapshots import (
    RenderInputs,
    snapshot_days,
    state_groups,
    write_snapshots,
)
from mapgen.synth import synthesize
from mapgen.territory import build_territory
from mapgen.timeline import build_timeline


def fresh(root: Path, name: str) -> Path:
    folder = root / name
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def outgoing_bytes(client: Client) -> int:
    """Bytes the workers have sent (to each other and, through the scheduler, to the
    client) since they started."""
    counts = client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
    return sum(counts.values())


def task_times(records: list[dict]) -> dict[str, list[float]]:
    """Compute seconds of each task, by kind (the task's function)."""
    times: dict[str, list[float]] = defaultdict(list)
    for record in records:
        compute = sum(
            s["stop"] - s["start"] for s in record["startstops"] if s["action"] == "compute"
        )
        times[key_split(record["key"])].append(compute)
    return times


def on_cluster(territory, root: Path, workers: int, repeat: int) -> dict:
    """Time the series on a LocalCluster of ``workers`` single-threaded processes."""
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None, memory_limit=0
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        started = time.perf_counter() - start
        runs, tasks, moved = [], defaultdict(list), []
        for i in range(repeat):
            transfers = Transfers()
            sent = outgoing_bytes(client)
            with get_task_stream(client=client) as stream:
                t0 = time.perf_counter()
                # as a build does: the territory goes up once, the base map is added there
                inputs = client.submit(inputs_task, client.scatter(territory), pure=False)
                renderer = ClusterRenderer(client, inputs, transfers=transfers)
                write_snapshots(territory, fresh(root, f"c{workers}-{i}"), renderer=renderer)
                runs.append(time.perf_counter() - t0)
                del inputs, renderer
            for kind, seconds in task_times(stream.data).items():
                tasks[kind] += seconds
            moved.append((outgoing_bytes(client) - sent, sum(transfers.received.values())))
    return {"runs": runs, "tasks": tasks, "moved": moved, "startup": started}


def on_pool(territory, root: Path, repeat: int) -> list[float]:
    runs = []
    for i in range(repeat):
        t0 = time.perf_counter()
        write_snapshots(territory, fresh(root, f"pool-{i}"))
        runs.append(time.perf_counter() - t0)
    return runs


def full_builds(root: Path, days: int, repeat: int) -> tuple[list[float], list[float]]:
    """A whole build of the default dataset's ``days`` first days of October 2017."""
    start = pd.Timestamp("2017-10-01")
    dataset = load_dataset(start=start, end=start + pd.Timedelta(days=days - 1))
    pool, cluster_runs = [], []
    for i in range(repeat):
        t0 = time.perf_counter()
        build(dataset, fresh(root, f"build-pool-{i}"))
        pool.append(time.perf_counter() - t0)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit=0
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        for i in range(repeat):
            t0 = time.perf_counter()
            build_on_cluster(dataset, fresh(root, f"build-cluster-{i}"), BuildOptions(), client)
            cluster_runs.append(time.perf_counter() - t0)
    return pool, cluster_runs


def median(values: list[float]) -> float:
    return statistics.median(values)


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--places", type=int, default=500)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--build-days", type=int, default=20, help="0: skip the full builds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    root = Path(tempfile.mkdtemp(prefix="mapgen-bench-distributed-"))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; output in {root}")

    scenario = synthesize(places=args.places, events=args.events, days=args.days, seed=0)
    territory = build_territory(build_timeline(load_dataset(scenario.write(root / "input"))))
    days = snapshot_days(territory)
    states = len(state_groups(territory, days))
    shipped = len(pickle.dumps(RenderInputs(territory, basemap(territory)), protocol=5))
    print(
        f"synthetic {args.places} places / {args.events} events: {len(days)} days, "
        f"{states} distinct states; territory + base map pickled: {mb(shipped)}"
    )

    pool = on_pool(territory, root, args.repeat)
    one = on_cluster(territory, root, 1, args.repeat)
    two = on_cluster(territory, root, 2, args.repeat)
    base = median(pool)
    for label, runs in [
        (f"local pool ({os.cpu_count()} processes)", pool),
        ("LocalCluster, 1 worker", one["runs"]),
        ("LocalCluster, 2 workers", two["runs"]),
    ]:
        print(
            f"  {label:26s} median {median(runs):6.1f} s of {len(runs)} "
            f"({', '.join(f'{r:.1f}' for r in runs)}); {median(runs) / base:.2f}x the pool's time"
        )
    print(
        f"  cluster start-up (not in the times above): 1 worker {one['startup']:.1f} s, "
        f"2 workers {two['startup']:.1f} s; 1 -> 2 workers: "
        f"{median(one['runs']) / median(two['runs']):.2f}x faster"
    )
    print("per-task compute time on the 2-worker cluster (all repeats):")
    total = 0.0
    for kind, seconds in sorted(two["tasks"].items()):
        total += sum(seconds) / args.repeat
        print(
            f"  {kind:16s} {len(seconds) // args.repeat:5d} per series, median "
            f"{median(seconds) * 1000:7.1f} ms, sum {sum(seconds) / args.repeat:6.1f} s per series"
        )
    served, received = (median([m[i] for m in two["moved"]]) for i in (0, 1))
    per_day = received / len(days)
    print(
        f"bytes per series (2 workers, medians): workers sent {mb(served)} in all, of which "
        f"the client received {mb(received)} of PNG files ({per_day / 1e3:.0f} kB per day); "
        f"the rest is the territory and map bodies between workers"
    )
    wall = median(two["runs"])
    serial = max(wall - total / 2, 0.0)
    print(
        f"estimate: task time {total:.1f} s per series; 2-worker wall {wall:.1f} s, so "
        f"~{serial:.1f} s not spread over workers (planning, hashing, writing, waiting)"
    )
    for n in (8, 32):
        print(
            f"  {n:2d} workers: ~{serial + total / n:.1f} s (if the client keeps up); network "
            f"{mb(shipped * n)} of territory + {mb(received)} of PNGs to the client"
        )

    if args.build_days:
        pool_b, cluster_b = full_builds(root, args.build_days, args.repeat)
        print(
            f"full build of the default dataset, {args.build_days} days: pool median "
            f"{median(pool_b):.1f} s ({', '.join(f'{r:.1f}' for r in pool_b)}), "
            f"LocalCluster 2 workers median {median(cluster_b):.1f} s "
            f"({', '.join(f'{r:.1f}' for r in cluster_b)}); "
            f"{median(cluster_b) / median(pool_b):.2f}x the pool's time"
        )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
