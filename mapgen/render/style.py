"""What every renderer shows the same way: side colours, legend entries, attribution."""

from __future__ import annotations

from dataclasses import dataclass

from mapgen.dataset import Dataset
from mapgen.territory import Territory

UNASSIGNED_COLOR = "#ffffff"
CONTESTED_LABEL = "contested (under assault)"
BESIEGED_LABEL = "besieged"
BASE_ATTRIBUTION = (
    "Borders, lakes: Made with Natural Earth (public domain) · "
    "Rivers: GSHHG/WDBII, Wessel & Smith (LGPL-3.0) · "
    "Places: GeoNames (CC BY 4.0)"
)


@dataclass(frozen=True)
class LegendEntry:
    """One side of the legend: id, display name, colour."""

    id: str
    name: str
    color: str


def legend_entries(territory: Territory) -> list[LegendEntry]:
    """The sides that hold ground or places at some time in the range, in table order."""
    present = set(territory.areas["controller"]) | set(territory.places["controller"])
    controllers = territory.timeline.dataset.controllers
    return [LegendEntry(c.id, c.name, c.color) for c in controllers if c.id in present]


def source_count(dataset: Dataset) -> int:
    """How many distinct sources the events cite."""
    return int(dataset.events["source"].nunique())


def attribution(dataset: Dataset) -> str:
    """The credit line every map carries: base data licences and the event sources."""
    return f"{BASE_ATTRIBUTION} · Events: {source_count(dataset)} sources"
