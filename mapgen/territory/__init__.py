"""The territory model: from who holds which place and area to who holds which ground."""

from mapgen.territory.model import (
    AREA_COLUMNS,
    KINDS,
    METHODS,
    DayState,
    Territory,
    build_territory,
)
from mapgen.territory.options import DESERT_RULES, TerritoryOptions

__all__ = [
    "AREA_COLUMNS",
    "DESERT_RULES",
    "KINDS",
    "METHODS",
    "DayState",
    "Territory",
    "TerritoryOptions",
    "build_territory",
]
