"""Benchmark on a year of real control polygons: DeepState's daily maps of Ukraine.

Reads the 360 daily files of ``../shared/deepstate/`` (GPL-3.0, never copied into the
repository) and measures, each part in one run on a sample of days (every ``--every``th):

1. ``import``: ``mapgen import-areas`` on all days (wall and CPU time, peak memory of the
   command, sizes of ``areas.geojson`` and ``events.csv`` against the raw files
   uncompressed) and the worst IoU of the imported ground with the source on any day.
2. ``build``: ``mapgen build --dataset`` of the import without the PNG snapshots (wall and
   CPU time, peak memory, output sizes), then the snapshots alone (time, bytes per day);
   Russia's ground in the built ``areas.geojson`` against DeepState's polygon (IoU, km²),
   the frontline's length in ``stats.csv`` against the polygon's front (its outline less
   the international border and the coast); in Chromium, the time until ``map.html`` has
   drawn and the median one-day slider step.
3. ``inference``: how well mapgen infers the same ground from places alone. GeoNames places
   of Ukraine take each day's holder from the polygon (inside: ``russia``, else
   ``ukraine``), written as place events on changes only; the territory is built with each
   method and desert rule, and Russia's ground (held and zone) is compared with DeepState's
   polygon: IoU over Ukraine and in a 30 km band around the front line.

    .venv/bin/python benchmarks/deepstate.py [--only import|build|inference] [--every 7] [--lean]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from mapgen.areaimport.replay import ground_changes, ground_on, iou
from mapgen.areaimport.series import date_from_name
from mapgen.boundaries import metric_crs, study_area

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.html_map import browser_times  # noqa: E402

DEEPSTATE = ROOT.parent / "shared" / "deepstate"
MAPGEN = Path(sys.executable).parent / "mapgen"
UKRAINE = "UKR"
BAND_KM = 30.0
SIDES = ("russia", "ukraine")


def deepstate_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("deepstatemap_data_*.geojson.gz"))
    if not files:
        sys.exit(f"no DeepState files in {folder}")
    return files


def source_polygons(files: list[Path]) -> dict[pd.Timestamp, BaseGeometry]:
    return {date_from_name(p): gpd.read_file(f"/vsigzip/{p}").geometry.union_all() for p in files}


# ---------------------------------------------------------------------------------------
# 1. import-areas
# ---------------------------------------------------------------------------------------


def bench_import(files: list[Path], out: Path, polygons: dict) -> Path:
    raw = sum(len(gzip.decompress(p.read_bytes())) for p in files)
    start = time.perf_counter()
    command = [str(MAPGEN), "-q", "import-areas", *map(str, files), "--controller", "russia"]
    command += ["--rest", "ukraine", "--source", "DeepStateMap", "--out", str(out)]
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    areas = (out / "areas.geojson").stat().st_size
    events = (out / "events.csv").stat().st_size
    with (out / "events.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    changes = ground_changes(out)["russia"]
    worst = min((iou(ground_on(changes, day), geom), day) for day, geom in polygons.items())
    print("## import-areas, DeepState 2024-07-08 .. 2025-07-07")
    print(f"files: {len(files)}, raw uncompressed {raw / 1e6:.1f} MB")
    print(f"wall time {wall:.1f} s, peak memory {peak_mb:.0f} MB")
    print(
        f"areas.geojson {areas / 1e6:.2f} MB + events.csv {events / 1e6:.2f} MB "
        f"= {(areas + events) / 1e6:.2f} MB, 1/{raw / (areas + events):.0f} of the raw files"
    )
    pieces = sum(1 for r in rows if r["status"] != "ended")
    print(f"{len(rows)} events, {pieces} pieces, {len(changes)} days with changes")
    print(f"worst IoU with the source on any day: {worst[0]:.6f} ({worst[1]:%Y-%m-%d})")
    return out


# ---------------------------------------------------------------------------------------
# 2. build of the imported polygons
# ---------------------------------------------------------------------------------------


def timed_command(command: list[str]) -> dict[str, float]:
    """Run ``command`` under GNU time: wall and CPU (user + system) seconds, peak MB."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *command], check=True)
        text = report.read()

    def number(label: str) -> str:
        return re.search(rf"{re.escape(label)}: (\S+)", text).group(1)

    clock = [float(v) for v in number("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(v * 60**k for k, v in enumerate(reversed(clock)))
    cpu = float(number("User time (seconds)")) + float(number("System time (seconds)"))
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": int(number("Maximum resident set size (kbytes)")) / 1024,
    }


def bench_build(
    imported: Path, work: Path, polygons: dict, every: int, *, lean_only: bool = False
) -> None:
    days = sorted(polygons)[::every]
    print(f"\n## build --dataset of the import, {len(days)} days compared (every {every}th)")
    base = [str(MAPGEN), "-q", "build", "--dataset", str(imported)]
    lean = work / "build-lean"
    run = timed_command([*base, "--skip", "snapshots", "--out", str(lean)])
    sizes = {n: (lean / n).stat().st_size / 1e6 for n in ("map.html", "mapgen.gpkg", "report.html")}
    print(
        f"--skip snapshots: wall {run['wall']:.0f} s, CPU {run['cpu']:.0f} s, "
        f"peak {run['peak_mb']:.0f} MB; " + ", ".join(f"{n} {mb:.2f} MB" for n, mb in sizes.items())
    )
    if lean_only:
        fidelity(lean, polygons, days)
        return
    full = work / "build-full"
    run = timed_command([*base, "--out", str(full)])
    pngs = sorted((full / "snapshots").glob("*.png"))
    png_mb = sum(p.stat().st_size for p in pngs) / 1e6
    print(
        f"everything (with {len(pngs)} PNG snapshots): wall {run['wall']:.0f} s, CPU "
        f"{run['cpu']:.0f} s, peak {run['peak_mb']:.0f} MB; snapshots {png_mb:.0f} MB "
        f"({png_mb / max(len(pngs), 1) * 1000:.0f} kB a day), timelapse.mp4 "
        f"{(full / 'timelapse.mp4').stat().st_size / 1e6:.1f} MB"
    )
    fidelity(lean, polygons, days)
    times = browser_times(lean / "map.html", 30)
    if times is not None:
        print(
            f"chromium: map.html drawn after {times[0]:.0f} ms; one-day step: script "
            f"{times[1]:.1f} ms, to the next painted frame {times[2]:.1f} ms (medians of 30)"
        )


def fidelity(out: Path, polygons: dict, days: list[pd.Timestamp]) -> None:
    """Russia's built ground and frontline against DeepState's polygon on ``days``."""
    extent = (22.0, 44.3, 40.3, 52.45)
    crs = metric_crs(extent)
    land = _metric(
        study_area(gpd.GeoSeries([], crs="EPSG:4326"), extent, countries=(UKRAINE,)).geometry, crs
    )
    coast_and_border = land.boundary.buffer(1000)
    wide = land.boundary.buffer(2000)  # DeepState's coast lies up to ~2 km inside Natural Earth's
    areas = gpd.read_file(out / "areas.geojson")
    areas = areas[areas["controller"] == "russia"]
    start = pd.to_datetime(areas["valid_from"])
    end = pd.to_datetime(areas["valid_to"])
    stats = pd.read_csv(out / "stats.csv", parse_dates=["date"])
    stats = stats[stats["controller"] == "russia"].set_index("date")
    rows = []
    for day in days:
        on = (start <= day) & (end.isna() | (end > day))
        model = _metric(areas.loc[on].geometry.union_all(), crs)
        raw = _metric(polygons[day], crs)
        truth = raw.intersection(land)
        front = truth.boundary.difference(coast_and_border)
        rows.append(
            {
                "day": day,
                "iou": iou(model, truth),
                "model_km2": model.area / 1e6,
                "truth_km2": truth.area / 1e6,
                "raw_km2": raw.area / 1e6,
                "stats_km2": stats.loc[day, "held_km2"],
                "front_km": front.length / 1000,
                "front2_km": truth.boundary.difference(wide).length / 1000,
                "model_front_km": stats.loc[day, "frontline_km"],
            }
        )
    table = pd.DataFrame(rows)
    print(
        f"IoU of Russia's built ground with DeepState's polygon on Ukraine's land: median "
        f"{table['iou'].median():.6f}, worst {table['iou'].min():.6f} "
        f"({table.loc[table['iou'].idxmin(), 'day']:%Y-%m-%d})"
    )
    gap = (table["model_km2"] - table["truth_km2"]).abs()
    print(
        f"km²: built vs DeepState on land, largest difference {gap.max():.2f} km²; "
        f"stats.csv held_km2 vs DeepState on land, largest difference "
        f"{(table['stats_km2'] - table['truth_km2']).abs().max():.1f} km²; DeepState's "
        f"polygon off Ukraine's land (sea, lakes, across the border): median "
        f"{(table['raw_km2'] - table['truth_km2']).median():.0f} km²"
    )
    print(
        "| day | DeepState km² (land) | built km² | IoU | DeepState front km (less 1 km; "
        "2 km along coast and border) | built front km |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in table.iloc[:: max(len(table) // 8, 1)].itertuples():
        print(
            f"| {r.day:%Y-%m-%d} | {r.truth_km2:,.0f} | {r.model_km2:,.0f} | {r.iou:.6f} | "
            f"{r.front_km:,.0f}; {r.front2_km:,.0f} | {r.model_front_km:,.0f} |"
        )


# ---------------------------------------------------------------------------------------
# 3. inference from places
# ---------------------------------------------------------------------------------------


def place_dataset(polygons: dict, folder: Path, min_population: int) -> Path:
    """GeoNames places of Ukraine with each day's holder read from the polygons."""
    from mapgen.world.geonames import places_csv, select_places

    rows = select_places([UKRAINE], min_population=min_population)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "places.csv").write_text(places_csv(rows), encoding="utf-8")
    points = gpd.GeoSeries.from_xy(
        [float(r["lon"]) for r in rows], [float(r["lat"]) for r in rows], crs="EPSG:4326"
    )
    ids = [r["id"] for r in rows]
    holder: dict[str, str] = {}
    events = []
    for day, geom in sorted(polygons.items()):
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, points.x.values, points.y.values)
        for pid, is_russian in zip(ids, inside, strict=True):
            side = "russia" if is_russian else "ukraine"
            if holder.get(pid) != side:
                holder[pid] = side
                events.append(
                    {
                        "event_id": f"P{len(events) + 1}",
                        "date": f"{day:%Y-%m-%d}",
                        "place": pid,
                        "controller": side,
                        "source": f"DeepStateMap polygon of {day:%Y-%m-%d}",
                    }
                )
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(events[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(events)
    (folder / "controllers.csv").write_text(
        "id,name,color,countries\nrussia,Russia,#d55e00,UKR\nukraine,Ukraine,#0072b2,UKR\n",
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        "side_a,side_b,relation,source\nrussia,ukraine,hostile,DeepStateMap\n", encoding="utf-8"
    )
    days = sorted(polygons)
    (folder / "dataset.toml").write_text(
        f'title = "DeepState benchmark"\nstart = "{days[0]:%Y-%m-%d}"\n'
        f'end = "{days[-1]:%Y-%m-%d}"\nextent = [22.0, 44.3, 40.3, 52.45]\n',
        encoding="utf-8",
    )
    first = sum(1 for e in events if e["date"] == f"{days[0]:%Y-%m-%d}")
    print(f"places: {len(rows)}; changes after the first day: {len(events) - first}")
    return folder


def russian_ground(territory, day: pd.Timestamp) -> BaseGeometry:
    """Russia's ground on ``day``: held and zone (the model's ``kind``), EPSG:4326."""
    areas = territory.on(day).areas
    chosen = areas[areas["controller"] == "russia"]
    if "kind" in chosen.columns:
        chosen = chosen[chosen["kind"].isin(["held", "zone"])]
    return shapely.union_all(chosen.geometry.values)


def scores(territory, polygons: dict, days: list[pd.Timestamp], land, crs) -> tuple[list, list]:
    """IoU over Ukraine and in the band around the front, per day (metric CRS)."""
    over, band = [], []
    border = land.boundary
    for day in days:
        truth = _metric(polygons[day], crs).intersection(land)
        model = _metric(russian_ground(territory, day), crs).intersection(land)
        front = truth.boundary.difference(border.buffer(1000))
        zone = front.buffer(BAND_KM * 1000).intersection(land)
        over.append(iou(model, truth))
        band.append(iou(model.intersection(zone), truth.intersection(zone)))
    return over, band


def _metric(geom: BaseGeometry, crs) -> BaseGeometry:
    """In the metric CRS, valid and on a 1 m grid (so that overlays are robust)."""
    projected = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(crs).iloc[0]
    return shapely.set_precision(shapely.make_valid(projected), 1.0)


def bench_inference(
    polygons: dict, folder: Path, every: int, min_population: int, *, all_runs: bool = True
) -> None:
    from mapgen.dataset import DatasetFiles, load_dataset
    from mapgen.territory import DESERT_RULES, METHODS, TerritoryOptions, build_territory
    from mapgen.timeline import build_timeline

    place_dataset(polygons, folder, min_population)
    dataset = load_dataset(DatasetFiles.from_folder(folder))
    timeline = build_timeline(dataset)
    extent = dataset.info.extent
    crs = metric_crs(extent)
    # Ukraine's land as mapgen maps it (lakes and lagoons out: the Sivash, 2,100 km² that
    # DeepState's polygon covers, is water no place holds), as in the fidelity check above.
    land = _metric(
        study_area(gpd.GeoSeries([], crs="EPSG:4326"), extent, countries=(UKRAINE,)).geometry, crs
    )
    days = sorted(polygons)[::every]
    print(f"\n## inference from places, every {every}th day ({len(days)} days)")
    print("| method | desert | IoU Ukraine median (min) | IoU 30 km band median (min) | build s |")
    print("| --- | --- | --- | --- | --- |")
    runs = [(m, d) for m in METHODS for d in DESERT_RULES]
    default = (TerritoryOptions().method, TerritoryOptions().desert)
    for method, desert in sorted(runs, key=lambda r: r != default)[: None if all_runs else 1]:
        start = time.perf_counter()
        try:
            territory = build_territory(timeline, TerritoryOptions(method=method, desert=desert))
        except Exception as exc:  # report a model failure and go on with the others
            print(f"| {method} | {desert} | failed: {type(exc).__name__}: {exc} | | |")
            continue
        took = time.perf_counter() - start
        over, band = scores(territory, polygons, days, land, crs)
        print(
            f"| {method}{' (default)' if (method, desert) == default else ''} | {desert} | "
            f"{statistics.median(over):.3f} ({min(over):.3f}) | "
            f"{statistics.median(band):.3f} ({min(band):.3f}) | {took:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deepstate", type=Path, default=DEEPSTATE)
    parser.add_argument("--only", choices=["import", "build", "inference"])
    parser.add_argument("--every", type=int, default=7, help="compare every Nth day")
    parser.add_argument("--min-population", type=int, default=0, help="places used")
    parser.add_argument("--imported", type=Path, help="an import to reuse (skips part 1)")
    parser.add_argument(
        "--default-only", action="store_true", help="inference: the default method alone"
    )
    parser.add_argument(
        "--lean", action="store_true", help="build: only the build without the snapshots"
    )
    args = parser.parse_args()
    files = deepstate_files(args.deepstate)
    polygons = source_polygons(files)
    work = Path(tempfile.mkdtemp(prefix="mapgen-deepstate-"))
    imported = args.imported
    if args.only in (None, "import") or (args.only == "build" and imported is None):
        imported = bench_import(files, work / "imported", polygons)
    if args.only in (None, "build"):
        bench_build(imported, work, polygons, args.every, lean_only=args.lean)
    if args.only in (None, "inference"):
        bench_inference(
            polygons,
            work / "places",
            args.every,
            args.min_population,
            all_runs=not args.default_only,
        )
    print(f"\n(files in {work})")


if __name__ == "__main__":
    main()
