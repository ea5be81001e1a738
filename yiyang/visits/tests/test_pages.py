"""The pages of 探访关爱: today, record (a finding becomes an order), overview with the overdue list and the
.xlsx 台账, campaigns with the unreached list, rules, the family's last visit."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from yiyang.regions.scope import SYSTEM
from yiyang.visits import services
from yiyang.visits.models import PlanItem, Visit
from yiyang.visits.tests.factories import elder, make_visit, volunteer

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_plan_balances_loads_and_keeps_last_visitor(cast: Any) -> None:
    vol = volunteer(cast)
    elders = [elder(cast, age=85, living="alone") for _ in range(4)]
    plan = services.plan_generate(actor=SYSTEM, region_code=cast.community_a1.code, period=_month())
    per: dict[int, set[int | None]] = {}
    for item in plan.items.all():
        per.setdefault(item.elder_id, set()).add(item.visitor_id)
    assert all(len(v) == 1 for v in per.values())  # one visitor per elder
    loads = [PlanItem.objects.filter(plan=plan, visitor=u).count() for u in (vol, cast.community_worker_a1)]
    assert abs(loads[0] - loads[1]) <= max(1, plan.items.count() // len(elders))
    again = services.plan_generate(actor=SYSTEM, region_code=cast.community_a1.code, period=_month())
    assert again.items.count() == plan.items.count()  # re-running adds nothing new


def test_missed_visit_shows_overdue_and_a_late_visit_closes_it(cast: Any) -> None:
    e = elder(cast, age=85, living="alone")
    plan = services.plan_generate(actor=SYSTEM, region_code=cast.community_a1.code, period=_month())
    item = plan.items.filter(elder=e).first()
    assert item is not None
    today = timezone.localdate()
    PlanItem.objects.filter(pk=item.pk).update(
        slot_start=today - timedelta(days=10),
        slot_end=today - timedelta(days=4),
        visitor=cast.community_worker_a1,
    )
    page = _client(cast.community_worker_a1).get("/visits/today/")
    assert "逾期" in page.content.decode()
    make_visit(cast, e)
    item.refresh_from_db()
    assert item.status == "done_late"


def test_record_page_creates_a_visit_and_a_home_service_order(cast: Any) -> None:
    from yiyang.orders.models import Order
    from yiyang.orders.tests.factories import make_item

    e = elder(cast, age=85, living="alone")
    item = make_item()
    c = _client(cast.community_worker_a1)
    assert c.get(f"/visits/record/{e.public_id}/").status_code == 200
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = c.post(
        f"/visits/record/{e.public_id}/",
        {
            "op": "visit",
            "method": "in_person",
            "seen": "yes",
            "food": "short",
            "hazards": ["stairs"],
            "needs": "需要助餐",
            "fu_order": "1",
            "service_item": str(item.public_id),
            "scheduled_start": when,
        },
    )
    assert r.status_code == 302
    visit = Visit.objects.get(elder=e)
    assert visit.hazard_open and visit.follow_ups.get().kind == "order"
    assert Order.objects.filter(elder=e).count() == 1


def test_overview_overdue_list_and_ledger(cast: Any) -> None:
    e = elder(cast, age=85, living="alone")
    make_visit(cast, e)
    c = _client(cast.county_admin_a)
    page = c.get(f"/visits/?region={cast.county_a.code}&period={_month()}")
    assert page.status_code == 200
    assert "探访率" in page.content.decode() and "文昌街道" in page.content.decode()
    assert c.get(f"/visits/?region={cast.county_b.code}").status_code == 404
    xlsx = c.get(f"/visits/export/?region={cast.county_a.code}&period={_month()}")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    cells = [v for row in book.worksheets[0].iter_rows(values_only=True) for v in row]
    assert e.name in cells and "电话问候" in cells


def test_campaign_lists_unreached_until_reached(cast: Any) -> None:
    a1 = elder(cast, age=85, living="alone")
    a2 = elder(cast, age=88, living="left_behind")
    elder(cast, living="empty_nest")  # C: not in an A campaign
    c = _client(cast.street_worker_a1)
    r = c.post(
        "/visits/campaigns/",
        {
            "name": "高温专项探访",
            "event": "heatwave",
            "region": cast.street_a1.code,
            "classes": ["A"],
            "hours": "24",
        },
    )
    assert r.status_code == 302
    part = c.get(r["Location"] + "?part=unreached").content.decode()
    assert a1.name in part and a2.name in part
    make_visit(cast, a1)
    part = c.get(r["Location"] + "?part=unreached").content.decode()
    assert a1.name not in part and a2.name in part


def test_rules_page_publishes_a_version(cast: Any) -> None:
    c = _client(cast.city_admin)
    assert "独居或留守" in c.get("/visits/rules/").content.decode()
    r = c.post(
        "/visits/rules/",
        {
            "region": cast.city.code,
            "count": "1",
            "code-0": "A1",
            "class-0": "A",
            "name-0": "独居",
            "when-0-0": ["alone"],
        },
    )
    assert r.status_code == 302
    e = elder(cast, age=65, living="alone")
    from yiyang.visits.selectors import risk_of

    assert risk_of(e).risk_class == "A"
    bad = c.post(
        "/visits/rules/",
        {"region": cast.city.code, "count": "1", "code-0": "A1", "class-0": "Z", "name-0": "x"},
    )
    assert bad.status_code == 400


def test_family_page_shows_last_visit(cast: Any) -> None:
    from yiyang.elders.models import ElderContact

    e = elder(cast, age=85, living="alone")
    ElderContact.objects.create(elder=e, name="儿子", relation="son", user=cast.family)
    make_visit(cast, e)
    page = _client(cast.family).get("/services/family/")
    text = page.content.decode()
    assert "社区探访" in text and "电话问候" in text
