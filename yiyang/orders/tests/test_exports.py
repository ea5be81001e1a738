"""The .xlsx exports of the order list, the supervision list and the complaint list (issue 11 item 7):
read back with openpyxl — the page's filters, Chinese labels, money as yuan numbers in 0.00, dates as
dates, short numbers and no UUID or code; region scope; formula injection; the audit row. And the
printable caregiver cards (服务卡): masked by default, the full phone and address only through the
caregiver's audited visit reveal."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from yiyang.audit.models import AuditEvent
from yiyang.core.pii import encrypt
from yiyang.orders.choices import FlagCode, OrderStatus
from yiyang.orders.models import Complaint, OrderFlag
from yiyang.orders.tests.factories import make_elder, make_item, make_order, make_provider, make_staff

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _named(region: Any, name: str) -> Any:
    elder = make_elder(region)
    elder.name = name
    elder.save(update_fields=["name"])
    return elder


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sheet(response: Any) -> tuple[list[str], list[list[Any]], Any]:
    """(header, data rows, worksheet) of an export: the header is the row starting with 序号."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    data = [r for r in rows[at + 1 :] if isinstance(r[0], int)]
    return [str(v) for v in rows[at] if v is not None], data, ws


def _all_text(ws: Any) -> str:
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def _world(cast: Any) -> dict[str, Any]:
    org = make_provider(cast.community_a1, name="广陵颐康居家养老服务中心")
    staff = make_staff(org, user=cast.caregiver, name="吴红亮")
    item = make_item()
    when = timezone.make_aware(datetime(2026, 11, 20, 9, 30))
    done = make_order(
        _named(cast.community_a1, "王秀英"),
        item,
        provider=org,
        caregiver=staff,
        status=OrderStatus.CONFIRMED,
        channel="hotline",
        scheduled_start=when,
        checked_in_at=when,
        checked_out_at=when + timedelta(minutes=50),
        check_in_distance_m=12,
        rating=4,
    )
    waiting = make_order(
        _named(cast.community_a1, '=HYPERLINK("http://x")'),
        item,
        provider=org,
        caregiver=staff,
        status=OrderStatus.DISPATCHED,
        scheduled_start=when + timedelta(days=1),
        note="+请带轮椅",
    )
    theirs = make_order(_named(cast.community_b1, "乙县老人"), item, status=OrderStatus.CONFIRMED)
    return {"org": org, "staff": staff, "item": item, "done": done, "waiting": waiting, "theirs": theirs}


def test_order_export_is_the_filtered_list_in_labels_yuan_and_dates(cast: Any) -> None:
    w = _world(cast)
    admin = _client(cast.county_admin_a)
    header, rows, ws = _sheet(admin.get("/services/orders/export.xlsx?status=confirmed"))
    assert header[:7] == ["序号", "工单号", "老人", "所属社区", "服务项目", "预约上门时间", "状态"]
    assert len(rows) == 1  # only the confirmed order of county A (not county B's, not the dispatched one)
    row = dict(zip(header, rows[0], strict=False))
    assert row["工单号"] == w["done"].number and row["工单号"].startswith("GD")
    assert row["老人"] == "王秀英"
    assert row["状态"] == "已确认" and row["来源"] == "12349 热线"  # labels, never the codes
    assert row["服务机构"] == "广陵颐康居家养老服务中心" and row["服务人员"] == "吴红亮"
    assert isinstance(row["预约上门时间"], datetime) and row["预约上门时间"] == datetime(2026, 11, 20, 9, 30)
    assert row["单价(元)"] == pytest.approx(w["item"].price_fen / 100)
    money_cell = ws.cell(row=5, column=header.index("单价(元)") + 1)
    assert money_cell.number_format == "0.00"
    assert ws.cell(row=5, column=6).number_format == "yyyy-mm-dd hh:mm"
    assert row["评分"] == 4 and row["签到距离(米)"] == 12
    text = _all_text(ws)
    assert "状态：已确认" in text  # the filters in words above the table
    assert not UUID.search(text)
    assert "confirmed" not in text and "hotline" not in text and "乙县老人" not in text
    event = AuditEvent.objects.filter(event="orders.export").latest("pk")
    assert event.data["rows"] == 1


def test_order_export_refuses_formulas_and_follows_name_and_date_filters(cast: Any) -> None:
    _world(cast)
    admin = _client(cast.county_admin_a)
    header, rows, _ = _sheet(admin.get("/services/orders/export.xlsx?name=HYPERLINK&date_from=2026-11-21"))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=False))
    assert row["老人"] == '\'=HYPERLINK("http://x")'  # stored as text, never run as a formula
    assert row["需求说明"] == "'+请带轮椅"
    _, none, _ = _sheet(admin.get("/services/orders/export.xlsx?name=HYPERLINK&date_to=2026-11-20"))
    assert none == []
    org = _world_org(cast)
    _, two, ws = _sheet(admin.get(f"/services/orders/export.xlsx?provider={org.public_id}"))
    assert len(two) == 2 and "服务机构：广陵颐康居家养老服务中心" in str(ws["A2"].value)


def _world_org(cast: Any) -> Any:
    from yiyang.orders.models import Order

    return Order.objects.filter(elder__name="王秀英").select_related("provider").get().provider


def test_the_list_page_links_its_export_with_its_filters(cast: Any) -> None:
    _world(cast)
    page = _client(cast.county_admin_a).get("/services/orders/?status=confirmed&name=%E7%8E%8B")
    html = page.content.decode()
    assert 'href="/services/orders/export.xlsx?status=confirmed&amp;name=%E7%8E%8B"' in html


def test_provider_admin_exports_only_their_organisations_orders(cast: Any) -> None:
    from yiyang.core.testing import cast_user

    w = _world(cast)
    other = make_provider(cast.community_a1, name="别家机构")
    make_order(
        _named(cast.community_a1, "别家老人"), w["item"], provider=other, status=OrderStatus.DISPATCHED
    )
    boss = cast_user("boss_x", "provider_admin", cast.county_a)
    w["org"].admins.add(boss)
    _, rows, ws = _sheet(_client(boss).get("/services/orders/export.xlsx"))
    assert len(rows) == 2
    assert "别家老人" not in _all_text(ws)


def test_supervision_export_is_the_tab_and_matches_its_count(cast: Any) -> None:
    w = _world(cast)
    OrderFlag.objects.create(order=w["done"], code=FlagCode.SHORT_SERVICE, message="服务 12 分钟，不足一半")
    OrderFlag.objects.create(order=w["waiting"], code=FlagCode.FAR_CHECK_IN, message="距住址 1.4 公里")
    OrderFlag.objects.create(order=w["theirs"], code=FlagCode.SHORT_SERVICE, message="乙县的异常")
    admin = _client(cast.county_admin_a)
    page = admin.get("/services/supervision/?code=short_service").content.decode()
    assert 'data-code="short_service" data-count="1"' in page
    assert "/services/supervision/export.xlsx?code=short_service" in page
    header, rows, ws = _sheet(admin.get("/services/supervision/export.xlsx?code=short_service"))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=False))
    assert row["异常类型"] == "服务时长不足标准时长一半" and row["核查状态"] == "待核查"
    assert row["工单号"] == w["done"].number and row["老人"] == "王秀英"
    text = _all_text(ws)
    assert "异常类型：服务时长不足标准时长一半" in text
    assert "乙县的异常" not in text and not UUID.search(text) and "short_service" not in text
    _, both, _ = _sheet(admin.get("/services/supervision/export.xlsx"))
    assert len(both) == 2
    assert AuditEvent.objects.filter(event="orders.flags_export").count() == 2


def test_complaint_export_lists_numbers_labels_and_overdue(cast: Any) -> None:
    w = _world(cast)
    now = timezone.now()
    late = Complaint.objects.create(
        order=w["done"],
        channel="hotline",
        category="late",
        description="迟到一小时",
        sla_due_at=now - timedelta(hours=1),
    )
    Complaint.objects.create(
        order=w["theirs"], channel="family", category="quality", description="乙县的投诉", sla_due_at=now
    )
    admin = _client(cast.county_admin_a)
    header, rows, ws = _sheet(admin.get("/services/complaints/export.xlsx?status=pending"))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=False))
    assert row["投诉编号"] == f"TS{late.pk:08d}" and row["工单号"] == w["done"].number
    assert row["投诉类别"] == "超时/迟到" and row["投诉渠道"] == "热线" and row["状态"] == "待受理"
    assert row["是否超期"] == "已超期"
    assert isinstance(row["办结时限"], datetime)
    text = _all_text(ws)
    assert "乙县的投诉" not in text and not UUID.search(text) and "late" not in text
    _, none, _ = _sheet(admin.get("/services/complaints/export.xlsx?category=quality"))
    assert none == []


def test_export_needs_the_lists_permission(cast: Any) -> None:
    assert _client(cast.caregiver).get("/services/supervision/export.xlsx").status_code == 403
    assert _client(cast.caregiver).get("/services/complaints/export.xlsx").status_code == 403
    assert _client(cast.nobody).get("/services/orders/export.xlsx").status_code == 403


# --- 服务卡 ----------------------------------------------------------------------------------------------


def _with_contact(order: Any) -> Any:
    elder = order.elder
    elder.phone_enc = encrypt("13912345678")
    elder.phone_masked = "139****5678"
    elder.address_enc = encrypt("文昌中路 88 号 2 栋 302")
    elder.address_masked = "文昌中路 8****"
    elder.save()
    return order


def test_one_order_card_is_masked_and_the_caregiver_reveal_is_audited(cast: Any) -> None:
    w = _world(cast)
    order = _with_contact(w["waiting"])
    order.status = OrderStatus.ACCEPTED
    order.save(update_fields=["status"])
    url = f"/services/orders/{order.public_id}/card/"
    page = _client(cast.county_admin_a).get(url)
    html = page.content.decode()
    assert "139****5678" in html and "13912345678" not in html and "文昌中路 88 号" not in html
    assert order.number in html and "+请带轮椅" in html and w["item"].name in html
    assert "打印含完整住址和电话" not in html  # the admin is not the visit's caregiver
    assert _client(cast.county_admin_a).post(url).status_code == 403  # the reveal is the caregiver's
    caregiver = _client(cast.caregiver)
    assert "打印含完整住址和电话" in caregiver.get(url).content.decode()
    before = AuditEvent.objects.filter(event="elders.reveal").count()
    shown = caregiver.post(url)
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    html = shown.content.decode()
    assert "13912345678" in html and "文昌中路 88 号 2 栋 302" in html
    assert AuditEvent.objects.filter(event="elders.reveal").count() == before + 2  # address and phone


def test_a_caregivers_day_prints_in_appointment_order_on_a4_or_a6(cast: Any) -> None:
    w = _world(cast)
    day = timezone.localtime(w["done"].scheduled_start).date()
    late = make_order(
        _named(cast.community_a1, "午后老人"),
        w["item"],
        provider=w["org"],
        caregiver=w["staff"],
        status=OrderStatus.ACCEPTED,
        scheduled_start=w["done"].scheduled_start + timedelta(hours=5),
    )
    early = make_order(
        _named(cast.community_a1, "清早老人"),
        w["item"],
        provider=w["org"],
        caregiver=w["staff"],
        status=OrderStatus.DISPATCHED,
        scheduled_start=w["done"].scheduled_start - timedelta(hours=2),
    )
    make_order(  # another caregiver's order that day: not on this caregiver's cards
        _named(cast.community_a1, "别人的老人"),
        w["item"],
        provider=w["org"],
        caregiver=make_staff(w["org"], name="另一位护理员"),
        status=OrderStatus.DISPATCHED,
        scheduled_start=w["done"].scheduled_start,
    )
    _with_contact(late)
    admin = _client(cast.county_admin_a)
    url = f"/services/orders/cards/?caregiver={w['staff'].public_id}&date={day.isoformat()}&paper=a4"
    html = admin.get(url).content.decode()
    assert 'class="paper-a4"' in html
    names = re.findall(r"<h2><span>([^<]+)</span>", html)
    assert names == ["清早老人", "王秀英", "午后老人"], names
    assert "别人的老人" not in html and "打印含完整住址和电话" not in html
    # The caregiver prints their own day without choosing themselves; the full contacts through the reveal
    # only for the order they accepted (the dispatched one stays masked).
    mine = _client(cast.caregiver)
    page = mine.get(f"/services/orders/cards/?date={day.isoformat()}").content.decode()
    assert 'class="paper-a6"' in page and "午后老人" in page
    before = AuditEvent.objects.filter(event="elders.reveal").count()
    shown = mine.post("/services/orders/cards/", {"date": day.isoformat()}).content.decode()
    assert "13912345678" in shown
    assert AuditEvent.objects.filter(event="elders.reveal").count() == before + 2
    assert early.elder.name in shown


def test_a_caregiver_of_another_county_sees_no_cards_of_county_a(cast: Any) -> None:
    from yiyang.core.testing import member

    w = _world(cast)
    day = timezone.localtime(w["done"].scheduled_start).date().isoformat()
    other = _client(member(cast, "caregiver_b"))
    html = other.get(f"/services/orders/cards/?caregiver={w['staff'].public_id}&date={day}").content.decode()
    assert "王秀英" not in html and "吴红亮" not in html
    assert other.get(f"/services/orders/{w['done'].public_id}/card/").status_code == 404
