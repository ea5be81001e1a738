"""A monthly 高龄津贴 run for N elders on PostgreSQL: the service path (``payment_run_create``: enrolments
read as tuples in chunks, bands computed once per birth date and month, lines copied in, total summed)
against one set-based SQL pass computing the same lines (INSERT … SELECT with the band from the age at
the end of the month) in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_bench .venv/bin/python bench/benefits_run.py --n 1000000

Prints seconds, peak Python memory (tracemalloc, in a separate rolled-back pass) and the ratio
service / SQL."""

from __future__ import annotations

import argparse
import time
import tracemalloc

from _setup import city_and_importer, django_setup, truncate_elders

MONTH = "2026-11"
COUNTY = "321002000000"


def seed(n: int) -> None:
    from django.db import connection

    from yiyang.benefits.services import programme_seed_defaults
    from yiyang.regions.models import Region
    from yiyang.regions.scope import SYSTEM

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE benefits_paymentline, benefits_runevent, benefits_paymentrun, benefits_enrolmentevent, "
            "benefits_enrolment, benefits_servicecredit RESTART IDENTITY CASCADE"
        )
    truncate_elders()
    programme_seed_defaults(actor=SYSTEM, region_code="321000000000", valid_from="2026-01", first_month=MONTH)
    communities = list(
        Region.objects.filter(code__startswith=COUNTY[:6], level="village").values_list("code", flat=True)
    )
    with connection.cursor() as cursor:
        # Elders aged 80–105 at the end of the month, spread over the county's communities (encrypted
        # columns hold placeholders: the run never decrypts).
        cursor.execute(
            """
            INSERT INTO elders_elder (public_id, name, id_number_enc, id_number_hash, id_number_masked,
              birth_date, sex, phone_enc, phone_hash, phone_tail_hash, phone_masked, region_id, address_enc,
              address_masked, living_situation, status, capability_standard, capability_label,
              disabled_moderate_plus, notes, created_at, updated_at)
            SELECT md5(i::text)::uuid, '老人' || i, 'x', md5('id' || i), '3210**********0000',
              DATE '1921-01-01' + (i %% 9000), 'F', '', '', '', '', (%s::text[])[1 + i %% %s], '', '',
              'unknown', 'active', '', '', false, '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [communities, len(communities), n],
        )
        cursor.execute(
            """
            INSERT INTO benefits_enrolment (public_id, elder_id, programme_id, programme_code, region_code,
              status, source, from_month, to_month, explanation, approved_at, created_at)
            SELECT md5('e' || e.id)::uuid, e.id, p.id, p.code, e.region_id, 'active', 'register', %s, '',
              '[]'::jsonb, now(), now()
            FROM elders_elder e, benefits_programme p WHERE p.code = 'age_allowance'
            """,
            [MONTH],
        )
        cursor.execute("ANALYZE elders_elder; ANALYZE benefits_enrolment")


SET_BASED = """
INSERT INTO benefits_paymentline (public_id, run_id, elder_id, programme_code, month, kind, amount_fen, band,
  status, reason, region_code)
SELECT md5('l' || en.elder_id)::uuid, %(run)s, en.elder_id, en.programme_code, %(month)s, 'regular',
  b.monthly_fen, '', 'pending', '', e.region_id
FROM benefits_enrolment en
JOIN elders_elder e ON e.id = en.elder_id
JOIN benefits_band b ON b.programme_id = en.programme_id
  AND date_part('year', age(%(end)s::date, e.birth_date)) BETWEEN b.age_min AND coalesce(b.age_max, 999)
WHERE en.programme_code = 'age_allowance' AND en.region_code LIKE %(prefix)s AND en.status = 'active'
  AND en.from_month <= %(month)s
  AND NOT EXISTS (SELECT 1 FROM benefits_paymentline pl WHERE pl.elder_id = en.elder_id
                  AND pl.programme_code = en.programme_code AND pl.month = %(month)s)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    django_setup()
    city_and_importer()
    from django.db import connection, transaction

    from yiyang.benefits.models import PaymentLine, PaymentRun
    from yiyang.benefits.services import payment_run_create, programme_for
    from yiyang.regions.scope import SYSTEM

    t = time.perf_counter()
    seed(args.n)
    print(f"seeded {args.n:,} elders and enrolments in {time.perf_counter() - t:.1f}s")

    # Set-based pass, rolled back (same table, same month, nothing left behind).
    programme = programme_for("age_allowance", COUNTY, MONTH)
    with transaction.atomic():
        run = PaymentRun.objects.create(
            programme=programme, programme_code="age_allowance", region_code=COUNTY, month=MONTH
        )
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                SET_BASED, {"run": run.pk, "month": MONTH, "end": "2026-11-30", "prefix": COUNTY[:6] + "%"}
            )
            sql_rows = cursor.rowcount
        sql_s = time.perf_counter() - t
        transaction.set_rollback(True)

    # Peak Python memory of the service path, measured in a pass that is rolled back (tracemalloc slows
    # every allocation several times over, so the timed pass below runs without it).
    with transaction.atomic():
        tracemalloc.start()
        payment_run_create(actor=SYSTEM, programme_code="age_allowance", region_code=COUNTY, month=MONTH)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        transaction.set_rollback(True)

    t = time.perf_counter()
    run, _ = payment_run_create(actor=SYSTEM, programme_code="age_allowance", region_code=COUNTY, month=MONTH)
    service_s = time.perf_counter() - t
    lines = PaymentLine.objects.filter(run=run).count()
    print(f"set-based SQL : {sql_rows:,} lines in {sql_s:.2f}s")
    print(f"service path  : {lines:,} lines in {service_s:.2f}s, peak Python memory {peak / 2**20:.0f} MiB")
    print(f"ratio service/SQL: {service_s / sql_s:.1f}x (aim: within 3x)")
    print(f"reproduce: DATABASE_URL=$DATABASE_URL .venv/bin/python bench/benefits_run.py --n {args.n}")


if __name__ == "__main__":
    main()
