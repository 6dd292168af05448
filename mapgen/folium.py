"""mapgen's slider map in folium maps of your own.

>>> import folium                                                     # doctest: +SKIP
>>> from mapgen.folium import ControlSlider                           # doctest: +SKIP
>>> m = folium.Map(tiles=None)                                        # doctest: +SKIP
>>> folium.Marker([34.45, 40.92], tooltip="our office").add_to(m)     # doctest: +SKIP
>>> ControlSlider(territory, inline=True).add_to(m)                   # doctest: +SKIP
>>> m.save("campaign.html")                                           # doctest: +SKIP

:class:`ControlSlider` draws everything the slider map (``map.html``) shows on the folium
map it is added to: areas, frontlines, places with their popups, and a panel (one of the
map's controls) with the slider, the legend and the area chart. It uses the slider map's
own fragment and script (:mod:`mapgen.render.html`), so both behave alike, and the page's
JavaScript API (``mapgen.setDate``, ``mapgen.controllerOf``, ``mapgen.get(id)``; see
``docs/html.md``) works on it. Needs folium: ``pip install 'mapgen[folium]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mapgen.errors import OptionError
from mapgen.render.folium_page import (
    InlineLeaflet,
    RawHTML,
    figure_of,
    folium,
    inline_leaflet,
    template,
)
from mapgen.render.html import SliderMap, slider_map

if TYPE_CHECKING:
    from mapgen.territory import Territory

__all__ = ["POSITIONS", "ControlSlider", "InlineLeaflet"]

POSITIONS = ("bottomleft", "bottomright", "topleft", "topright")


class ControlSlider(folium.MacroElement):
    """The whole slider map of a territory, on a ``folium.Map`` of yours.

    Parameters
    ----------
    territory
        The computed territory (``build_territory``).
    inline
        Put Leaflet into the page, so that ``m.save()`` gives a page that works from disk
        with no network (with ``folium.Map(tiles=None)``), and leave out folium's other
        libraries unless an element of the page uses them (see :class:`InlineLeaflet`).
    position
        The map corner of the panel (slider, legend, chart): one of :data:`POSITIONS`.
    fit_bounds
        Fit the map to the dataset's extent when the page opens.
    base_layers
        Draw the offline base map (land, borders, governorates, rivers, lakes) under the
        areas. By default only on a map without a tile layer.
    layer_control
        Add a layer control to switch the areas, frontlines, places and names on and off.
    element_id
        The id of the panel's element (letters, digits, ``-``, ``_``); default: folium's
        unique name for this element. ``mapgen.get(element_id)`` finds the map's API.
    """

    def __init__(
        self,
        territory: Territory,
        *,
        inline: bool = False,
        position: str = "bottomleft",
        fit_bounds: bool = True,
        base_layers: bool | None = None,
        layer_control: bool = True,
        element_id: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "ControlSlider"
        if position not in POSITIONS:
            raise OptionError(
                f"position={position!r} is not a map corner; use one of {', '.join(POSITIONS)}",
                field="position",
            )
        self.inline = inline
        self.position = position
        self.fit_bounds = fit_bounds
        self.base_layers = base_layers
        self.layer_control = layer_control
        self.element_id = element_id or self.get_name()
        self._page = slider_map(territory, tiles="none")
        self._bare: SliderMap | None = None

    def render(self, **kwargs: Any) -> None:
        """Put the panel, its data and script into the page (folium calls this on save)."""
        figure = figure_of(self)
        host = self._parent
        if not isinstance(host, folium.Map):
            raise OptionError(
                f"add ControlSlider to a folium.Map, not to a {type(host).__name__}", field="map"
            )
        if self.inline:
            inline_leaflet(figure)
        page = self._page if self._draws_base(host) else self._without_base()
        name = self.get_name()
        figure.html.add_child(RawHTML(page.panel(element_id=self.element_id)), name=name)
        script = template("control_slider.js").render(
            element_id=self.element_id,
            map_name=host.get_name(),
            position=self.position,
            fit=self.fit_bounds,
            layer_control=self.layer_control,
        )
        figure.script.add_child(RawHTML(script), name=name)
        for child in self._children.values():
            child.render(**kwargs)

    def _draws_base(self, host: folium.Map) -> bool:
        if self.base_layers is not None:
            return self.base_layers
        return not any(isinstance(c, folium.TileLayer) for c in host._children.values())

    def _without_base(self) -> SliderMap:
        if self._bare is None:
            self._bare = SliderMap({**self._page.data, "base": {}}, tiles="none")
        return self._bare
