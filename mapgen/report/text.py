"""The words of a report: the chronology of changes and the method in plain language."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mapgen.changes import SETTLED, change_kind, coarse_events, reported_period
from mapgen.dates import format_date
from mapgen.events import ENDED
from mapgen.territory import Territory
from mapgen.timeline import SOURCE_SEPARATOR, UNCERTAIN, Timeline


@dataclass(frozen=True)
class SourceRef:
    """One event's source: the text as written and a link when the row has one."""

    event_id: str
    text: str
    url: str


@dataclass(frozen=True)
class ChronologyRow:
    """One change of control, ready to show: dates as reported, names, sources; ``area``
    when it is an area event's polygon (``kind``: see :func:`mapgen.changes.change_kind`)."""

    date: str
    place: str
    before: str
    after: str
    sources: tuple[SourceRef, ...]
    area: bool = False
    kind: str = "change"


def _state_label(territory: Territory, controller: str, status: str, opponent: str) -> str:
    if not controller:
        return "unknown"
    controllers = territory.timeline.dataset.controllers
    name = controllers[controller].name
    if status == "contested" and opponent:
        return f"{name}, contested (fighting with {controllers[opponent].name})"
    if status == "besieged" and opponent:
        return f"{name}, besieged by {controllers[opponent].name}"
    if status == UNCERTAIN and opponent:
        return f"{name} (uncertain: may have passed to {controllers[opponent].name})"
    return name


def chronology(territory: Territory) -> list[ChronologyRow]:
    """Every change of control inside the range, oldest first, with its sources.

    A change known only to the month (or year) is one row dated as reported (``2018-12``),
    saying that it is drawn uncertain for that month; the day its window closes is not a
    change of its own and is left out. The end of an area event is a row of its own.
    """
    timeline = territory.timeline
    events = timeline.dataset.events.set_index("event_id")
    coarse = coarse_events(timeline.dataset.events)
    histories = _Histories(timeline)
    rows = []
    for change in timeline.changes().to_dict("records"):
        kind = change_kind(change, coarse)
        if kind == SETTLED:
            continue
        ids = [i for i in change["sources"].split(SOURCE_SEPARATOR) if i]
        refs = tuple(
            SourceRef(i, str(events.at[i, "source"]), str(events.at[i, "source_url"])) for i in ids
        )
        before = _state_label(
            territory,
            change["from_controller"],
            change["from_status"],
            _opponent_before(histories, change),
        )
        rows.append(
            ChronologyRow(
                date=format_date(change["date"], change["precision"]),
                place=change["place"],
                before=before,
                after=_after(territory, change, kind, coarse),
                sources=refs,
                area=bool(change["polygon"]),
                kind=kind,
            )
        )
    return rows


class _Histories:
    """Every interval of each area and each place, grouped once (a year of daily polygons
    has thousands of changes; filtering the whole table for each was most of the report)."""

    def __init__(self, timeline: Timeline) -> None:
        columns = ["valid_from", "opponent"]  # plain frames: far cheaper to filter and sort
        areas = pd.DataFrame(timeline.polygon_intervals[["polygon", *columns]])
        places = pd.DataFrame(timeline.intervals[["place_id", *columns]])
        self._no_area, self._no_place = areas.iloc[:0], places.iloc[:0]
        self._areas = dict(tuple(areas.groupby("polygon", sort=False))) if len(areas) else {}
        self._places = dict(tuple(places.groupby("place_id", sort=False))) if len(places) else {}

    def of(self, change: dict) -> pd.DataFrame:
        """The intervals of the change's area, or of its place oldest first."""
        if change["polygon"]:
            return self._areas.get(change["polygon"], self._no_area)
        return self._places.get(change["place_id"], self._no_place).sort_values("valid_from")


def _opponent_before(histories: _Histories, change: dict) -> str:
    """The opponent of the state a change ends (the attacker of a contested place)."""
    history = histories.of(change)
    earlier = history[history["valid_from"] < change["date"]].sort_values("valid_from")
    return str(earlier["opponent"].iloc[-1] or "") if len(earlier) else ""


def _after(territory: Territory, change: dict, kind: str, coarse: dict) -> str:
    if kind == ENDED:
        return "area event ended: its places decide again"
    if kind == UNCERTAIN:
        controllers = territory.timeline.dataset.controllers
        new = change["opponent"] or change["to_controller"]
        period, precision = reported_period(change, coarse)
        name = controllers[new].name if new in controllers else new
        unit = precision or "month"
        return (
            f"{name}, during {period or 'the period reported'} (date known only to the "
            f"{unit}: drawn as uncertain until the {unit} ends)"
        )
    return _state_label(territory, change["to_controller"], change["to_status"], change["opponent"])


def key_dates(territory: Territory, *, count: int = 4) -> list[pd.Timestamp]:
    """The change dates on which the most ground changed hands, in date order."""
    moved = territory.ground_changed()
    top = moved.sort_values(["changed_km2", "date"], ascending=[False, True]).head(count)
    return sorted(top["date"])


def method_text(territory: Territory) -> list[str]:
    """The method and its assumptions, in plain words, one paragraph per item."""
    opts = territory.options
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
        "in an equal-area projection; the study area, the land of the sides' countries inside "
        f"the map's extent, is {territory.study_area_km2:,.0f} km².",
        *_default_text(territory),
    ]


def _default_text(territory: Territory) -> list[str]:
    """A paragraph on the dataset's default controller, if it has one."""
    side = territory.timeline.dataset.info.default_controller
    if not side:
        return []
    controllers = territory.timeline.dataset.controllers
    name = controllers[side].name if side in controllers else side
    return [
        f"Ground that no place's reach and no polygon speaks for is {name}'s (the dataset's "
        "default controller), as are places no event names: it is drawn and counted as "
        "held ground."
    ]
