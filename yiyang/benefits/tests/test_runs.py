"""Payment runs: bands, arrears, recovery after a late death, once per month across counties,
maker–checker, bank files; 免申即享 enrolment from the register."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from openpyxl import load_workbook
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.benefits import services as s
from yiyang.benefits.models import Enrolment, PaymentLine, PaymentRun
from yiyang.benefits.rules import month_add, month_of
from yiyang.benefits.tests.factories import elder_born, make_programmes
from yiyang.core.errors import Conflict, DomainError, Forbidden
from yiyang.elders.services import elder_change_status, elder_update
from yiyang.elders.tests.factories import id_number
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db

OCT_15 = date(2026, 10, 15)


def _world(cast: Any) -> dict[str, Any]:
    """Elders registered before the programmes exist, then recognised by the sweep in October: every
    enrolment starts in November 2026."""
    w = {
        "e85": elder_born(cast, cast.community_a1, date(1941, 5, 1)),
        "e95": elder_born(cast, cast.community_a1, date(1931, 2, 1)),
        "e100": elder_born(cast, cast.community_a1, date(1925, 1, 1)),
        "e70": elder_born(cast, cast.community_a1, date(1956, 1, 1)),
        # turns 90 on 20 November 2026: the November band is the one for the age reached that month
        "e90nov": elder_born(cast, cast.community_a1, date(1936, 11, 20)),
    }
    make_programmes(cast)
    s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=OCT_15)
    return w


def _amounts(run: PaymentRun) -> dict[tuple[int, str, str], int]:
    return {(ln.elder_id, ln.month, ln.kind): ln.amount_fen for ln in run.lines.all()}


def test_november_run_pays_each_band_and_totals_the_lines(cast: Any) -> None:
    w = _world(cast)
    run, created = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2026-11",
    )
    assert created
    got = _amounts(run)
    assert got == {
        (w["e85"].pk, "2026-11", "regular"): 10000,
        (w["e95"].pk, "2026-11", "regular"): 20000,
        (w["e100"].pk, "2026-11", "regular"): 50000,
        (w["e90nov"].pk, "2026-11", "regular"): 20000,
    }
    assert run.total_fen == sum(got.values()) == 100000
    again, created = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2026-11",
    )
    assert (again.pk, created) == (run.pk, False)
    enrolment = Enrolment.objects.get(elder=w["e85"], programme_code="age_allowance")
    assert enrolment.from_month == "2026-11"
    assert [r["rule"] for r in enrolment.explanation] == ["在册", "居住在本地区", "年龄", "补贴档次"]
    assert all(r["ok"] for r in enrolment.explanation)


def test_death_recorded_late_gives_one_recovery_line_and_nothing_more(cast: Any) -> None:
    w = _world(cast)
    a, a2 = cast.county_admin_a, _second_admin(cast)
    nov, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
    )
    s.payment_run_approve(actor=a2, run=nov)
    elder_change_status(
        actor=a, elder=w["e85"], status="deceased", effective_date=date(2026, 10, 20), reason="病故"
    )
    dec, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-12"
    )
    mine = [(ln.month, ln.kind, ln.amount_fen) for ln in dec.lines.filter(elder=w["e85"])]
    assert mine == [("2026-11", "recovery", -10000)]
    assert dec.total_fen == sum(dec.lines.values_list("amount_fen", flat=True))
    jan, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2027-01"
    )
    assert not jan.lines.filter(elder=w["e85"]).exists()


def test_months_never_paid_come_as_arrears(cast: Any) -> None:
    w = _world(cast)
    jan, _ = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2027-01",
    )
    mine = sorted((ln.month, ln.kind) for ln in jan.lines.filter(elder=w["e85"]))
    assert mine == [("2026-11", "arrears"), ("2026-12", "arrears"), ("2027-01", "regular")]


def test_an_elder_who_moved_county_is_paid_once(cast: Any) -> None:
    w = _world(cast)
    a = cast.county_admin_a
    s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
    )
    elder_update(actor=cast.city_admin, elder=w["e85"], region=cast.community_b1)
    b_run, _ = s.payment_run_create(
        actor=cast.county_admin_b,
        programme_code="age_allowance",
        region_code=cast.county_b.code,
        month="2026-11",
    )
    assert not b_run.lines.filter(elder=w["e85"]).exists()
    dec, _ = s.payment_run_create(
        actor=cast.county_admin_b,
        programme_code="age_allowance",
        region_code=cast.county_b.code,
        month="2026-12",
    )
    assert [(ln.month, ln.kind) for ln in dec.lines.filter(elder=w["e85"])] == [("2026-12", "regular")]
    # and the database itself refuses a second payment of the same month, whatever the region
    line = PaymentLine.objects.filter(elder=w["e85"], month="2026-11").get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            run=b_run,
            elder=w["e85"],
            programme_code="age_allowance",
            month="2026-11",
            kind="arrears",
            amount_fen=10000,
            region_code=cast.community_b1.code,
        )
    assert line.region_code == cast.community_a1.code


def _second_admin(cast: Any) -> Any:
    from yiyang.core.testing import cast_user

    return cast_user("cast_county_a_2", "county_admin", cast.county_a)


def test_maker_may_not_approve_and_a_second_admin_may(cast: Any) -> None:
    _world(cast)
    run, _ = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2026-11",
    )
    with pytest.raises(Forbidden):
        s.payment_run_approve(actor=cast.county_admin_a, run=run)
    run.refresh_from_db()
    assert run.status == "draft"
    s.payment_run_approve(actor=_second_admin(cast), run=run)
    run.refresh_from_db()
    assert run.status == "approved"
    with pytest.raises(Conflict):
        s.payment_run_approve(actor=_second_admin(cast), run=run)


def test_bank_files_carry_full_ids_add_up_and_are_audited(cast: Any) -> None:
    w = _world(cast)
    run, _ = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2026-11",
    )
    with pytest.raises(Conflict):  # not before review
        s.payment_run_bank_file(actor=cast.county_admin_a, run=run, fmt="xlsx")
    s.payment_run_approve(actor=_second_admin(cast), run=run)
    before = AuditEvent.objects.filter(event="benefits.bank_file").count()
    book = load_workbook(io.BytesIO(s.payment_run_bank_file(actor=cast.county_admin_a, run=run, fmt="xlsx")))
    rows: list[Any] = list(book.worksheets[0].iter_rows(values_only=True))
    from yiyang.core.pii import decrypt

    assert decrypt(w["e85"].id_number_enc) in {r[2] for r in rows}
    body = [r for r in rows[1:] if r[0] != "合计"]
    total = next(r for r in rows if r[0] == "合计")[3]
    assert round(sum(r[3] for r in body) * 100) == round(total * 100) == run.total_fen
    text = s.payment_run_bank_file(actor=cast.county_admin_a, run=run, fmt="csv").decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[-1][3] == f"{run.total_fen / 100:.2f}"
    assert AuditEvent.objects.filter(event="benefits.bank_file").count() == before + 2


def test_returned_line_is_paid_again_as_arrears(cast: Any) -> None:
    w = _world(cast)
    nov, _ = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2026-11",
    )
    s.payment_run_approve(actor=_second_admin(cast), run=nov)
    line = nov.lines.get(elder=w["e85"])
    s.payment_line_return(actor=cast.county_admin_a, line=line, reason="账户已销户")
    s.payment_run_mark_paid(actor=cast.county_admin_a, run=nov)
    dec, _ = s.payment_run_create(
        actor=cast.county_admin_a,
        programme_code="age_allowance",
        region_code=cast.county_a.code,
        month="2026-12",
    )
    assert sorted((ln.month, ln.kind) for ln in dec.lines.filter(elder=w["e85"])) == [
        ("2026-11", "arrears"),
        ("2026-12", "regular"),
    ]


def test_run_needs_a_county_and_a_known_programme(cast: Any) -> None:
    make_programmes(cast)
    with pytest.raises(DomainError):
        s.payment_run_create(
            actor=cast.county_admin_a,
            programme_code="age_allowance",
            region_code=cast.street_a1.code,
            month="2026-11",
        )
    with pytest.raises(DomainError):
        s.payment_run_create(
            actor=cast.county_admin_a,
            programme_code="nothing",
            region_code=cast.county_a.code,
            month="2026-11",
        )


# --- the API contract --------------------------------------------------------------------------------


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_api_contract_elder_created_through_the_api_is_paid_next_month(cast: Any) -> None:
    from django.utils import timezone

    make_programmes(cast)
    api = _client(cast.county_admin_a)
    programmes = api.get("/api/v1/benefits/programmes/").json()
    age = next(p for p in programmes if p["code"] == "age_allowance")
    assert age["region_code"] == cast.city.code
    assert age["bands"] == [
        {"age_min": 80, "age_max": 89, "monthly_fen": 10000},
        {"age_min": 90, "age_max": 99, "monthly_fen": 20000},
        {"age_min": 100, "age_max": None, "monthly_fen": 50000},
    ]
    next_month = month_add(month_of(timezone.localdate()), 1)
    year = int(next_month[:4])
    born = date(year - 85, 1, 1)
    r = api.post(
        "/api/v1/elders/",
        {"name": "王奶奶", "id_number": id_number(birth=born), "region_code": cast.community_a1.code},
        format="json",
    )
    assert r.status_code == 201, r.content
    elder_id = r.json()["id"]
    mine = api.get(f"/api/v1/elders/{elder_id}/benefits/").json()
    assert mine["enrolments"][0]["programme"] == "age_allowance"
    assert (mine["enrolments"][0]["status"], mine["enrolments"][0]["from_month"]) == ("active", next_month)
    body = {"programme": "age_allowance", "region_code": cast.county_a.code, "month": next_month}
    r = api.post("/api/v1/benefits/payment-runs/", body, format="json")
    assert r.status_code == 201, r.content
    run = r.json()
    assert {"elder": elder_id, "month": next_month, "amount_fen": 10000, "kind": "regular"}.items() <= next(
        ln for ln in run["lines"] if ln["elder"] == elder_id
    ).items()
    assert run["total_fen"] == sum(ln["amount_fen"] for ln in run["lines"])
    again = api.post("/api/v1/benefits/payment-runs/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == run["id"]
    assert api.post(f"/api/v1/benefits/payment-runs/{run['id']}/approve/").status_code == 403
    second = _client(_second_admin(cast))
    assert second.post(f"/api/v1/benefits/payment-runs/{run['id']}/approve/").json()["status"] == "approved"
    mine = api.get(f"/api/v1/elders/{elder_id}/benefits/").json()
    assert mine["payments"] == [
        {
            "programme": "age_allowance",
            "month": next_month,
            "amount_fen": 10000,
            "kind": "regular",
            "status": "pending",
            "run": run["id"],
        }
    ]
    # outside the region: 404
    assert _client(cast.county_admin_b).get(f"/api/v1/elders/{elder_id}/benefits/").status_code == 404


def test_api_refuses_bad_input(cast: Any) -> None:
    make_programmes(cast)
    api = _client(cast.county_admin_a)
    url = "/api/v1/benefits/payment-runs/"
    for body in [
        {"programme": "age_allowance", "region_code": cast.county_a.code, "month": "2026-13"},
        {"programme": "age_allowance", "region_code": cast.county_a.code, "month": "2026-11", "extra": 1},
        {"programme": "age_allowance", "month": "2026-11"},
    ]:
        assert api.post(url, body, format="json").status_code == 400
    body = {"programme": "age_allowance", "region_code": cast.county_b.code, "month": "2026-11"}
    assert api.post(url, body, format="json").status_code == 404
    assert not PaymentRun.objects.exists()


def test_batched_builder_gives_row_for_row_what_the_rules_give(cast: Any, monkeypatch: Any) -> None:
    """A mixed January run (regular, arrears for unpaid and returned months, recovery after a late
    death, a band crossed in November) built in chunks of two elders equals a line-by-line reading of
    the rules (``decide`` per elder and month); one audit row for the run, with its counts."""
    from yiyang.benefits.rules import months_between

    monkeypatch.setattr(s, "LINE_CHUNK", 2)
    w = _world(cast)
    a, a2 = cast.county_admin_a, _second_admin(cast)
    nov, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
    )
    s.payment_run_approve(actor=a2, run=nov)
    s.payment_line_return(actor=a, line=nov.lines.get(elder=w["e95"]), reason="账户已销户")
    s.payment_run_mark_paid(actor=a, run=nov)
    elder_change_status(
        actor=a, elder=w["e85"], status="deceased", effective_date=date(2026, 10, 20), reason="病故"
    )
    paid = {
        (ln.elder_id, ln.month): ln
        for ln in PaymentLine.objects.filter(kind__in=["regular", "arrears"]).exclude(status="returned")
    }
    programme = s.programme_for("age_allowance", cast.county_a.code, "2027-01")
    assert programme is not None
    expected = []
    for enrolment in Enrolment.objects.filter(programme_code="age_allowance").select_related("elder"):
        elder = enrolment.elder
        for m in months_between("2026-11", "2027-01"):
            if enrolment.to_month and m > enrolment.to_month:
                if (elder.pk, m) in paid:
                    done = paid[(elder.pk, m)]
                    expected.append((elder.pk, m, "recovery", -done.amount_fen, done.band, elder.region_id))
                continue
            if (elder.pk, m) in paid:
                continue
            decision = s.decide(elder=elder, programme=programme, month=m, approved_on=OCT_15)
            assert decision.qualifies, decision.rules
            kind = "regular" if m == "2027-01" else "arrears"
            expected.append(
                (elder.pk, m, kind, decision.band.monthly_fen, decision.band.label, elder.region_id)
            )
    jan, _ = s.payment_run_create(
        actor=a, programme_code="age_allowance", region_code=cast.county_a.code, month="2027-01"
    )
    got = [(ln.elder_id, ln.month, ln.kind, ln.amount_fen, ln.band, ln.region_code) for ln in jan.lines.all()]
    assert sorted(got) == sorted(expected)
    assert {x[2] for x in got} == {"regular", "arrears", "recovery"}
    assert (w["e90nov"].pk, "2026-12", "arrears", 20000) in {x[:4] for x in got}
    assert jan.total_fen == sum(x[3] for x in expected)
    audits = AuditEvent.objects.filter(event="benefits.run_created", object_id=str(jan.public_id))
    assert [e.data["lines"] for e in audits] == [len(expected)]
