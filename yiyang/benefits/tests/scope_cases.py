"""Scope cases of benefits: every scoped viewset, action and page, with county-B rows that must not
show to county A (see ``yiyang/core/testing.py``)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from yiyang.benefits import services as s
from yiyang.benefits.models import Enrolment, PaymentLine, PaymentRun
from yiyang.benefits.tests.factories import elder_born, make_programmes
from yiyang.core.pii import decrypt
from yiyang.core.testing import (
    ActionCase,
    ApiScopeCase,
    ObjectGetCase,
    PagePostCase,
    PageScopeCase,
    register_action,
    register_api,
    register_object_get,
    register_page,
    register_page_post,
)
from yiyang.regions.scope import SYSTEM, county_code

OCT_15 = date(2026, 10, 15)


def _elder(cast: Any, region: Any) -> Any:
    elder = elder_born(cast, region, date(1941, 5, 1))
    make_programmes(cast)
    return elder


def _proposal(cast: Any, region: Any) -> Enrolment:
    return s.enrolment_apply(
        actor=SYSTEM, elder=_elder(cast, region), programme_code="service_subsidy", note="低保证"
    )


def _run(cast: Any, region: Any, status: str = "draft") -> PaymentRun:
    _elder(cast, region)
    s.enrolment_sweep(actor=SYSTEM, region_code=county_code(region.code), as_of=OCT_15)
    # An elder registered after the programmes was enrolled from next month by the register's hook: the
    # case wants a November line whatever today is.
    Enrolment.objects.filter(region_code__startswith=region.code[:6]).update(from_month="2026-11")
    run, _ = s.payment_run_create(
        actor=SYSTEM, programme_code="age_allowance", region_code=county_code(region.code), month="2026-11"
    )
    if status != "draft":
        s.payment_run_approve(actor=SYSTEM, run=run)
    return run


def _approved(cast: Any, region: Any) -> PaymentRun:
    return _run(cast, region, "approved")


def _run_children(cast: Any, run: PaymentRun, other: Any) -> list[str]:
    """A line of another county's elder hung under the run (as if written before a transfer)."""
    elder = elder_born(cast, other, date(1939, 3, 3), name="外县老人")
    line = PaymentLine.objects.create(
        run=run,
        elder=elder,
        programme_code="age_allowance",
        month=run.month,
        kind="regular",
        amount_fen=10000,
        region_code=elder.region_id,
    )
    return [str(line.public_id), str(elder.public_id), "外县老人"]


def _enrolment_body(cast: Any, region: Any) -> dict[str, Any]:
    return {"elder": str(_elder(cast, region).public_id), "programme": "service_subsidy", "note": "低保证"}


def _run_body(cast: Any, region: Any) -> dict[str, Any]:
    make_programmes(cast)
    return {"programme": "age_allowance", "region_code": county_code(region.code), "month": "2026-11"}


register_api(
    ApiScopeCase(
        basename="benefit-enrolment", make=_proposal, create=_enrolment_body, count=Enrolment.objects.count
    )
)
register_api(
    ApiScopeCase(
        basename="benefit-run",
        make=_run,
        create=_run_body,
        count=PaymentRun.objects.count,
        children=_run_children,
    )
)

register_action(ActionCase(route="benefit-enrolment-confirm", make=_proposal))
register_action(
    ActionCase(route="benefit-enrolment-reject", make=_proposal, body=lambda c, o: {"reason": "材料不全"})
)
register_action(
    ActionCase(
        route="benefit-run-approve",
        make=_run,
        note="made by the system, so the county admin of A is the second person",
    )
)
register_action(ActionCase(route="benefit-run-mark-paid", make=_approved))
register_action(
    ActionCase(
        route="benefit-run-return-line",
        make=_approved,
        body=lambda c, run: {"line": str(run.lines.get().public_id), "reason": "账户销户"},
        foreign=lambda c, run: {
            "line": str(_approved(c, c.community_b1).lines.get().public_id),
            "reason": "x",
        },
    )
)
register_action(ActionCase(route="benefit-run-bank-xlsx", method="get", make=_approved))
register_action(ActionCase(route="benefit-run-bank-csv", method="get", make=_approved))

# --- pages ---------------------------------------------------------------------------------------------

register_page(
    PageScopeCase(
        name="benefits:run", make=_run, url=lambda r: f"/benefits/runs/{r.public_id}/", children=_run_children
    )
)
register_page(
    PageScopeCase(
        name="benefits:bank_file", make=_approved, url=lambda r: f"/benefits/runs/{r.public_id}/bank.xlsx"
    )
)


def _batch(cast: Any, region: Any) -> Any:
    elder = _elder(cast, region)
    return s.death_import_read(
        actor=SYSTEM, region_code=county_code(region.code), source="police", upload=_death_file(elder)
    )


def _death_file(elder: Any) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(["姓名", "身份证号", "死亡日期"])
    ws.append([elder.name, decrypt(elder.id_number_enc), "2026-10-20"])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("deaths.xlsx", buf.getvalue())


register_page(
    PageScopeCase(name="benefits:death", make=_batch, url=lambda b: f"/benefits/deaths/{b.public_id}/")
)

register_page_post(
    PagePostCase(
        name="benefits:runs",
        make=lambda cast, region: _elder(cast, region),
        url=lambda e: "/benefits/runs/",
        data=lambda cast, e: {
            "programme": "age_allowance",
            "region_code": cast.county_a.code,
            "month": "2026-11",
        },
        outsider_status=None,
    )
)
register_page_post(
    PagePostCase(
        name="benefits:run",
        make=_run,
        url=lambda r: f"/benefits/runs/{r.public_id}/",
        data=lambda cast, r: {"op": "approve"},
    )
)
register_page_post(
    PagePostCase(
        name="benefits:confirmations",
        make=_proposal,
        url=lambda e: "/benefits/confirmations/",
        data=lambda cast, e: {"enrolment": str(e.public_id)},
        outsider_status=None,
    )
)
register_page_post(
    PagePostCase(
        name="benefits:deaths",
        make=lambda cast, region: _elder(cast, region),
        url=lambda e: "/benefits/deaths/",
        data=lambda cast, e: {
            "region_code": cast.county_a.code,
            "source": "police",
            "file": ("deaths.xlsx", _death_file(e).read(), "application/octet-stream"),
        },
        outsider_status=None,
    )
)
register_page_post(
    PagePostCase(name="benefits:death", make=_batch, url=lambda b: f"/benefits/deaths/{b.public_id}/")
)


# An elder's enrolments and payments (``/api/v1/elders/<id>/benefits/``): with county B's enrolment of
# another elder in the world, county A's elder shows only its own.
register_object_get(
    ObjectGetCase(name="elder-benefits", make=_proposal, lookup=lambda e: str(e.elder.public_id))
)
