"""First-level divisions (governorates) of Syria and Iraq: Natural Earth admin-1 lines cut
into faces, each face given to the governorate its GeoNames towns vote for, the unresolved
ones filled by region growing (scipy), and the provenance of each internal edge.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import LineString, Polygon
from shapely.ops import polygonize_full

from tools.boundaries.common import (
    ADMIN1_SNAP,
    FACE_MAJORITY,
    FILL_CELL,
    OVERSHOOT,
    BuildError,
    Town,
    as_polygonal,
    gap_connectors,
    line_parts,
    polygon_parts,
    renode_coverage,
    shared_length,
)

log = logging.getLogger(__name__)


#: The countries whose admin-1 units are built: ISO3 -> GeoNames country code.
ADMIN1_COUNTRIES: dict[str, str] = {"SYR": "SY", "IRQ": "IQ"}
#: GeoNames admin1 codes (admin1CodesASCII) of Syria and Iraq -> (English, Arabic).
ADMIN1_NAMES: dict[str, tuple[str, str]] = {
    "SY.01": ("Al Hasakah", "الحسكة"),
    "SY.02": ("Latakia", "اللاذقية"),
    "SY.03": ("Quneitra", "القنيطرة"),
    "SY.04": ("Ar Raqqah", "الرقة"),
    "SY.05": ("As Suwayda", "السويداء"),
    "SY.06": ("Daraa", "درعا"),
    "SY.07": ("Deir ez-Zor", "دير الزور"),
    "SY.08": ("Rif Dimashq", "ريف دمشق"),
    "SY.09": ("Aleppo", "حلب"),
    "SY.10": ("Hama", "حماة"),
    "SY.11": ("Homs", "حمص"),
    "SY.12": ("Idlib", "إدلب"),
    "SY.13": ("Damascus", "دمشق"),
    "SY.14": ("Tartus", "طرطوس"),
    "IQ.01": ("Al Anbar", "الأنبار"),
    "IQ.02": ("Basra", "البصرة"),
    "IQ.03": ("Al Muthanna", "المثنى"),
    "IQ.04": ("Al Qadisiyah", "القادسية"),
    "IQ.05": ("Sulaymaniyah", "السليمانية"),
    "IQ.06": ("Babil", "بابل"),
    "IQ.07": ("Baghdad", "بغداد"),
    "IQ.08": ("Duhok", "دهوك"),
    "IQ.09": ("Dhi Qar", "ذي قار"),
    "IQ.10": ("Diyala", "ديالى"),
    "IQ.11": ("Erbil", "أربيل"),
    "IQ.12": ("Karbala", "كربلاء"),
    "IQ.13": ("Kirkuk", "كركوك"),
    "IQ.14": ("Maysan", "ميسان"),
    "IQ.15": ("Nineveh", "نينوى"),
    "IQ.16": ("Wasit", "واسط"),
    "IQ.17": ("Najaf", "النجف"),
    "IQ.18": ("Salah ad Din", "صلاح الدين"),
}
#: GeoNames codes with no unit in Natural Earth, folded into the unit they were split
#: from: Halabja (IQ.19) was part of Sulaymaniyah until 2014; NE 10m has no Halabja.
ADMIN1_FOLD: dict[str, str] = {"IQ.19": "IQ.05"}
#: Towns that must fall in a given governorate: (geonameid, name, admin1code).
GOVERNORATE_ANCHORS: tuple[tuple[int, str, str], ...] = (
    (170794, "Deir ez-Zor", "SY.07"),
    (172955, "Ar Raqqah", "SY.04"),
    (99072, "Mosul", "IQ.15"),
    (92138, "Al Qā’im", "IQ.01"),
    (390188, "Al Ḩawījah", "IQ.13"),
)


def admin1_key(town: Town) -> str:
    """A town's full GeoNames admin1 code (e.g. 'IQ.15'), folded per ADMIN1_FOLD."""
    code = f"{town.country}.{town.admin1}"
    return ADMIN1_FOLD.get(code, code)


def admin1_faces(country: Polygon, lines: np.ndarray) -> tuple[list[Polygon], list[LineString]]:
    """Polygonize NE admin-1 lines inside one country.

    Lines are clipped to the country, free ends are joined to the nearest line or to the
    outline when closer than ADMIN1_SNAP, and everything is noded with the outline and
    polygonized. Returns the faces and the admin-1 lines that still dangle (unclosed).
    """
    candidates = lines[shapely.intersects(lines, country)]
    pieces = line_parts(shapely.intersection(candidates, country))
    connectors = gap_connectors(pieces, [country.boundary], ADMIN1_SNAP)
    log.info("  %d admin-1 line pieces, %d gap connectors", len(pieces), len(connectors))
    noded = shapely.union_all([*pieces, *(c for _, c in connectors), country.boundary])
    faces, _cuts, dangles, invalid = polygonize_full(line_parts(noded))
    if not shapely.is_empty(invalid):
        raise BuildError(f"polygonize found invalid rings at {invalid.representative_point()}")
    inside = [f for f in polygon_parts(faces) if country.contains(f.representative_point())]
    open_lines = [g for g in line_parts(dangles) if g.length > 10 * OVERSHOOT]
    return inside, open_lines


def vote(face: Polygon, towns: Sequence[Town]) -> Counter[str]:
    """Admin1 codes of the towns inside a face."""
    shapely.prepare(face)
    return Counter(admin1_key(t) for t in towns if face.contains(t.point))


def raster_fill(
    face: Polygon, barriers: Sequence[LineString], seeds: Sequence[tuple[str, Town]], cell: float
) -> list[tuple[str, Polygon]]:
    """Split a face among seed towns by growing regions on a grid.

    Regions grow one cell per step from each seed (alternating 4- and 8-neighbours, an
    octagonal approximation of distance) and may not cross ``barriers`` (the NE admin-1
    lines that do not close), so existing boundary fragments are respected; barrier
    cells and cells that no seed can reach are filled afterwards. The result, clipped to
    the face, tiles the face exactly.
    """
    x0, y0, x1, y1 = face.bounds
    nx, ny = math.ceil((x1 - x0) / cell), math.ceil((y1 - y0) / cell)
    xs = x0 + cell * np.arange(nx + 1)  # shared cell edges: neighbours meet exactly
    ys = y0 + cell * np.arange(ny + 1)
    gx0, gy0 = np.meshgrid(xs[:-1], ys[:-1])
    gx1, gy1 = np.meshgrid(xs[1:], ys[1:])
    boxes = shapely.box(gx0, gy0, gx1, gy1)
    shapely.prepare(face)
    domain = shapely.intersects(face, boxes)
    barrier = np.zeros_like(domain)
    for line in barriers:
        pts = np.asarray(shapely.segmentize(line, cell / 4).coords)
        ix = np.clip(((pts[:, 0] - x0) // cell).astype(int), 0, nx - 1)
        iy = np.clip(((pts[:, 1] - y0) // cell).astype(int), 0, ny - 1)
        barrier[iy, ix] = True
    codes = sorted({code for code, _ in seeds})
    labels = np.full(domain.shape, -1, dtype=np.int16)
    for code, town in sorted(seeds, key=lambda s: (-s[1].population, s[1].geonameid), reverse=True):
        ix, iy = int((town.lon - x0) // cell), int((town.lat - y0) // cell)
        if 0 <= ix < nx and 0 <= iy < ny and domain[iy, ix]:
            labels[iy, ix] = codes.index(code)
    grow_labels(labels, domain & ~barrier, len(codes))
    grow_labels(labels, domain, len(codes))
    out: list[tuple[str, Polygon]] = []
    for k, code in enumerate(codes):
        mask = labels == k
        if not mask.any():
            continue
        region = shapely.union_all(boxes[mask])
        out.append((code, as_polygonal(shapely.intersection(region, face))))
    return out


def grow_labels(labels: np.ndarray, passable: np.ndarray, n_labels: int) -> None:
    """Multi-source region growing in place (see raster_fill): each step, a passable cell
    with no label takes the label most of its labelled neighbours have (the lowest on a tie)."""
    four = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=np.int8)
    eight = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.int8)
    step = 0
    while True:
        todo = passable & (labels < 0)
        if not todo.any():
            return
        kernel = four if step % 2 == 0 else eight
        counts = np.stack(
            [
                ndimage.correlate((labels == k).astype(np.int8), kernel, mode="constant")
                for k in range(n_labels)
            ]
        )
        best = counts.argmax(axis=0)
        has = counts.max(axis=0) > 0
        new = todo & has
        if not new.any() and step % 2 == 1:
            return  # nothing reachable is left
        labels[new] = best[new]
        step += 1


def split_unresolved(
    face: Polygon,
    votes: Counter[str],
    settled: set[str],
    barriers: Sequence[LineString],
    towns: Sequence[Town],
) -> list[tuple[str, Polygon]]:
    """Split a face that holds several unsettled governorates among their towns."""
    wanted = {c for c in votes if c not in settled}
    shapely.prepare(face)
    seeds = [
        (admin1_key(t), t) for t in towns if admin1_key(t) in wanted and face.contains(t.point)
    ]
    inside = [b for b in barriers if b.intersects(face)]
    log.info(
        "  filling face %s from %d towns of %s (%d open NE lines as barriers)",
        face.representative_point().coords[0],
        len(seeds),
        sorted(wanted),
        len(inside),
    )
    pieces = raster_fill(face, inside, seeds, FILL_CELL)
    # smooth the grid staircase of the inferred edges, keeping the face outline as is
    polys = renode_coverage([p for _, p in pieces])
    smooth = shapely.coverage_simplify(
        np.asarray(polys, dtype=object), 1.5 * FILL_CELL, simplify_boundary=False
    )
    return [(code, as_polygonal(g)) for (code, _), g in zip(pieces, smooth, strict=True)]


def merge_orphans(pieces: list[tuple[str | None, Polygon]]) -> list[tuple[str, Polygon]]:
    """Give every unnamed piece to the named neighbour it shares the longest border with."""
    named = [(c, p) for c, p in pieces if c is not None]
    orphans = [p for c, p in pieces if c is None]
    while orphans:
        progress = False
        for orphan in list(orphans):
            scores = [(shared_length(orphan, p), i) for i, (_, p) in enumerate(named)]
            best_len, best = max(scores, default=(0.0, -1))
            if best_len > 0:
                code, poly = named[best]
                named[best] = (code, as_polygonal(shapely.union(poly, orphan)))
                orphans.remove(orphan)
                progress = True
        if not progress:
            raise BuildError(f"{len(orphans)} governorate pieces touch no named piece")
    return named  # type: ignore[return-value]


def dissolve(pieces: Iterable[tuple[str, Polygon]]) -> dict[str, shapely.Geometry]:
    """Union pieces by code, then hand stray parts to their longest-border neighbour."""
    by_code: dict[str, list[Polygon]] = defaultdict(list)
    for code, poly in pieces:
        by_code[code].extend(polygon_parts(poly))
    merged = {
        code: as_polygonal(shapely.union_all(polys)) for code, polys in sorted(by_code.items())
    }
    stray: list[tuple[str | None, Polygon]] = []
    main: list[tuple[str | None, Polygon]] = []
    for code, geom in merged.items():
        parts = sorted(polygon_parts(geom), key=lambda g: -g.area)
        main.append((code, parts[0]))
        for extra in parts[1:]:
            log.info("  stray part of %s (%.5f sq deg) goes to its neighbour", code, extra.area)
            stray.append((None, extra))
    return dict(merge_orphans(main + stray))


def build_governorates(
    country: Polygon, iso: str, lines: np.ndarray, towns: Sequence[Town]
) -> tuple[dict[str, shapely.Geometry], list[LineString]]:
    """Admin-1 polygons of one country keyed by GeoNames admin1 code.

    Returns the polygons and the NE line fragments used (for provenance of the edges).
    """
    cc = ADMIN1_COUNTRIES[iso]
    own = [t for t in towns if t.country == cc]
    faces, open_lines = admin1_faces(country, lines)
    votes = [vote(f, own) for f in faces]
    unknown = sorted({c for v in votes for c in v} - set(ADMIN1_NAMES))
    if unknown:
        raise BuildError(f"{iso}: GeoNames admin1 codes {unknown} are not in ADMIN1_NAMES")
    settled: set[str] = set()
    for v in votes:
        if v:
            code, n = v.most_common(1)[0]
            if n / sum(v.values()) >= FACE_MAJORITY:
                settled.add(code)
    pieces: list[tuple[str | None, Polygon]] = []
    for face, v in zip(faces, votes, strict=True):
        if not v:
            pieces.append((None, face))
            continue
        code, n = v.most_common(1)[0]
        unsettled = {c for c, k in v.items() if c not in settled and k >= 1}
        if n / sum(v.values()) >= FACE_MAJORITY or not unsettled:
            pieces.append((code, face))
        else:
            pieces.extend(split_unresolved(face, v, settled, open_lines, own))
    log.info(
        "  %s: %d faces, %d closed by NE lines, %d open NE line pieces",
        iso,
        len(faces),
        len(settled),
        len(open_lines),
    )
    return dissolve(merge_orphans(pieces)), open_lines


def internal_edges(govs: dict[str, shapely.Geometry]) -> list[tuple[str, str, LineString]]:
    """Shared borders between governorates: (code_a, code_b, line), codes sorted."""
    codes = sorted(govs)
    out = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            common = shapely.intersection(govs[a].boundary, govs[b].boundary)
            merged = (
                shapely.line_merge(shapely.union_all(line_parts(common)))
                if line_parts(common)
                else None
            )
            for line in line_parts(merged) if merged is not None else []:
                out.append((a, b, line))
    return out


def edge_provenance(
    line: LineString, ne_lines: shapely.Geometry, tol: float
) -> list[tuple[str, LineString]]:
    """Split an edge into runs that follow NE admin-1 lines or were inferred from towns."""
    xy = np.asarray(line.coords)
    mids = shapely.points((xy[:-1] + xy[1:]) / 2)
    near = shapely.dwithin(ne_lines, mids, tol)
    runs: list[tuple[str, LineString]] = []
    start = 0
    for k in range(1, len(near) + 1):
        if k == len(near) or near[k] != near[start]:
            src = "natural_earth" if near[start] else "inferred_from_towns"
            runs.append((src, LineString(xy[start : k + 1])))
            start = k
    return runs
