"""The report page: one self-contained HTML file with the map, the maps at key dates, the
chart, the chronology, the method and the credits.

The page is assembled from the renderers' public pieces (the slider map's embeddable
fragment, the snapshot and chart figures) and the words in :mod:`mapgen.report.text`; the
layout is the template ``templates/report.html`` with its stylesheet ``report.css``. Images
are inlined as PNG data URIs, so the file can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from mapgen import __version__
from mapgen._io import write_text_atomic
from mapgen.controllers import zone_tint
from mapgen.dates import check_within
from mapgen.render import html
from mapgen.render.basemap import Basemap, basemap
from mapgen.render.chart import area_chart_figure
from mapgen.render.static import snapshot_figure
from mapgen.render.style import attribution, legend_entries, source_count
from mapgen.report.text import chronology, key_dates, method_text
from mapgen.territory import Territory
from mapgen.territory.model import UNASSIGNED

log = logging.getLogger(__name__)

FIGURE_DPI = 110  # on screen and on an A4 page at full width, small enough to mail


@dataclass(frozen=True)
class KeyMap:
    """A static map of one day with its caption."""

    day: str
    caption: str
    image: str  # data URI


@dataclass(frozen=True)
class SideSummary:
    """Held ground, zone and population of one side on the first and last day of the range
    (``unassigned``: the ground no side reaches, as held_km2, with no colour or people)."""

    name: str
    color: str
    zone_color: str
    held_start: float
    zone_start: float
    held_end: float
    zone_end: float
    population_start: int | None
    population_end: int | None


def report_html(
    territory: Territory,
    *,
    dates: list[pd.Timestamp] | None = None,
    tiles: str = "none",
    slider: html.SliderMap | None = None,
) -> str:
    """The report page for ``territory``.

    Parameters
    ----------
    territory
        The computed territory (its timeline and dataset come with it).
    dates
        Days to show as static maps; default: the change dates on which the most ground
        changed hands (:func:`mapgen.report.text.key_dates`).
    tiles
        Tile layer of the embedded slider map (``none`` keeps the page fully offline).
    slider
        The slider map to embed, if already built (e.g. for map.html); ``tiles`` is then
        the slider's own.
    """
    timeline = territory.timeline
    days = _checked_days(territory, dates) if dates else key_dates(territory)
    base = basemap(territory)
    template = _environment().get_template("report.html")
    return template.render(
        title=timeline.dataset.info.title,
        description=timeline.dataset.info.description,
        start=f"{timeline.start:%-d %B %Y}",
        end=f"{timeline.end:%-d %B %Y}",
        css=_asset("report.css"),
        summary=_summary(territory),
        map_fragment=(slider or html.slider_map(territory, tiles=tiles)).fragment(
            element_id="report-map"
        ),
        key_maps=[_key_map(territory, day, base) for day in days],
        chart=_png_uri(area_chart_figure(territory)),
        chronology=chronology(territory),
        milestones=timeline.dataset.info.milestones,
        method=method_text(territory),
        attribution=attribution(timeline.dataset),
        sources=source_count(timeline.dataset),
        version=__version__,
    )


def write_report(
    territory: Territory,
    path: Path | str,
    *,
    dates: list[pd.Timestamp] | None = None,
    tiles: str = "none",
    slider: html.SliderMap | None = None,
) -> Path:
    """Write :func:`report_html` to ``path`` atomically and return the path."""
    page = report_html(territory, dates=dates, tiles=tiles, slider=slider)
    log.info("report: %d kB", len(page.encode()) // 1024)
    return write_text_atomic(path, page)


def _checked_days(territory: Territory, dates: list[pd.Timestamp]) -> list[pd.Timestamp]:
    check_within(dates, territory.timeline.start, territory.timeline.end, field="dates")
    return sorted(set(dates))


def _key_map(territory: Territory, day: pd.Timestamp, base: Basemap) -> KeyMap:
    figure = snapshot_figure(territory, day, width_in=9.0, dpi=FIGURE_DPI, base=base)
    return KeyMap(f"{day:%Y-%m-%d}", _caption(territory, day), _png_uri(figure))


def _caption(territory: Territory, day: pd.Timestamp) -> str:
    """What changed on ``day``: the places that changed hands and the ground that moved."""
    changes = territory.timeline.changes()
    today = changes[changes["date"] == day]
    if today.empty:
        return "No change of control reported on this day."
    moved = territory.ground_changed()
    km2 = moved.loc[moved["date"] == day, "changed_km2"].sum()
    places = ", ".join(dict.fromkeys(today["place"]))
    return (
        f"Changed hands or came under attack: {places}. Ground whose state changed: {km2:,.0f} km²."
    )


def _summary(territory: Territory) -> list[SideSummary]:
    stats = territory.stats()
    first = stats[stats["date"] == stats["date"].min()].set_index("controller")
    last = stats[stats["date"] == stats["date"].max()].set_index("controller")

    def value(table: pd.DataFrame, side: str, column: str) -> float:
        return float(table[column].get(side, 0.0))

    rows = [
        SideSummary(
            side.name,
            side.color,
            zone_tint(side.color),
            value(first, side.id, "held_km2"),
            value(first, side.id, "zone_km2"),
            value(last, side.id, "held_km2"),
            value(last, side.id, "zone_km2"),
            int(first["population"].get(side.id, 0)),
            int(last["population"].get(side.id, 0)),
        )
        for side in legend_entries(territory)
    ]
    rest = (value(first, UNASSIGNED, "held_km2"), value(last, UNASSIGNED, "held_km2"))
    if max(rest) > max(1.0, 1e-5 * territory.study_area_km2):
        rows.append(
            SideSummary(
                "Unassigned (no side reaches it)", "", "", rest[0], 0.0, rest[1], 0.0, None, None
            )
        )
    return rows


def _png_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _asset(name: str) -> str:
    return resources.files("mapgen.report").joinpath("templates", name).read_text("utf-8")


def _environment() -> jinja2.Environment:
    loader = jinja2.PackageLoader("mapgen.report", "templates")
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["thousands"] = lambda value: f"{value:,.0f}"
    return env
