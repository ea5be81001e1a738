"""Shared set-up of the order-lifecycle benchmarks (``orders_lifecycle.py`` over gunicorn and
``orders_profile.py`` in-process): one county with a dispatcher, a family member, one provider with one
caregiver and one elder per client thread, and the seven steps of an order's life as HTTP requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

STEPS = ["create", "dispatch", "accept", "check-in", "check-out", "confirm", "rate"]
PASSWORD = "Bench-Password-2026!"


@dataclass
class World:
    org: Any
    item: Any
    tok_dispatcher: str
    tok_family: str
    when: str
    carers: list[tuple[Any, str]] = field(default_factory=list)  # (staff, token) per thread
    elders: list[Any] = field(default_factory=list)  # one per thread


def build_world(threads: int) -> World:
    """Migrated database expected; creates the regions (if missing), accounts and rows."""
    from django.utils import timezone

    from yiyang.accounts.services import token_issue, user_create
    from yiyang.orders.tests.factories import HOME, make_elder, make_item, make_provider, make_staff
    from yiyang.regions.models import Region

    prov, _ = Region.objects.get_or_create(
        code="320000000000", defaults={"name": "江苏省", "level": "province"}
    )
    city, _ = Region.objects.get_or_create(
        code="321000000000", defaults={"name": "扬州市", "level": "city", "parent": prov}
    )
    county, _ = Region.objects.get_or_create(
        code="321002000000", defaults={"name": "广陵区", "level": "county", "parent": city}
    )
    town, _ = Region.objects.get_or_create(
        code="321002001000", defaults={"name": "文昌街道", "level": "town", "parent": county}
    )
    village, _ = Region.objects.get_or_create(
        code="321002001001", defaults={"name": "文昌社区", "level": "village", "parent": town}
    )
    dispatcher = user_create(
        username="lc_dispatcher", password=PASSWORD, grants=[("dispatcher", county.code)]
    )
    family = user_create(username="lc_family", password=PASSWORD, grants=[("family", village.code)])
    org = make_provider(village)
    item = make_item(minutes=0, skills=())  # zero standard minutes: no time-window clashes between runs
    world = World(
        org=org,
        item=item,
        tok_dispatcher=token_issue(user=dispatcher)[1],
        tok_family=token_issue(user=family)[1],
        when=(timezone.now() + timedelta(hours=1)).isoformat(),
    )
    for t in range(threads):
        user = user_create(username=f"lc_carer_{t}", password=PASSWORD, grants=[("caregiver", county.code)])
        staff = make_staff(org, user=user, lat=HOME[0], lng=HOME[1])
        staff.max_daily_orders = 30000
        staff.save(update_fields=["max_daily_orders"])
        world.carers.append((staff, token_issue(user=user)[1]))
        world.elders.append(make_elder(village, family=family))
    return world


def plan(world: World, t: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The seven requests of one order of thread ``t``: (step, url suffix, token, JSON body). The first
    URL is the collection; the others are relative to ``/api/v1/orders/<id>/``."""
    from yiyang.orders.tests.factories import HOME

    staff, tok_c = world.carers[t]
    return [
        (
            "create",
            "/api/v1/orders/",
            world.tok_dispatcher,
            {
                "elder": str(world.elders[t].public_id),
                "service_item": str(world.item.public_id),
                "scheduled_start": world.when,
            },
        ),
        ("dispatch", "dispatch/", world.tok_dispatcher, {"caregiver": str(staff.public_id)}),
        ("accept", "accept/", tok_c, {}),
        ("check-in", "check-in/", tok_c, {"lat": HOME[0], "lng": HOME[1]}),
        ("check-out", "check-out/", tok_c, {"items_done": ["bench"], "notes": ""}),
        ("confirm", "confirm/", world.tok_family, {}),
        ("rate", "rate/", world.tok_family, {"score": 5}),
    ]


def step_url(name: str, url: str, order_id: str) -> str:
    return url if name == "create" else f"/api/v1/orders/{order_id}/{url}"
