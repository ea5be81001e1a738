"""Benchmark: classify N elders (default 1,000,000) with the platform's rule engine and generate a month's
visit plan for every community, on PostgreSQL — seconds and peak memory — against one set-based SQL pass
over the same table in the same run (the default rules written as one CASE, and the month's visits per
class counted in SQL). Prints the ratio (aim: within 3×).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_bench_visits .venv/bin/python bench/visits_classify.py 1000000
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import city_and_importer, django_setup, truncate_elders


def populate(n: int, communities: list[str]) -> None:
    """N elders spread over the demo city's communities, in SQL (the import path is benchmarked
    elsewhere): a quarter alone, a tenth empty-nest, ages 60–99, 6% disabled, 3% 计生特殊家庭, 2% 重残."""
    from django.db import connection

    truncate_elders()
    with connection.cursor() as c:
        c.execute("TRUNCATE visits_riskstatus, visits_planitem, visits_visitplan CASCADE")
        c.execute(
            """
            INSERT INTO elders_elder (public_id, name, id_number_enc, id_number_hash, id_number_masked, birth_date,
                sex, phone_enc, phone_hash, phone_tail_hash, phone_masked, region_id, address_enc, address_masked,
                living_situation, status, capability_standard, capability_label, disabled_moderate_plus, notes,
                created_at, updated_at)
            SELECT gen_random_uuid(), '老人' || i, 'x', 'b' || i, '3210**********0000',
                   DATE '1926-06-01' + ((i * 7919) %% 14000),
                   CASE WHEN i %% 2 = 0 THEN 'M' ELSE 'F' END, '', '', '', '',
                   (%s::text[])[1 + (i %% %s)], '', '',
                   CASE WHEN i %% 4 = 0 THEN 'alone' WHEN i %% 10 = 1 THEN 'empty_nest'
                        WHEN i %% 50 = 3 THEN 'left_behind' ELSE 'with_children' END,
                   'active', '', '', (i %% 17 = 0), '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [communities, len(communities), n],
        )
        c.execute(
            """
            INSERT INTO elders_eldercategory (elder_id, category, disability_certificate, disability_kind,
                disability_grade, note)
            SELECT id, CASE WHEN id % 33 = 0 THEN 'family_planning_special' WHEN id % 50 = 7 THEN 'disabled'
                            ELSE 'tekun_dispersed' END, '', '', CASE WHEN id % 50 = 7 THEN 1 END, ''
            FROM elders_elder WHERE id % 33 = 0 OR id % 50 = 7 OR id % 97 = 5
            """
        )
        c.execute("ANALYZE")


SQL_PASS = """
WITH f AS (
  SELECT e.id, e.region_id,
         e.living_situation IN ('alone', 'left_behind') AS alone,
         e.living_situation = 'empty_nest' AS empty_nest,
         e.disabled_moderate_plus AS disabled,
         date_part('year', age(current_date, e.birth_date)) AS age,
         EXISTS (SELECT 1 FROM elders_eldercategory c WHERE c.elder_id = e.id
                 AND c.category = 'disabled' AND c.disability_grade IN (1, 2)) AS severe,
         EXISTS (SELECT 1 FROM elders_eldercategory c WHERE c.elder_id = e.id
                 AND c.category = 'family_planning_special') AS fp,
         EXISTS (SELECT 1 FROM elders_eldercategory c WHERE c.elder_id = e.id
                 AND c.category IN ('tekun_dispersed', 'tekun_centralised')) AS tekun
  FROM elders_elder e WHERE e.status = 'active'
), k AS (
  SELECT id, region_id, tekun, CASE
    WHEN age < 60 THEN NULL
    WHEN alone AND (disabled OR severe OR age >= 80) THEN 'A'
    WHEN alone THEN 'B'
    WHEN empty_nest AND (disabled OR severe OR age >= 80) THEN 'B'
    WHEN fp AND (disabled OR severe OR age >= 80) THEN 'B'
    WHEN empty_nest OR disabled OR severe OR fp THEN 'C' END AS cls
  FROM f
)
SELECT cls, count(*), sum(CASE cls WHEN 'A' THEN 4 WHEN 'B' THEN 2 ELSE 1 END)
FROM k WHERE cls IS NOT NULL OR tekun GROUP BY cls
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from yiyang.regions.scope import SYSTEM
    from yiyang.visits.models import PlanItem, RiskStatus
    from yiyang.visits.services import plan_generate, risk_reclassify_all

    city, _ = city_and_importer()
    communities = [c.code for c in city.all_communities()]
    t = time.perf_counter()
    populate(n, communities)
    print(f"准备 {n:,} 位老人（SQL 生成）：{time.perf_counter() - t:.1f} 秒")

    t = time.perf_counter()
    with connection.cursor() as c:
        c.execute(SQL_PASS)
        rows = c.fetchall()
    sql_s = time.perf_counter() - t
    print(f"基线（一次集合式 SQL：分类并计算本月应探访次数）：{sql_s:.1f} 秒 {sorted(rows, key=str)}")

    period = timezone.localdate().strftime("%Y-%m")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    result = risk_reclassify_all(actor=SYSTEM)
    classify_s = time.perf_counter() - t
    t = time.perf_counter()
    for code in sorted(
        set(RiskStatus.objects.exclude(risk_class="", tekun=False).values_list("region_code", flat=True))
    ):
        plan_generate(actor=SYSTEM, region_code=code, period=period)
    plan_s = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    total = classify_s + plan_s
    print(
        f"平台：分类 {classify_s:.1f} 秒（A {result.get('A', 0):,}、B {result.get('B', 0):,}、C {result.get('C', 0):,}），"
        f"生成 {len(communities)} 个社区本月计划 {plan_s:.1f} 秒（应探访 {PlanItem.objects.count():,} 次）"
    )
    print(f"Python 分配峰值 {peak / 1e6:.0f} MB；进程常驻内存峰值 {max(rss0, rss1) / 1024:.0f} MB")
    print(f"合计 {total:.1f} 秒，是集合式 SQL 的 {total / sql_s:.1f} 倍（目标 3 倍以内）")
    print(f"复现：DATABASE_URL=… .venv/bin/python bench/visits_classify.py {n}")


if __name__ == "__main__":
    main()
