"""Synthetic scenarios for scale tests: many places, many events, deterministic from a seed.

Places lie along the real rivers of the base layers (jittered off the bank) and along
straight "roads" between river towns, with log-normal populations. Sides start from
capitals and hold the places nearest to them; then, day after day, a side attacks a place on
its front: some attacks are first reported as contested, some captures are reversed by a
counter-attack a few days later.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from mapgen._io import write_text_atomic
from mapgen.boundaries import read_layer, study_area
from mapgen.dataset import DatasetFiles
from mapgen.errors import OptionError

log = logging.getLogger(__name__)

PALETTE = ["#d55e00", "#0072b2", "#3b3b3b", "#e8d71c", "#cc79a7", "#009e73", "#56b4e9", "#e69f00"]
DEFAULT_EXTENT = (38.0, 32.8, 45.6, 37.4)


@dataclass(frozen=True)
class Scenario:
    """A generated dataset: the three tables and the range, ready to write."""

    places: pd.DataFrame
    controllers: pd.DataFrame
    events: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    extent: tuple[float, float, float, float]

    def write(self, folder: Path | str) -> DatasetFiles:
        """Write events.csv, places.csv, controllers.csv and dataset.toml into ``folder``."""
        folder = Path(folder)
        for name, frame in [
            ("places", self.places),
            ("controllers", self.controllers),
            ("events", self.events),
        ]:
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, lineterminator="\n")
            write_text_atomic(folder / f"{name}.csv", buffer.getvalue())
        info = (
            'title = "Synthetic scenario"\n'
            f'start = "{self.start:%Y-%m-%d}"\nend = "{self.end:%Y-%m-%d}"\n'
            f"extent = [{', '.join(str(x) for x in self.extent)}]\n"
        )
        write_text_atomic(folder / "dataset.toml", info)
        return DatasetFiles(
            events=folder / "events.csv",
            places=folder / "places.csv",
            controllers=folder / "controllers.csv",
            city_polygons=None,
            info=folder / "dataset.toml",
        )


def synthesize(
    *,
    places: int = 2000,
    events: int = 20000,
    days: int = 1000,
    sides: int = 4,
    seed: int = 0,
    start: str = "2020-01-01",
    extent: tuple[float, float, float, float] = DEFAULT_EXTENT,
) -> Scenario:
    """Generate a scenario; the same arguments always give the same tables."""
    if not 2 <= sides <= len(PALETTE):
        raise OptionError(f"sides must be from 2 to {len(PALETTE)}, not {sides}", field="sides")
    if places < sides or events < places or days < 1:
        raise OptionError(
            f"places {places}, events {events}, days {days}: need places ≥ sides, "
            "events ≥ places (one baseline each) and days ≥ 1"
        )
    rng = np.random.default_rng(seed)
    xy = _place_points(places, extent, rng)
    population = np.round(rng.lognormal(7.5, 1.3, places)).astype(int)
    first_day = pd.Timestamp(start)
    side_of = _initial_sides(xy, sides, rng)
    rows = _baseline_rows(side_of, first_day)
    rows += _campaign_rows(xy, side_of, events - places, days, first_day, rng)
    table = pd.DataFrame(rows, columns=["date", "place", "controller", "status", "opponent"])
    table = table.sort_values(["date", "place"], kind="stable").reset_index(drop=True)
    table.insert(0, "event_id", [f"S{n:06d}" for n in range(1, len(table) + 1)])
    table["source"] = f"synthetic scenario (seed {seed})"
    return Scenario(
        places=pd.DataFrame(
            {
                "id": [f"p{n:05d}" for n in range(places)],
                "name": [f"Place {n}" for n in range(places)],
                "lat": np.round(xy[:, 1], 5),
                "lon": np.round(xy[:, 0], 5),
                "population": population,
            }
        ),
        controllers=pd.DataFrame(
            {
                "id": [f"side{n}" for n in range(sides)],
                "name": [f"Side {n}" for n in range(sides)],
                "color": PALETTE[:sides],
            }
        ),
        events=table,
        start=first_day,
        end=first_day + pd.Timedelta(days=days - 1),
        extent=extent,
    )


def _place_points(n: int, extent: tuple, rng: np.random.Generator) -> np.ndarray:
    """60 % along rivers (within ~3 km of the bank), 40 % along roads between river points."""
    area = study_area(gpd.GeoSeries([], crs=4326), extent, countries=("SYR", "IRQ")).geometry
    rivers = read_layer("rivers").geometry.union_all().intersection(area)
    lines = [g for g in shapely.get_parts(rivers) if g.length > 0.05]
    lengths = np.array([g.length for g in lines])
    points: list[tuple[float, float]] = []
    while len(points) < n:
        if rng.random() < 0.6:
            line = lines[rng.choice(len(lines), p=lengths / lengths.sum())]
            p = line.interpolate(rng.random(), normalized=True)
            x, y = p.x + rng.normal(0, 0.03), p.y + rng.normal(0, 0.03)
        else:
            a, b = (
                lines[i].interpolate(rng.random(), normalized=True)
                for i in rng.integers(0, len(lines), 2)
            )
            t = rng.random()
            x, y = (
                a.x + t * (b.x - a.x) + rng.normal(0, 0.01),
                a.y + t * (b.y - a.y) + rng.normal(0, 0.01),
            )
        if area.contains(shapely.Point(x, y)):
            points.append((x, y))
    return np.array(points)


def _initial_sides(xy: np.ndarray, sides: int, rng: np.random.Generator) -> np.ndarray:
    capitals = xy[rng.choice(len(xy), sides, replace=False)]
    _, nearest = cKDTree(capitals).query(xy)
    return nearest.astype(int)


def _baseline_rows(side_of: np.ndarray, first_day: pd.Timestamp) -> list[tuple]:
    day = (first_day - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return [(day, f"p{k:05d}", f"side{s}", "controlled", "") for k, s in enumerate(side_of)]


_STALLS_PER_PLACE = 50


def _campaign_rows(
    xy: np.ndarray,
    side_of: np.ndarray,
    count: int,
    days: int,
    first_day: pd.Timestamp,
    rng: np.random.Generator,
) -> list[tuple]:
    """Attacks on front-line places: capture, contested-then-capture, capture-then-reversal.

    Stops early (with fewer rows, logged) when no place can be attacked any more: every
    front-line place busy until the last day, or one side holding everything.
    """
    _, neighbours = cKDTree(xy).query(xy, k=7)
    neighbours = neighbours[:, 1:]
    sides = side_of.copy()
    busy_until = np.full(len(xy), -1)
    rows: list[tuple] = []
    attack_days = iter(np.sort(rng.integers(0, days, count)))
    day = 0
    stalls = 0  # draws in a row that found nothing to attack
    while len(rows) < count:
        if stalls > _STALLS_PER_PLACE * len(xy):
            log.warning("synth: only %d of %d attack rows fit in %d days", len(rows), count, days)
            break
        stalls += 1
        k = int(rng.integers(len(xy)))
        enemies = [int(sides[m]) for m in neighbours[k] if sides[m] != sides[k]]
        if not enemies:
            continue
        day = max(int(next(attack_days, day)), day)
        if busy_until[k] >= day:
            continue
        stalls = 0
        attacker, holder = enemies[int(rng.integers(len(enemies)))], int(sides[k])
        place = f"p{k:05d}"
        roll = rng.random()
        if roll < 0.25 and day + 3 < days and len(rows) + 2 <= count:
            rows.append(
                (_day(first_day, day), place, f"side{holder}", "contested", f"side{attacker}")
            )
            day_taken = day + int(rng.integers(1, 4))
        else:
            day_taken = day
        rows.append((_day(first_day, day_taken), place, f"side{attacker}", "controlled", ""))
        sides[k], busy_until[k] = attacker, day_taken
        back = day_taken + int(rng.integers(2, 10))
        if 0.25 <= roll < 0.35 and back < days and len(rows) < count:
            rows.append((_day(first_day, back), place, f"side{holder}", "controlled", ""))
            sides[k], busy_until[k] = holder, back
    return rows[:count]


def _day(first_day: pd.Timestamp, offset: int) -> str:
    return (first_day + pd.Timedelta(days=offset)).strftime("%Y-%m-%d")
