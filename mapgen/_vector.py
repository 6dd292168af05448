"""Reading vector files given as input (city polygons, areas): checked like every input."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from mapgen._io import check_input_file
from mapgen.errors import InputFileError
from mapgen.fields import FieldError, clean_text
from mapgen.problems import display_path

CRS = "EPSG:4326"


@dataclass(frozen=True)
class Feature:
    """One feature of a vector file: its number (1-based, in file order), properties, geometry.

    ``geometry`` is None for a feature without one; property values are as GDAL read them
    (text, numbers, None).
    """

    number: int
    properties: dict[str, object]
    geometry: BaseGeometry | None

    def text(self, name: str) -> str:
        """A text property, cleaned of control characters; FieldError if it is not text."""
        value = self.properties.get(name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise FieldError(f"feature {self.number}: no {name!r}", f"give it a {name!r} property")
        if not isinstance(value, str):
            raise FieldError(
                f"feature {self.number}: {name!r} is {value!r}, not text",
                f"write the {name} as a string",
            )
        return clean_text(value)[0].strip()


def read_features(path: Path | str) -> tuple[list[str], list[Feature]]:
    """The property names and the features of a GeoJSON or GeoPackage file, in EPSG:4326.

    InputFileError for a file that is missing, not a regular file, too large or not a
    vector file GDAL can read.
    """
    shown = display_path(path)
    check_input_file(path)
    try:
        with warnings.catch_warnings():  # mixed property types: read as text, checked later
            warnings.simplefilter("ignore", UserWarning)
            frame = gpd.read_file(path)
        if frame.crs is not None and not frame.crs.equals(CRS):
            frame = frame.to_crs(CRS)
    except Exception as exc:  # pyogrio and pyproj raise many types for unreadable files
        raise InputFileError(f"{shown}: cannot read as a vector file ({exc})") from exc
    names = [c for c in frame.columns if c != frame.geometry.name]
    return names, list(_features(frame, names))


def _features(frame: gpd.GeoDataFrame, names: list[str]) -> Iterator[Feature]:
    records = frame[names].to_dict("records")
    for number, (props, geom) in enumerate(zip(records, frame.geometry, strict=True), start=1):
        yield Feature(number, props, geom if isinstance(geom, BaseGeometry) else None)
