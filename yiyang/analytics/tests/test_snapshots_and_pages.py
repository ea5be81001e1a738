"""The monthly snapshot job, the dashboard and wall pages (drill-down, scope), the rows behind a KPI,
the quarterly report (PDF, .xlsx) and the departments' entry page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from yiyang.analytics.models import KpiEntry, KpiSnapshot
from yiyang.analytics.services import months_back, snapshots_backfill
from yiyang.analytics.tests.factories import populate
from yiyang.audit.models import AuditEvent
from yiyang.core.models import JobRun
from yiyang.regions.scope import SYSTEM


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_the_recorded_job_stores_this_months_snapshot_for_every_region(cast: Any) -> None:
    from yiyang.analytics.tasks import kpi_snapshots

    populate(cast)
    kpi_snapshots.apply()
    run = JobRun.objects.get(name="yiyang.analytics.tasks.kpi_snapshots")
    assert run.status == JobRun.Status.SUCCEEDED
    period = months_back(timezone.localdate(), 0)[0]
    rows = KpiSnapshot.objects.filter(period=period, kpi__code="elders_60")
    values = {s.region_code: int(s.value or -1) for s in rows}
    assert values[cast.city.code] == 8
    assert values[cast.county_a.code] == 5
    assert values[cast.street_a1.code] == 5
    assert values[cast.community_b1.code] == 3
    assert not rows.filter(backfilled=True).exists()
    beds = KpiSnapshot.objects.get(period=period, kpi__code="nursing_bed_share", region_code=cast.city.code)
    assert beds.value is None and beds.reason  # no facility: no data, stored with its reason
    # entered KPIs only at city and county level
    assert not KpiSnapshot.objects.filter(
        kpi__code="private_bed_share", region_code=cast.street_a1.code
    ).exists()


@pytest.mark.django_db
def test_backfill_keeps_twelve_months_marked_and_ages_at_each_month_end(cast: Any) -> None:
    populate(cast)
    snapshots_backfill(actor=SYSTEM, months=12)
    periods = sorted(
        KpiSnapshot.objects.filter(kpi__code="elders_60", region_code=cast.city.code).values_list(
            "period", flat=True
        )
    )
    assert len(periods) == 13
    old = KpiSnapshot.objects.get(kpi__code="elders_60", region_code=cast.city.code, period=periods[0])
    assert old.backfilled
    now = KpiSnapshot.objects.get(kpi__code="elders_60", region_code=cast.city.code, period=periods[-1])
    assert int(now.value or -1) == 8
    # at the end of the month a year ago the 61-year-old was already 60, and the elder who moved out this
    # month still lived there: nine
    assert int(old.value or -1) == 9
    assert AuditEvent.objects.filter(event="kpis.snapshots").count() == 13


@pytest.mark.django_db
def test_city_admin_drills_city_county_street_county_admin_sees_only_their_county(cast: Any) -> None:
    populate(cast)
    snapshots_backfill(actor=SYSTEM, months=1)
    city = _client(cast.city_admin)
    page = city.get("/analytics/").content.decode()
    assert "统计监测看板：扬州市" in page and "广陵区" in page and "邗江区" in page
    assert "护理型床位占比" in page and "演示目标" in page
    assert "/planning/map/?region=321000000000" in page
    county = city.get(f"/analytics/?region={cast.county_a.code}").content.decode()
    assert "统计监测看板：广陵区" in county and "文昌街道" in county
    street = city.get(f"/analytics/?region={cast.street_a1.code}")
    assert street.status_code == 200 and "文昌社区" in street.content.decode()
    admin_a = _client(cast.county_admin_a)
    mine = admin_a.get("/analytics/").content.decode()
    assert "统计监测看板：广陵区" in mine and "邗江区" not in mine
    assert admin_a.get(f"/analytics/?region={cast.county_b.code}").status_code == 404
    assert admin_a.get(f"/analytics/?region={cast.city.code}").status_code == 404
    assert admin_a.get(f"/analytics/wall/?region={cast.county_b.code}").status_code == 404
    wall = admin_a.get("/analytics/wall/").content.decode()
    assert "广陵区养老服务统计监测" in wall


@pytest.mark.django_db
def test_rows_of_a_kpi_drill_to_the_filtered_list_or_show_rows(cast: Any) -> None:
    populate(cast)
    admin = _client(cast.county_admin_a)
    response = admin.get(f"/analytics/rows/elders_80/?region={cast.county_a.code}")
    assert response.status_code == 302
    assert response["Location"].startswith("/elders/?") and "age_min=80" in response["Location"]
    listing = admin.get(response["Location"]).content.decode()
    assert "共 2" in listing or listing.count("/elders/") >= 2
    no_beds = admin.get(f"/analytics/rows/beds_total/?region={cast.county_a.code}").content.decode()
    assert "无数据" in no_beds
    assert admin.get(f"/analytics/rows/beds_total/?region={cast.county_b.code}").status_code == 404
    assert admin.get("/analytics/rows/no_such_kpi/").status_code == 404


@pytest.mark.django_db
def test_quarterly_report_pdf_and_xlsx(cast: Any) -> None:
    populate(cast)
    snapshots_backfill(actor=SYSTEM, months=3)
    admin = _client(cast.city_admin)
    pdf = admin.get("/analytics/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    xlsx = admin.get("/analytics/report.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert "季度报告" in ws["A1"].value
    assert [c.value for c in ws[3]] == [
        "序号",
        "指标名称",
        "单位",
        "基期值",
        "目标值",
        "本期值",
        "完成情况",
        "来源",
    ]
    names = [ws.cell(row=r, column=2).value for r in range(4, ws.max_row + 1)]
    assert "护理型床位占比" in names and "养老服务补贴对象占老年人口比" in names
    assert (
        _client(cast.county_admin_a).get(f"/analytics/report.pdf?region={cast.city.code}").status_code == 404
    )


@pytest.mark.django_db
def test_department_entry_is_scoped_audited_and_becomes_the_value(cast: Any) -> None:
    admin = _client(cast.county_admin_a)
    form = {
        "kpi": "private_bed_share",
        "region": cast.county_a.code,
        "value": "66.5",
        "as_of": "2026-06-30",
        "department": "广陵区民政局",
        "evidence": "广陵区养老机构床位统计表（2026年6月）",
    }
    assert admin.post("/analytics/entries/", form).status_code == 302
    entry = KpiEntry.objects.get()
    assert AuditEvent.objects.filter(event="kpis.entered", object_id=str(entry.public_id)).exists()
    bad = admin.post("/analytics/entries/", {**form, "value": "很多"})
    assert bad.status_code == 400 and "填报值应为数字" in bad.content.decode()
    assert admin.post("/analytics/entries/", {**form, "region": cast.county_b.code}).status_code == 404
    assert KpiEntry.objects.count() == 1
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.county_admin_a)
    rows = {r["code"]: r for r in api.get("/api/v1/kpis/", {"region": "321002"}).json()}
    assert rows["private_bed_share"]["value"] == 66.5
    assert rows["private_bed_share"]["target"] == 70.0  # the city's demo target applies to the county
    assert rows["private_bed_share"]["status"] == "behind"
    page = admin.get(f"/analytics/rows/private_bed_share/?region={cast.county_a.code}").content.decode()
    assert "广陵区养老机构床位统计表" in page
