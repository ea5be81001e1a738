"""Siting new community facilities: the maximal covering location problem, over located elders left
uncovered by today's facilities.

Given candidate sites and a walking distance, choose ``n`` sites covering the most uncovered elders.
:func:`greedy` adds, one at a time, the site that covers the most elders not yet covered (lazy
evaluation); it is within a factor 1 − 1/e of the optimum in the worst case and usually much closer.
:func:`exact` finds the optimum by branch and bound (the greedy answer as the first incumbent, an upper
bound from the best remaining marginal gains) within a node budget, so the page can report the greedy
answer's gap to the optimum on small cases and say plainly when the budget did not suffice.
No solver library is used (decision 0017).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

from yiyang.planning.coverage import GridIndex, Point

MIN_GROUP = 5  # fewer elders than this in one place are never pinned to their mean position


@dataclass(frozen=True)
class Candidate:
    label: str  # what people read: "文昌社区中心" or "网格 3-7（未覆盖老人聚集处）"
    lat: float
    lng: float
    kind: str  # "community" | "grid"
    region_code: str = ""


@dataclass
class Proposal:
    chosen: list[int]  # candidate indexes in the order picked
    gains: list[int]  # newly covered elders per pick
    covered: int  # elders covered by the chosen sites together

    @property
    def total(self) -> int:
        return self.covered


@dataclass
class ExactResult:
    optimum: int | None  # ``None`` when the node budget ran out first
    chosen: list[int] = field(default_factory=list)
    nodes: int = 0


def demand_weights(points: Sequence[Point]) -> tuple[list[Point], list[int]]:
    """Elders at the same coordinates collapse into one demand point with a weight."""
    weights: dict[Point, int] = {}
    for p in points:
        weights[p] = weights.get(p, 0) + 1
    keys = list(weights)
    return keys, [weights[k] for k in keys]


def cover_sets(
    candidates: Sequence[Candidate], demand: Sequence[Point], distance_m: float
) -> list[frozenset[int]]:
    """For each candidate, the demand points within ``distance_m`` (grid index over the demand)."""
    if not demand:
        return [frozenset() for _ in candidates]
    index = GridIndex(demand, distance_m)
    return [frozenset(index.within(c.lat, c.lng)) for c in candidates]


def _gain(cover: frozenset[int], done: set[int], weights: Sequence[int]) -> int:
    return sum(weights[i] for i in cover if i not in done)


def greedy(covers: Sequence[frozenset[int]], weights: Sequence[int], n: int) -> Proposal:
    """Lazy greedy: a max-heap of stale gains, re-evaluated when popped (gains only shrink)."""
    heap = [(-_gain(c, set(), weights), i) for i, c in enumerate(covers)]
    heapq.heapify(heap)
    done: set[int] = set()
    chosen: list[int] = []
    gains: list[int] = []
    while heap and len(chosen) < n:
        _, i = heapq.heappop(heap)
        fresh = _gain(covers[i], done, weights)
        if fresh <= 0:
            continue
        if heap and fresh < -heap[0][0]:
            heapq.heappush(heap, (-fresh, i))
            continue
        chosen.append(i)
        gains.append(fresh)
        done |= covers[i]
    return Proposal(chosen, gains, sum(gains))


def exact(
    covers: Sequence[frozenset[int]], weights: Sequence[int], n: int, *, node_budget: int = 200_000
) -> ExactResult:
    """The optimum by branch and bound; ``optimum=None`` if ``node_budget`` nodes did not settle it."""
    useful = [i for i, c in enumerate(covers) if c]
    useful.sort(key=lambda i: -_gain(covers[i], set(), weights))
    start = greedy(covers, weights, n)
    best_value = start.covered
    best_chosen = list(start.chosen)
    nodes = 0

    def bound(pos: int, done: set[int], left: int, value: int) -> int:
        gains = sorted(
            (_gain(covers[useful[j]], done, weights) for j in range(pos, len(useful))), reverse=True
        )
        return value + sum(gains[:left])

    def walk(pos: int, done: set[int], left: int, value: int, picked: list[int]) -> bool:
        nonlocal nodes, best_value, best_chosen
        nodes += 1
        if nodes > node_budget:
            return False
        if value > best_value:
            best_value, best_chosen = value, list(picked)
        if left == 0 or pos >= len(useful):
            return True
        if bound(pos, done, left, value) <= best_value:
            return True
        i = useful[pos]
        gain = _gain(covers[i], done, weights)
        if gain > 0:
            picked.append(i)
            if not walk(pos + 1, done | covers[i], left - 1, value + gain, picked):
                return False
            picked.pop()
        return walk(pos + 1, done, left, value, picked)

    finished = walk(0, set(), n, 0, [])
    return ExactResult(best_value if finished else None, best_chosen if finished else [], nodes)


def grid_candidates(points: Sequence[tuple[str, float, float]], cell_m: float) -> list[Candidate]:
    """One candidate per grid cell holding uncovered elders: at the mean position of those elders where
    the cell holds at least ``MIN_GROUP`` of them, at the cell's centre otherwise (so a candidate is never
    one elder's home)."""
    index = GridIndex([(lat, lng) for _, lat, lng in points], cell_m)
    out: list[Candidate] = []
    for (row, col), members in sorted(index.cells.items()):
        if len(members) >= MIN_GROUP:
            lat = sum(index.points[i][0] for i in members) / len(members)
            lng = sum(index.points[i][1] for i in members) / len(members)
        else:  # a few elders: the cell's centre, never a home
            lat, lng = (row + 0.5) * index.lat_step, (col + 0.5) * index.lng_step
        codes = [points[i][0] for i in members]
        code = max(set(codes), key=codes.count)
        out.append(Candidate(f"网格 {row % 1000:03d}-{col % 1000:03d}", lat, lng, "grid", code))
    return out
