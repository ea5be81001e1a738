"""Benchmark: automatic dispatch of N open orders across M caregivers in one county.

Prints seconds for planning and for executing the plan (every assignment a CAS transition with its
timeline row and audit event), and total travel distance (caregiver base → elder) against the greedy
nearest-first baseline planned on the same data in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_orders_bench \\
        .venv/bin/python bench/dispatch_bulk.py --orders 1000 --caregivers 300

The database is migrated and filled with synthetic data (seeded); the orders are removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--caregivers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from yiyang.accounts.services import user_create
    from yiyang.dispatch.matching import plan_bulk
    from yiyang.elders.models import Elder
    from yiyang.orders.dispatching import orders_auto_dispatch
    from yiyang.orders.models import Order
    from yiyang.orders.tests.factories import make_item, make_provider, make_staff
    from yiyang.regions.models import Region

    rng = random.Random(args.seed)
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
    actor = user_create(
        username="bench_dispatcher",
        password="Bench-Password-2026!",
        display_name="bench",
        grants=[("dispatcher", county.code)],
    )
    lat0, lng0 = 32.394, 119.452

    def spot() -> tuple[float, float]:  # within ~8 km of the centre
        return lat0 + rng.uniform(-0.07, 0.07), lng0 + rng.uniform(-0.085, 0.085)

    org = make_provider(village)
    skills = [("cleaning", "personal_care"), ("cleaning",), ("personal_care", "bathing")]
    for n in range(args.caregivers):
        la, ln = spot()
        s = make_staff(org, lat=la, lng=ln, skills=skills[n % 3])
        s.max_daily_orders = 4
        s.save(update_fields=["max_daily_orders"])
    items = [make_item(skills=("cleaning",)), make_item(skills=("personal_care",), category="personal_care")]
    tomorrow = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1)
    elders = []
    for n in range(args.orders):
        la, ln = spot()
        elders.append(
            Elder(
                name=f"压测老人{n}",
                region=village,
                birth_date=date(1940, 1, 1),
                sex="F",
                id_number_enc="x",
                id_number_hash=f"bench{args.seed}-{n}-{rng.random()}"[:32],
                id_number_masked="x",
                lat=la,
                lng=ln,
            )
        )
    Elder.objects.bulk_create(elders)
    elders = list(Elder.objects.filter(name__startswith="压测老人").order_by("-pk")[: args.orders])
    orders = [
        Order(
            elder=e,
            service_item=items[i % 2],
            price_fen=6000,
            confirmation_code="000000",
            scheduled_start=tomorrow + timedelta(minutes=30 * rng.randrange(0, 18)),
        )
        for i, e in enumerate(elders)
    ]
    Order.objects.bulk_create(orders)
    qs = Order.objects.filter(elder__in=elders, status="created").select_related("elder", "service_item")

    t0 = time.perf_counter()
    greedy, g_left = plan_bulk(list(qs), greedy=True)
    t_greedy = time.perf_counter() - t0
    t0 = time.perf_counter()
    regret, r_left = plan_bulk(list(qs))
    t_regret = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = orders_auto_dispatch(orders=list(qs), actor=actor)
    t_exec = time.perf_counter() - t0

    def km(plan: dict) -> float:
        return sum(c.distance_m or 0 for c in plan.values()) / 1000

    print(
        f"database: {connection.vendor}; orders {args.orders}, caregivers {args.caregivers} "
        f"(capacity 4/day, 3 skill profiles, 1 county)"
    )
    print(
        f"greedy nearest-first : plan {t_greedy:7.2f} s, assigned {len(greedy):5d}, "
        f"unassigned {len(g_left):4d}, travel {km(greedy):9.1f} km"
    )
    print(
        f"regret (ours)        : plan {t_regret:7.2f} s, assigned {len(regret):5d}, "
        f"unassigned {len(r_left):4d}, travel {km(regret):9.1f} km"
    )
    print(
        f"executed (plan + CAS dispatch of each): {t_exec:7.2f} s, dispatched {len(result['dispatched'])}, "
        f"conflicts {len(result['conflicts'])}, travel {result['total_distance_m'] / 1000:.1f} km"
    )
    if greedy:
        print(
            f"ratio travel ours/greedy per assigned order: "
            f"{(km(regret) / max(len(regret), 1)) / (km(greedy) / max(len(greedy), 1)):.3f}"
        )
    print(
        "command: DATABASE_URL=... .venv/bin/python bench/dispatch_bulk.py "
        f"--orders {args.orders} --caregivers {args.caregivers} --seed {args.seed}"
    )
    # Clean up the synthetic rows (orders and their history first).
    from yiyang.audit.models import AuditEvent
    from yiyang.orders.models import OrderEvent

    ids = list(Order.objects.filter(elder__in=elders).values_list("pk", flat=True))
    AuditEvent.objects.filter(object_type="orders.order").delete()
    OrderEvent.objects.filter(order_id__in=ids).delete()
    Order.objects.filter(pk__in=ids).delete()
    Elder.objects.filter(pk__in=[e.pk for e in elders]).delete()


if __name__ == "__main__":
    main()
