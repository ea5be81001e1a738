"""Pages render with labels, never codes or full ID numbers; the elder page has the benefits tab."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from yiyang.benefits import services as s
from yiyang.benefits.tests.factories import elder_born, make_programmes
from yiyang.core.pii import decrypt
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_county_run_page_shows_totals_by_band_and_masked_ids(cast: Any) -> None:
    elder = elder_born(cast, cast.community_a1, date(1941, 5, 1), categories=["dibao"])
    make_programmes(cast)
    s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=date(2026, 10, 15))
    run, _ = s.payment_run_create(
        actor=SYSTEM, programme_code="age_allowance", region_code=cast.county_a.code, month="2026-11"
    )
    admin = _login(cast.county_admin_a)
    runs = admin.get("/benefits/runs/").content.decode()
    assert "高龄津贴" in runs and "养老服务补贴对象占老年人口比" in runs
    html = admin.get(f"/benefits/runs/{run.public_id}/").content.decode()
    assert "80–89岁" in html and "正常发放" in html and "100.00" in html
    assert elder.id_number_masked in html and decrypt(elder.id_number_enc) not in html
    assert ">regular<" not in html and ">draft<" not in html
    tab = admin.get(f"/elders/{elder.public_id}/tab/benefits/").content.decode()
    assert "高龄津贴" in tab and "享受中" in tab and "免申即享" in tab
    street = _login(cast.street_worker_a1)
    proposals = street.get("/benefits/confirmations/").content.decode()
    assert "养老服务补贴" in proposals and "对象类别" in proposals
    assert admin.get("/benefits/deaths/").status_code == 200
