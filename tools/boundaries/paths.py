"""Shortest paths on line networks (scipy's Dijkstra) and the skeleton graph of a polygon."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import csgraph, csr_array
from shapely.geometry import LineString, Polygon

from tools.boundaries.common import line_parts


@dataclass
class Edge:
    """One noded piece of the river network."""

    u: tuple[float, float]
    v: tuple[float, float]
    geom: LineString
    level: int
    source: int  # WDBII segment id (river-lake centerlines keep their polygon's id)

    @property
    def length(self) -> float:
        return float(self.geom.length)


Node = tuple[float, float]


def dijkstra(
    adj: dict[Node, list[int]],
    edges: list[Edge],
    sources: Iterable[Node],
    *,
    allowed: set[int] | None = None,
    targets: set[Node] | None = None,
) -> tuple[dict[Node, float], dict[Node, int], Node | None]:
    """Shortest paths over edge indices: (distances, predecessor edges, target reached).

    scipy's Dijkstra on the graph of ``allowed`` edges (all by default; between two nodes
    the shortest edge, the lowest index on a tie). With ``targets``, the target reached is
    the nearest one (the smallest node on a tie).
    """
    nodes = list(adj)
    index = {n: i for i, n in enumerate(nodes)}
    between: dict[tuple[int, int], int] = {}
    for ei in range(len(edges)) if allowed is None else sorted(allowed):
        u, v = sorted((index[edges[ei].u], index[edges[ei].v]))
        kept = between.get((u, v))
        if u != v and (kept is None or edges[ei].length < edges[kept].length):
            between[(u, v)] = ei
    pairs = np.array(list(between), dtype=np.int64).reshape(-1, 2)
    weights = [edges[ei].length for ei in between.values()]
    graph = csr_array((weights, (pairs[:, 0], pairs[:, 1])), shape=(len(nodes), len(nodes)))
    start = [index[s] for s in sources]
    far, before, _ = csgraph.dijkstra(
        graph, directed=False, indices=start, min_only=True, return_predecessors=True
    )
    reached = np.flatnonzero(np.isfinite(far))
    dist = {nodes[i]: float(far[i]) for i in reached}
    prev = {
        nodes[i]: between[tuple(sorted((int(before[i]), int(i))))]
        for i in reached
        if before[i] >= 0
    }
    hit = None
    if targets is not None:
        hit = min((n for n in targets if n in dist), key=lambda n: (dist[n], n), default=None)
    return dist, prev, hit


def walk_back(
    prev: dict, edges: list[Edge], node: tuple[float, float], source: tuple[float, float]
) -> list[int]:
    """Edge indices from ``source`` to ``node`` following Dijkstra's predecessors."""
    path: list[int] = []
    while node != source:
        ei = prev[node]
        path.append(ei)
        e = edges[ei]
        node = e.u if e.v == node else e.v
    return path[::-1]


def skeleton_graph(poly: Polygon) -> tuple[dict, list[Edge]]:
    """Medial-axis graph of a river-lake polygon (Voronoi edges of its densified ring)."""
    ring = shapely.segmentize(poly.exterior, 0.0005)
    vor = shapely.voronoi_polygons(shapely.multipoints(np.asarray(ring.coords)), only_edges=True)
    shapely.prepare(poly)
    edges: list[Edge] = []
    adj: dict[tuple[float, float], list[int]] = defaultdict(list)
    for seg in line_parts(vor):
        if not poly.contains(seg):
            continue
        u, v = seg.coords[0], seg.coords[-1]
        edges.append(Edge(u, v, seg, 0, -1))
        adj[u].append(len(edges) - 1)
        adj[v].append(len(edges) - 1)
    return adj, edges
