"""Targets set in the UI as versions (the old stays readable, status judged by the version in force) and
departments' evidence files (content-checked, listed, downloaded with an audit row, 404 outside scope)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from yiyang.analytics import selectors
from yiyang.analytics.models import Kpi, KpiEntry, KpiEvidence, KpiTarget
from yiyang.analytics.services import kpi_target_set
from yiyang.analytics.tests.factories import PDF, make_evidence, png_bytes, xlsx_bytes
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import DomainError, OutOfScope


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(cast: Any, **kw: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "kpi": "nursing_bed_share",
        "region": cast.county_a.code,
        "year": "2026",
        "value": "65",
        "baseline_year": "",
        "baseline_value": "",
        "valid_from": today.isoformat(),
        "valid_to": "",
        "source": "广陵区养老服务体系规划",
        "reason": "区规划提高护理型床位占比",
        **kw,
    }


@pytest.mark.django_db
def test_targets_page_lists_own_and_inherited_targets(cast: Any) -> None:
    page = _client(cast.county_admin_a).get(f"/analytics/targets/?region={cast.county_a.code[:6]}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "指标目标值：" in html and cast.county_a.name in html
    assert "沿用" in html and "演示目标" in html  # the city's seeded targets, inherited
    assert 'name="reason"' in html
    # county B's admin cannot open county A's targets; a street worker lacks the permission
    assert (
        _client(cast.county_admin_b).get(f"/analytics/targets/?region={cast.county_a.code}").status_code
        == 404
    )
    assert _client(cast.street_worker_a1).get("/analytics/targets/").status_code == 403


@pytest.mark.django_db
def test_an_edit_is_a_new_version_and_the_old_stays(cast: Any) -> None:
    client = _client(cast.county_admin_a)
    today = timezone.localdate()
    first = client.post(
        "/analytics/targets/", _form(cast, valid_from=(today - timedelta(days=30)).isoformat())
    )
    assert first.status_code == 302
    old = KpiTarget.objects.get(region_code=cast.county_a.code, kpi__code="nursing_bed_share", year=2026)
    assert old.value == Decimal("65") and old.valid_to is None and old.created_by == cast.county_admin_a
    # 修改: the form starts from the version in force
    edit = client.get(f"/analytics/targets/?region={cast.county_a.code}&kpi=nursing_bed_share&year=2026")
    assert 'value="65.00"' in edit.content.decode()
    second = client.post("/analytics/targets/", _form(cast, value="70", reason="省考核要求提高"))
    assert second.status_code == 302
    versions = list(
        KpiTarget.objects.filter(
            region_code=cast.county_a.code, kpi__code="nursing_bed_share", year=2026
        ).order_by("valid_from")
    )
    assert [v.value for v in versions] == [Decimal("65"), Decimal("70")]
    old.refresh_from_db()
    assert old.value == Decimal("65")  # never overwritten, only closed the day before
    assert old.valid_to == today - timedelta(days=1)
    assert versions[1].replaces == old and versions[1].valid_from == today and versions[1].valid_to is None
    event = AuditEvent.objects.filter(event="kpis.target_set").order_by("-pk").first()
    assert event is not None and event.data["reason"] == "省考核要求提高"
    assert event.data["previous_valid_to"] == (today - timedelta(days=1)).isoformat()
    html = client.get(f"/analytics/targets/?region={cast.county_a.code}").content.decode()
    assert "已失效" in html and "现行" in html and "省考核要求提高" in html
    # status is judged against the version in force on the date asked for
    kpi = Kpi.objects.get(code="nursing_bed_share")
    now = selectors.targets_for([kpi], cast.county_a.code, today)[kpi.pk]
    before = selectors.targets_for([kpi], cast.county_a.code, today - timedelta(days=2))[kpi.pk]
    assert [t.value for t in now if t.year == 2026] == [Decimal("70")]
    assert [t.value for t in before if t.year == 2026] == [Decimal("65")]


@pytest.mark.django_db
def test_target_errors_name_the_field_and_change_nothing(cast: Any) -> None:
    client = _client(cast.county_admin_a)
    before = KpiTarget.objects.count()
    cases = [
        ({"value": "abc"}, "value", "目标值应为数字"),
        ({"value": "150"}, "value", "不能超过 100"),
        ({"year": "1999"}, "year", "目标年份应为"),
        ({"reason": ""}, "reason", "理由"),
        ({"valid_from": "2026-13-01"}, "valid_from", "生效日期格式"),
        ({"valid_to": "2020-01-01"}, "valid_to", "失效日期不能早于生效日期"),
        ({"baseline_year": "2020"}, "baseline_value", "同时填写"),
        ({"kpi": "elders_60"}, "kpi", "统计量"),
    ]
    for change, field, text in cases:
        page = client.post("/analytics/targets/", _form(cast, **change))
        assert page.status_code == 400, change
        assert text in page.content.decode(), (field, change)
    assert KpiTarget.objects.count() == before
    client.post("/analytics/targets/", _form(cast))
    again = client.post("/analytics/targets/", _form(cast, value="66"))  # same start date as the current
    assert again.status_code == 400 and "生效日期应晚于现行版本的生效日期" in again.content.decode()


@pytest.mark.django_db
def test_a_county_cannot_set_the_neighbours_or_the_citys_target(cast: Any) -> None:
    client = _client(cast.county_admin_a)
    before = KpiTarget.objects.count()
    for code in (cast.county_b.code, cast.county_b.code[:6], cast.city.code):
        assert client.post("/analytics/targets/", _form(cast, region=code)).status_code == 404, code
    assert KpiTarget.objects.count() == before
    assert not AuditEvent.objects.filter(event="kpis.target_set").exists()


@pytest.mark.django_db
def test_target_service_checks_scope(cast: Any) -> None:
    with pytest.raises(OutOfScope):
        kpi_target_set(
            actor=cast.county_admin_b,
            kpi_code="nursing_bed_share",
            region_code=cast.county_a.code,
            year=2026,
            value="60",
            valid_from=date(2026, 1, 1),
            reason="越权",
        )
    with pytest.raises(DomainError) as exc:
        kpi_target_set(
            actor=cast.county_admin_a,
            kpi_code="nursing_bed_share",
            region_code=cast.street_a1.code,
            year=2026,
            value="60",
            valid_from=date(2026, 1, 1),
            reason="街道",
        )
    assert "region" in (exc.value.errors or {})


def _entry_form(cast: Any, *files: Any) -> dict[str, Any]:
    return {
        "kpi": "private_bed_share",
        "region": cast.county_a.code,
        "value": "66.5",
        "as_of": "2026-06-30",
        "department": "民政局",
        "evidence": "养老机构床位统计表（2026年6月）",
        "files": list(files),
    }


@pytest.mark.django_db
def test_entry_with_pdf_image_and_xlsx_evidence(cast: Any) -> None:
    client = _client(cast.county_admin_a)
    files = [
        SimpleUploadedFile("床位表.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("明细.xlsx", xlsx_bytes(), content_type="application/octet-stream"),
    ]
    assert client.post("/analytics/entries/", _entry_form(cast, *files)).status_code == 302
    entry = KpiEntry.objects.get()
    stored = list(entry.files.order_by("pk"))
    assert [(f.kind, f.name) for f in stored] == [
        ("pdf", "床位表.pdf"),
        ("png", "现场.png"),
        ("xlsx", "明细.xlsx"),
    ]
    assert all(f.region_code == cast.county_a.code and len(f.sha256) == 64 for f in stored)
    html = client.get("/analytics/entries/").content.decode()
    for f in stored:
        assert f"/analytics/evidence/{f.public_id}/" in html
    # the rows page behind the entered KPI lists them for a reader in scope
    rows = client.get(f"/analytics/rows/private_bed_share/?region={cast.county_a.code}").content.decode()
    assert "床位表.pdf" in rows


@pytest.mark.django_db
def test_bad_evidence_is_refused_naming_the_file(cast: Any) -> None:
    client = _client(cast.county_admin_a)
    bad = [
        (
            SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
            "只能上传 PDF",
        ),
        (
            SimpleUploadedFile("坏图.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40, content_type="image/png"),
            "照片无法识别",
        ),
        (SimpleUploadedFile("压缩包.xlsx", _zip({"a.txt": b"x"}), content_type="application/zip"), ".xlsx"),
        (
            SimpleUploadedFile(
                "宏.xlsx",
                _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/vbaProject.bin": b"0"}),
            ),
            "含宏",
        ),
        (SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"), "文件为空"),
    ]
    for upload, text in bad:
        page = client.post("/analytics/entries/", _entry_form(cast, upload))
        assert page.status_code == 400
        html = page.content.decode()
        assert text in html and f"第 1 个文件（{upload.name}）" in html, (upload.name, html[:0])
    assert not KpiEntry.objects.exists() and not KpiEvidence.objects.exists()


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.django_db
def test_evidence_download_is_audited_and_scoped(cast: Any) -> None:
    mine = make_evidence(cast, cast.community_a1, "广陵区床位表.pdf")
    theirs = make_evidence(cast, cast.community_b1, "邻县床位表.pdf")
    client = _client(cast.county_admin_a)
    got = client.get(f"/analytics/evidence/{mine.public_id}/")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF  # type: ignore[attr-defined]
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    assert AuditEvent.objects.filter(
        event="kpis.evidence_downloaded", actor=cast.county_admin_a, data__file=str(mine.public_id)
    ).exists()
    assert client.get(f"/analytics/evidence/{theirs.public_id}/").status_code == 404
    assert "邻县床位表" not in client.get("/analytics/entries/").content.decode()
    # an auditor of the county reads the dashboards (kpis.view) and may download; no evidence of county B
    auditor = _client(cast.auditor)
    assert auditor.get(f"/analytics/evidence/{mine.public_id}/").status_code == 200
