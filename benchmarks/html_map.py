"""Benchmark: the slider map page (map.html) against folium's time plugins.

For the default dataset and a synthetic scenario, measured in one run:

- time to write map.html (median of repeats) and its size;
- in headless Chromium (when /usr/bin/chromium exists): time until the page has drawn
  (``mapgen.ready``) and the median time of a one-day slider step, both the script alone and
  until the next frame is painted;
- the size folium's ``TimestampedGeoJson`` needs for the same states with one copy of every
  feature per day: built for a sample of days spread over the range and extrapolated
  linearly to every day (building all 1,000 days would need gigabytes);
- the size of folium's ``Timeline`` page (one feature per state with start/end), built in full.

    .venv/bin/python benchmarks/html_map.py [--places 2000 --events 20000 --days 1000 --repeat 3]
                                            [--no-folium] [--unlocked]

``--unlocked`` also measures the step in a Chromium without vsync and frame-rate limit
(``--disable-gpu-vsync --disable-frame-rate-limit``): with vsync a step that fits in one frame
reads about 16.7 ms, because the measure starts right after a frame; unlocked, the figure is
the step's own work up to the painted frame.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called html.py: keep its folder off the path so ``import html`` (stdlib,
# used by folium) does not find it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import folium  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from folium.plugins import Timeline, TimestampedGeoJson  # noqa: E402

from mapgen.dataset import DatasetFiles, load_dataset  # noqa: E402
from mapgen.render.html import write_map_html  # noqa: E402
from mapgen.render.html_data import PRECISION, to_script_json, to_script_payload  # noqa: E402
from mapgen.synth import synthesize  # noqa: E402
from mapgen.territory import Territory, build_territory  # noqa: E402
from mapgen.timeline import build_timeline  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
STEP_JS = """async (n) => {
  const m = mapgen.maps[0];
  const start = Math.floor(m.changeDates().length / 2);
  m.setDate(m.changeDates()[start]);
  // Resolves after the next frame's rendering (a task queued from its rAF callback).
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  await frame();
  const script = [], painted = [];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.parse(m.date()) + 864e5).toISOString().slice(0, 10);
    const t0 = performance.now();
    m.setDate(day);
    script.push(performance.now() - t0);
    await frame();
    painted.push(performance.now() - t0);
  }
  const med = a => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return [med(script), med(painted)];
}"""


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def rounded(geom):
    """GeoJSON geometry with the same coordinate precision as map.html."""
    import shapely
    from shapely.geometry import mapping

    return mapping(shapely.set_precision(geom, 10.0**-PRECISION))


def data_size(territory: Territory) -> tuple[int, int, int, int]:
    """Bytes of map.html's data as JSON without the base layers, of all its data as the page
    carries it (gzip-compressed, base64), of that without the base layers, and of inlined
    Leaflet."""
    from mapgen.render.html import _assets, slider_map

    page = slider_map(territory)
    timeline_only = to_script_json({k: v for k, v in page.data.items() if k != "base"})
    own = len(timeline_only.encode())
    carried = len(page.data_payload)
    carried_own = len(to_script_payload(timeline_only))
    assets = _assets()
    leaflet = len((assets["leaflet_js"] + assets["leaflet_css"]).encode())
    return own, carried, carried_own, leaflet


def folium_page(layer) -> int:
    m = folium.Map(location=[35, 41], zoom_start=6, tiles=None)
    layer.add_to(m)
    return len(m.get_root().render().encode("utf-8"))


def timestamped_features(territory: Territory, days: list[pd.Timestamp]) -> list[dict]:
    colors = territory.timeline.dataset.controllers.colors()
    features = []
    for day in days:
        state = territory.on(day)
        stamp = f"{day:%Y-%m-%d}"
        for row in state.areas.itertuples(index=False):
            features.append(
                {
                    "type": "Feature",
                    "geometry": rounded(row.geometry),
                    "properties": {
                        "times": [stamp],
                        "style": {"fillColor": colors.get(row.controller, "#fff")},
                        "popup": f"{row.place} {row.controller} {row.status}",
                    },
                }
            )
        for row in state.frontlines.itertuples(index=False):
            features.append(
                {
                    "type": "Feature",
                    "geometry": rounded(row.geometry),
                    "properties": {"times": [stamp], "style": {"color": "#000"}},
                }
            )
        for row in state.places.itertuples(index=False):
            features.append(
                {
                    "type": "Feature",
                    "geometry": rounded(row.geometry),
                    "properties": {"times": [stamp], "icon": "circle", "popup": row.place},
                }
            )
    return features


def timestamped_size(territory: Territory, sample: int) -> tuple[float, int]:
    """Estimated bytes for every day, and the days actually built."""
    timeline = territory.timeline
    n_days = (timeline.end - timeline.start).days + 1
    offsets = np.unique(np.linspace(0, n_days - 1, min(sample, n_days)).round().astype(int))
    days = [timeline.start + pd.Timedelta(days=int(d)) for d in offsets]
    empty = folium_page(TimestampedGeoJson({"type": "FeatureCollection", "features": []}))
    feats = timestamped_features(territory, days)
    built = folium_page(TimestampedGeoJson({"type": "FeatureCollection", "features": feats}))
    per_day = (built - empty) / len(days)
    return empty + per_day * n_days, len(days)


def timeline_size(territory: Territory) -> tuple[int, int]:
    """folium's Timeline plugin, one feature per area, frontline and place state: bytes of
    the page (libraries from CDNs, not inlined) and of its data alone."""
    end = territory.timeline.end + pd.Timedelta(days=1)
    features = []
    for frame in (territory.areas, territory.frontlines, territory.places):
        for row in frame.itertuples(index=False):
            to = end if pd.isna(row.valid_to) else row.valid_to
            props = {"start": f"{row.valid_from:%Y-%m-%d}", "end": f"{to:%Y-%m-%d}"}
            for key in ("place", "controller", "status", "side_a", "side_b"):
                if hasattr(row, key):
                    props[key] = str(getattr(row, key))
            features.append(
                {"type": "Feature", "geometry": rounded(row.geometry), "properties": props}
            )
    empty = folium_page(Timeline({"type": "FeatureCollection", "features": []}))
    page = folium_page(Timeline({"type": "FeatureCollection", "features": features}))
    return page, page - empty


UNLOCKED = ["--disable-gpu-vsync", "--disable-frame-rate-limit"]


def browser_times(
    path: Path, steps: int, unlocked: bool = False
) -> tuple[float, float, float] | None:
    """Milliseconds until the page has drawn, and the median one-day step: the script alone
    and until the next painted frame (without vsync when ``unlocked``)."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu"] + (UNLOCKED if unlocked else [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=flags)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_function("window.mapgen && mapgen.ready", polling=5, timeout=120_000)
        ready_ms = page.evaluate("performance.now()")
        script_ms, painted_ms = page.evaluate(STEP_JS, steps)
        browser.close()
    return ready_ms, script_ms, painted_ms


def run(name: str, territory: Territory, args: argparse.Namespace, out: Path) -> None:
    days = (territory.timeline.end - territory.timeline.start).days + 1
    print(
        f"\n== {name}: {len(territory.timeline.dataset.events)} events, {days} days, "
        f"{len(territory.timeline.change_dates)} change dates, {len(territory.areas)} areas, "
        f"{len(territory.frontlines)} frontline runs"
    )
    path = out / f"{name}.html"
    runs = [timed(write_map_html, territory, path)[0] for _ in range(args.repeat)]
    size = path.stat().st_size
    print(
        f"map.html: write median {statistics.median(runs):.2f} s of {args.repeat} "
        f"({', '.join(f'{r:.2f}' for r in runs)}); size {size / 1e6:.2f} MB"
    )
    own, carried, carried_own, leaflet = data_size(territory)
    print(
        f"  of which the data {carried / 1e6:.2f} MB gzip+base64 (the timeline's "
        f"{carried_own / 1e6:.2f} MB, its JSON {own / 1e6:.2f} MB; the base layers the rest), "
        f"inlined Leaflet {leaflet / 1e6:.2f} MB, page code and styles "
        f"{(size - carried - leaflet) / 1e6:.2f} MB"
    )
    for unlocked in (False, True) if args.unlocked else (False,):
        measured = [browser_times(path, args.steps, unlocked) for _ in range(args.repeat)]
        if measured[0] is None:
            break
        ready = statistics.median(m[0] for m in measured)
        script = statistics.median(m[1] for m in measured)
        painted = statistics.median(m[2] for m in measured)
        print(
            f"chromium{' unlocked (no vsync)' if unlocked else ''}: drawn after {ready:.0f} ms "
            f"(median of {args.repeat}); one-day step: script {script:.1f} ms, to next "
            f"painted frame {painted:.1f} ms (medians of {args.steps} steps)"
        )
    if not args.folium:
        return
    seconds, (stamped, built_days) = timed(timestamped_size, territory, args.sample)
    print(
        f"folium TimestampedGeoJson, one copy per day: {stamped / 1e6:.1f} MB estimated from "
        f"{built_days} days built ({seconds:.1f} s); ratio {stamped / size:.0f}x map.html, "
        f"{stamped / own:.0f}x its data"
    )
    if args.timeline:
        seconds, (tl, tl_data) = timed(timeline_size, territory)
        print(
            f"folium Timeline (intervals, full geometry per state, libraries from CDNs): "
            f"page {tl / 1e6:.2f} MB ({tl / size:.2f}x map.html), its data "
            f"{tl_data / 1e6:.2f} MB ({tl_data / own:.1f}x map.html's data) ({seconds:.1f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40, help="slider steps timed per run")
    parser.add_argument("--sample", type=int, default=10, help="days built for folium")
    parser.add_argument("--no-timeline", dest="timeline", action="store_false")
    parser.add_argument(
        "--no-folium", dest="folium", action="store_false", help="skip folium's page sizes"
    )
    parser.add_argument(
        "--unlocked",
        action="store_true",
        help="also measure in Chromium without vsync and frame-rate limit (the step's own work)",
    )
    parser.add_argument("--keep", type=Path, help="write the pages into this folder")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="mapgen-bench-html-"))
    out.mkdir(parents=True, exist_ok=True)

    default = build_territory(build_timeline(load_dataset(DatasetFiles.from_options())))
    run("default", default, args, out)

    scenario = synthesize(places=args.places, events=args.events, days=args.days, seed=0)
    files = scenario.write(out / "synth")
    seconds, synth = timed(lambda: build_territory(build_timeline(load_dataset(files))))
    print(f"\n(synthetic territory built in {seconds:.0f} s, not part of the figures)")
    run("synth", synth, args, out)


if __name__ == "__main__":
    main()
