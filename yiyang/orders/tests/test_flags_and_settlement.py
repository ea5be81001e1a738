"""Fraud/quality flags are raised at the transition that reveals them and keep the order out of the
statement; settlement is once per order, corrections are reversal lines, and totals balance in fen."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.elders.models import ElderCategory
from yiyang.elders.services import elder_change_status
from yiyang.orders.models import Order, SettlementLine
from yiyang.orders.services import order_check_in, order_check_out, order_confirm
from yiyang.orders.tests.factories import HOME, make_elder, make_item, make_order, make_world
from yiyang.providers.models import MonthlyQuota, SubsidyRule


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def accepted(world: dict[str, Any], **fields: Any) -> Order:
    return make_order(
        world["elder"],
        world["item"],
        status="accepted",
        caregiver=world["staff"],
        provider=world["org"],
        **fields,
    )


MONTH = "2026-10"
_slot = itertools.count()


def serve(cast: Any, order: Order, *, lat: float = HOME[0], lng: float = HOME[1], minutes: int = 60) -> Order:
    """Check in, serve ``minutes``, check out and confirm; then file the visit in its own slot of MONTH
    (so successive visits by one caregiver never overlap)."""
    order_check_in(order=order, actor=cast.caregiver, lat=lat, lng=lng)
    Order.objects.filter(pk=order.pk).update(checked_in_at=timezone.now() - timedelta(minutes=minutes))
    order.refresh_from_db()
    order_check_out(order=order, actor=cast.caregiver, items_done=["服务"], notes="")
    start = timezone.make_aware(datetime(2026, 10, 2, 8)) + timedelta(hours=3 * next(_slot))
    Order.objects.filter(pk=order.pk).update(
        checked_in_at=start, checked_out_at=start + timedelta(minutes=minutes)
    )
    order.refresh_from_db()
    order_confirm(order=order, actor=cast.family)
    order.refresh_from_db()
    return order


def codes(order: Order) -> set[str]:
    return set(order.flags.values_list("code", flat=True))


def month_now() -> str:
    return MONTH


def test_check_in_a_kilometre_away_is_flagged(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world)
    r = client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/check-in/", {"lat": HOME[0] + 0.009, "lng": HOME[1]}, format="json"
    )
    flags = r.json()["flags"]
    assert [(f["code"], f["status"]) for f in flags] == [("far_check_in", "open")]
    assert 950 < r.json()["check_in_distance_m"] < 1050


def test_check_in_at_the_door_is_not_flagged(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0] + 0.001, lng=HOME[1])
    assert codes(order) == set()


def test_five_minute_service_of_a_sixty_minute_item_is_flagged(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    order.refresh_from_db()
    Order.objects.filter(pk=order.pk).update(checked_in_at=timezone.now() - timedelta(minutes=5))
    order.refresh_from_db()
    r = client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/check-out/", {"items_done": ["打扫"]}, format="json"
    )
    assert {f["code"] for f in r.json()["flags"]} == {"short_service"}


def test_one_caregiver_in_two_places_at_once_is_flagged(cast: Any, world: dict[str, Any]) -> None:
    first, second = accepted(world), accepted(world)
    order_check_in(order=first, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    order_check_in(order=second, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    assert codes(second) == {"double_presence"}


def test_backdated_check_in_is_flagged(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world, scheduled_start=timezone.now() - timedelta(hours=3))
    order_check_in(
        order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1], at=timezone.now() - timedelta(hours=3)
    )
    assert codes(order) == {"backdated"}


def test_uncertified_staff_is_flagged(cast: Any, world: dict[str, Any]) -> None:
    world["staff"].certificates.update(valid_until=date(2020, 1, 1))
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    assert codes(order) == {"uncertified_staff"}


def test_elder_death_cancels_open_orders_and_flags_served_ones(cast: Any, world: dict[str, Any]) -> None:
    waiting = make_order(world["elder"], world["item"])
    in_service = accepted(world)
    order_check_in(order=in_service, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    elder_change_status(
        actor=cast.county_admin_a,
        elder=world["elder"],
        status="deceased",
        effective_date=timezone.localdate() - timedelta(days=1),
        reason="病故",
    )
    assert Order.objects.get(pk=waiting.pk).status == "cancelled"
    assert codes(in_service) == {"inactive_elder"}
    change = world["elder"].status_changes.get()
    assert change.data == {"orders_cancelled": 1, "orders_flagged": 1}


def test_flagged_orders_are_absent_from_the_statement_until_cleared(cast: Any, world: dict[str, Any]) -> None:
    clean = serve(cast, accepted(world))
    far = serve(cast, accepted(world), lat=HOME[0] + 0.009)
    short = serve(cast, accepted(world), minutes=5)
    dead_elder = make_elder(cast.community_a1, family=cast.family, status="deceased")
    dead = serve(
        cast,
        make_order(
            dead_elder, world["item"], status="accepted", caregiver=world["staff"], provider=world["org"]
        ),
    )
    assert (
        codes(far) == {"far_check_in"}
        and codes(short) == {"short_service"}
        and codes(dead) == {"inactive_elder"}
    )

    admin = client(cast.county_admin_a)
    body = {"provider": str(world["org"].public_id), "month": month_now()}
    r = admin.post("/api/v1/settlements/", body, format="json")
    assert r.status_code == 201
    statement = r.json()
    assert [line["order"] for line in statement["lines"]] == [str(clean.public_id)]
    assert statement["total_fen"] == 6000

    again = admin.post("/api/v1/settlements/", body, format="json")
    assert again.status_code == 200 and again.json() == statement
    assert SettlementLine.objects.count() == 1

    resolve = admin.post(
        f"/api/v1/orders/{far.public_id}/resolve-flag/",
        {"code": "far_check_in", "decision": "clear", "reason": "老人在女儿家接受服务，已电话核实"},
        format="json",
    )
    assert resolve.status_code == 200 and resolve.json()["flags"][0]["status"] == "cleared"
    admin.post(
        f"/api/v1/orders/{short.public_id}/resolve-flag/",
        {"code": "short_service", "decision": "reject", "reason": "回访确认未提供服务"},
        format="json",
    )
    assert Order.objects.get(pk=far.pk).status == "confirmed"
    from yiyang.orders.settlement import parse_month, settleable_orders

    start, end = parse_month(month_now())
    assert list(settleable_orders(world["org"], start, end)) == [far]


def test_an_order_cleared_after_its_month_was_settled_is_carried_into_the_next_statement(
    cast: Any, world: dict[str, Any]
) -> None:
    ElderCategory.objects.create(elder=world["elder"], category="dibao")
    SubsidyRule.objects.create(category="dibao", government_bp=8000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=1, valid_from=date(2020, 1, 1))
    far = serve(cast, accepted(world), lat=HOME[0] + 0.009)  # October, flagged
    admin = client(cast.county_admin_a)
    provider = str(world["org"].public_id)
    october = admin.post("/api/v1/settlements/", {"provider": provider, "month": MONTH}, format="json").json()
    assert october["lines"] == []
    admin.post(
        f"/api/v1/orders/{far.public_id}/resolve-flag/",
        {"code": "far_check_in", "decision": "clear", "reason": "已电话核实"},
        format="json",
    )
    # A November visit uses November's quota; the carried October visit uses October's (still unused).
    november_visit = serve(cast, accepted(world))
    Order.objects.filter(pk=november_visit.pk).update(
        checked_in_at=timezone.make_aware(datetime(2026, 11, 3, 9)),
        checked_out_at=timezone.make_aware(datetime(2026, 11, 3, 10)),
    )
    again = admin.post("/api/v1/settlements/", {"provider": provider, "month": MONTH}, format="json")
    assert again.status_code == 200 and again.json()["lines"] == []
    november = admin.post("/api/v1/settlements/", {"provider": provider, "month": "2026-11"}, format="json")
    lines = {ln["order"]: ln for ln in november.json()["lines"]}
    assert set(lines) == {str(far.public_id), str(november_visit.public_id)}
    assert lines[str(far.public_id)]["quota_used"] and lines[str(november_visit.public_id)]["quota_used"]
    assert "补结 2026-10" in lines[str(far.public_id)]["reason"]
    assert Order.objects.get(pk=far.pk).status == "settled"
    repeat = admin.post("/api/v1/settlements/", {"provider": provider, "month": "2026-11"}, format="json")
    assert repeat.json() == november.json() and SettlementLine.objects.count() == 2


def test_a_month_not_yet_settled_keeps_its_own_orders(cast: Any, world: dict[str, Any]) -> None:
    serve(cast, accepted(world))  # October; October has no statement yet
    admin = client(cast.county_admin_a)
    provider = str(world["org"].public_id)
    november = admin.post("/api/v1/settlements/", {"provider": provider, "month": "2026-11"}, format="json")
    assert november.json()["lines"] == []
    october = admin.post("/api/v1/settlements/", {"provider": provider, "month": MONTH}, format="json")
    assert len(october.json()["lines"]) == 1


def test_resolving_a_flag_needs_a_reason_and_the_supervise_permission(
    cast: Any, world: dict[str, Any]
) -> None:
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0] + 0.009, lng=HOME[1])
    url = f"/api/v1/orders/{order.public_id}/resolve-flag/"
    assert (
        client(cast.county_admin_a)
        .post(url, {"code": "far_check_in", "decision": "clear", "reason": ""}, format="json")
        .status_code
        == 400
    )
    assert (
        client(cast.street_worker_a1)
        .post(url, {"code": "far_check_in", "decision": "clear", "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert order.flags.get().status == "open"


def test_government_share_quota_and_balance(cast: Any, world: dict[str, Any]) -> None:
    ElderCategory.objects.create(elder=world["elder"], category="dibao")
    SubsidyRule.objects.create(category="dibao", government_bp=8000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=2, valid_from=date(2020, 1, 1))
    odd = make_item(price_fen=3333)
    orders = [serve(cast, accepted(world)) for _ in range(2)]
    orders.append(
        serve(
            cast,
            make_order(
                world["elder"],
                odd,
                status="accepted",
                caregiver=world["staff"],
                provider=world["org"],
            ),
            minutes=40,
        )
    )
    r = client(cast.county_admin_a).post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": month_now()}, format="json"
    )
    s = r.json()
    lines = s["lines"]
    assert [(ln["government_fen"], ln["elder_fen"], ln["quota_used"]) for ln in lines] == [
        (4800, 1200, True),
        (4800, 1200, True),
        (0, 3333, False),
    ]
    assert s["quotas_used"] == 2
    assert s["total_fen"] == s["government_fen"] + s["elder_fen"] == sum(ln["amount_fen"] for ln in lines)
    assert all(ln["amount_fen"] == ln["government_fen"] + ln["elder_fen"] for ln in lines)
    assert Order.objects.filter(pk__in=[o.pk for o in orders], status="settled").count() == 3


def test_government_share_is_floored_to_the_fen_and_the_elder_pays_the_rest(
    cast: Any, world: dict[str, Any]
) -> None:
    """The rule (settlement.py): government fen = price × bp // 10000, elder fen = price − government.
    3333 fen at 75.00 % is 2499.75 fen: floored to 2499 (rounding would give 2500), the elder pays 834."""
    ElderCategory.objects.create(elder=world["elder"], category="dibao")
    SubsidyRule.objects.create(category="dibao", government_bp=7500, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=4, valid_from=date(2020, 1, 1))
    for price in (3333, 1):
        serve(
            cast,
            make_order(
                world["elder"],
                make_item(price_fen=price),
                status="accepted",
                caregiver=world["staff"],
                provider=world["org"],
            ),
            minutes=40,
        )
    s = (
        client(cast.county_admin_a)
        .post(
            "/api/v1/settlements/",
            {"provider": str(world["org"].public_id), "month": month_now()},
            format="json",
        )
        .json()
    )
    assert sorted((ln["amount_fen"], ln["government_fen"], ln["elder_fen"]) for ln in s["lines"]) == [
        (1, 0, 1),  # 0.75 fen floors to 0
        (3333, 2499, 834),
    ]
    assert (s["total_fen"], s["government_fen"], s["elder_fen"]) == (3334, 2499, 835)


def test_reversal_waits_for_the_next_statement_and_leaves_the_closed_one_unchanged(
    cast: Any, world: dict[str, Any]
) -> None:
    ElderCategory.objects.create(elder=world["elder"], category="tekun_dispersed")
    SubsidyRule.objects.create(category="tekun_dispersed", government_bp=10000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="tekun_dispersed", services_per_month=8, valid_from=date(2020, 1, 1))
    a, b = serve(cast, accepted(world)), serve(cast, accepted(world))
    admin = client(cast.county_admin_a)
    s = admin.post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": month_now()}, format="json"
    ).json()
    assert s["total_fen"] == 12000
    charge = SettlementLine.objects.get(order=a)
    r = admin.post(
        f"/api/v1/settlements/{s['id']}/reverse/",
        {"order": str(a.public_id), "reason": "重复上报"},
        format="json",
    )
    assert r.status_code == 200
    body = r.json()
    # The October statement is closed: same lines, same totals.
    assert [ln["kind"] for ln in body["lines"]] == ["charge", "charge"]
    assert (body["total_fen"], body["government_fen"], body["elder_fen"]) == (12000, 12000, 0)
    unchanged = SettlementLine.objects.get(pk=charge.pk)
    assert (unchanged.amount_fen, unchanged.government_fen) == (6000, 6000)
    twice = admin.post(
        f"/api/v1/settlements/{s['id']}/reverse/",
        {"order": str(a.public_id), "reason": "again"},
        format="json",
    )
    assert twice.status_code == 409
    # November's statement carries the negative line, even with no November visit.
    nov = admin.post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": "2026-11"}, format="json"
    ).json()
    assert [(ln["kind"], ln["amount_fen"], ln["government_fen"], ln["elder_fen"]) for ln in nov["lines"]] == [
        ("reversal", -6000, -6000, 0)
    ]
    assert nov["lines"][0]["reason"].startswith("冲销 2026-10") and "重复上报" in nov["lines"][0]["reason"]
    assert nov["total_fen"] == -6000 == sum(ln["amount_fen"] for ln in nov["lines"])
    october = admin.get(f"/api/v1/settlements/{s['id']}/").json()
    assert (october["total_fen"], len(october["lines"])) == (12000, 2)
    # Picked up once: December carries nothing, and the charge can no longer be reversed.
    dec = admin.post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": "2026-12"}, format="json"
    ).json()
    assert dec["lines"] == [] and dec["total_fen"] == 0
    assert (
        admin.post(
            f"/api/v1/settlements/{s['id']}/reverse/",
            {"order": str(a.public_id), "reason": "x"},
            format="json",
        ).status_code
        == 409
    )
    # The reversal corrects money, not the orders: both stay settled, and b's charge is untouched.
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("settled", "settled")
    other = SettlementLine.objects.get(order=b)
    assert (other.kind, other.amount_fen, other.government_fen) == ("charge", 6000, 6000)


def test_an_odd_price_with_a_partial_share_is_floored_on_the_statement(
    cast: Any, world: dict[str, Any]
) -> None:
    """At 50%, 19.99 元 → exact government share 999.5 fen → 999 (floor, where round-half-up gives 1000);
    33.33 元 → 1666.5 → 1666. The elder pays the rest, and every line still balances."""
    ElderCategory.objects.create(elder=world["elder"], category="dibao")
    SubsidyRule.objects.create(category="dibao", government_bp=5000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=8, valid_from=date(2020, 1, 1))
    odd, other = accepted(world), accepted(world)
    Order.objects.filter(pk=odd.pk).update(price_fen=1999)
    Order.objects.filter(pk=other.pk).update(price_fen=3333)
    odd.refresh_from_db()
    other.refresh_from_db()
    serve(cast, odd)
    serve(cast, other)
    s = (
        client(cast.county_admin_a)
        .post(
            "/api/v1/settlements/",
            {"provider": str(world["org"].public_id), "month": month_now()},
            format="json",
        )
        .json()
    )
    got = {ln["order"]: (ln["amount_fen"], ln["government_fen"], ln["elder_fen"]) for ln in s["lines"]}
    assert got[str(odd.public_id)] == (1999, 999, 1000)
    assert got[str(other.public_id)] == (3333, 1666, 1667)
    assert (s["total_fen"], s["government_fen"], s["elder_fen"]) == (5332, 2665, 2667)


def test_statement_exports_xlsx(cast: Any, world: dict[str, Any]) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    serve(cast, accepted(world))
    admin = client(cast.county_admin_a)
    s = admin.post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": month_now()}, format="json"
    ).json()
    r = admin.get(f"/api/v1/settlements/{s['id']}/export/")
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).worksheets[0]
    rows = [row for row in ws.iter_rows() if row and row[0].value == "合计"]
    assert rows and [c.value for c in rows[0][7:10]] == [60, 0, 60]
    assert {c.number_format for c in rows[0][7:10]} == {"0.00"}
    line = next(row for row in ws.iter_rows() if row[0].value == 1)
    assert line[7].value == 60 and line[7].number_format == "0.00"
    assert line[10].value == 0 and line[10].number_format == "0.00%"


def test_statement_xlsx_is_one_a_bureau_files(cast: Any, world: dict[str, Any]) -> None:
    """Labels not codes, the short order number (never the UUID), the ratio as a number in a percent
    format, money in yuan 0.00, a totals row and the signature and seal lines (issue 11)."""
    import re
    from io import BytesIO

    from openpyxl import load_workbook

    from yiyang.orders.settlement import settlement_generate, settlement_xlsx

    ElderCategory.objects.create(elder=world["elder"], category="disabled")
    SubsidyRule.objects.create(category="disabled", government_bp=5000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="disabled", services_per_month=8, valid_from=date(2020, 1, 1))
    order = serve(cast, accepted(world))
    settlement, _ = settlement_generate(provider=world["org"], month=MONTH, actor=cast.county_admin_a)
    ws = load_workbook(BytesIO(settlement_xlsx(settlement))).worksheets[0]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "disabled" not in text and "charge" not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)
    line = next(row for row in ws.iter_rows() if row[0].value == 1)
    assert line[2].value == order.number and re.fullmatch(r"GD\d{8}", order.number)
    assert line[1].value == "结算" and line[12].value == "残疾（持残疾人证）"
    assert (line[7].value, line[8].value, line[9].value) == (60, 30, 30)
    assert line[10].value == 0.5 and line[10].number_format == "0.00%"
    assert line[5].number_format == "yyyy-mm-dd"
    total = next(row for row in ws.iter_rows() if row[0].value == "合计")
    assert [c.value for c in total[7:10]] == [60, 30, 30]
    for words in ("经办人（签字）", "审核人（签字）", "服务机构（盖章）", "民政部门（审核盖章）"):
        assert words in text


def test_settling_a_month_that_has_not_ended_is_refused(
    cast: Any, world: dict[str, Any], monkeypatch: Any
) -> None:
    """A statement is closed once made: the current month (not yet ended) is refused with a clear reason,
    by the service, the API and the page; the last month is settled."""
    from yiyang.core.errors import Conflict
    from yiyang.orders import settlement as module
    from yiyang.orders.models import Settlement

    monkeypatch.setattr(module, "_now", timezone.now)  # the real clock (the suite moves it ahead)
    this_month = timezone.localdate().strftime("%Y-%m")
    with pytest.raises(Conflict) as refused:
        module.settlement_generate(provider=world["org"], month=this_month, actor=cast.county_admin_a)
    assert "尚未结束，不能结算" in refused.value.message
    r = client(cast.county_admin_a).post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": this_month}, format="json"
    )
    assert r.status_code == 409 and "尚未结束" in str(r.json())
    from django.test import Client

    page = Client()
    page.force_login(cast.county_admin_a)
    answer = page.post(
        "/services/settlements/", {"provider": str(world["org"].public_id), "month": this_month}, follow=True
    )
    assert "尚未结束，不能结算" in answer.content.decode()
    assert not Settlement.objects.exists()
    last = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    made, created = module.settlement_generate(provider=world["org"], month=last, actor=cast.county_admin_a)
    assert created and made.month == last


def test_settlement_needs_manage_permission_and_a_valid_month(cast: Any, world: dict[str, Any]) -> None:
    body = {"provider": str(world["org"].public_id), "month": "2026-13"}
    assert client(cast.county_admin_a).post("/api/v1/settlements/", body, format="json").status_code == 400
    body["month"] = month_now()
    assert client(cast.auditor).post("/api/v1/settlements/", body, format="json").status_code == 403
    # Another county's provider is answered like one that does not exist.
    assert client(cast.county_admin_b).post("/api/v1/settlements/", body, format="json").status_code == 404


def test_settlement_list_query_count(
    cast: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    from yiyang.orders.models import Settlement
    from yiyang.orders.tests.factories import make_provider

    for n in range(1, 10):
        Settlement.objects.create(provider=make_provider(cast.community_a1), month=f"2026-{n:02d}")
    with django_assert_max_num_queries(6):
        r = client(cast.county_admin_a).get("/api/v1/settlements/")
    assert r.json()["count"] == 9


def test_check_in_distance_and_short_service_follow_the_county_policy(
    cast: Any, world: dict[str, Any]
) -> None:
    from django.test import Client

    from yiyang.accounts.services import user_create
    from yiyang.core.policy import policy_value_set

    city = user_create(username="cast_city", password=cast.password, grants=[("city_admin", cast.city.code)])
    for key, value in [("orders.check_in_max_distance", 2000), ("orders.short_service_percent", 80)]:
        policy_value_set(
            key=key,
            region_code=cast.county_a.code,
            value=value,
            valid_from=date(2020, 1, 1),
            source="测试",
            actor=city,
        )
    order = accepted(world)
    page = Client()
    page.force_login(cast.caregiver)
    body = page.get(f"/services/m/{order.public_id}/").content.decode()
    assert "需在老人住址 2 公里内" in body and "标准时长的 80%" in body
    r = client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/check-in/", {"lat": HOME[0] + 0.009, "lng": HOME[1]}, format="json"
    )
    assert r.json()["flags"] == []  # about 1 km: within this county's 2000 m
    served = serve(cast, accepted(world), minutes=45)  # 45 of 60 minutes: under 80%
    assert "short_service" in codes(served)
