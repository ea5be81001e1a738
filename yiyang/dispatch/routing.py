"""Visit routing, pure (no database): a nearest-neighbour route from a starting point through stops."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from yiyang.core.geo import haversine_m

if TYPE_CHECKING:
    from yiyang.orders.models import Order

T = TypeVar("T")
Point = tuple[float, float]


def nearest_neighbour_route(
    stops: Sequence[T],
    start: Point | None,
    *,
    point: Callable[[T], Point | None],
    when: Callable[[T], Any],
) -> list[T]:
    """From ``start``, always go to the nearest remaining stop (ties and unknown start by ``when``);
    stops without a location come last, in ``when`` order."""
    remaining = [s for s in stops if point(s) is not None]
    unknown = [s for s in stops if point(s) is None]
    route: list[T] = []
    here = start

    def key(s: T) -> tuple[float, Any]:
        p = point(s)
        if here is None or p is None:
            return (0.0, when(s))
        return (haversine_m(here[0], here[1], p[0], p[1]), when(s))

    while remaining:
        nxt = min(remaining, key=key)
        route.append(nxt)
        remaining.remove(nxt)
        here = point(nxt)
    return route + sorted(unknown, key=when)


def _elder_point(order: Order) -> Point | None:
    lat, lng = order.elder.lat, order.elder.lng
    return (lat, lng) if lat is not None and lng is not None else None


def route_orders(orders: Sequence[Order], start: Point | None) -> list[Order]:
    """A caregiver's day: from their base through the elders' homes, nearest first."""
    return nearest_neighbour_route(orders, start, point=_elder_point, when=lambda o: o.scheduled_start)
