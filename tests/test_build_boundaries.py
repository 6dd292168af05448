"""tools/boundaries: the shortest paths that trace rivers and river-lake centrelines."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest
from shapely.geometry import LineString

from tools.boundaries.divisions import grow_labels
from tools.boundaries.paths import Edge, dijkstra, walk_back

A, B, C, D, F, G = (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (3.0, 0.0), (9.0, 9.0), (9.0, 8.0)


def _edge(*xy: tuple[float, float]) -> Edge:
    return Edge(xy[0], xy[-1], LineString(xy), 1, 0)


@pytest.fixture
def graph() -> tuple[dict, list[Edge]]:
    edges = [
        _edge(A, B),  # 0: length 1
        _edge(B, C),  # 1: length 1
        _edge(A, (0.0, 1.25), C),  # 2: length 2.25, the way round
        _edge(A, (0.5, 0.5), B),  # 3: a longer edge beside edge 0
        _edge(C, D),  # 4: length √5
        _edge(F, G),  # 5: apart from the rest
    ]
    adj: dict = defaultdict(list)
    for i, e in enumerate(edges):
        adj[e.u].append(i)
        adj[e.v].append(i)
    return adj, edges


def test_distances_and_the_edges_of_the_shortest_paths(graph):
    adj, edges = graph
    dist, prev, hit = dijkstra(adj, edges, [A])
    assert hit is None
    assert dist == pytest.approx({A: 0, B: 1, C: 2, D: 2 + math.sqrt(5)})
    assert prev == {B: 0, C: 1, D: 4}  # the short one of the two A-B edges
    assert walk_back(prev, edges, D, A) == [0, 1, 4]
    dist, prev, _ = dijkstra(adj, edges, [D])
    assert walk_back(prev, edges, A, D) == [4, 1, 0]


def test_only_allowed_edges_are_walked(graph):
    adj, edges = graph
    dist, prev, _ = dijkstra(adj, edges, [A], allowed={2, 3, 4})
    assert dist[B] == pytest.approx(edges[3].length)
    assert walk_back(prev, edges, D, A) == [2, 4]
    dist, _, _ = dijkstra(adj, edges, [A], allowed={0})
    assert set(dist) == {A, B}


def test_the_nearest_target_is_the_one_reached(graph):
    adj, edges = graph
    _, prev, hit = dijkstra(adj, edges, [D], targets={A, B})
    assert hit == B and walk_back(prev, edges, B, D) == [4, 1]
    _, _, hit = dijkstra(adj, edges, [A], targets={F, G})
    assert hit is None
    _, _, hit = dijkstra(adj, edges, [A, F], targets={G, C})
    assert hit == G  # 1 from F, 2 from A


def test_regions_grow_from_their_seeds_and_not_through_barriers():
    passable = np.ones((5, 9), dtype=bool)
    passable[:, 4] = False  # a wall down the middle ...
    passable[0, 4] = True  # ... with a gap at the top
    passable[3:, 7:] = False
    passable[4, 8] = True  # a pocket nothing reaches
    labels = np.full(passable.shape, -1, dtype=np.int16)
    labels[4, 0] = 0
    labels[2, 2] = 1
    labels[2, 6] = 2
    grow_labels(labels, passable, 3)
    assert labels[4, 8] == -1 and (labels[~passable] == -1).all()
    assert (labels[passable][:-1] >= 0).all()
    assert labels[4, 1] == 0 and labels[0, 0] == 1 and labels[4, 3] == 1
    assert (labels[:, 5:7] == 2).all() and labels[0, 4] in (1, 2)
