"""Pages: the household page for each role, the plan form, photos with thumbnails and EXIF, the archive
page and PDF, programmes, progress with its .xlsx."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from yiyang.core.testing import cast_user
from yiyang.regions.scope import SYSTEM
from yiyang.renovation import services
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.tests.factories import (
    jpeg_with_exif,
    make_application,
    make_programme,
    make_target_elder,
    upload,
)

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def programme(cast: Any) -> Any:
    return make_programme()


def test_list_and_todo_for_street(cast: Any, programme: Any) -> None:
    waiting = make_application(cast.community_a1, S.SUBMITTED, programme=programme)
    later = make_application(cast.community_a1, S.APPROVED, programme=programme)
    page = login(cast.street_worker_a1).get("/renovation/?todo=1").content.decode()
    assert waiting.number in page and later.number not in page
    assert ">submitted<" not in page and "已申请待街道审核" in page  # labels, never codes


def test_apply_page_checks_then_submits(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1)
    elder.name = "适老测试老人"
    elder.save(update_fields=["name"])
    c = login(cast.community_worker_a1)
    assert "适老测试老人" in c.get("/renovation/apply/?q=适老测试").content.decode()
    form = {
        "programme": str(programme.public_id),
        "elder": str(elder.public_id),
        "housing_right": "1",
        "application_date": "2026-11-01",
    }
    r = c.post("/renovation/apply/", {**form, "op": "check"})
    assert r.status_code == 200 and "符合补贴条件" in r.content.decode()
    assert not elder.__class__.objects.get(pk=elder.pk).__dict__.get("renovation")
    r = c.post("/renovation/apply/", {**form, "op": "submit"})
    assert r.status_code == 302
    detail = c.get(r["Location"]).content.decode()
    assert "已申请待街道审核" in detail


def test_apply_page_names_a_malformed_application_date(cast: Any, programme: Any) -> None:
    from yiyang.renovation.models import Application

    elder = make_target_elder(cast.community_a1)
    before = Application.objects.count()
    r = login(cast.community_worker_a1).post(
        "/renovation/apply/",
        {
            "programme": str(programme.public_id),
            "elder": str(elder.public_id),
            "housing_right": "1",
            "application_date": "2026-02-30",
            "op": "submit",
        },
    )
    assert r.status_code == 400
    assert "申请日期格式不正确" in r.content.decode()  # it used to be taken as today, silently
    assert Application.objects.count() == before


def test_assessment_with_a_malformed_date_is_refused_naming_it(cast: Any, programme: Any) -> None:
    application = make_application(cast.community_a1, S.APPROVED, programme=programme)
    c = login(cast.county_admin_a)
    url = f"/renovation/applications/{application.public_id}/"
    form = {"op": "assess", "note": "入户查看", "assessor_name": "评估员"}
    page = c.post(url, {**form, "assessed_on": "2026-13-01"}, follow=True).content.decode()
    assert "评估日期格式不正确" in page
    application.refresh_from_db()
    assert application.status == S.APPROVED
    c.post(url, {**form, "assessed_on": "2026-11-02"})
    application.refresh_from_db()
    assert application.status == S.ASSESSED and str(application.assessed_on) == "2026-11-02"


def test_apply_page_refuses_demolition_with_reasons(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1)
    c = login(cast.community_worker_a1)
    r = c.post(
        "/renovation/apply/",
        {
            "programme": str(programme.public_id),
            "elder": str(elder.public_id),
            "housing_right": "1",
            "in_demolition_plan": "1",
            "op": "submit",
        },
    )
    assert r.status_code == 200
    assert "住房已列入政府征收、拆迁计划" in r.content.decode()


def test_plan_form_without_reason_cannot_be_signed(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.ASSESSED, programme=programme)
    c = login(cast.county_admin_a)
    form = {"op": "plan"}
    for code in ["SLH-01", "SLH-02", "SLH-11", "SLH-13", "SLH-17", "SLH-24"]:
        form[f"mode-{code}"] = "include"
        form[f"qty-{code}"] = "1"
        form[f"price-{code}"] = "300.50"
    assert c.post(f"/renovation/applications/{app.public_id}/", form).status_code == 302
    app.refresh_from_db()
    assert app.status == S.PLANNED
    assert app.plan_items.get(item__code="SLH-01").unit_price_fen == 30050
    page = login(cast.community_worker_a1).get(f"/renovation/applications/{app.public_id}/").content.decode()
    assert "防走失装置" in page and "plan-gaps" in page
    login(cast.community_worker_a1).post(
        f"/renovation/applications/{app.public_id}/", {"op": "sign", "signed_by": "老人", "relation": "elder"}
    )
    app.refresh_from_db()
    assert app.status == S.PLANNED
    form.update({"mode-SLH-29": "na", "reason-SLH-29": "无失智风险"})
    c.post(f"/renovation/applications/{app.public_id}/", form)
    login(cast.community_worker_a1).post(
        f"/renovation/applications/{app.public_id}/", {"op": "sign", "signed_by": "老人", "relation": "elder"}
    )
    app.refresh_from_db()
    assert app.status == S.SIGNED


def test_photo_upload_keeps_exif_and_makes_a_thumbnail(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.SIGNED, programme=programme)
    photo = services.application_add_photo(
        actor=SYSTEM, application=app, code="SLH-01", kind="before", upload=upload("p.jpg", jpeg_with_exif())
    )
    assert (
        photo.taken_at is not None and photo.taken_at.strftime("%Y-%m-%d %H:%M:%S") == "2026-11-20 09:30:15"
    )
    assert photo.lat == pytest.approx(32.394, abs=1e-3) and photo.lng == pytest.approx(119.412, abs=1e-3)
    assert str(photo.image.name).endswith(".jpg") and str(photo.thumbnail.name).endswith("_t.jpg")
    from PIL import Image

    with photo.thumbnail.open("rb") as fh:
        assert max(Image.open(io.BytesIO(fh.read())).size) <= 320
    c = login(cast.street_worker_a1)
    r = c.get(photo.url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert login(cast.county_admin_b).get(photo.url).status_code == 404
    assert login(cast.street_worker_a1).get(photo.thumbnail_url).status_code == 200


def test_not_a_photo_is_refused(cast: Any, programme: Any) -> None:
    from yiyang.core.errors import DomainError

    app = make_application(cast.community_a1, S.SIGNED, programme=programme)
    with pytest.raises(DomainError):
        services.application_add_photo(
            actor=SYSTEM,
            application=app,
            code="SLH-01",
            kind="before",
            upload=upload("x.png", b"<svg/>" * 10),
        )
    with pytest.raises(DomainError):  # not in the plan (SLH-29 was marked not applicable)
        services.application_add_photo(
            actor=SYSTEM, application=app, code="SLH-29", kind="before", upload=upload()
        )
    assert not app.photos.exists()


def test_archive_page_and_pdf(cast: Any, programme: Any, monkeypatch: Any) -> None:
    from yiyang.renovation import report

    app = make_application(cast.community_a1, S.PAID, programme=programme, cost_fen=250000)
    app.elder.name = "<b>&老人"
    app.elder.save(update_fields=["name"])
    c = login(cast.street_worker_a1)
    page = c.get(f"/renovation/applications/{app.public_id}/archive/").content.decode()
    assert "补助 2000.00 元，个人承担 500.00 元" in page
    assert "&lt;b&gt;&amp;老人" in page
    texts: list[str] = []
    original = report.text_para

    def spy(text: Any, style: Any) -> Any:
        texts.append(str(text))
        return original(text, style)

    monkeypatch.setattr(report, "text_para", spy)
    r = c.get(f"/renovation/applications/{app.public_id}/archive.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    joined = "\n".join(texts)
    assert "<b>&老人" in joined  # printed as text (escaped by text_para)
    assert "防滑处理" in joined and "不适用：老人无失智" in joined  # the plan
    assert "验收日期" in joined and "街道甲" in joined  # the acceptance
    photos = app.photos.count()
    assert photos == 12 and r.content.count(b"/Subtype /Image") >= photos  # before and after of 6 items
    assert {"2500.00", "2000.00", "500.00"} <= set(texts)  # the payment


def test_programme_page_edits_a_draft_and_copies(cast: Any, programme: Any) -> None:
    c = login(cast.city_admin)
    page = c.get(f"/renovation/programmes/{programme.public_id}/").content.decode()
    assert "安装床边护栏（抓杆）" in page and "SLH-" not in page
    r = c.post(f"/renovation/programmes/{programme.public_id}/", {"op": "copy", "year": "2027"})
    assert r.status_code == 302
    from yiyang.renovation.models import Programme

    draft = Programme.objects.get(year=2027)
    form = {
        "op": "update",
        "name": "2027年改造",
        "cap_yuan": "2500",
        "publicity_days": "5",
        "warranty_years": "3",
        "target_categories": ["tekun_dispersed"],
        "price-SLH-01": "650",
    }
    c.post(f"/renovation/programmes/{draft.public_id}/", form)
    draft.refresh_from_db()
    assert (draft.cap_fen, draft.publicity_days, draft.warranty_years, draft.target_categories) == (
        250000,
        5,
        3,
        ["tekun_dispersed"],
    )
    assert draft.items.get(code="SLH-01").reference_price_fen == 65000
    programme.refresh_from_db()
    assert programme.cap_fen == 200000


def test_progress_and_export(cast: Any, programme: Any) -> None:
    from openpyxl import load_workbook

    make_application(cast.community_a1, S.PAID, programme=programme)
    make_application(cast.community_a1, S.SUBMITTED, programme=programme)
    services.quota_set(actor=SYSTEM, programme=programme, county=cast.county_a, households=10)
    c = login(cast.county_admin_a)
    page = c.get(f"/renovation/progress/?programme={programme.public_id}").content.decode()
    assert "广陵区" in page
    r = c.get(f"/renovation/progress/export/?programme={programme.public_id}&level=street")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[2][0] == "文昌街道" and rows[2][2:6] == (2, 1, 1, 1)
    county = c.get(f"/renovation/progress/export/?programme={programme.public_id}")
    rows = list(load_workbook(io.BytesIO(county.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[2][:2] == ("广陵区", 10)


def test_contractor_page_sees_own_households_only(cast: Any, programme: Any) -> None:
    admin = cast_user("reno_page_builder", "provider_admin", cast.county_a)
    mine = make_application(cast.community_a1, S.SIGNED, programme=programme, contractor_admin=admin)
    other = make_application(cast.community_a1, S.SIGNED, programme=programme)
    c = login(admin)
    listing = c.get("/renovation/").content.decode()
    assert mine.number in listing and other.number not in listing
    assert c.get(f"/renovation/applications/{other.public_id}/").status_code == 404
    page = c.get(f"/renovation/applications/{mine.public_id}/").content.decode()
    assert "上传照片" in page and "开工" in page


def test_elder_page_tab_lists_the_households_applications(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.PAID, programme=programme)
    page = login(cast.county_admin_a).get(f"/elders/{app.elder.public_id}/tab/renovation/").content.decode()
    assert app.number in page and "已拨付（质保期）" in page
    assert login(cast.county_admin_b).get(f"/elders/{app.elder.public_id}/tab/renovation/").status_code == 404
