"""The words of a report: the chronology of changes and the method in plain language."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mapgen.dates import format_date
from mapgen.territory import Territory
from mapgen.timeline import SOURCE_SEPARATOR


@dataclass(frozen=True)
class SourceRef:
    """One event's source: the text as written and a link when the row has one."""

    event_id: str
    text: str
    url: str


@dataclass(frozen=True)
class ChronologyRow:
    """One change of control, ready to show: dates as reported, names, sources."""

    date: str
    place: str
    before: str
    after: str
    sources: tuple[SourceRef, ...]


def _state_label(territory: Territory, controller: str, status: str, opponent: str) -> str:
    if not controller:
        return "unknown"
    controllers = territory.timeline.dataset.controllers
    name = controllers[controller].name
    if status == "contested" and opponent:
        return f"{name}, contested (fighting with {controllers[opponent].name})"
    if status == "besieged" and opponent:
        return f"{name}, besieged by {controllers[opponent].name}"
    return name


def chronology(territory: Territory) -> list[ChronologyRow]:
    """Every change of control inside the range, oldest first, with its sources."""
    events = territory.timeline.dataset.events.set_index("event_id")
    rows = []
    for change in territory.timeline.changes().itertuples(index=False):
        ids = [i for i in change.sources.split(SOURCE_SEPARATOR) if i]
        refs = tuple(
            SourceRef(i, str(events.at[i, "source"]), str(events.at[i, "source_url"])) for i in ids
        )
        history = territory.timeline.history(change.place_id)
        earlier = history[history["valid_from"] < change.date]
        before_opponent = earlier["opponent"].iloc[-1] if len(earlier) else ""
        rows.append(
            ChronologyRow(
                date=format_date(change.date, change.precision),
                place=change.place,
                before=_state_label(
                    territory, change.from_controller, change.from_status, before_opponent
                ),
                after=_state_label(
                    territory, change.to_controller, change.to_status, change.opponent
                ),
                sources=refs,
            )
        )
    return rows


def key_dates(territory: Territory, *, count: int = 4) -> list[pd.Timestamp]:
    """The change dates on which the most ground changed hands, in date order."""
    moved = territory.ground_changed()
    top = moved.sort_values(["changed_km2", "date"], ascending=[False, True]).head(count)
    return sorted(top["date"])


def method_text(territory: Territory) -> list[str]:
    """The method and its assumptions, in plain words, one paragraph per item."""
    opts = territory.options
    dataset = territory.timeline.dataset
    reported = territory.places[territory.places["basis"] == "reported"]["place_id"].nunique()
    inferred = territory.places[territory.places["basis"] == "inferred"]["place_id"].nunique()
    method = {
        "cost": (
            "Ground is given to the place that reaches it first at the lowest travel cost on a "
            f"{opts.resolution_m / 1000:g} km grid: moving along river valleys costs 1, the "
            f"desert {opts.desert_friction:g}, and crossing a river adds "
            f"{opts.crossing_penalty_km:g} km of travel, so rivers act as lines."
        ),
        "voronoi": (
            "Ground is given to the nearest place as the crow flies (a Voronoi tessellation of "
            "the places with a known state); rivers are not taken into account."
        ),
    }[opts.method]
    desert = {
        "unassigned": (
            "Empty desert is left unassigned: a place controls ground only within its reach, "
            f"{opts.reach_km:g} km plus {opts.reach_km_per_sqrt_million:g} km × √(population in "
            f"millions), at most {opts.max_reach_km:g} km."
        ),
        "zone": (
            "A place holds the ground within its reach "
            f"({opts.reach_km:g} km plus {opts.reach_km_per_sqrt_million:g} km × √(population "
            f"in millions), at most {opts.max_reach_km:g} km of travel); ground beyond every "
            "reach is the zone of the side whose held ground is nearest (as ISW's support "
            "zones and the desert colouring of Wikipedia's maps): drawn as a light tint of the "
            "side's colour and counted apart from held ground, an inference, not a report. "
            "Allocation never crosses an international border except from places a side "
            "holds beyond it, and a side gets zones only in the countries it may hold ground in."
        ),
    }[opts.desert]
    basis = f"{reported} places have reported events. " + (
        f"{inferred} more places inherit the state of the nearest reported place on the "
        f"same bank of the Euphrates or the Tigris (within {opts.infer_max_km:g} km); "
        "they are marked as inferred."
        if opts.infer
        else "No state is inferred for places without events."
    )
    return [
        method,
        desert,
        "A city with a polygon, and the polygon of an area event (a district, a pocket, a "
        "sector), is held whole by its controller and overrides what the places would give. "
        "A contested place (fighting inside or an assault under way) gives contested ground, "
        "drawn apart from held ground, with the attacker named. Frontlines are drawn only "
        "where the ground of two sides at war meets (who fights whom is in relations.csv).",
        basis,
        "Dates are kept with the precision they were reported in: a change of hands known only "
        "to the month is drawn as uncertain for that whole month (the old holder, marked "
        "uncertain) and as the new holder's from the first day of the next. Areas are measured "
        f"in an equal-area projection over a study area of {territory.study_area_km2:,.0f} km² "
        f"({dataset.info.title}).",
    ]
