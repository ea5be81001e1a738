"""The hotline pages render for the people who use them: console and live queue, a call popping the
elder's card with an incident or a home-service order from it, the emergency screen with its audited
reveal, work orders, roster, 12345 keys (shown once) and the report with its .xlsx."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.hotline import services
from yiyang.hotline.models import Call, Incident, Integration
from yiyang.hotline.tests.factories import make_incident, make_shift, make_work_order, phone_elder
from yiyang.orders.models import Order
from yiyang.orders.tests.factories import make_item, make_provider, make_staff

pytestmark = pytest.mark.django_db


def page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_console_call_pops_the_card_and_opens_an_incident(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, "13966667777")
    make_shift(cast.county_admin_a, cast.county_a)
    c = page(cast.county_admin_a)
    html = c.get("/hotline/").content.decode()
    assert "当前值班" in html and 'hx-get="/hotline/queue/"' in html and "<script>" not in html
    r = c.post("/hotline/", {"direction": "in", "number": "13966667777", "kind": "emergency"})
    call = Call.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/hotline/calls/{call.public_id}/"
    card = c.get(r["Location"]).content.decode()
    assert elder.name in card and "139****7777" in card and "13966667777" not in card
    r = c.post(r["Location"], {"op": "incident", "elder": str(elder.public_id), "kind": "fall"})
    incident = Incident.objects.get()
    assert incident.call == call and incident.source == "call"
    screen = c.get(r["Location"]).content.decode()
    assert "确认接警" in screen and "附近的服务人员与社区工作者" in screen
    assert "待确认" in screen and ">open<" not in screen  # labels, never codes
    queue = c.get("/hotline/queue/").content.decode()
    assert elder.name in queue and "data-since" in queue


def test_emergency_screen_lists_nearest_responders_and_reveal_is_audited(cast: Any) -> None:
    incident = make_incident(cast.community_a1, "acknowledged")
    org = make_provider(cast.community_a1)
    near = make_staff(org, name="近的护理员", lat=32.3941, lng=119.4121)
    far = make_staff(org, name="远的护理员", lat=32.50, lng=119.60)
    c = page(cast.county_admin_a)
    html = c.get(f"/hotline/incidents/{incident.public_id}/").content.decode()
    assert html.index(near.name) < html.index(far.name)
    assert "13700000001" not in html
    before = AuditEvent.objects.filter(event="elders.reveal").count()
    shown = c.post(
        f"/hotline/incidents/{incident.public_id}/", {"op": "reveal", "field": "address"}
    ).content.decode()
    assert "文昌路 100 号 3 栋 201" in shown
    assert AuditEvent.objects.filter(event="elders.reveal").count() == before + 1
    r = c.post(
        f"/hotline/incidents/{incident.public_id}/", {"op": "dispatch", "responder": str(near.public_id)}
    )
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "dispatched" and incident.responder_staff == near


def _tomorrow() -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def test_service_request_on_a_call_becomes_a_home_service_order(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, "13988889999")
    item = make_item()
    c = page(cast.county_admin_a)
    c.post("/hotline/", {"direction": "in", "number": "13988889999", "kind": "service_request"})
    call = Call.objects.get()
    r = c.post(
        f"/hotline/calls/{call.public_id}/",
        {
            "op": "order",
            "elder": str(elder.public_id),
            "service_item": str(item.public_id),
            "scheduled_start": _tomorrow(),
        },
    )
    order = Order.objects.get()
    assert r["Location"] == f"/services/orders/{order.public_id}/"
    assert order.channel == "hotline" and order.elder == elder and order.status == "created"


def test_work_order_page_moves_it(cast: Any) -> None:
    wo = make_work_order(cast.community_a1)
    c = page(cast.county_admin_a)
    url = f"/hotline/work-orders/{wo.public_id}/"
    assert "派单" in c.get(url).content.decode()
    c.post(url, {"op": "assign", "handler_kind": "community", "handler_name": "文昌社区"})
    c.post(url, {"op": "resolve", "result": "已处理"})
    c.post(url, {"op": "follow_up", "satisfaction": "satisfied"})
    wo.refresh_from_db()
    assert wo.status == "closed" and wo.satisfaction == "satisfied"
    assert "已回访" in c.get("/hotline/work-orders/").content.decode()


def test_key_is_shown_once_and_stored_hashed(cast: Any) -> None:
    c = page(cast.city_admin)
    html = c.post(
        "/hotline/integrations/", {"op": "create", "name": "扬州 12345", "region_code": cast.city.code}
    ).content.decode()
    integration = Integration.objects.get()
    key = html.split('<p class="mono">')[1].split("</p>")[0]
    assert key.startswith("yy12345_") and integration.key_hash != key and key not in integration.key_hash
    secret = html.split('data-testid="new-secret">')[1].split("</p>")[0]
    assert secret == services.callback_secret(integration) and "X-Yiyang-Signature" in html
    listed = c.get("/hotline/integrations/").content.decode()
    assert key not in listed and secret not in listed
    assert page(cast.county_admin_a).get("/hotline/integrations/").status_code == 403


def test_roster_adds_a_shift_and_shows_who_is_on_duty(cast: Any) -> None:
    c = page(cast.county_admin_a)
    c.post(
        "/hotline/roster/",
        {
            "op": "add",
            "user": str(cast.county_admin_a.public_id),
            "role": "supervisor",
            "region_code": cast.county_a.code,
            "starts_at": "2000-01-01T00:00",
            "ends_at": "2000-01-01T12:00",
        },
    )
    assert "已排班" in c.get("/hotline/roster/").content.decode()


def test_report_and_xlsx(cast: Any) -> None:
    make_incident(cast.community_a1, "closed")
    make_work_order(cast.community_a1)
    c = page(cast.county_admin_a)
    html = c.get("/hotline/report/").content.decode()
    assert "紧急呼援" in html and "超期未办结" in html
    r = c.get("/hotline/report/?format=xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["来电统计", "工单与满意度", "紧急呼援"]
    # A malformed date is named (it used to be dropped silently); the report falls back to the last week.
    bad = c.get("/hotline/report/?start=2026-02-30&end=2026-11-20")
    assert bad.status_code == 200 and "开始日期格式不正确，已按最近 7 天统计" in bad.content.decode()
    assert bad.context["start"] == timezone.localdate() - timedelta(days=6)
    chosen = c.get("/hotline/report/?start=2026-11-01&end=2026-11-20")
    assert (str(chosen.context["start"]), str(chosen.context["end"])) == ("2026-11-01", "2026-11-20")


def test_care_call_batch_is_planned_and_worked_as_a_queue(cast: Any) -> None:
    from datetime import date

    from yiyang.hotline.models import CareCallTask

    old_alone = phone_elder(cast.community_a1)
    old_alone.living_situation, old_alone.birth_date = "alone", date(1938, 5, 1)
    old_alone.save()
    young = phone_elder(cast.community_a1)
    young.living_situation, young.birth_date = "alone", date(1960, 5, 1)
    young.save()
    phone_elder(cast.community_b1)  # another county: never in A's batch
    c = page(cast.county_admin_a)
    r = c.post(
        "/hotline/care-calls/",
        {
            "name": "本周 80 岁以上独居",
            "region_code": cast.county_a.code,
            "living_situations": ["alone"],
            "min_age": "80",
        },
    )
    task = CareCallTask.objects.get()
    assert task.elder == old_alone and r["Location"].endswith(f"/{task.batch.public_id}/")
    assert old_alone.name in c.get(r["Location"]).content.decode()
    c.post(r["Location"], {"task": str(task.public_id), "reached": "1", "notes": "身体好"})
    task.refresh_from_db()
    assert task.status == "done" and task.call is not None and task.call.kind == "care_call"


def test_console_card_says_which_relative_is_calling(cast: Any) -> None:
    from yiyang.elders.services import elder_update

    elder = phone_elder(cast.community_a1, "13966660001")
    elder_update(
        actor=cast.county_admin_a,
        elder=elder,
        contacts=[{"name": "李晓红", "relation": "daughter", "phone": "13811112222", "is_emergency": True}],
    )
    stranger = phone_elder(cast.community_b1, "13966660002")
    elder_update(
        actor=cast.county_admin_b,
        elder=stranger,
        contacts=[{"name": "赵大力", "relation": "son", "phone": "13811112222"}],
    )
    c = page(cast.county_admin_a)
    r = c.post("/hotline/", {"direction": "in", "number": "13811112222", "kind": "consultation"})
    call = Call.objects.get()
    assert call.elder == elder and call.region_code == elder.region_id
    card = c.get(r["Location"]).content.decode()
    assert elder.name in card
    assert "来电人：李**（女儿）" in card
    assert stranger.name not in card and "赵" not in card and "13811112222" not in card
    own = c.post("/hotline/", {"direction": "in", "number": "13966660001", "kind": "consultation"})
    own_card = c.get(own["Location"]).content.decode()
    assert "来电人：老人本人" in own_card and "来电人：李" not in own_card
