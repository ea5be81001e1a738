"""Contract of ``GET /api/v1/kpis/``: scope (404 outside), the codes, share_80 equal to the elders
API's counts, no_data instead of zero, and the status rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.analytics import selectors
from yiyang.analytics.models import Kpi, KpiTarget
from yiyang.analytics.tests.factories import populate

URL = "/api/v1/kpis/"
REQUIRED = {"elders_60", "elders_80", "share_80", "nursing_bed_share", "subsidy_recipient_share"}


def _client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def _by_code(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content[:400]
    return {row["code"]: row for row in response.json()}


@pytest.mark.django_db
def test_region_outside_scope_is_404(cast: Any) -> None:
    admin_a = _client(cast.county_admin_a)
    for code in ("321003", cast.street_b1.code, "321000", "999999"):
        response = admin_a.get(URL, {"region": code})
        assert response.status_code == 404, code
        assert response.json()["code"] == "not_found"
    assert admin_a.get(URL, {"region": "321002"}).status_code == 200
    assert admin_a.get(URL, {"region": cast.street_a1.code}).status_code == 200
    street = _client(cast.street_worker_a1)
    assert street.get(URL, {"region": cast.street_a1.code}).status_code == 200
    assert street.get(URL, {"region": "321002"}).status_code == 404


@pytest.mark.django_db
def test_bad_parameters_are_400(cast: Any) -> None:
    admin = _client(cast.city_admin)
    assert admin.get(URL, {"region": "32100x"}).status_code == 400
    assert admin.get(URL, {"year": "1999"}).status_code == 400


@pytest.mark.django_db
def test_codes_present_with_the_contract_fields(cast: Any) -> None:
    rows = _by_code(
        _client(cast.city_admin).get(URL, {"region": "321000", "year": str(timezone.localdate().year)})
    )
    assert rows.keys() >= REQUIRED
    for row in rows.values():
        assert {"code", "name", "unit", "value", "target", "status", "as_of"} <= row.keys()
        assert row["status"] in {"on_track", "at_risk", "behind", "no_data"}
        assert (
            row["as_of"] == timezone.localdate().isoformat()
            or row["status"] == "no_data"
            or row["value_source"] == "entered"
        )


@pytest.mark.django_db
def test_share_80_equals_the_counts_of_the_elders_api(cast: Any) -> None:
    populate(cast)
    admin = _client(cast.city_admin)
    for region in ("321000", "321002", "321003", cast.street_a1.code, cast.community_a1.code):
        rows = _by_code(admin.get(URL, {"region": region}))
        counts = {}
        for key, age in {"60": 60, "80": 80}.items():
            listing = admin.get(
                "/api/v1/elders/", {"region": region, "status": "active", "age_min": age, "page_size": 200}
            )
            assert listing.status_code == 200
            counts[key] = listing.json()["count"]
        assert rows["elders_60"]["value"] == counts["60"]
        assert rows["elders_80"]["value"] == counts["80"]
        expected = round(Decimal(counts["80"] * 100) / Decimal(counts["60"]), 1) if counts["60"] else None
        assert rows["share_80"]["value"] == (float(expected) if expected is not None else None)
    city = _by_code(admin.get(URL, {"region": "321000"}))
    assert (city["elders_60"]["value"], city["elders_80"]["value"]) == (
        8,
        3,
    )  # the one who moved out is not counted
    assert city["share_80"]["value"] == 37.5


@pytest.mark.django_db
def test_missing_data_is_no_data_never_zero(cast: Any) -> None:
    rows = _by_code(_client(cast.city_admin).get(URL, {"region": "321000"}))
    # no facility registered, no device connected, no elder classed for visits, nothing entered, no elders
    for code in (
        "nursing_bed_share",
        "beds_total",
        "alarms_month",
        "visit_rate",
        "private_bed_share",
        "share_80",
    ):
        assert rows[code]["value"] is None, code
        assert rows[code]["status"] == "no_data", code
        assert rows[code]["reason"], code
    assert "风险分类" in rows["visit_rate"]["reason"]
    assert rows["elders_60"]["value"] == 0  # a count of a register that exists is a true zero


@pytest.mark.django_db
def test_visit_rate_agrees_with_the_visits_coverage_api(cast: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from yiyang.elders.tests.factories import make_elder
    from yiyang.visits.services import visit_record

    alone = make_elder(
        cast,
        cast.community_a1,
        living_situation="alone",
        birth_date=timezone.localdate() - timedelta(days=365 * 85),
    )
    make_elder(
        cast,
        cast.community_a1,
        living_situation="alone",
        birth_date=timezone.localdate() - timedelta(days=365 * 70),
    )
    visit_record(
        actor=cast.county_admin_a,
        elder=alone,
        method="phone",
        visited_at=timezone.now(),
        seen=True,
        findings={},
    )
    period = timezone.localdate().strftime("%Y-%m")
    client = _client(cast.county_admin_a)
    coverage = client.get("/api/v1/visits/coverage/", {"region": cast.county_a.code, "period": period}).json()
    rows = _by_code(client.get(URL, {"region": cast.county_a.code}))
    assert coverage["due"] >= 2 and coverage["done"] == 1
    assert rows["visit_rate"]["value"] == round(100 * coverage["done"] / coverage["due"], 1)
    assert "风险分类" not in (rows["visit_rate"]["reason"] or "")  # computed; no target set, so no status


@pytest.mark.django_db
def test_nursing_bed_share_from_facilities_and_status_against_target(cast: Any) -> None:
    from yiyang.orders.tests.factories import make_provider

    org = make_provider(cast.community_a1)
    org.org_type = "care_home"
    org.save()
    org.facilities.create(
        name="颐养院", address="文昌路 1 号", beds_ordinary=20, beds_nursing=75, beds_dementia=5
    )
    rows = _by_code(_client(cast.city_admin).get(URL, {"region": "321000", "year": "2026"}))
    assert rows["nursing_bed_share"]["value"] == 75.0
    assert rows["nursing_bed_share"]["target"] == 72.0  # 扬州 2025 (demo target) carries over to 2026
    assert rows["nursing_bed_share"]["status"] == "on_track"
    county = _by_code(_client(cast.county_admin_b).get(URL, {"region": "321003"}))
    assert county["nursing_bed_share"]["value"] is None  # county B has no beds: no data, not 0 %
    assert county["nursing_bed_share"]["status"] == "no_data"


@pytest.mark.django_db
def test_status_rule_straight_line_path(cast: Any) -> None:
    kpi = Kpi.objects.get(code="caregivers_per_10k")
    target = KpiTarget.objects.get(kpi=kpi, region_code="321000000000", year=2025)  # 13 (2020) → 28 (2025)
    halfway = date(2023, 7, 2)  # about half way: expected ≈ 20.5
    expected = selectors.expected_value(target, halfway)
    assert Decimal("20.3") < expected < Decimal("20.7")

    def status(value: str) -> str:
        item = selectors.KpiValue(kpi, "321000000000", halfway, value=Decimal(value))
        return selectors.judge(item, [target], 2025).status

    assert status("21") == "on_track"
    assert status("19.5") == "at_risk"  # short by less than 10 % of 15
    assert status("18") == "behind"
    none = selectors.judge(selectors.KpiValue(kpi, "321000000000", halfway), [target], 2025)
    assert none.status == "no_data"
