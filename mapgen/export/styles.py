"""QGIS styles (QML) for the exported layers, filled in from the template files.

Each vector style turns on QGIS's time handling ("separate fields for start and end",
start included, end excluded) and colours features by controller with the controllers'
colours. Contested and besieged areas are hatched in the colour of the side attacking or
besieging them. The templates are in ``templates/``; this module only fills them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from string import Template
from xml.sax.saxutils import escape

from mapgen.controllers import Controller, Controllers
from mapgen.export.layers import Layer

FRONTLINE_COLOR = "#c0001a"
NO_CONTROLLER_COLOR = "#808080"
_GEOMETRY_TYPES = {"point": 0, "line": 1, "polygon": 2}
_MARKERS = {"places": ("circle", "2.6"), "events": ("triangle", "3.2")}
_OPACITY = {"areas": "0.75"}
_PREVIEW = {
    "areas": '"place"',
    "frontlines": '"frontline_id"',
    "places": '"place"',
    "events": '"event_id"',
}


@cache
def _template(name: str) -> Template:
    text = resources.files("mapgen.export").joinpath("templates", name).read_text("utf-8")
    return Template(text)


def fill_template(template: str, **values: object) -> str:
    return _template(template).substitute({k: str(v) for k, v in values.items()})


def xml_attr(text: str) -> str:
    """Text escaped for an XML attribute value."""
    return escape(text, {'"': "&quot;"})


def qgis_color(hex_color: str, alpha: int = 255) -> str:
    """``#rrggbb`` as QGIS writes colours: ``r,g,b,a``."""
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{alpha}"


def layer_qml(layer: Layer, controllers: Controllers) -> str:
    """The QML style of one exported layer."""
    return fill_template(
        "vector.qml",
        layer=xml_attr(layer.name),
        labels_enabled=int(has_labels(layer)),
        body=vector_style_body(layer, controllers),
    )


def has_labels(layer: Layer) -> bool:
    """Whether the layer's style labels its features (places, by name)."""
    return layer.name == "places"


def vector_style_body(layer: Layer, controllers: Controllers) -> str:
    """The style elements of a vector layer, shared by its QML file and the QGIS project."""
    present = _present(layer, controllers)
    if layer.color_field is None:
        renderer = fill_template(
            "single.xml", symbols=_symbol(layer, "0", FRONTLINE_COLOR, controllers)
        )
    else:
        renderer = _categorized(layer, present, controllers)
    return fill_template(
        "vector_body.xml",
        start_field=xml_attr(layer.start_field),
        end_field=xml_attr(layer.end_field),
        renderer=renderer.rstrip("\n"),
        labeling=_labels(layer),
        opacity=_OPACITY.get(layer.name, "1"),
        preview=escape(_PREVIEW.get(layer.name, "")),
        map_tip=escape(_map_tip(layer)),
        geometry_type=_GEOMETRY_TYPES[layer.geometry],
    )


def _labels(layer: Layer) -> str:
    return fill_template("labels.xml", field="place").rstrip("\n") if has_labels(layer) else ""


def _present(layer: Layer, controllers: Controllers) -> list[Controller]:
    if layer.color_field is None:
        return []
    used = set(layer.frame[layer.color_field].dropna())
    return [c for c in controllers if c.id in used]


KIND_EXPRESSION = '"controller" || \':\' || "kind"'


def _categorized(layer: Layer, present: list[Controller], controllers: Controllers) -> str:
    """Categories by controller; areas by controller and kind (a zone in its light tint)."""
    categories, symbols = [], []
    entries = [(c.id, c.name, c.color) for c in present]
    field = str(layer.color_field)
    if layer.name == "areas":
        kinds = set(layer.frame["controller"] + ":" + layer.frame["kind"])
        entries = [
            (f"{c.id}:{kind}", name, color)
            for c in present
            for kind, name, color in (
                ("held", c.name, c.color),
                ("zone", f"{c.name}: zone", c.zone_color),
            )
            if f"{c.id}:{kind}" in kinds
        ]
        field = KIND_EXPRESSION
    for n, (value, label, color) in enumerate(entries):
        categories.append(
            fill_template("category.xml", value=xml_attr(value), label=xml_attr(label), symbol=n)
        )
        symbols.append(_symbol(layer, str(n), color, controllers))
    return fill_template(
        "categorized.xml",
        field=xml_attr(field),
        categories="".join(categories).rstrip("\n"),
        symbols="".join(symbols).rstrip("\n"),
    )


def _symbol(layer: Layer, name: str, color: str, controllers: Controllers) -> str:
    if layer.geometry == "polygon":
        return fill_template(
            "fill_symbol.xml",
            name=name,
            color=qgis_color(color),
            hatch_when=xml_attr("\"status\" IN ('contested', 'besieged', 'uncertain')"),
            hatch_color=xml_attr(_color_case("opponent", controllers)),
            # contested and besieged: diagonal stripes; uncertain: level ones
            hatch_angle=xml_attr("CASE WHEN \"status\" = 'uncertain' THEN 0 ELSE 45 END"),
        )
    if layer.geometry == "line":
        return fill_template("line_symbol.xml", name=name, color=qgis_color(color))
    shape, size = _MARKERS.get(layer.name, ("circle", "2.6"))
    return fill_template(
        "marker_symbol.xml", name=name, color=qgis_color(color), shape=shape, size=size
    )


def _color_case(field: str, controllers: Iterable[Controller]) -> str:
    """A QGIS expression giving the colour of the controller named in ``field``."""
    whens = " ".join(
        f"WHEN \"{field}\" = '{c.id}' THEN '{qgis_color(c.color)}'" for c in controllers
    )
    return f"CASE {whens} ELSE '{qgis_color(NO_CONTROLLER_COLOR)}' END"


def _map_tip(layer: Layer) -> str:
    start, end = f'[% "{layer.start_field}" %]', f'[% "{layer.end_field}" %]'
    span = f"{start} to {end} (exclusive)"
    if layer.name == "frontlines":
        return f'[% "side_a" %] | [% "side_b" %]: {span}'
    if layer.name == "events":
        return '[% "date" %] [% "place" %]: [% "controller" %] ([% "status" %]); [% "source" %]'
    return f'[% "place" %]: [% "controller" %] ([% "status" %], [% "basis" %]), {span}'


def raster_qml(legend: list[tuple[int, str, str]], *, band: int = 1) -> str:
    """The QML style of the control raster: a palette of ``(code, label, #rrggbb)``."""
    return fill_template("raster.qml", body=raster_style_body(legend, band=band))


def raster_style_body(legend: list[tuple[int, str, str]], *, band: int = 1) -> str:
    """The style elements of the control raster, shared by its QML file and the project."""
    entries = "".join(
        fill_template("palette_entry.xml", value=code, color=color, label=xml_attr(label))
        for code, label, color in legend
    )
    return fill_template("raster_body.xml", band=band, entries=entries.rstrip("\n"))
