"""Geometries stored once, referred to by index."""

from __future__ import annotations

from shapely.geometry import Point, box

from mapgen.geomstore import GeometryStore


def test_equal_shapes_share_an_index_and_others_do_not():
    store: GeometryStore[int] = GeometryStore(lambda g: round(g.area))
    a, b = box(0, 0, 2, 2), box(0, 0, 2, 2)
    assert store.add(a) == store.add(b) == 0
    assert store.add(box(0, 0, 3, 3)) == 1
    assert store.add(Point(1, 1)) == 2
    assert store.items == [4, 9, 0] and len(store) == 3
    plain: GeometryStore = GeometryStore()
    assert plain.add(a) == 0 and plain.items[0] is a
