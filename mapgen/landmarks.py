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
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from mapgen.boundaries import metric_crs
from mapgen.dataset import Dataset

log = logging.getLogger(__name__)

NEAR_M = 10_000.0  # places this close to the ground may name it, the largest first
FAR_M = 50_000.0  # with none that close, the nearest place this close names it
MAX_NAMES = 2
GEONAMES = "geonames"  # a landmark's origin when it comes from GeoNames


@dataclass(frozen=True)
class Landmarks:
    """Named points in a metric CRS: ``name``, ``population``, ``origin``, ``geometry``
    (indexed by a stable id, sorted)."""

    points: gpd.GeoDataFrame
    crs: CRS

    @property
    def uses_geonames(self) -> bool:
        """Whether any of the names come from GeoNames (and must be credited to it)."""
        return bool(self.points["origin"].eq(GEONAMES).any())

    def near(self, geometry: shapely.Geometry, *, limit: int = MAX_NAMES) -> tuple[str, ...]:
        """The names of the places that tell where ``geometry`` (in :attr:`crs`) lies."""
        if self.points.empty or geometry.is_empty:
            return ()
        index = self.points.sindex.query(geometry, predicate="dwithin", distance=FAR_M)
        if not len(index):
            return ()
        found = self.points.iloc[np.sort(index)]
        found = found.assign(_d=found.distance(geometry), _id=found.index)
        close = found[found["_d"] <= NEAR_M]
        if close.empty:
            return (str(found.sort_values(["_d", "_id"]).iloc[0]["name"]),)
        ranked = close.sort_values(["population", "_d", "_id"], ascending=[False, True, True])
        return tuple(dict.fromkeys(ranked["name"].astype(str)))[:limit]


def landmarks_for(dataset: Dataset, extent: tuple[float, float, float, float]) -> Landmarks:
    """The dataset's places and the GeoNames places of its countries inside ``extent``
    (without the world data installed: the dataset's places alone)."""
    crs = metric_crs(extent)
    own = dataset.places.places
    frames = [
        pd.DataFrame(
            {
                "name": own["name"].astype(str),
                "population": own["population"].fillna(0).astype(float),
                "origin": "dataset",
                "geonames_id": own["geonames_id"].astype("Int64"),
                "geometry": own.geometry.to_numpy(),
            },
            index=own.index.astype(str),
        )
    ]
    known = set(own["geonames_id"].dropna().astype(int))
    frames.append(_geonames(dataset, extent, known))
    table = pd.concat([f for f in frames if not f.empty] or frames[:1]).sort_index()
    points = gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326").to_crs(crs)
    return Landmarks(points.drop(columns="geonames_id"), crs)


def _geonames(
    dataset: Dataset, extent: tuple[float, float, float, float], known: set[int]
) -> pd.DataFrame:
    """The GeoNames places of the dataset's countries in ``extent`` that the dataset does
    not have already (empty without the world data)."""
    from mapgen.world.geonames import country_codes, select_places
    from mapgen.world.sources import WorldDataMissing

    countries = sorted({c for side in dataset.controllers for c in side.countries})
    try:
        rows = select_places(countries or sorted(country_codes()), extent=extent)
    except WorldDataMissing as exc:
        log.info("names the dataset's places only: %s", exc)
        rows = []
    rows = [r for r in rows if int(r["geonames_id"]) not in known]
    return pd.DataFrame(
        {
            "name": [r["name"] for r in rows],
            "population": [float(r["population"] or 0) for r in rows],
            "origin": GEONAMES,
            "geonames_id": pd.array([int(r["geonames_id"]) for r in rows], dtype="Int64"),
            "geometry": shapely.points(
                [float(r["lon"]) for r in rows], [float(r["lat"]) for r in rows]
            ),
        },
        index=pd.Index([f"geonames:{r['geonames_id']}" for r in rows], dtype="str"),
    )
