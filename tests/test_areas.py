"""Polygon events: the areas file, WKT geometries and how area rows are checked."""

from __future__ import annotations

import json

from mapgen.dataset import check_dataset, load_dataset

HEADER = "event_id,date,place,area,controller,status,opponent,source,source_url,notes,geometry\n"
SQUARE = "POLYGON ((40.1 34.9, 40.3 34.9, 40.3 35.1, 40.1 35.1, 40.1 34.9))"
BOWTIE = "POLYGON ((40.1 34.9, 40.3 35.1, 40.3 34.9, 40.1 35.1, 40.1 34.9))"


def feature(area_id, coords, **props):
    geometry = {"type": "Polygon", "coordinates": [coords]}
    return {"type": "Feature", "properties": {"id": area_id, **props}, "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


EAST = feature(
    "alpha-east",
    [[40.0, 34.9], [40.2, 34.9], [40.2, 35.1], [40.0, 35.1], [40.0, 34.9]],
    name="Alpha, east",
    method="made up for the test",
)


def test_area_events_from_the_file_and_from_wkt(tiny_files):
    events = (
        HEADER
        + "A1,2020-01-01,alpha,,red,,,R,,,\n"
        + "A2,2020-01-02,,alpha-east,blue,contested,red,R,,,\n"
        + "A3,2020-01-05,alpha,alpha-east,blue,,,R,,,\n"
        + f'A4,2020-01-08,,alpha-east,blue,,,R,,,"{SQUARE}"\n'
        + "A5,2020-01-09,,alpha-east,,ended,,R,,,\n"
        + f'A6,2020-01-03,,,red,,,R,,,"{SQUARE}"\n'
    )
    dataset = load_dataset(tiny_files(events=events, areas=collection(EAST)))
    ev = dataset.events.set_index("event_id")
    assert list(ev["shape"]) == ["", "alpha-east", "alpha-east", "A4", "A4", "A6"]
    assert ev.at["A3", "place_id"] == "alpha" and ev.at["A2", "place_id"] == ""
    assert ev.at["A6", "area"] == "A6"  # a WKT row without an area id is its own area
    assert ev.at["A5", "status"] == "ended" and ev.at["A5", "controller"] == ""
    shapes = dataset.shapes
    assert shapes.at["alpha-east", "name"] == "Alpha, east"
    assert shapes.at["A4", "area"] == "alpha-east"
    assert "line 5" in shapes.at["A4", "method"]
    assert round(shapes.geometry["A4"].area, 6) == 0.04


def test_bad_area_rows_name_line_column_and_fix(tiny_files):
    events = (
        HEADER
        + "A1,2020-01-01,alpha,,red,,,R,,,\n"
        + "A2,2020-01-02,,alpha-est,blue,,,R,,,\n"  # line 3: unknown area, close
        + f'A3,2020-01-02,,x,blue,,,R,,,"{BOWTIE}"\n'  # line 4: self-intersecting
        + 'A4,2020-01-02,,y,blue,,,R,,,"POLYGON ((40 35, 41 35"\n'  # line 5: not WKT
        + 'A5,2020-01-02,,z,blue,,,R,,,"LINESTRING (40 35, 41 35)"\n'  # line 6: a line
        + 'A6,2020-01-02,,w,blue,,,R,,,"POLYGON ((35 40, 35 95, 36 95, 35 40))"\n'  # line 7
        + "A7,2020-01-02,alpha,,red,ended,,R,,,\n"  # line 8: a place cannot be ended
        + "A8,2020-01-02,,,blue,,,R,,,\n"  # line 9: neither place nor area
    )
    _, problems = check_dataset(tiny_files(events=events, areas=collection(EAST)))
    found = {(p.line, p.column): str(p) for p in problems.errors}
    assert set(found) == {
        (3, "area"),
        (4, "geometry"),
        (5, "geometry"),
        (6, "geometry"),
        (7, "geometry"),
        (8, "status"),
        (9, "place"),
    }
    assert "did you mean 'alpha-east'" in found[(3, "area")]
    assert (
        "Self-intersection" in found[(4, "geometry")] and "Fix geometries" in found[(4, "geometry")]
    )
    assert "not valid WKT" in found[(5, "geometry")]
    assert "not LineString" in found[(6, "geometry")]
    assert "longitude first" in found[(7, "geometry")]
    assert "only an area event can be ended" in found[(8, "status")]


def test_bad_features_of_the_areas_file_name_their_number(tiny_files):
    bowtie = feature("bow", [[40.1, 34.9], [40.3, 35.1], [40.3, 34.9], [40.1, 35.1], [40.1, 34.9]])
    areas = collection(
        EAST,
        bowtie,
        {**EAST, "properties": {"id": "alpha-east"}},
        {**EAST, "properties": {"id": "no spaces"}},
        {"type": "Feature", "properties": {"id": "none"}, "geometry": None},
    )
    _, problems = check_dataset(tiny_files(areas=areas))
    messages = sorted(p.message for p in problems.errors)
    assert messages == [
        "feature 2: invalid polygon (Self-intersection[40.2 35])",
        "feature 3: a second area with the same id",
        "feature 4: an area id may hold letters, digits and _ . : - only",
        "feature 5: needs a Polygon or MultiPolygon, not an empty geometry",
    ]
