"""mapgen: dated territorial-control events into maps and GIS layers.

The public names below are imported on first use (PEP 562), so ``import mapgen`` and the
command line start without loading pandas, geopandas or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_HOMES = {
    "Dataset": "mapgen.dataset",
    "DatasetFiles": "mapgen.dataset",
    "DatasetInfo": "mapgen.dataset",
    "check_dataset": "mapgen.dataset",
    "load_dataset": "mapgen.dataset",
    "DateRangeError": "mapgen.errors",
    "InputFileError": "mapgen.errors",
    "MapgenError": "mapgen.errors",
    "ValidationError": "mapgen.errors",
    "Timeline": "mapgen.timeline",
    "build_timeline": "mapgen.timeline",
}

__all__ = [*sorted(_HOMES), "__version__"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mapgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
