"""The visit route is a pure nearest-neighbour walk: nearest stop next, unknown locations last."""

from __future__ import annotations

from yiyang.dispatch.routing import nearest_neighbour_route

Stop = tuple[str, tuple[float, float] | None, int]


def test_route_goes_to_the_nearest_stop_next_and_puts_unlocated_stops_last() -> None:
    base = (32.39, 119.42)
    stops: list[Stop] = [
        ("far", (32.50, 119.42), 1),
        ("near", (32.40, 119.42), 3),
        ("nowhere-late", None, 9),
        ("middle", (32.45, 119.42), 2),
        ("nowhere-early", None, 0),
    ]
    route = nearest_neighbour_route(stops, base, point=lambda s: s[1], when=lambda s: s[2])
    assert [s[0] for s in route] == ["near", "middle", "far", "nowhere-early", "nowhere-late"]


def test_without_a_start_the_earliest_stop_comes_first() -> None:
    stops: list[Stop] = [("b", (32.50, 119.42), 2), ("a", (32.39, 119.42), 1)]
    route = nearest_neighbour_route(stops, None, point=lambda s: s[1], when=lambda s: s[2])
    assert [s[0] for s in route] == ["a", "b"]
