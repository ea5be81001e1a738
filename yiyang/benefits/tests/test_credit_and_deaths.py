"""养老服务补贴 as a service credit (granted by an approved run, spent by settled orders through the
orders' settlement, expired at month end) and death lists confirmed by the county."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone
from openpyxl import Workbook

from yiyang.benefits import selectors
from yiyang.benefits import services as s
from yiyang.benefits.models import Enrolment, ServiceCredit
from yiyang.benefits.tests.factories import elder_born, make_programmes
from yiyang.core.pii import decrypt
from yiyang.core.testing import cast_user
from yiyang.elders.models import ElderCategory
from yiyang.orders.settlement import settlement_generate
from yiyang.orders.tests.factories import make_order, make_world
from yiyang.providers.models import MonthlyQuota, SubsidyRule
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db
OCT_15 = date(2026, 10, 15)


def _second(cast: Any) -> Any:
    return cast_user("cast_county_a_2", "county_admin", cast.county_a)


def _served(world: dict[str, Any], day: int) -> Any:
    at = timezone.make_aware(datetime(2026, 11, day, 9))
    return make_order(
        world["elder"],
        world["item"],
        status="confirmed",
        provider=world["org"],
        caregiver=world["staff"],
        checked_in_at=at,
        checked_out_at=at.replace(hour=10),
    )


def test_service_credit_is_granted_spent_by_settlement_and_expired_and_the_ledger_sums(cast: Any) -> None:
    world = make_world(cast)
    elder = world["elder"]
    ElderCategory.objects.create(elder=elder, category="dibao")
    SubsidyRule.objects.create(category="dibao", government_bp=8000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=4, valid_from=date(2020, 1, 1))
    make_programmes(cast)
    s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=OCT_15)
    proposal = Enrolment.objects.get(elder=elder, programme_code="service_subsidy")
    assert proposal.status == "proposed"  # the street confirms it
    assert {r["rule"] for r in proposal.explanation} >= {"对象类别", "年龄"}
    s.enrolment_confirm(actor=cast.street_worker_a1, enrolment=proposal)

    a, a2 = cast.county_admin_a, _second(cast)
    nov, _ = s.payment_run_create(
        actor=a, programme_code="service_subsidy", region_code=cast.county_a.code, month="2026-11"
    )
    assert [(ln.kind, ln.amount_fen) for ln in nov.lines.all()] == [("regular", 30000)]
    s.payment_run_approve(actor=a2, run=nov)
    assert selectors.credit_balance(elder=elder, programme_code="service_subsidy") == 30000

    order = _served(world, 3)
    government = order.price_fen * 8000 // 10000
    settlement, _ = settlement_generate(provider=world["org"], month="2026-11", actor=a)
    assert settlement.government_fen == government  # the statement is unchanged by the credit
    spend = ServiceCredit.objects.get(kind="spend")
    assert (spend.amount, spend.order_ref) == (-government, order.public_id)
    assert selectors.credit_balance(elder=elder, programme_code="service_subsidy") == 30000 - government

    dec, _ = s.payment_run_create(
        actor=a, programme_code="service_subsidy", region_code=cast.county_a.code, month="2026-12"
    )
    s.payment_run_approve(actor=a2, run=dec)
    kinds = list(ServiceCredit.objects.order_by("pk").values_list("kind", "amount"))
    assert kinds == [
        ("grant", 30000),
        ("spend", -government),
        ("expire", -(30000 - government)),
        ("grant", 30000),
    ]
    # the ledger sums: the balance is the sum of every entry, and equals grants − spends − expiries
    total = ServiceCredit.objects.aggregate(t=Sum("amount"))["t"]
    assert total == selectors.credit_balance(elder=elder, programme_code="service_subsidy") == 30000


def test_reversal_of_a_settled_order_gives_the_credit_back_and_the_ledger_sums(cast: Any) -> None:
    from yiyang.core.errors import Conflict
    from yiyang.orders.settlement import settlement_reverse

    world = make_world(cast)
    elder = world["elder"]
    ElderCategory.objects.create(elder=elder, category="dibao")
    SubsidyRule.objects.create(category="dibao", government_bp=8000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=4, valid_from=date(2020, 1, 1))
    make_programmes(cast)
    s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=OCT_15)
    s.enrolment_confirm(
        actor=cast.street_worker_a1,
        enrolment=Enrolment.objects.get(elder=elder, programme_code="service_subsidy"),
    )
    a = cast.county_admin_a
    nov, _ = s.payment_run_create(
        actor=a, programme_code="service_subsidy", region_code=cast.county_a.code, month="2026-11"
    )
    s.payment_run_approve(actor=_second(cast), run=nov)
    order = _served(world, 3)
    government = order.price_fen * 8000 // 10000
    settlement, _ = settlement_generate(provider=world["org"], month="2026-11", actor=a)
    assert selectors.credit_balance(elder=elder, programme_code="service_subsidy") == 30000 - government

    settlement_reverse(settlement=settlement, order=order, actor=a, reason="未上门服务")

    entries = list(ServiceCredit.objects.order_by("pk").values_list("kind", "amount", "order_ref"))
    assert entries == [
        ("grant", 30000, None),
        ("spend", -government, order.public_id),
        ("reversal", government, order.public_id),
    ]
    total = ServiceCredit.objects.aggregate(t=Sum("amount"))["t"]
    assert total == selectors.credit_balance(elder=elder, programme_code="service_subsidy") == 30000
    with pytest.raises(Conflict):  # once only: a second 冲正 of the same order gives nothing more
        settlement_reverse(settlement=settlement, order=order, actor=a, reason="重复")
    assert ServiceCredit.objects.aggregate(t=Sum("amount"))["t"] == 30000


def _death_list(rows: list[list[Any]]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(["姓名", "身份证号", "死亡日期"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("殡葬死亡名单.xlsx", buf.getvalue())


def test_death_list_confirmed_by_the_county_stops_payment_and_recovers_november(cast: Any) -> None:
    e85 = elder_born(cast, cast.community_a1, date(1941, 5, 1))
    outsider = elder_born(cast, cast.community_b1, date(1940, 1, 1))
    make_programmes(cast)
    s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=OCT_15)
    a, a2 = cast.county_admin_a, _second(cast)
    nov, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
    )
    s.payment_run_approve(actor=a2, run=nov)

    upload = _death_list(
        [
            [e85.name, decrypt(e85.id_number_enc), date(2026, 10, 28)],
            [outsider.name, decrypt(outsider.id_number_enc), "2026-10-01"],
            ["无名", "", "2026-10-01"],
        ]
    )
    batch = s.death_import_read(actor=a, region_code=cast.county_a.code, source="funeral", upload=upload)
    assert [bool(r.get("elder")) for r in batch.rows] == [True, False, False]
    assert "本县（区）未登记" in batch.rows[1]["error"]
    e85.refresh_from_db()
    assert e85.status == "active"  # nothing happens before the county confirms
    s.death_import_confirm(actor=a, batch=batch)
    e85.refresh_from_db()
    outsider.refresh_from_db()
    assert (e85.status, e85.status_date, outsider.status) == ("deceased", date(2026, 10, 28), "active")
    enrolment = Enrolment.objects.get(elder=e85)
    assert (enrolment.status, enrolment.to_month) == ("suspended", "2026-10")
    change = e85.status_changes.first()
    assert "殡葬" in change.reason and change.data.get("benefits_suspended") == 1

    dec, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-12"
    )
    assert [(ln.month, ln.kind, ln.amount_fen) for ln in dec.lines.filter(elder=e85)] == [
        ("2026-11", "recovery", -10000)
    ]


def test_kpi_service_subsidy_ratio(cast: Any) -> None:
    make_programmes(cast)
    subsidised = elder_born(cast, cast.community_a1, date(1950, 1, 1), categories=["dibao"])
    elder_born(cast, cast.community_a1, date(1951, 1, 1))
    elder_born(cast, cast.community_a1, date(1952, 1, 1))
    elder_born(cast, cast.community_a1, date(1953, 1, 1))
    elder_born(cast, cast.community_b1, date(1953, 1, 1))  # another county: not counted
    proposal = Enrolment.objects.get(elder=subsidised, programme_code="service_subsidy")
    assert s.decide(
        elder=subsidised, programme=proposal.programme, month=proposal.from_month, approved_on=OCT_15
    ).qualifies
    kpi = selectors.service_subsidy_ratio(cast.county_a.code)
    assert (kpi["population"], kpi["covered"]) == (4, 0)  # a proposal is not yet a beneficiary
    s.enrolment_confirm(actor=cast.street_worker_a1, enrolment=proposal)
    assert selectors.service_subsidy_ratio(cast.county_a.code)["ratio_bp"] == 2500


def test_monthly_sweep_is_on_the_beat_schedule_before_the_runs_and_enrols(cast: Any) -> None:
    from config.celery import app
    from yiyang.core.models import JobRun

    entry = app.conf.beat_schedule["benefits-enrolment-sweep"]
    assert entry["task"] == "yiyang.benefits.tasks.benefits_enrolment_sweep"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {1}, {0})
    elder = elder_born(cast, cast.community_a1, date(1941, 5, 1))
    make_programmes(cast)
    Enrolment.objects.filter(elder=elder).delete()  # as if registered before the programme existed

    app.tasks["yiyang.benefits.tasks.benefits_enrolment_sweep"].delay()

    run = JobRun.objects.get(name="yiyang.benefits.tasks.benefits_enrolment_sweep")
    assert run.status == "succeeded" and run.result["created"] >= 1
    enrolment = Enrolment.objects.get(elder=elder, programme_code="age_allowance")
    assert enrolment.from_month == s.month_add(s.month_of(timezone.localdate()), 1)
