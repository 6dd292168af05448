"""The GeoPackage: every layer in one file, with its QGIS style stored as the default.

Dates are written as DATETIME columns (datetime64; a column of ``datetime.date`` objects
would become TEXT). The styles go into the ``layer_styles`` table QGIS reads when it opens
a layer, with ``useAsDefault`` set, so the file opens styled and time-enabled. The file is
reproducible: the timestamps GDAL and QGIS keep (``gpkg_contents.last_change``,
``layer_styles.update_time``) are set to the given ``as_of`` time, not the time of the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyogrio

from mapgen._io import atomic_path
from mapgen.export.layers import Layer

DRIVER = "GPKG"
GEOMETRY_COLUMN = "geom"
STYLE_TABLE = "layer_styles"
# GeoPackage 1.2: everything used here, readable by GDAL/QGIS releases still in use.
GPKG_VERSION = "1.2"


def write_geopackage(
    layers: list[Layer], path: Path | str, *, styles: dict[str, str], as_of: pd.Timestamp
) -> Path:
    """Write ``layers`` and their QML ``styles`` (by layer name) into one GeoPackage."""
    stamp = f"{as_of:%Y-%m-%dT%H:%M:%S}.000Z"
    with atomic_path(path, fresh=True) as tmp, _gdal_config(OGR_CURRENT_DATE=stamp):
        for n, layer in enumerate(layers):
            pyogrio.write_dataframe(
                layer.frame.rename_geometry(GEOMETRY_COLUMN),
                tmp,
                layer=layer.name,
                driver=DRIVER,
                dataset_options={"VERSION": GPKG_VERSION} if n == 0 else None,
                layer_options={"SPATIAL_INDEX": "YES"},
            )
        pyogrio.write_dataframe(
            _style_rows(layers, styles, as_of),
            tmp,
            layer=STYLE_TABLE,
            driver=DRIVER,
            layer_options={"FID": "id"},
        )
    return Path(path)


def _style_rows(layers: list[Layer], styles: dict[str, str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows of QGIS's ``layer_styles`` table: one default style per layer."""
    names = [layer.name for layer in layers if layer.name in styles]
    count = len(names)
    return pd.DataFrame(
        {
            "f_table_catalog": [""] * count,
            "f_table_schema": [""] * count,
            "f_table_name": names,
            "f_geometry_column": [GEOMETRY_COLUMN] * count,
            "styleName": [f"mapgen {name}" for name in names],
            "styleQML": [styles[name] for name in names],
            "styleSLD": [""] * count,
            "useAsDefault": [True] * count,
            "description": ["mapgen: colours by controller, time from the date fields"] * count,
            "owner": [""] * count,
            "ui": [None] * count,
            "update_time": pd.Series([as_of] * count, dtype="datetime64[ns]").dt.tz_localize("UTC"),
        }
    )


@contextlib.contextmanager
def _gdal_config(**options: str) -> Iterator[None]:
    """Set GDAL config options for the duration of the block, then restore them."""
    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)
