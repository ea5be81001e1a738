"""点菜式下单 (issue 11 item 1): the elder search, the cart's preview against the statement's own rule, the
channel recorded truly, the pages of each role, and 周期服务 plans generating their orders idempotently."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.core.errors import DomainError, OutOfScope
from yiyang.core.testing import cast_user
from yiyang.elders.models import ElderCategory
from yiyang.elders.services import _set_phone
from yiyang.orders import ordering, recurring
from yiyang.orders.models import Order, PlanOccurrence, ServicePlan, SettlementLine
from yiyang.orders.settlement import settlement_generate
from yiyang.orders.tests.factories import make_elder, make_item, make_order, make_world
from yiyang.providers.models import MonthlyQuota, SubsidyRule
from yiyang.regions.scope import SYSTEM


def page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def next_month_day(day: int = 10) -> date:
    """A day safely in the future and inside one month (the quota is per month)."""
    today = timezone.localdate()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=day)


def at(day: date, hour: int = 9) -> Any:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def subsidised(cast: Any) -> dict[str, Any]:
    """低保 elders: the government pays 60 % of 2 services a month; two items in the catalog."""
    w = make_world(cast)
    ElderCategory.objects.create(elder=w["elder"], category="dibao", valid_from=date(2020, 1, 1))
    SubsidyRule.objects.create(category="dibao", government_bp=6000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=2, valid_from=date(2020, 1, 1))
    w["meal"] = make_item(price_fen=1550, minutes=30, category="meal", skills=())
    return w


# --- the cart's preview is the statement's rule ---------------------------------------------------------


def test_quote_splits_each_visit_by_the_subsidy_rule_and_the_monthly_quota(subsidised: Any) -> None:
    w = subsidised
    lines = [ordering.CartLine(item=w["item"], quantity=2), ordering.CartLine(item=w["meal"], quantity=1)]
    quote = ordering.cart_quote(elder=w["elder"], lines=lines, scheduled_start=at(next_month_day()))
    clean, meal = quote.lines
    # 60 % of ¥60.00 for the first two visits (the month's quota), the third pays in full
    assert [v.government_fen for v in clean.visits] == [3600, 3600]
    assert [v.government_fen for v in meal.visits] == [0] and meal.elder_fen == 1550
    assert (quote.price_fen, quote.government_fen, quote.elder_fen) == (13550, 7200, 6350)
    assert (quote.quota, quote.quota_used, quote.quota_left, quote.quota_left_after) == (2, 0, 2, 0)
    # visits follow each other by the standard time: 09:00, 10:00, then the meal at 11:00
    starts = [timezone.localtime(v.start).strftime("%H:%M") for line in quote.lines for v in line.visits]
    assert starts == ["09:00", "10:00", "11:00"]


def test_quote_counts_the_months_booked_orders_against_the_quota(subsidised: Any) -> None:
    w = subsidised
    day = next_month_day()
    make_order(w["elder"], w["item"], scheduled_start=at(day, 14))  # booked, not yet served
    quote = ordering.cart_quote(
        elder=w["elder"],
        lines=[ordering.CartLine(item=w["item"], quantity=2)],
        scheduled_start=at(day + timedelta(1)),
    )
    assert (quote.quota_used, quote.quota_left) == (1, 1)
    assert [v.government_fen for v in quote.lines[0].visits] == [3600, 0]


def test_placed_cart_settles_at_the_amounts_the_quote_showed(cast: Any, subsidised: Any) -> None:
    w = subsidised
    when = timezone.now() + timedelta(hours=3)
    lines = [ordering.CartLine(item=w["item"], quantity=2), ordering.CartLine(item=w["meal"], quantity=1)]
    quote = ordering.cart_quote(elder=w["elder"], lines=lines, scheduled_start=when)
    batch, orders = ordering.cart_place(
        actor=cast.community_worker_a1, elder=w["elder"], lines=lines, scheduled_start=when
    )
    assert len(orders) == 3 and {o.batch for o in orders} == {batch}
    assert {o.channel for o in orders} == {"community"}
    # served in order, same month (as the quote assumed), by the provider at the catalog price
    served = timezone.now()
    for n, o in enumerate(orders):
        Order.objects.filter(pk=o.pk).update(
            status="confirmed",
            provider=w["org"],
            caregiver=w["staff"],
            checked_in_at=served - timedelta(hours=5 - n),
            checked_out_at=served - timedelta(hours=4 - n),
        )
    month = timezone.localtime(served).strftime("%Y-%m")
    if timezone.localtime(quote.lines[0].visits[0].start).strftime("%Y-%m") != month:
        pytest.skip("the visits fall in the next month at this hour")
    settlement, _ = settlement_generate(provider=w["org"], month=month, actor=cast.county_admin_a)
    charged = SettlementLine.objects.filter(settlement=settlement)
    assert sum(line.government_fen for line in charged) == quote.government_fen
    assert sum(line.elder_fen for line in charged) == quote.elder_fen


def test_cart_refuses_an_empty_cart_a_repeated_item_and_an_elder_out_of_scope(cast: Any) -> None:
    w = make_world(cast)
    when = timezone.now() + timedelta(hours=3)
    with pytest.raises(DomainError):
        ordering.cart_place(actor=cast.county_admin_a, elder=w["elder"], lines=[], scheduled_start=when)
    twice = [ordering.CartLine(item=w["item"]), ordering.CartLine(item=w["item"])]
    with pytest.raises(DomainError):
        ordering.cart_place(actor=cast.county_admin_a, elder=w["elder"], lines=twice, scheduled_start=when)
    with pytest.raises(OutOfScope):
        ordering.cart_place(
            actor=cast.county_admin_b,
            elder=w["elder"],
            lines=[ordering.CartLine(item=w["item"])],
            scheduled_start=when,
        )
    assert not Order.objects.exists()


# --- the channel is recorded truly ----------------------------------------------------------------------


def test_channel_follows_who_ordered_and_is_never_defaulted(cast: Any) -> None:
    w = make_world(cast)
    operator = cast_user("op_a", "operator", cast.county_a)
    dispatcher = cast_user("disp_a", "dispatcher", cast.county_a)
    body = {
        "elder": str(w["elder"].public_id),
        "lines": [{"service_item": str(w["item"].public_id), "quantity": 1}],
        "scheduled_start": (timezone.now() + timedelta(hours=3)).isoformat(),
    }
    seen = {}
    for name, user in [
        ("family", cast.family),
        ("operator", operator),
        ("dispatcher", dispatcher),
        ("street", cast.street_worker_a1),
        ("admin", cast.county_admin_a),
    ]:
        r = api(user).post("/api/v1/orders/cart/", body, format="json")
        assert r.status_code == 201, (name, r.content)
        seen[name] = r.json()["orders"][0]["channel"]
    assert seen == {
        "family": "family",
        "operator": "hotline",
        "dispatcher": "dispatcher",
        "street": "community",
        "admin": "web",
    }
    # named explicitly: an operator's call from a one-key device
    r = api(operator).post("/api/v1/orders/cart/", {**body, "channel": "device"}, format="json")
    assert r.status_code == 201 and r.json()["orders"][0]["channel"] == "device"
    # a family member cannot claim the hotline; nobody can claim 周期服务
    assert (
        api(cast.family)
        .post("/api/v1/orders/cart/", {**body, "channel": "hotline"}, format="json")
        .status_code
        == 400
    )
    assert (
        api(operator)
        .post("/api/v1/orders/cart/", {**body, "channel": "recurring"}, format="json")
        .status_code
        == 400
    )
    with pytest.raises(DomainError):
        ordering.cart_place(
            actor=SYSTEM,
            elder=w["elder"],
            lines=[ordering.CartLine(item=w["item"])],
            scheduled_start=timezone.now(),
        )


def test_quote_api_shows_subsidy_and_quota_and_answers_404_for_an_elder_out_of_scope(
    cast: Any, subsidised: Any
) -> None:
    w = subsidised
    body = {
        "elder": str(w["elder"].public_id),
        "lines": [{"service_item": str(w["item"].public_id), "quantity": 3}],
        "scheduled_start": at(next_month_day()).isoformat(),
    }
    r = api(cast.family).post("/api/v1/orders/quote/", body, format="json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["government_fen"], data["elder_fen"], data["quota_left"], data["quota_left_after"]) == (
        7200,
        10800,
        2,
        0,
    )
    assert api(cast.county_admin_b).post("/api/v1/orders/quote/", body, format="json").status_code == 404
    assert not Order.objects.exists()


# --- the elder search -----------------------------------------------------------------------------------


def test_search_by_name_phone_tail_and_id_number_within_scope_only(cast: Any) -> None:
    from yiyang.elders.identity import id_number_index

    a = make_elder(cast.community_a1)
    twin = make_elder(cast.community_a1)
    for e, tail in [(a, "1234"), (twin, "5678")]:
        e.name = "王秀英"
        _set_phone(e, f"1381234{tail}")
        e.id_number_masked = f"3210**********{tail}"
        e.save()
    a.id_number_hash = id_number_index("11010519491231002X")
    a.save()
    theirs = make_elder(cast.community_b1)
    theirs.name = "王秀英"
    theirs.save()

    client = api(cast.community_worker_a1)
    r = client.get("/api/v1/orders/elder-search/", {"q": "秀英"})
    hits = r.json()["results"]
    assert r.json()["kind"] == "name" and {h["id_tail"] for h in hits} == {"1234", "5678"}
    assert all(h["community"] == "文昌社区" and h["age"] > 80 for h in hits)
    assert "13812345678" not in r.content.decode()  # phones only masked
    r = client.get("/api/v1/orders/elder-search/", {"q": "5678"})
    assert r.json()["kind"] == "phone_tail" and [h["id"] for h in r.json()["results"]] == [
        str(twin.public_id)
    ]
    r = client.get("/api/v1/orders/elder-search/", {"q": "11010519491231002x"})
    assert r.json()["kind"] == "id_number" and [h["id"] for h in r.json()["results"]] == [str(a.public_id)]
    # the other county sees none of A's; family members have no search (their own relatives only)
    r = api(cast.county_admin_b).get("/api/v1/orders/elder-search/", {"q": "王秀英"})
    assert [h["id"] for h in r.json()["results"]] == [str(theirs.public_id)]
    assert api(cast.family).get("/api/v1/orders/elder-search/", {"q": "王"}).status_code == 403
    assert client.get("/api/v1/orders/elder-search/", {"q": ""}).status_code == 400


def test_search_page_answers_htmx_with_the_results_only(cast: Any) -> None:
    elder = make_elder(cast.community_a1)
    client = page(cast.community_worker_a1)
    full = client.get("/services/order/", {"q": elder.name}).content.decode()
    assert "为老人下单" in full and f"/services/order/{elder.public_id}/" in full
    part = client.get("/services/order/", {"q": elder.name}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and f"/services/order/{elder.public_id}/" in part
    operator = cast_user("op_a", "operator", cast.county_a)
    assert "电话下单" in page(operator).get("/services/order/").content.decode()


# --- pages of each role ---------------------------------------------------------------------------------


def test_family_orders_two_items_for_their_relative_and_sees_the_subsidy(cast: Any, subsidised: Any) -> None:
    w = subsidised
    client = page(cast.family)
    assert "预约服务" in client.get("/services/family/").content.decode()
    start = client.get("/services/order/").content.decode()
    assert f"/services/order/{w['elder'].public_id}/" in start
    url = f"/services/order/{w['elder'].public_id}/"
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    form = {f"qty_{w['item'].public_id}": "1", f"qty_{w['meal'].public_id}": "1", "scheduled_start": when}
    quote = client.post(url, {**form, "op": "quote"}).content.decode()
    assert "政府补贴" in quote and "¥36.00" in quote and "确认下单" in quote and "剩余" in quote
    r = client.post(url, {**form, "op": "place"})
    assert r.status_code == 302
    orders = Order.objects.filter(elder=w["elder"])
    assert orders.count() == 2 and set(orders.values_list("channel", flat=True)) == {"family"}
    assert "已为" in client.get(r["Location"]).content.decode()
    # not someone else's relative
    other = make_elder(cast.community_a1)
    assert client.get(f"/services/order/{other.public_id}/").status_code == 404


def test_elder_page_offers_ordering_to_the_community_worker(cast: Any) -> None:
    elder = make_elder(cast.community_a1)
    html = page(cast.community_worker_a1).get(f"/elders/{elder.public_id}/?tab=orders").content.decode()
    assert f"/services/order/{elder.public_id}/" in html


# --- 周期服务 ---------------------------------------------------------------------------------------------


def test_plan_makes_weekday_orders_ahead_once_and_pausing_cancels_them(cast: Any) -> None:
    w = make_world(cast)
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())  # next Monday
    plan = recurring.plan_create(
        actor=cast.family,
        elder=w["elder"],
        service_item=w["item"],
        weekdays=["1", "2", "3", "4", "5"],
        time_of_day=time(11, 30),
        start_date=monday,
        end_date=monday + timedelta(days=30),
    )
    assert plan.created_via == "family"
    result = recurring.plans_generate(actor=SYSTEM, today=monday, days=7)
    days = sorted(PlanOccurrence.objects.filter(plan=plan).values_list("day", flat=True))
    assert days == [monday + timedelta(days=n) for n in range(5)] and result["made"] <= 5
    assert set(Order.objects.filter(plan_occurrence__plan=plan).values_list("channel", flat=True)) == {
        "recurring"
    }
    # again: nothing new
    assert recurring.plans_generate(actor=SYSTEM, today=monday, days=7)["made"] == 0
    assert Order.objects.count() == 5
    recurring.plan_pause(plan=plan, actor=cast.family, reason="住院")
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert recurring.plans_generate(actor=SYSTEM, today=monday, days=14)["made"] == 0
    recurring.plan_resume(plan=plan, actor=cast.family, reason="出院")
    made = recurring.plans_generate(actor=SYSTEM, today=monday, days=14)["made"]
    assert made == 5  # the second week; the cancelled first week is not made again
    recurring.plan_end(plan=plan, actor=cast.county_admin_a, reason="不再需要")
    with pytest.raises(DomainError):
        recurring.plan_resume(plan=plan, actor=cast.county_admin_a, reason="再来")


def test_plan_refuses_a_past_start_and_an_other_familys_elder(cast: Any) -> None:
    w = make_world(cast)
    with pytest.raises(DomainError):
        recurring.plan_create(
            actor=cast.county_admin_a,
            elder=w["elder"],
            service_item=w["item"],
            weekdays="3",
            time_of_day=time(9, 0),
            start_date=timezone.localdate() - timedelta(days=1),
        )
    stranger = make_elder(cast.community_a1)
    with pytest.raises(OutOfScope):
        recurring.plan_create(
            actor=cast.family,
            elder=stranger,
            service_item=w["item"],
            weekdays="3",
            time_of_day=time(9, 0),
            start_date=timezone.localdate() + timedelta(days=1),
        )
    assert not ServicePlan.objects.exists()


def test_plan_pages_create_and_pause(cast: Any) -> None:
    w = make_world(cast)
    client = page(cast.community_worker_a1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    r = client.post(
        f"/services/order/{w['elder'].public_id}/plan/",
        {
            "service_item": str(w["item"].public_id),
            "weekdays": [str(tomorrow.isoweekday())],
            "time_of_day": "10:00",
            "start_date": tomorrow.isoformat(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    plan = ServicePlan.objects.get()
    assert plan.created_via == "community"
    html = client.get(r["Location"]).content.decode()
    assert "执行中" in html and "已生成的后续工单" in html
    assert w["elder"].name in client.get("/services/plans/").content.decode()
    client.post(r["Location"], {"op": "pause", "reason": "住院"})
    plan.refresh_from_db()
    assert plan.status == "paused"
    # another county cannot see or change it
    assert page(cast.county_admin_b).post(r["Location"], {"op": "end", "reason": "x"}).status_code == 404


def test_dispatch_board_has_the_elder_search_not_a_dropdown(cast: Any) -> None:
    dispatcher = cast_user("disp_a", "dispatcher", cast.county_a)
    html = page(dispatcher).get("/services/dispatch/").content.decode()
    assert 'name="q"' in html and '<select id="id_elder"' not in html


def test_operator_orders_from_a_call_on_the_pages(cast: Any) -> None:
    w = make_world(cast)
    operator = cast_user("op_a", "operator", cast.county_a)
    client = page(operator)
    found = client.get("/services/order/", {"q": w["elder"].name}, HTTP_HX_REQUEST="true").content.decode()
    assert f"/services/order/{w['elder'].public_id}/" in found
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    form = {f"qty_{w['item'].public_id}": "1", "scheduled_start": when, "channel": "hotline"}
    assert (
        "12349 热线"
        in client.post(f"/services/order/{w['elder'].public_id}/", {**form, "op": "quote"}).content.decode()
    )
    r = client.post(f"/services/order/{w['elder'].public_id}/", {**form, "op": "place"})
    assert r.status_code == 302
    assert Order.objects.get().channel == "hotline"


def test_generate_command_is_idempotent(cast: Any) -> None:
    import io

    from django.core.management import call_command

    w = make_world(cast)
    ServicePlan.objects.create(
        elder=w["elder"],
        service_item=w["item"],
        weekdays="1234567",
        time_of_day=time(23, 59),
        start_date=timezone.localdate(),
        created_via="community",
        region_code=w["elder"].region_id,
    )
    out = io.StringIO()
    call_command("orders_generate_recurring", "--days", "3", stdout=out)
    first = Order.objects.count()
    call_command("orders_generate_recurring", "--days", "3", stdout=out)
    assert first in (2, 3) and Order.objects.count() == first  # today's 23:59 may have passed
    assert set(Order.objects.values_list("channel", flat=True)) == {"recurring"}
