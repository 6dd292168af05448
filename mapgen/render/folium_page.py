"""What mapgen's folium elements share: pages that work offline.

A folium map loads Leaflet and, for its markers and popups, jQuery, Bootstrap, Font Awesome and
Awesome Markers from CDNs. :class:`InlineLeaflet` makes the page of the map it is added to
work from disk with no network: Leaflet goes into the page (as ``map.html`` has it, images
inlined), and the other libraries are left out unless an element of the page uses them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from mapgen._optional import import_optional
from mapgen.errors import OptionError
from mapgen.render.html import leaflet_assets, leaflet_icon_uris, template_environment

folium = import_optional("folium", extra="folium", feature="mapgen's folium maps")
Element, Figure, MacroElement = folium.Element, folium.Figure, folium.MacroElement

# folium.Map's page-wide libraries other than Leaflet, by the name folium gives them, and
# the folium classes whose output needs them. A name not listed here is kept.
LIBRARY_USERS: dict[str, tuple[type, ...]] = {
    "jquery": (folium.Popup,),  # a popup's content is set with $(...)
    "bootstrap": (),
    "bootstrap_css": (),
    "awesome_markers": (folium.Icon,),
    "awesome_markers_css": (folium.Icon,),
    "awesome_markers_font_css": (folium.Icon,),
    "glyphicons_css": (folium.Icon,),
    "awesome_rotate_css": (folium.Icon,),
}


class RawHTML(Element):
    """Text put into the page as it is (Leaflet's code, a style sheet)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class InlineLeaflet(MacroElement):
    """Added to a ``folium.Map``: its page carries Leaflet and fetches nothing it does not use.

    Leaflet's script and style sheet replace folium's links to them (same version, 1.9.3),
    the default marker icon becomes a ``data:`` image, and folium's other libraries are
    dropped unless the page holds an element that needs them (a ``folium.Popup`` needs
    jQuery, a ``folium.Icon`` Awesome Markers and its fonts). Tiles still come from their
    server: use ``tiles=None`` for a page with no network use at all.
    """

    def __init__(self) -> None:
        super().__init__()
        self._name = "InlineLeaflet"

    def render(self, **kwargs: Any) -> None:
        inline_leaflet(figure_of(self))
        super().render(**kwargs)


def figure_of(element: Element) -> Figure:
    """The folium Figure (page) an element is part of, or OptionError."""
    root = element.get_root()
    if not isinstance(root, Figure):
        raise OptionError(
            f"{type(element).__name__} must be added to a folium.Map (it is on "
            f"{type(root).__name__})",
            field="map",
        )
    return root


def inline_leaflet(figure: Figure) -> None:
    """Put Leaflet into the page's head in place of folium's links, drop unused libraries."""
    js, css = leaflet_assets()
    parts = template("leaflet_inline.html").module
    header = figure.header
    header.add_child(RawHTML(parts.script(Markup(js), Markup(_icons_json()))), name="leaflet")
    header.add_child(RawHTML(parts.style(Markup(css))), name="leaflet_css")
    elements = list(walk(figure))
    needs_jquery = any(getattr(e, "objects_to_stay_in_front", None) for e in elements)
    for name, users in LIBRARY_USERS.items():
        used = any(isinstance(e, users) for e in elements) if users else False
        if not used and not (name == "jquery" and needs_jquery):
            header._children.pop(name, None)


@cache
def _icons_json() -> str:
    return json.dumps(leaflet_icon_uris())


@cache
def template(name: str) -> jinja2.Template:
    """One of the folium templates (``render/templates/folium/``)."""
    return template_environment("templates/folium").get_template(name)


def walk(element: Element) -> Iterator[Element]:
    """The element and everything under it."""
    yield element
    for child in list(element._children.values()):
        yield from walk(child)
