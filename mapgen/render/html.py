"""The interactive slider map: one self-contained HTML page (or fragment) per territory.

Every distinct area, frontline and place state is in the page once with the days it is valid
(:mod:`mapgen.render.html_data`); the slider's JavaScript (``templates/slider/*.js``, one
file per concern, joined into one script here) shows what is valid on the selected day.
Leaflet is inlined from the ``xstatic-leaflet`` package, so the page works from ``file://``
with no network request. The OpenStreetMap tile layer (``tiles=
"osm"``) is in the layer control but off, so nothing is fetched until the user switches it on.

Why plain templates and not a ``folium.Map``: folium writes page-global ids and scripts and
loads Leaflet from CDNs; a fragment that can be embedded twice in one page, with Leaflet run
once and every style scoped, is simpler to write directly with Jinja2 than to pry out of
folium. The JavaScript API is documented in ``docs/html.md``.

Example
-------
>>> from mapgen.render.html import slider_map
>>> page = slider_map(territory)           # doctest: +SKIP
>>> page.save("out/map.html")              # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mapgen._io import write_text_atomic
from mapgen.errors import OptionError
from mapgen.render.html_data import SCHEMA_JSON, map_data, to_script_json, to_script_payload
from mapgen.territory import Territory

log = logging.getLogger(__name__)

TILE_LAYERS: dict[str, dict[str, Any] | None] = {
    "osm": {
        "name": "OpenStreetMap tiles (online)",
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attribution": "© OpenStreetMap contributors (ODbL)",
        "maxZoom": 19,
    },
    "none": None,
}
TILES = tuple(TILE_LAYERS)
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_FRAGMENT_HEIGHT = "560px"
_DOCUMENT_HEIGHT = "max(360px, calc(100vh - 290px))"
_IFRAME_HEIGHT_PX = 890
# The slider's script, in the order its parts are joined (each part's `/* global */` line
# names what it uses from the parts before it).
SLIDER_PARTS = (
    "dom.js",
    "data.js",
    "dirty.js",
    "canvas.js",
    "base.js",
    "labels.js",
    "layers.js",
    "popups.js",
    "legend.js",
    "controls.js",
    "chart.js",
    "host.js",
    "map.js",
    "load.js",
    "api.js",
)


@dataclass
class SliderMap:
    """A slider map ready to be written as a page, embedded as a fragment or shown in Jupyter.

    Build it with :func:`slider_map`.
    """

    data: dict[str, Any] = field(repr=False)
    tiles: str = "osm"
    _fragments: int = field(default=0, repr=False)

    @cached_property
    def data_json(self) -> str:
        """The data as JSON that is safe inside a ``<script>`` element."""
        return to_script_json(self.data)

    @cached_property
    def data_payload(self) -> str:
        """The data as the page carries it: the JSON, gzip-compressed, in base64."""
        return to_script_payload(self.data_json)

    @cached_property
    def default_id(self) -> str:
        """A stable element id derived from the data (same data, same id)."""
        digest = hashlib.sha1(self.data_json.encode("utf-8")).hexdigest()[:8]
        return f"mapgen-{digest}"

    def fragment(self, *, element_id: str | None = None) -> str:
        """An embeddable ``<div>`` with inline styles and scripts.

        Styles are scoped under ``.mapgen-slider``; Leaflet and the runtime run once per page
        however many fragments it holds. Without ``element_id`` the id is derived from the
        data, with ``-2``, ``-3`` … appended on later calls so two fragments never clash.
        """
        self._fragments += 1
        if element_id is None:
            element_id = self.default_id
            if self._fragments > 1:
                element_id = f"{element_id}-{self._fragments}"
        return _render_fragment(self, element_id, _FRAGMENT_HEIGHT)

    def panel(self, *, element_id: str) -> str:
        """The slider's panel (title, legend, controls, chart), styles, data and script,
        without a map or Leaflet of its own: for a Leaflet map already on the page, which
        ``window.mapgen._create(element, {map: ...})`` then draws on (:mod:`mapgen.folium`)."""
        return _render_fragment(self, element_id, _FRAGMENT_HEIGHT, embedded=True)

    def document(self) -> str:
        """A complete ``<!doctype html>`` page holding one map that fills the window."""
        body = _render_fragment(self, self.default_id, _DOCUMENT_HEIGHT)
        return (
            template_environment()
            .get_template("document.html")
            .render(title=self.data["title"], fragment=Markup(body))
        )

    def _repr_html_(self) -> str:
        """For Jupyter: the page in an ``<iframe srcdoc>``.

        Notebook front ends sanitise or sandbox scripts in HTML output differently; a
        ``srcdoc`` iframe runs the page in its own document everywhere scripts are allowed,
        and keeps its styles and ``window.mapgen`` away from the notebook's.
        """
        doc = html.escape(self.document(), quote=True)
        return (
            f'<iframe srcdoc="{doc}" style="width:100%;height:{_IFRAME_HEIGHT_PX}px;border:0" '
            'title="mapgen slider map"></iframe>'
        )

    def save(self, path: Path | str) -> Path:
        """Write :meth:`document` to ``path`` atomically; returns the path."""
        out = write_text_atomic(path, self.document())
        log.debug("wrote %s (%.1f kB)", out, out.stat().st_size / 1000)
        return out


def slider_map(territory: Territory, *, tiles: str = "osm") -> SliderMap:
    """The slider map of a territory.

    Parameters
    ----------
    territory
        The computed territory (areas, frontlines, place states, timeline).
    tiles
        ``"osm"``: an OpenStreetMap tile layer in the layer control, off by default;
        ``"none"``: no tile layer at all.
    """
    if tiles not in TILES:
        raise OptionError(
            f"tiles={tiles!r} is not known; use one of {', '.join(TILES)}", field="tiles"
        )
    data = map_data(territory)
    data["tiles"] = TILE_LAYERS[tiles]
    return SliderMap(data, tiles=tiles)


def write_map_html(territory: Territory, path: Path | str, *, tiles: str = "osm") -> Path:
    """Write the slider map page of ``territory`` to ``path`` (atomically)."""
    return slider_map(territory, tiles=tiles).save(path)


def _render_fragment(
    page: SliderMap, element_id: str, height: str, *, embedded: bool = False
) -> str:
    if not _ID_RE.match(element_id):
        raise OptionError(
            f"element_id={element_id!r} is not a valid id; use a letter, then letters, "
            "digits, '-' or '_'",
            field="element_id",
        )
    assets = _assets()
    return (
        template_environment()
        .get_template("fragment.html")
        .render(
            element_id=element_id,
            element_id_json=Markup(json.dumps(element_id)),
            embedded=embedded,
            height=height,
            data_payload=Markup(page.data_payload),
            leaflet_css=Markup(assets["leaflet_css"]),
            leaflet_js=Markup(assets["leaflet_js"]),
            slider_css=Markup(assets["slider_css"]),
            slider_js=Markup(assets["slider_js"]),
        )
    )


@cache
def template_environment(folder: str = "templates") -> jinja2.Environment:
    """The Jinja environment of one template folder of ``mapgen.render`` (HTML-escaping,
    strict about missing values, keeping the final newline)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mapgen.render", folder),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def _assets() -> dict[str, str]:
    """Leaflet's JS and CSS (images inlined as data: URIs) and the slider's own files."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((images/[\w.-]+\.png)\)", lambda m: _data_uri(base / m.group(1)), css)
    slider = resources.files("mapgen.render") / "templates" / "slider"
    out = {
        "leaflet_js": js,
        "leaflet_css": css,
        "slider_js": slider_script(),
        "slider_css": "\n".join(
            (slider / name).read_text(encoding="utf-8") for name in ("slider.css", "host.css")
        ),
    }
    for name, text in out.items():
        if "</script" in text.lower() or "</style" in text.lower():
            raise ValueError(f"{name} contains a closing tag and cannot be inlined")
    return out


def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS (its images inlined), as the slider map inlines them."""
    assets = _assets()
    return assets["leaflet_js"], assets["leaflet_css"]


def leaflet_icon_uris() -> dict[str, str]:
    """Leaflet's default marker images as ``data:`` URIs (``iconUrl``, ``iconRetinaUrl``,
    ``shadowUrl``): with the CSS inlined, Leaflet cannot find them next to it."""
    import xstatic.pkg.leaflet as xleaflet

    images = Path(xleaflet.BASE_DIR) / "images"
    files = {
        "iconUrl": "marker-icon.png",
        "iconRetinaUrl": "marker-icon-2x.png",
        "shadowUrl": "marker-shadow.png",
    }
    return {key: _png_uri(images / name) for key, name in files.items()}


def slider_script() -> str:
    """The slider's runtime: its parts joined in one function scope, with the record schema."""
    slider = resources.files("mapgen.render") / "templates" / "slider"
    parts = [
        f"/* ---- {name} ---- */\n" + (slider / name).read_text(encoding="utf-8")
        for name in SLIDER_PARTS
    ]
    head = f'(function () {{\n"use strict";\nvar SCHEMA = {SCHEMA_JSON};\n'
    return head + "\n".join(parts) + "})();\n"


def _data_uri(path: Path) -> str:
    return f"url({_png_uri(path)})"


def _png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
