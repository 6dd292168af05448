"""The territory model: from who holds which place to who holds which ground."""

from mapgen.territory.model import METHODS, DayState, Territory, build_territory
from mapgen.territory.options import DESERT_RULES, TerritoryOptions

__all__ = [
    "DESERT_RULES",
    "METHODS",
    "DayState",
    "Territory",
    "TerritoryOptions",
    "build_territory",
]
