"""Where a piece of ground lies, in the names of the populated places near it.

A change of an imported polygon series has no place of its own ("russia ground from
2025-01-16"); an analyst needs to read where it is: ``near Pokrovsk, Selydove``. The places
are the dataset's own (its gazetteer) and, where the ``world`` data is installed, the
GeoNames cities500 places of the dataset's countries inside its extent, read by
:func:`mapgen.world.geonames.select_places` (the places of ``mapgen gazetteer``).

A geometry is named after the most populous places within :data:`NEAR_M` of it, or, with
none that close, the nearest place within :data:`FAR_M`. Ties go to the nearer place, then
to the id, so the names are the same on every run with the same data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from mapgen.boundaries import metric_crs

if TYPE_CHECKING:
    from mapgen.dataset import Dataset

log = logging.getLogger(__name__)

NEAR_M = 10_000.0  # places this close to the ground may name it, the largest first
FAR_M = 50_000.0  # with none that close, the nearest place this close names it
MAX_NAMES = 2
GEONAMES = "geonames"  # a landmark's origin when it comes from GeoNames

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class Landmarks:
    """Named points in a metric CRS: ``name``, ``population``, ``origin``, ``geometry``
    (indexed by a stable id, sorted)."""

    points: gpd.GeoDataFrame
    crs: CRS

    def where_each(
        self, geometries: Sequence[shapely.Geometry], *, limit: int = MAX_NAMES
    ) -> list[str]:
        """Where each of ``geometries`` lies, in words: ``near Pokrovsk, Lazurnyi`` (places
        within :data:`NEAR_M`), ``25 km from As Sukhnah`` (only a farther place), or ``""``."""
        out = []
        for names, far_m in self._named(geometries, limit):
            if not names:
                out.append("")
            elif far_m is None:
                out.append("near " + ", ".join(names))
            else:
                out.append(f"{far_m / 1000:.0f} km from {names[0]}")
        return out

    def _named(
        self, geometries: Sequence[shapely.Geometry], limit: int
    ) -> list[tuple[tuple[str, ...], float | None]]:
        """Each geometry's place names, and the distance of the one place naming it when
        no place is within :data:`NEAR_M` (``None`` when the names are near places)."""
        out: list[tuple[tuple[str, ...], float | None]] = [((), None) for _ in geometries]
        if self.points.empty or not len(geometries):
            return out
        geoms = np.asarray(geometries, dtype=object)
        which, found = self.points.sindex.query(geoms, predicate="dwithin", distance=FAR_M)
        points = self.points.iloc[found]
        pairs = pd.DataFrame(
            {
                "which": which,
                "id": points.index.to_numpy(),
                "name": points["name"].to_numpy(),
                "population": points["population"].to_numpy(),
                "d": shapely.distance(points.geometry.to_numpy(), geoms[which]),
            }
        )
        pairs["far"] = pairs["d"] > NEAR_M
        # the most populous close place first; with none close, the nearest
        pairs["rank"] = np.where(pairs["far"], 0.0, -pairs["population"])
        pairs = pairs.sort_values(["which", "far", "rank", "d", "id"], kind="stable")
        for k, group in pairs.groupby("which", sort=False):
            close = group.loc[~group["far"], "name"]
            if len(close):
                out[int(k)] = (tuple(dict.fromkeys(close.astype(str)))[:limit], None)
            else:
                out[int(k)] = ((str(group["name"].iloc[0]),), float(group["d"].iloc[0]))
        return out


def landmarks_for(dataset: Dataset, extent: Extent) -> Landmarks:
    """The dataset's places and the GeoNames places of its countries inside ``extent``
    (without the world data installed: the dataset's places alone)."""
    own = dataset.places.places
    frame = pd.DataFrame(
        {
            "name": own["name"].astype(str),
            "population": own["population"].fillna(0).astype(float),
            "origin": "dataset",
            "geometry": own.geometry.to_numpy(),
        },
        index=own.index.astype(str),
    )
    countries = sorted({c for side in dataset.controllers for c in side.countries})
    known = set(own["geonames_id"].dropna().astype(int))
    return _landmarks([frame, _geonames(countries, extent, known)], extent)


def geonames_landmarks(countries: Sequence[str], extent: Extent) -> Landmarks | None:
    """The GeoNames places of ``countries`` (ISO2 or ISO3; none: every country) inside
    ``extent``; None without the world data."""
    frame = _geonames(countries, extent, set())
    return _landmarks([frame], extent) if not frame.empty else None


def geonames_installed() -> bool:
    """Whether GeoNames cities500 (the ``world`` extra) is there to name ground with."""
    from mapgen.world.sources import CITIES, WorldDataMissing

    try:
        CITIES.path()
    except WorldDataMissing:
        return False
    return True


def _landmarks(frames: list[pd.DataFrame], extent: Extent) -> Landmarks:
    crs = metric_crs(extent)
    table = pd.concat([f for f in frames if not f.empty] or frames[:1]).sort_index()
    points = gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326").to_crs(crs)
    return Landmarks(points, crs)


def _geonames(countries: Sequence[str], extent: Extent, known: set[int]) -> pd.DataFrame:
    """The GeoNames places of ``countries`` in ``extent`` but those with an id in ``known``
    (empty without the world data)."""
    from mapgen.world.geonames import country_codes, select_places
    from mapgen.world.sources import WorldDataMissing

    try:
        rows = select_places(list(countries) or sorted(country_codes()), extent=extent)
    except WorldDataMissing as exc:
        log.info("names ground after the dataset's places only: %s", exc)
        rows = []
    rows = [r for r in rows if int(r["geonames_id"]) not in known]
    return pd.DataFrame(
        {
            "name": [r["name"] for r in rows],
            "population": [float(r["population"] or 0) for r in rows],
            "origin": GEONAMES,
            "geometry": shapely.points(
                [float(r["lon"]) for r in rows], [float(r["lat"]) for r in rows]
            ),
        },
        index=pd.Index([f"geonames:{r['geonames_id']}" for r in rows], dtype="str"),
    )
