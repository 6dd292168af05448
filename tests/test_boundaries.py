"""Base layers from the package data: each caller gets a frame of its own."""

from __future__ import annotations

import pytest

from mapgen.boundaries import LAYERS, read_layer


@pytest.mark.parametrize("name", LAYERS)
def test_a_changed_layer_does_not_change_the_next_read(name):
    first = read_layer(name)
    rows, bounds = len(first), tuple(first.total_bounds)
    first.loc[first.index[0], "geometry"] = None
    first["added"] = 1
    again = read_layer(name)
    assert len(again) == rows
    assert again.geometry.notna().all()
    assert tuple(again.total_bounds) == bounds
    assert "added" not in again.columns
    assert again.crs.to_epsg() == 4326


def test_an_unknown_layer_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"'roads'.*countries, governorates"):
        read_layer("roads")
