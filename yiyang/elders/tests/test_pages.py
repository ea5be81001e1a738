from __future__ import annotations

from typing import Any

from django.test import Client

from yiyang.audit.models import AuditEvent
from yiyang.core.tabs import TABS, register_tab
from yiyang.elders.models import Elder
from yiyang.elders.tests.factories import id_number, make_elder


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_page_filters_and_swaps_the_table_with_htmx(cast: Any) -> None:
    make_elder(cast, cast.community_a1, name="周秀珍", categories=["dibao"])
    make_elder(cast, cast.community_a1, name="吴国强")
    make_elder(cast, cast.community_b1, name="邗江老人")
    client = login(cast.county_admin_a)
    page = client.get("/elders/").content.decode()
    assert "周秀珍" in page and "吴国强" in page and "邗江老人" not in page
    partial = client.get("/elders/", {"category": "dibao"}, headers={"HX-Request": "true"}).content.decode()
    assert "周秀珍" in partial and "吴国强" not in partial and "<html" not in partial
    bad = client.get("/elders/", {"age_min": "abc"})
    assert bad.status_code == 200 and "应为 0–200 的整数" in bad.content.decode()


def test_create_form_registers_and_shows_reasons_inline(cast: Any) -> None:
    client = login(cast.county_admin_a)
    form = {
        "name": "钱桂芳",
        "id_number": "321002194803070010",
        "region_code": cast.community_a1.code,
        "living_situation": "alone",
        "phone": "13900001234",
    }
    refused = client.post("/elders/new/", form)
    assert refused.status_code == 400 and "校验码" in refused.content.decode()
    form["id_number"] = id_number(address="321027")
    ok = client.post("/elders/new/", form, follow=True)
    assert ok.status_code == 200 and "已撤销" in ok.content.decode()
    elder = Elder.objects.get()
    assert elder.name == "钱桂芳" and "13900001234" not in ok.content.decode()


def test_inline_id_check_gives_reason_warning_or_duplicate(cast: Any) -> None:
    client = login(cast.county_admin_a)
    assert "长度" in client.post("/elders/validate-id/", {"id_number": "123"}).content.decode()
    assert (
        "已撤销"
        in client.post("/elders/validate-id/", {"id_number": id_number(address="440524")}).content.decode()
    )
    elder = make_elder(cast, cast.community_a1)
    from yiyang.core.pii import decrypt

    again = client.post("/elders/validate-id/", {"id_number": decrypt(elder.id_number_enc)}).content.decode()
    assert "已登记" in again and str(elder.public_id) in again
    other = login(cast.county_admin_b).post(
        "/elders/validate-id/", {"id_number": decrypt(elder.id_number_enc)}
    )
    assert "已在其他地区登记" in other.content.decode() and str(elder.public_id) not in other.content.decode()


def test_detail_page_shows_masked_values_and_reveal_is_audited(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1, phone="13866667777")
    client = login(cast.county_admin_a)
    page = client.get(f"/elders/{elder.public_id}/").content.decode()
    assert "138****7777" in page and "13866667777" not in page and "查看" in page
    shown = client.post(f"/elders/{elder.public_id}/reveal/phone/").content.decode()
    assert "13866667777" in shown
    assert AuditEvent.objects.filter(event="elders.reveal", data__field="phone").count() == 1
    assert login(cast.auditor).post(f"/elders/{elder.public_id}/reveal/phone/").status_code == 403
    assert login(cast.county_admin_b).get(f"/elders/{elder.public_id}/").status_code == 404


def test_later_apps_add_tabs_through_the_registry(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    register_tab(
        "probe",
        "探针页签",
        "elders.view",
        "elders/tabs/contacts.html",
        lambda e, u: {"contacts": []},
        order=50,
    )
    try:
        client = login(cast.county_admin_a)
        assert "探针页签" in client.get(f"/elders/{elder.public_id}/").content.decode()
        assert client.get(f"/elders/{elder.public_id}/tab/probe/").status_code == 200
        assert client.get(f"/elders/{elder.public_id}/tab/nope/").status_code == 404
    finally:
        TABS.pop("probe")


def test_status_page_changes_status_and_records_history(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    client = login(cast.county_admin_a)
    r = client.post(
        f"/elders/{elder.public_id}/status/",
        {"status": "moved_out", "date": "2026-01-02", "reason": "随子女迁往外省"},
        follow=True,
    )
    assert r.status_code == 200 and "已迁出" in r.content.decode()
    elder.refresh_from_db()
    assert elder.status == "moved_out" and elder.status_changes.count() == 1
    refused = client.post(
        f"/elders/{elder.public_id}/status/", {"status": "moved_out", "date": "2026-01-02", "reason": "重复"}
    )
    assert refused.status_code == 400


def test_edit_page_keeps_secrets_when_left_empty(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1, phone="13855550000")
    client = login(cast.county_admin_a)
    form = client.get(f"/elders/{elder.public_id}/edit/").content.decode()
    assert "13855550000" not in form
    r = client.post(
        f"/elders/{elder.public_id}/edit/",
        {
            "name": "改名",
            "region_code": cast.community_a1.code,
            "living_situation": "empty_nest",
            "categories": ["dibao"],
        },
    )
    assert r.status_code == 302
    elder.refresh_from_db()
    assert elder.name == "改名" and elder.phone_masked == "138****0000"
    assert list(elder.categories.values_list("category", flat=True)) == ["dibao"]


def test_list_page_says_more_than_the_cap_and_pages_past_it(cast: Any, settings: Any) -> None:
    settings.YIYANG_COUNT_CAP = 2  # the counting window is never smaller than the page asked for (20 rows)
    for _ in range(22):
        make_elder(cast, cast.community_a1)
    make_elder(cast, cast.community_b1, name="邗江老人")
    client = login(cast.county_admin_a)
    first = client.get("/elders/").content.decode()
    assert "共 20+ 人" in first and "超过计数上限" in first
    assert "第 1 页，共 20+ 条" in first and "下一页" in first
    second = client.get("/elders/", {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert "第 2 / 2 页，共 22 条" in second and "下一页" not in second and "超过计数上限" not in second
    settings.YIYANG_COUNT_CAP = 100
    exact = client.get("/elders/").content.decode()
    assert "共 22 人" in exact and "第 1 / 2 页，共 22 条" in exact and "超过计数上限" not in exact
