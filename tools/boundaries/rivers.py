"""Rivers: the WDBII network of GSHHG, and each named river traced through the towns on it."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import substring

from mapgen.world.wdbii import LEVEL_CLASS, level_of
from tools.boundaries.common import (
    RIVER_SNAP,
    RIVER_TOLERANCE,
    BuildError,
    Town,
    bbox_polygon,
    gap_connectors,
    line_parts,
)
from tools.boundaries.paths import Edge, Node, dijkstra, skeleton_graph, walk_back
from tools.boundaries.sources import CITIES_MEMBER, RIVERS_META

log = logging.getLogger(__name__)


#: Unnamed WDBII lines are kept up to this level; named ones may use level 4 too.
RIVER_MAX_UNNAMED_LEVEL = 3


@dataclass(frozen=True)
class RiverSpec:
    """How to find one named river in the WDBII network.

    ``vias`` are GeoNames towns (geonameid, name) on the river, upstream first; the river
    is the shortest path through them on lines of level <= ``max_level``. ``to_parent``
    continues downstream to the first node of an already traced river; ``extend_up`` and
    ``extend_down`` follow the longest line beyond the first / last via (the main stem).
    ``anchors`` are towns it must pass within ANCHOR_MAX_DIST_M of.
    """

    name: str
    vias: tuple[tuple[int, str], ...]
    max_level: int = 3
    to_parent: str | None = None
    extend_up: bool = False
    extend_down: bool = False
    anchors: tuple[tuple[int, str], ...] = ()


#: Traced in this order (a tributary after its parent). "Tigris" is traced together
#: with the Shatt al-Arab and split where the Euphrates joins.
RIVERS: tuple[RiverSpec, ...] = (
    RiverSpec(
        "Tigris",
        vias=(
            (316541, "Diyarbakır"),
            (321031, "Bismil"),
            (318253, "Cizre"),
            (99072, "Mosul"),
            (97783, "Bayjī"),
            (90150, "Tikrīt"),
            (91597, "Sāmarrā’"),
            (98182, "Baghdad"),
            (99131, "Al-Kut"),
            (99608, "Al ‘Amārah"),
            (99532, "Basrah"),
            (127319, "Khorramshahr"),
            (99446, "Al Fāw"),
        ),
        max_level=1,
        extend_up=True,
        extend_down=True,
        anchors=((99072, "Mosul"), (97783, "Bayjī"), (98182, "Baghdad")),
    ),
    RiverSpec(
        "Euphrates",
        vias=(
            (321062, "Birecik"),
            (169179, "Jarābulus"),
            (172955, "Ar Raqqah"),
            (170794, "Deir ez-Zor"),
            (173480, "Al Mayādīn"),
            (174448, "Ālbū Kamāl"),
            (92138, "Al Qā’im"),
            (92004, "Rāwah"),
            (96309, "Ḩadīthah"),
            (95788, "Hīt"),
            (98717, "Ramadi"),
            (99454, "Al Fallūjah"),
            (99039, "Al-Musayab"),
            (99135, "Kufa"),
            (98530, "As Samawah"),
            (98854, "Nasiriyah"),
        ),
        max_level=1,
        to_parent="Tigris",
        extend_up=True,
        anchors=(
            (172955, "Ar Raqqah"),
            (170794, "Deir ez-Zor"),
            (173480, "Al Mayādīn"),
            (174448, "Ālbū Kamāl"),
            (92138, "Al Qā’im"),
            (92004, "Rāwah"),
        ),
    ),
    RiverSpec(
        "Khabur",
        vias=((165509, "Ra’s al ‘Ayn"), (172837, "Ash Shaddādah")),
        max_level=4,
        to_parent="Euphrates",
    ),
    RiverSpec("Great Zab", vias=((318137, "Hakkâri"),), max_level=4, to_parent="Tigris"),
    # WDBII has no line through Dukan Lake (not in NE 10m lakes either): two parts.
    RiverSpec(
        "Little Zab",
        vias=((117111, "Sardasht"), (92615, "Qeładizê")),
        max_level=3,
        extend_up=True,
        extend_down=True,
    ),
    RiverSpec("Little Zab", vias=((96953, "Dukan"),), max_level=3, to_parent="Tigris"),
    RiverSpec("Adhaim", vias=((94787, "Kirkuk"),), max_level=3, to_parent="Tigris"),
    RiverSpec(
        "Diyala",
        vias=((384945, "Derbendîxan"), (95005, "Kelar"), (97990, "Baqubah")),
        max_level=3,
        to_parent="Tigris",
    ),
    RiverSpec(
        "Shatt al-Gharraf",
        vias=((99350, "Al Ḩayy"), (92511, "Qal‘at Sukkar"), (98622, "Ash Shaţrah")),
        max_level=2,
        to_parent="Euphrates",
        extend_up=True,
    ),
    # WDBII has no line through Lake Qattinah (not in NE 10m lakes either): two parts.
    RiverSpec(
        "Orontes",
        vias=((279997, "El Hermel"), (173322, "Al Quşayr")),
        max_level=3,
        extend_up=True,
        extend_down=True,
    ),
    RiverSpec(
        "Orontes",
        vias=(
            (172946, "Ar Rastan"),
            (170017, "Ḩamāh"),
            (169023, "Jisr ash Shughūr"),
            (323779, "Antakya"),
        ),
        max_level=3,
        extend_up=True,
        extend_down=True,
    ),
    RiverSpec(
        "Karun",
        vias=((114584, "Shūshtar"), (144448, "Ahvaz")),
        max_level=3,
        to_parent="Shatt al-Arab",
    ),
    RiverSpec("Dez", vias=((136256, "Dezful"),), max_level=3, to_parent="Karun"),
    RiverSpec(
        "Karkheh",
        vias=((132105, "Ḥamīdiyeh"), (137268, "Sūsangerd")),
        max_level=2,
        extend_up=True,
        extend_down=True,
    ),
)
#: Split of the traced "Tigris" line at the Euphrates confluence (Al-Qurnah).
SHATT_AL_ARAB = "Shatt al-Arab"
#: Rivers that mapgen uses as bank separators: one continuous LineString each.
BANK_RIVERS: tuple[str, ...] = ("Euphrates", "Tigris")


@dataclass(frozen=True)
class RiverSegment:
    """One WDBII polyline from basemap's rivers_f.dat."""

    segment_id: int
    level: int
    coords: np.ndarray


def parse_wdbii(data: bytes, meta: str, *, within: Polygon) -> list[RiverSegment]:
    """Decode basemap's WDBII files.

    Each meta line is ``-1 -1 npts lat_min lat_max byte_offset byte_count segment_id``;
    the data at ``byte_offset`` are ``npts`` little-endian float32 (lon, lat) pairs.
    """
    out: list[RiverSegment] = []
    for lineno, line in enumerate(meta.splitlines(), start=1):
        fields = line.split()
        if len(fields) != 8:
            raise BuildError(f"{RIVERS_META}:{lineno}: expected 8 fields, got {len(fields)}")
        npts, lat_min, lat_max = int(fields[2]), float(fields[3]), float(fields[4])
        offset, count, seg_id = int(fields[5]), int(fields[6]), int(fields[7])
        if count != npts * 8:
            raise BuildError(f"{RIVERS_META}:{lineno}: byte_count {count} != 8 * npts {npts}")
        if lat_max < within.bounds[1] or lat_min > within.bounds[3]:
            continue
        xy = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).reshape(npts, 2)
        xy = xy.astype(np.float64)
        if abs(xy[:, 1].min() - lat_min) > 1e-3 or abs(xy[:, 1].max() - lat_max) > 1e-3:
            raise BuildError(f"{RIVERS_META}:{lineno}: latitudes do not match the meta line")
        if npts >= 2 and within.intersects(LineString(xy)):
            out.append(RiverSegment(seg_id, level_of(seg_id), xy))
    return out


def river_lake_centerlines(
    seg: RiverSegment, others: Sequence[RiverSegment]
) -> list[tuple[LineString, int, int]]:
    """Centerline of a WDBII double-lined river plus links to the lines that reach it.

    The main line is the skeleton's diameter (end to end of the river-lake); the end of
    every other WDBII line that touches the ring is linked to it by the shortest path.
    Returns (line, level, segment id): the main line keeps level 0, a link takes the
    level and id of the line it continues.
    """
    poly = Polygon(seg.coords)
    adj, edges = skeleton_graph(poly)
    nodes = list(adj)
    node_xy = np.asarray(nodes)
    dist, _, _ = dijkstra(adj, edges, [nodes[0]])
    a = max(dist, key=lambda n: (dist[n], n))
    dist, prev, _ = dijkstra(adj, edges, [a])
    b = max(dist, key=lambda n: (dist[n], n))
    main = walk_back(prev, edges, b, a)
    main_nodes = {a, b} | {edges[i].u for i in main} | {edges[i].v for i in main}
    out = [
        (ln, 0, seg.segment_id)
        for ln in line_parts(shapely.line_merge(MultiLineString([edges[i].geom for i in main])))
    ]
    ring = poly.exterior
    for other in others:
        for end in (other.coords[0], other.coords[-1]):
            if ring.distance(Point(end)) > RIVER_SNAP:
                continue
            k = int(np.argmin(((node_xy - end) ** 2).sum(axis=1)))
            _, prev2, hit = dijkstra(adj, edges, [nodes[k]], targets=main_nodes)
            link: list[LineString] = []
            if hit is not None and hit != nodes[k]:
                link += [edges[i].geom for i in walk_back(prev2, edges, hit, nodes[k])]
            if tuple(end) != nodes[k]:
                link.append(LineString([tuple(end), nodes[k]]))
            out += [
                (ln, other.level, other.segment_id)
                for ln in line_parts(shapely.line_merge(shapely.union_all(link)))
            ]
    return out


class RiverNetwork:
    """Noded WDBII network with named-river tracing."""

    def __init__(self, segments: Sequence[RiverSegment]) -> None:
        lines: list[LineString] = []
        attrs: list[tuple[int, int]] = []
        plain = [s for s in segments if s.level > 0]
        for seg in segments:
            if seg.level == 0 and np.allclose(seg.coords[0], seg.coords[-1]):
                for ln, level, source in river_lake_centerlines(seg, plain):
                    lines.append(ln)
                    attrs.append((level, source))
            else:
                lines.append(LineString(seg.coords))
                attrs.append((seg.level, seg.segment_id))
        connectors = gap_connectors(lines, [], RIVER_SNAP)
        for i, c in connectors:
            lines.append(c)
            attrs.append(attrs[i])
        log.info(
            "  %d river lines, %d gap connectors", len(lines) - len(connectors), len(connectors)
        )
        noded = line_parts(shapely.union_all(lines))
        tree = shapely.STRtree(lines)
        self.edges: list[Edge] = []
        for piece in noded:
            mid = piece.interpolate(0.5, normalized=True)
            j = int(tree.query_nearest(mid)[0])
            level, source = attrs[j]
            self.edges.append(Edge(piece.coords[0], piece.coords[-1], piece, level, source))
        self._index()

    def _index(self) -> None:
        self.adj: dict[tuple[float, float], list[int]] = defaultdict(list)
        for i, e in enumerate(self.edges):
            self.adj[e.u].append(i)
            self.adj[e.v].append(i)
        self.tree = shapely.STRtree([e.geom for e in self.edges])

    def split_at(self, p: Point, max_level: int) -> tuple[float, float]:
        """Node at the point of the network (level <= max_level) nearest to ``p``."""
        cand = [int(i) for i in self.tree.query(p.buffer(0.5))]
        cand = [i for i in cand if self.edges[i].level <= max_level]
        if not cand:
            raise BuildError(f"no river of level <= {max_level} within 0.5 deg of {p}")
        i = min(cand, key=lambda k: (self.edges[k].geom.distance(p), k))
        e = self.edges[i]
        d = e.geom.project(p)
        if d <= 1e-9:
            return e.geom.coords[0]
        if d >= e.length - 1e-9:
            return e.geom.coords[-1]
        a, b = substring(e.geom, 0, d), substring(e.geom, d, e.length)
        node = a.coords[-1]
        b = LineString([node, *b.coords[1:]])
        self.edges[i] = Edge(a.coords[0], node, a, e.level, e.source)
        self.edges.append(Edge(node, b.coords[-1], b, e.level, e.source))
        self._index()
        return node

    def allowed(self, max_level: int, exclude: set[int]) -> set[int]:
        """Edge indices of level <= max_level not in ``exclude``."""
        return {i for i, e in enumerate(self.edges) if e.level <= max_level and i not in exclude}

    def path(
        self,
        a: tuple[float, float],
        b: tuple[float, float] | set[tuple[float, float]],
        allowed: set[int],
    ) -> list[int]:
        """Shortest path (edge indices) from node a to node b or to the nearest of a set."""
        targets = b if isinstance(b, set) else {b}
        _, prev, hit = dijkstra(self.adj, self.edges, [a], allowed=allowed, targets=targets)
        if hit is None:
            raise BuildError(f"no river path from {a} to {sorted(targets)[:3]}")
        return walk_back(prev, self.edges, hit, a)

    def farthest(self, a: tuple[float, float], allowed: set[int]) -> list[int]:
        """Path to the farthest node reachable from ``a`` (the main stem beyond a via)."""
        dist, prev, _ = dijkstra(self.adj, self.edges, [a], allowed=allowed)
        far = max(dist, key=lambda n: (dist[n], n))
        return walk_back(prev, self.edges, far, a)

    def nodes_of(self, path: Sequence[int]) -> set[tuple[float, float]]:
        """All nodes on a path."""
        return {self.edges[i].u for i in path} | {self.edges[i].v for i in path}


def path_line(net: RiverNetwork, path: Sequence[int]) -> shapely.Geometry:
    """Merged geometry of a path's edges."""
    return shapely.line_merge(shapely.union_all([net.edges[i].geom for i in path]))


def trace_rivers(net: RiverNetwork, towns: dict[int, Town]) -> dict[str, list[int]]:
    """Trace RIVERS in order: name -> edge indices (the traced Tigris includes the Shatt)."""
    named: dict[str, list[int]] = {}
    used: set[int] = set()
    # split the network at every via first: splitting later would orphan traced edges
    vias = [
        [net.split_at(town_of(towns, gid, name).point, spec.max_level) for gid, name in spec.vias]
        for spec in RIVERS
    ]
    for spec, via_nodes in zip(RIVERS, vias, strict=True):
        allowed = net.allowed(spec.max_level, used)
        path: list[int] = []
        for a, b in pairwise(via_nodes):
            path += net.path(a, b, allowed)
        if spec.to_parent is not None:
            parent = named[spec.to_parent]
            path += net.path(via_nodes[-1], net.nodes_of(parent), allowed)
        if spec.extend_down:
            path += net.farthest(via_nodes[-1], allowed - set(path))
        if spec.extend_up:
            path = net.farthest(via_nodes[0], allowed - set(path))[::-1] + path
        path = drop_spurs(path, spec.name)
        named[spec.name] = named.get(spec.name, []) + path
        used |= set(path)
        if spec.name == "Euphrates":
            named.update(split_at_confluence(net, named.pop("Tigris"), path))
    return named


def drop_spurs(path: list[int], name: str) -> list[int]:
    """Remove out-and-back detours (a via snapped onto a side branch near a confluence)."""
    counts = Counter(path)
    spur = {e for e, n in counts.items() if n > 1}
    if spur:
        log.info("  %s: dropping a %d-edge spur that a via snapped onto", name, len(spur))
    return [e for e in path if e not in spur]


def path_nodes(net: RiverNetwork, path: Sequence[int]) -> list[Node]:
    """Nodes along a path of at least two edges, in path order."""
    first, second = net.edges[path[0]], net.edges[path[1]]
    node = first.u if first.u not in (second.u, second.v) else first.v
    out = [node]
    for ei in path:
        e = net.edges[ei]
        node = e.v if e.u == node else e.u
        out.append(node)
    return out


def split_at_confluence(
    net: RiverNetwork, tigris: list[int], euphrates: list[int]
) -> dict[str, list[int]]:
    """Split the traced Tigris + Shatt al-Arab where the Euphrates path ends."""
    junction = path_nodes(net, euphrates)[-1]
    nodes = path_nodes(net, tigris)
    if junction not in nodes:
        raise BuildError("the Euphrates does not end on the Tigris")
    k = nodes.index(junction)
    return {"Tigris": tigris[:k], SHATT_AL_ARAB: tigris[k:]}


def town_of(towns: dict[int, Town], geonameid: int, name: str) -> Town:
    """A GeoNames town by id, checked against the name written in the script."""
    town = towns.get(geonameid)
    if town is None or town.name != name:
        found = town.name if town else "nothing"
        raise BuildError(
            f"geonameid {geonameid}: expected {name!r} in {CITIES_MEMBER}, found {found}"
        )
    return town


def river_features(net: RiverNetwork, named: dict[str, list[int]]) -> list[dict[str, Any]]:
    """River features: named rivers plus unnamed lines of level <= RIVER_MAX_UNNAMED_LEVEL."""
    region = bbox_polygon()
    feats: list[dict[str, Any]] = []
    claimed: set[int] = set()
    for name, path in named.items():
        claimed |= set(path)
        lengths: Counter[int] = Counter()
        for i in path:
            lengths[net.edges[i].level] += net.edges[i].length
        level = lengths.most_common(1)[0][0]
        geom = shapely.intersection(path_line(net, path), region)
        geom = shapely.simplify(shapely.line_merge(geom), RIVER_TOLERANCE)
        feats.append(river_feature(name, level, geom))
    rest: dict[int, list[LineString]] = defaultdict(list)
    for i, e in enumerate(net.edges):
        if i not in claimed and e.level <= RIVER_MAX_UNNAMED_LEVEL:
            rest[e.level].append(e.geom)
    for level, lines in sorted(rest.items()):
        merged = shapely.intersection(shapely.line_merge(shapely.union_all(lines)), region)
        for part in line_parts(shapely.line_merge(merged)):
            if part.length > 0.02:
                feats.append(river_feature(None, level, shapely.simplify(part, RIVER_TOLERANCE)))
    return feats


def river_feature(name: str | None, level: int, geom: shapely.Geometry) -> dict[str, Any]:
    """One river feature dict."""
    return {
        "properties": {"name": name, "rank": level, "class": LEVEL_CLASS[level]},
        "geometry": geom,
    }
