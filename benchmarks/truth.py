"""Benchmark: the default map against independent published figures of who held what.

Each reference (``benchmarks/truth_references.csv``: date, region, side, measure, value,
source) is compared with the model on that day (or the nearest day of the range): a side's
ground (held and zone together, as the published figures count the desert too) in km² or
as a share of the region's land. Regions are ISO3 country codes (``SYR``, ``SYR|IRQ``) or a
governorate name of the base layers. Goals (issue 12): every share within ±5 percentage
points, every area within ±25 %.

    .venv/bin/python benchmarks/truth.py [--method cost] [--desert zone] [--markdown]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import shapely

from mapgen.boundaries import read_layer
from mapgen.dataset import load_dataset
from mapgen.territory import Territory, TerritoryOptions, build_territory
from mapgen.timeline import build_timeline

REFERENCES = Path(__file__).with_name("truth_references.csv")
SHARE_GOAL_PP = 5.0
AREA_GOAL = 0.25


def region_geometry(region: str) -> shapely.Geometry:
    """A region of the base layers (EPSG:4326): ISO3 codes joined by ``|``, or a
    governorate name."""
    countries = read_layer("countries").set_index("iso_a3").geometry
    codes = region.split("|")
    if all(c in countries.index for c in codes):
        return shapely.union_all([countries[c] for c in codes])
    governorates = read_layer("governorates").set_index("name").geometry
    return governorates[region]


def model_value(territory: Territory, ref: pd.Series) -> tuple[float, pd.Timestamp]:
    """The model's figure for one reference: km² or % of the region's mapped land."""
    day = min(max(pd.Timestamp(ref["date"]), territory.timeline.start), territory.timeline.end)
    table = territory.area_within(region_geometry(ref["region"]), day)
    km2 = float(table["area_km2"].get(ref["side"], 0.0))
    if ref["measure"] in ("km2", "km2_max"):
        return km2, day
    return 100.0 * km2 / float(table["area_km2"].sum()), day


def compare(territory: Territory, references: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, ref in references.iterrows():
        value, day = model_value(territory, ref)
        if ref["measure"] == "share":
            diff, ok = value - ref["value"], abs(value - ref["value"]) <= SHARE_GOAL_PP
            shown = f"{value - ref['value']:+.1f} pp"
        elif ref["measure"] == "km2_max" or ref["value"] < 5:  # an upper bound
            diff, ok = value - ref["value"], value <= ref["value"]
            shown = f"{value:,.2f} km² (at most {ref['value']:,g})"
        else:
            diff = (value - ref["value"]) / ref["value"]
            ok = abs(diff) <= AREA_GOAL
            shown = f"{100 * diff:+.0f} %"
        rows.append(
            {
                "ref": ref["ref"],
                "date": ref["date"],
                "model day": f"{day:%Y-%m-%d}",
                "region": ref["region"],
                "side": ref["side"],
                "published": f"{ref['value']:,g}{' %' if ref['measure'] == 'share' else ' km²'}",
                "model": f"{value:,.1f}{' %' if ref['measure'] == 'share' else ' km²'}",
                "difference": shown,
                "goal met": "yes" if ok else "no",
                "source": ref["source"],
                "_diff": diff,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="cost")
    parser.add_argument("--desert", default="zone")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    started = time.perf_counter()
    timeline = build_timeline(load_dataset())
    territory = build_territory(timeline, TerritoryOptions(method=args.method, desert=args.desert))
    built = time.perf_counter() - started
    table = compare(territory, pd.read_csv(REFERENCES, dtype={"value": float}))
    shown = table.drop(columns=["_diff", "source"] if not args.markdown else ["_diff"])
    if args.markdown:
        print(shown.to_markdown(index=False))
    else:
        with pd.option_context("display.width", 200, "display.max_colwidth", 40):
            print(shown.to_string(index=False))
    met = (table["goal met"] == "yes").sum()
    print(
        f"\n{met} of {len(table)} figures within the goal ({args.method}, desert {args.desert}; "
        f"territory built in {built:.1f} s)"
    )


if __name__ == "__main__":
    main()
