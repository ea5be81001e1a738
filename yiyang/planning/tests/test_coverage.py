"""The 15-minute circle's arithmetic: a hand-computed case, the grid index against brute force, siting
against an exhaustive search."""

from __future__ import annotations

import itertools
import random

import pytest

from yiyang.core.geo import haversine_m
from yiyang.planning.coverage import GridIndex, covered_brute, covered_flags, tally_by_region
from yiyang.planning.siting import Candidate, cover_sets, demand_weights, exact, greedy, grid_candidates

STATION = (32.0, 119.0)
# 0.008° of latitude is 889.6 m, 0.010° is 1,111.9 m, 0.0095° of longitude at 32° is 895.9 m.
NEAR_N = (32.008, 119.0)
FAR_N = (32.010, 119.0)
NEAR_E = (32.0, 119.0095)


def test_hand_computed_distances() -> None:
    assert haversine_m(*STATION, *NEAR_N) == pytest.approx(889.56, abs=0.05)
    assert haversine_m(*STATION, *FAR_N) == pytest.approx(1111.95, abs=0.05)
    assert haversine_m(*STATION, *NEAR_E) == pytest.approx(895.88, abs=0.05)


def test_tally_counts_elders_within_the_distance_and_never_the_unlocated() -> None:
    elders = [
        ("c1", *NEAR_N),
        ("c1", *FAR_N),
        ("c1", None, None),
        ("c2", *NEAR_E),
        ("c2", *FAR_N),
    ]
    tallies, uncovered = tally_by_region(elders, [STATION], 1000)
    assert (tallies["c1"].elders, tallies["c1"].located, tallies["c1"].covered) == (3, 2, 1)
    assert (tallies["c2"].elders, tallies["c2"].located, tallies["c2"].covered) == (2, 2, 1)
    assert tallies["c1"].share == 0.3333
    assert sorted(uncovered) == [("c1", *FAR_N), ("c2", *FAR_N)]
    # at 1,200 m the far ones are in; at 800 m nobody is
    assert sum(t.covered for t in tally_by_region(elders, [STATION], 1200)[0].values()) == 4
    assert sum(t.covered for t in tally_by_region(elders, [STATION], 800)[0].values()) == 0


def test_no_facility_covers_nobody() -> None:
    tallies, uncovered = tally_by_region([("c1", *NEAR_N)], [], 1000)
    assert tallies["c1"].covered == 0 and len(uncovered) == 1


@pytest.mark.parametrize("seed", range(5))
def test_the_grid_index_agrees_with_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    elders = [(32 + rng.uniform(-0.2, 0.2), 119 + rng.uniform(-0.2, 0.2)) for _ in range(2000)]
    facilities = [(32 + rng.uniform(-0.2, 0.2), 119 + rng.uniform(-0.2, 0.2)) for _ in range(60)]
    for distance in (300, 1000, 2500):
        assert covered_flags(elders, facilities, distance) == covered_brute(elders, facilities, distance)


def test_the_grid_index_finds_a_point_across_a_cell_corner() -> None:
    probe = GridIndex([(32.0, 119.0)], 1000)
    row, col = probe.cell(32.0, 119.0)
    corner_lat, corner_lng = (row + 1) * probe.lat_step, (col + 1) * probe.lng_step
    index = GridIndex([(corner_lat - 1e-6, corner_lng - 1e-6)], 1000)  # just inside the cell's corner
    assert index.cell(corner_lat + 1e-6, corner_lng + 1e-6) == (row + 1, col + 1)  # the diagonal cell
    assert index.any_within(corner_lat + 1e-6, corner_lng + 1e-6)
    assert index.within(corner_lat + 1e-6, corner_lng + 1e-6) == [0]
    assert not index.any_within(corner_lat + 2 * probe.lat_step, corner_lng)


def _brute_best(covers, weights, n):
    best = 0
    for k in range(1, n + 1):
        for combo in itertools.combinations(range(len(covers)), k):
            union = set().union(*(covers[i] for i in combo))
            best = max(best, sum(weights[i] for i in union))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_exact_siting_equals_exhaustive_search_and_greedy_is_never_better(seed: int) -> None:
    rng = random.Random(seed)
    points = [(32 + rng.uniform(0, 0.05), 119 + rng.uniform(0, 0.05)) for _ in range(120)]
    demand, weights = demand_weights(points)
    candidates = [
        Candidate(f"候选{i}", 32 + rng.uniform(0, 0.05), 119 + rng.uniform(0, 0.05), "community")
        for i in range(12)
    ]
    covers = cover_sets(candidates, demand, 900)
    for n in (1, 2, 3):
        best = _brute_best(covers, weights, n)
        found = exact(covers, weights, n)
        assert found.optimum == best
        assert sum(weights[i] for i in set().union(*(covers[i] for i in found.chosen))) == best
        proposal = greedy(covers, weights, n)
        assert proposal.covered <= best
        assert proposal.covered == sum(weights[i] for i in set().union(*(covers[i] for i in proposal.chosen)))


def test_greedy_is_not_optimal_on_the_textbook_case_and_exact_says_so() -> None:
    # Demand 0..5 on a line; A covers {0,1,2,3} (greedy's first pick), B {0,1,4}, C {2,3,5}:
    # greedy takes A then one of B/C (5 elders), the optimum B+C covers all 6.
    covers = [frozenset({0, 1, 2, 3}), frozenset({0, 1, 4}), frozenset({2, 3, 5})]
    weights = [1] * 6
    assert greedy(covers, weights, 2).covered == 5
    assert exact(covers, weights, 2).optimum == 6


def test_exact_reports_no_optimum_when_the_budget_runs_out() -> None:
    rng = random.Random(1)
    covers = [frozenset(rng.sample(range(400), 40)) for _ in range(60)]
    result = exact(covers, [1] * 400, 8, node_budget=50)
    assert result.optimum is None


def test_grid_candidates_never_pin_a_lone_elder() -> None:
    lone = ("c1", 32.00123, 119.00456)
    group = [("c2", 32.05 + i * 1e-4, 119.05) for i in range(5)]
    cands = grid_candidates([lone, *group], 1000)
    assert len(cands) == 2
    assert all((c.lat, c.lng) != lone[1:] for c in cands)
    mean = next(c for c in cands if c.region_code == "c2")
    assert mean.lat == pytest.approx(32.0502) and mean.lng == pytest.approx(119.05)
