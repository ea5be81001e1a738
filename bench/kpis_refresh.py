"""Benchmark: a full refresh of every KPI for every region of the city (city, counties, streets,
communities) on PostgreSQL, and the dashboard page served from the stored snapshots against a trivial
endpoint (``/healthz``) in the same run.

The register is generated straight in SQL (``generate_series``: synthetic elders with birth dates, living
situations and capability levels spread over the demo city's communities, and orders for this month),
because the import path (validation, encryption) is measured by ``bench/elders_import.py`` and would take
hours at this size. The issue's figure is 10,000,000 elders and 200,000 orders a month; the default here
is 1,000,000 elders and 20,000 orders (say ``--elders 10000000 --orders 200000`` for the full size; the
roll-up is per region, so its cost grows with the rows scanned, not with the number of KPIs × regions).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_kpis_bench \\
        .venv/bin/python bench/kpis_refresh.py --elders 1000000 --orders 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import city_and_importer, django_setup


def ensure_population(elders: int, orders: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from yiyang.elders.models import Elder
    from yiyang.orders.models import Order
    from yiyang.providers.models import Facility, Organisation, ServiceItem

    city, _user = city_and_importer()
    communities = [c.code for c in city.all_communities()]
    have = Elder.objects.count()
    with connection.cursor() as cursor:
        if have < elders:
            cursor.execute("CREATE TEMP TABLE bench_regions (i int, code varchar(12))")
            cursor.executemany(
                "INSERT INTO bench_regions VALUES (%s, %s)", [(i, c) for i, c in enumerate(communities)]
            )
            cursor.execute(
                """
                INSERT INTO elders_elder (public_id, name, id_number_enc, id_number_hash, id_number_masked,
                    birth_date, sex, phone_enc, phone_hash, phone_tail_hash, phone_masked, region_id, address_enc,
                    address_masked, living_situation, status, capability_standard, capability_level,
                    capability_label, disabled_moderate_plus, notes, created_at, updated_at)
                SELECT md5(g::text || 'e')::uuid, '基准老人', 'x', md5(g::text), '3210**********' || lpad((g %% 10000)::text, 4, '0'),
                    date '1926-01-01' + ((g::bigint * 7919) %% 12000)::int, CASE WHEN g %% 2 = 0 THEN 'M' ELSE 'F' END,
                    '', '', '', '', r.code, '', '', (ARRAY['alone','empty_nest','with_spouse','with_children',
                    'unknown'])[1 + g %% 5], CASE WHEN g %% 97 = 0 THEN 'deceased' ELSE 'active' END, 'gb42195',
                    g %% 5, '', g %% 5 >= 2, '', now(), now()
                FROM generate_series(%s, %s) AS g JOIN bench_regions r ON r.i = g %% %s
                """,
                [have + 1, elders, len(communities)],
            )
        org = Organisation.objects.filter(uscc="91321000BENCH00001").first()
        if org is None:
            org = Organisation.objects.create(
                name="基准养老院", uscc="91321000BENCH00001", org_type="care_home", region_id=communities[0]
            )
            for n, code in enumerate(communities):
                o = Organisation.objects.create(
                    name=f"基准照料中心{n}",
                    uscc=f"91321000BENCH1{n:04d}",
                    org_type="day_care",
                    region_id=code,
                )
                Facility.objects.create(
                    organisation=o,
                    name=f"设施{n}",
                    address="基准",
                    beds_ordinary=20,
                    beds_nursing=30,
                    beds_dementia=3,
                )
        start = timezone.localdate().replace(day=1)
        have_orders = Order.objects.filter(scheduled_start__date__gte=start).count()
        if have_orders < orders:
            item = ServiceItem.objects.order_by("pk").first()
            if item is None:
                item = ServiceItem.objects.create(
                    code="bench", name="基准服务", category="cleaning", standard_minutes=60, price_fen=3000
                )
            cursor.execute(
                """
                INSERT INTO orders_order (public_id, elder_id, service_item_id, status, channel, scheduled_start,
                    price_fen, note, confirmation_code, confirmation_attempts, dispatch_attempts, items_done,
                    service_notes, confirmed_via, rating_comment, created_at, region_code)
                SELECT md5(g::text || 'o')::uuid, e.id, %s, 'confirmed', 'web',
                    date_trunc('month', now()) + ((g %% 20) || ' days')::interval, 3000, '', '000000', 0, 0,
                    '[]', '', '', '', now(), e.region_id
                FROM generate_series(%s, %s) AS g JOIN elders_elder e ON e.id = 1 + (g * 37) %% %s
                """,
                [item.pk, have_orders + 1, orders, max(1, elders - 1)],
            )
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    django_setup()
    import logging

    logging.disable(logging.INFO)
    from django.test import Client
    from django.test.utils import setup_test_environment

    from yiyang.accounts.models import User
    from yiyang.analytics.models import KpiSnapshot
    from yiyang.analytics.services import snapshots_refresh
    from yiyang.elders.models import Elder
    from yiyang.regions.scope import SYSTEM

    setup_test_environment()
    started = time.perf_counter()
    ensure_population(args.elders, args.orders)
    load_s = time.perf_counter() - started
    total = Elder.objects.count()

    started = time.perf_counter()
    result = snapshots_refresh(actor=SYSTEM)
    refresh_s = time.perf_counter() - started
    rows = KpiSnapshot.objects.filter(period=result["period"]).count()

    admin = User.objects.get(username="bench_importer")  # a city admin
    client = Client()
    client.force_login(admin)

    def p95(url: str) -> tuple[float, float]:
        timings = []
        for i in range(args.repeat + 3):
            t = time.perf_counter()
            r = client.get(url)
            ms = (time.perf_counter() - t) * 1000
            assert r.status_code == 200, (url, r.status_code)
            if i >= 3:
                timings.append(ms)
        q = statistics.quantiles(timings, n=100)
        return q[49], q[94]

    base50, base95 = p95("/healthz")
    dash50, dash95 = p95("/analytics/?region=321000000000")
    county50, county95 = p95("/analytics/?region=321002000000")
    print(f"elders in database: {total:,}; orders this month ≥ {args.orders:,}; regions: {result['regions']}")
    print(f"load (SQL generate, not measured as a figure): {load_s:.1f} s")
    print(f"full refresh of all KPIs, every region level: {refresh_s:.1f} s ({rows:,} snapshot rows)")
    print(f"{'page':<40}{'p50':>9}{'p95':>9}{'p95 / baseline':>16}")
    print(f"{'baseline /healthz':<40}{base50:>8.1f}ms{base95:>8.1f}ms{1:>16.1f}")
    print(f"{'dashboard, city (snapshots)':<40}{dash50:>8.1f}ms{dash95:>8.1f}ms{dash95 / base95:>16.1f}")
    print(
        f"{'dashboard, county (snapshots)':<40}{county50:>8.1f}ms{county95:>8.1f}ms{county95 / base95:>16.1f}"
    )
    print(
        "reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_kpis_bench "
        f".venv/bin/python bench/kpis_refresh.py --elders {args.elders} --orders {args.orders}"
    )


if __name__ == "__main__":
    main()
