"""Geometries stored once: equal geometries (same WKB) share one index.

A place's cell keeps its shape while its holder changes, and a frontline is made of the
same edges for many periods; the territory model and the slider map's data store each
shape once and refer to it by index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import shapely
from shapely.geometry.base import BaseGeometry

T = TypeVar("T")


class GeometryStore(Generic[T]):
    """``add(geom)`` gives the index of an equal geometry already stored, or stores it.

    ``encode`` turns a geometry into what is stored (default: the geometry itself);
    ``items`` are the stored values in order of first appearance.
    """

    def __init__(self, encode: Callable[[BaseGeometry], T] | None = None) -> None:
        self._encode = encode
        self.items: list[T] = []
        self._index: dict[bytes, int] = {}

    def add(self, geom: BaseGeometry) -> int:
        key = shapely.to_wkb(geom)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self.items)
            value = self._encode(geom) if self._encode is not None else geom
            self.items.append(value)  # type: ignore[arg-type]
        return index

    def __len__(self) -> int:
        return len(self.items)
