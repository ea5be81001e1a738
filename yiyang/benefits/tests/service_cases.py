"""Service cases of benefits (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from yiyang.benefits import services as s
from yiyang.benefits.models import Enrolment
from yiyang.benefits.tests.factories import elder_born, make_programmes
from yiyang.core.errors import Forbidden
from yiyang.core.pii import decrypt
from yiyang.core.tests.service_kit import ServiceCase
from yiyang.regions.scope import SYSTEM

M = "yiyang.benefits.services"
OCT_15 = date(2026, 10, 15)


def _city_admin(cast: Any, world: Any) -> Any:
    return cast.city_admin


def _elder_then_programmes(cast: Any) -> dict[str, Any]:
    w = {"elder": elder_born(cast, cast.community_a1, date(1941, 5, 1))}
    make_programmes(cast)
    return w


def _proposal(cast: Any) -> Enrolment:
    w = _elder_then_programmes(cast)
    return s.enrolment_apply(actor=SYSTEM, elder=w["elder"], programme_code="service_subsidy", note="低保证")


def _run(status: str = "draft") -> Any:
    def arrange(cast: Any) -> Any:
        _elder_then_programmes(cast)
        s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=OCT_15)
        run, _ = s.payment_run_create(
            actor=SYSTEM, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
        )
        if status != "draft":
            s.payment_run_approve(actor=SYSTEM, run=run)
        return run

    return arrange


def _upload(cast: Any) -> dict[str, Any]:
    w = _elder_then_programmes(cast)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(["姓名", "身份证号", "死亡日期"])
    ws.append([w["elder"].name, decrypt(w["elder"].id_number_enc), "2026-10-20"])
    buf = io.BytesIO()
    wb.save(buf)
    w["file"] = lambda: SimpleUploadedFile("deaths.xlsx", buf.getvalue())
    return w


def _batch(cast: Any) -> Any:
    w = _upload(cast)
    return s.death_import_read(
        actor=SYSTEM, region_code=cast.county_a.code, source="funeral", upload=w["file"]()
    )


SERVICE_CASES = {
    f"{M}.enrolment_sweep": ServiceCase(
        arrange=_elder_then_programmes,
        act=lambda cast, w, actor: s.enrolment_sweep(
            actor=actor, region_code=cast.county_a.code, as_of=OCT_15
        ),
    ),
    f"{M}.enrolment_apply": ServiceCase(
        arrange=_elder_then_programmes,
        act=lambda cast, w, actor: s.enrolment_apply(
            actor=actor, elder=w["elder"], programme_code="service_subsidy", note="低保证"
        ),
    ),
    f"{M}.enrolment_confirm": ServiceCase(
        arrange=_proposal, act=lambda cast, w, actor: s.enrolment_confirm(actor=actor, enrolment=w)
    ),
    f"{M}.enrolment_reject": ServiceCase(
        arrange=_proposal,
        act=lambda cast, w, actor: s.enrolment_reject(actor=actor, enrolment=w, reason="材料不全"),
    ),
    f"{M}.payment_run_create": ServiceCase(
        arrange=_elder_then_programmes,
        act=lambda cast, w, actor: s.payment_run_create(
            actor=actor, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
        ),
    ),
    f"{M}.payment_run_approve": ServiceCase(
        arrange=_run(), act=lambda cast, w, actor: s.payment_run_approve(actor=actor, run=w)
    ),
    f"{M}.payment_run_mark_paid": ServiceCase(
        arrange=_run("approved"), act=lambda cast, w, actor: s.payment_run_mark_paid(actor=actor, run=w)
    ),
    f"{M}.payment_line_return": ServiceCase(
        arrange=_run("approved"),
        act=lambda cast, w, actor: s.payment_line_return(
            actor=actor, line=w.lines.first(), reason="账户销户"
        ),
    ),
    f"{M}.payment_run_bank_file": ServiceCase(
        arrange=_run("approved"),
        act=lambda cast, w, actor: s.payment_run_bank_file(actor=actor, run=w, fmt="xlsx"),
    ),
    f"{M}.death_import_read": ServiceCase(
        arrange=_upload,
        act=lambda cast, w, actor: s.death_import_read(
            actor=actor, region_code=cast.county_a.code, source="funeral", upload=w["file"]()
        ),
    ),
    f"{M}.death_import_confirm": ServiceCase(
        arrange=_batch,
        act=lambda cast, w, actor: s.death_import_confirm(actor=actor, batch=w),
        audits=2,  # the batch, and the register's status change of the one elder
    ),
    f"{M}.programme_publish": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.programme_publish(
            actor=actor,
            region_code=cast.city.code,
            code="care_subsidy",
            name="护理补贴",
            kind="care_subsidy",
            payment_mode="cash",
            bands=[(60, None, 20000)],
            valid_from="2026-01",
            min_capability_level=2,
        ),
        actor=_city_admin,
        denied=Forbidden,  # programmes are the city's policy: county admins do not hold the permission
    ),
    f"{M}.programme_seed_defaults": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.programme_seed_defaults(
            actor=actor, region_code=cast.city.code, valid_from="2026-01", first_month="2026-01"
        ),
        actor=_city_admin,
        denied=Forbidden,
        audits=2,
    ),
}

NOT_WRITES = {
    f"{M}.check_month": "parser",
    f"{M}.programme_for": "reader",
    f"{M}.decide": "the rules, computed",
    f"{M}.on_elder_registered": "hook inside the register's gated transaction (elder_create, elder_update)",
    f"{M}.on_elder_status": "hook inside elder_change_status' gated transaction",
    f"{M}.on_elder_transfer": "hook inside the gated transfer (elder_update, import)",
    f"{M}.on_service_charged": "hook inside settlement_generate's gated transaction",
    f"{M}.on_service_charge_reversed": "hook inside settlement_reverse's gated transaction",
}
