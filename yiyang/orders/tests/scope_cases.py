from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page
from yiyang.orders.models import Complaint, Order, Settlement
from yiyang.orders.tests.factories import make_elder, make_item, make_order, make_provider, make_staff


def _order(cast, region):
    return make_order(make_elder(region), make_item())


def _open_flag(cast, region):
    order = make_order(make_elder(region), make_item(), status="checked_out")
    return OrderFlag.objects.create(order=order, code="short_service", message="服务时长不足")


def _caregiver_order(cast, region):
    org = make_provider(region)
    staff = make_staff(org, user=cast.caregiver if region == cast.community_a1 else None)
    return make_order(make_elder(region), make_item(), provider=org, caregiver=staff, status="dispatched")


def _dispatched_order(cast, region):
    org = make_provider(region)
    return make_order(
        make_elder(region), make_item(), provider=org, caregiver=make_staff(org), status="dispatched"
    )


def _complaint(cast, region):
    from django.utils import timezone

    return Complaint.objects.create(
        order=_dispatched_order(cast, region),
        channel="hotline",
        category="late",
        description="迟到一小时",
        sla_due_at=timezone.now(),
    )


def _settlement(cast, region):
    return Settlement.objects.create(provider=make_provider(region), month="2026-10")


def _order_body(cast, region):
    elder = make_elder(region)
    return {
        "elder": str(elder.public_id),
        "service_item": str(make_item().public_id),
        "scheduled_start": "2099-01-01T09:00:00+08:00",
    }


register_api(ApiScopeCase(basename="order", make=_order, create=_order_body, count=Order.objects.count))
register_api(ApiScopeCase(basename="settlement", make=_settlement))
register_api(ApiScopeCase(basename="complaint", make=_complaint))
register_page(
    PageScopeCase(
        name="orders:complain",
        make=_dispatched_order,
        url=lambda o: f"/services/orders/{o.public_id}/complain/",
    )
)
register_page(
    PageScopeCase(
        name="orders:complaint", make=_complaint, url=lambda c: f"/services/complaints/{c.public_id}/"
    )
)
register_page(
    PageScopeCase(
        name="orders:confirmation_code",
        make=_order,
        url=lambda o: f"/services/orders/{o.public_id}/confirmation-code/",
    )
)
register_page(
    PageScopeCase(name="orders:detail", make=_order, url=lambda o: f"/services/orders/{o.public_id}/")
)
register_page(
    PageScopeCase(name="orders:print", make=_order, url=lambda o: f"/services/orders/{o.public_id}/print/")
)
register_page(
    PageScopeCase(
        name="orders:complaint_print",
        make=_complaint,
        url=lambda c: f"/services/complaints/{c.public_id}/print/",
    )
)
register_page(
    PageScopeCase(name="orders:candidates", make=_order, url=lambda o: f"/services/dispatch/{o.public_id}/")
)
register_page(
    PageScopeCase(
        name="orders:serve",
        make=_caregiver_order,
        url=lambda o: f"/services/m/{o.public_id}/",
        viewer="caregiver",
    )
)
register_page(
    PageScopeCase(
        name="orders:settlement", make=_settlement, url=lambda s: f"/services/settlements/{s.public_id}/"
    )
)
register_page(
    PageScopeCase(
        name="orders:settlement_export",
        make=_settlement,
        url=lambda s: f"/services/settlements/{s.public_id}/export/",
    )
)
register_page(
    PageScopeCase(
        name="providers:detail",
        make=lambda c, r: make_provider(r),
        url=lambda o: f"/services/providers/{o.public_id}/",
    )
)


# --- Write paths (issue 9 item 2): every API action and page POST, and child rows of another county ---

from typing import Any  # noqa: E402

from django.utils import timezone  # noqa: E402

from yiyang.core.testing import (  # noqa: E402
    API_CASES,
    PAGE_CASES,
    ActionCase,
    FilterCase,
    PagePostCase,
    register_action,
    register_filter,
    register_page_post,
)
from yiyang.orders.models import OrderFlag, OrderPhoto, SettlementLine  # noqa: E402
from yiyang.orders.tests.factories import HOME  # noqa: E402

# A 1×1 PNG: the photo action stores it under MEDIA_ROOT (a denied upload must store nothing).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _elder_named(region, name, family=None):
    elder = make_elder(region, family=family)
    elder.name = name
    elder.save(update_fields=["name"])
    return elder


def _served(status, *, family=False):
    """An order of county A (or B) at ``status``, served by the cast's caregiver in A."""

    def make(cast, region):
        mine = region == cast.community_a1
        org = make_provider(region)
        staff = make_staff(org, user=cast.caregiver if mine else None)
        elder = make_elder(region, family=cast.family if (family and mine) else None)
        return make_order(elder, make_item(), provider=org, caregiver=staff, status=status)

    return make


def _flagged(cast, region):
    order = _served("checked_out")(cast, region)
    OrderFlag.objects.create(order=order, code="far_check_in", message="签到位置距老人住址过远")
    return order


def _complaint_at(status):
    def make(cast, region):
        from yiyang.orders import complaints

        complaint = _complaint(cast, region)
        admin = cast.county_admin_a if region == cast.community_a1 else cast.county_admin_b
        if status in ("handling", "resolved"):
            complaints.complaint_handle(complaint=complaint, actor=admin)
        if status == "resolved":
            complaints.complaint_resolve(
                complaint=complaint, actor=admin, outcome="dismissed", resolution="核实不属实"
            )
        complaint.refresh_from_db()
        return complaint

    return make


def _line(settlement, order):
    return SettlementLine.objects.create(
        settlement=settlement, order=order, amount_fen=6000, government_fen=4800, elder_fen=1200
    )


def _settled_settlement(cast, region):
    """A settlement of a provider in ``region`` with one line of an elder of the same county."""
    settlement = _settlement(cast, region)
    order = make_order(make_elder(region), make_item(), provider=settlement.provider, status="settled")
    _line(settlement, order)
    return settlement


def _settlement_children(cast, settlement, other_region):
    """The reproduced defect (issue 9): a county-A provider serving an elder of county B. That elder's
    order is settled through the service (which puts it on the provider's statement for county B,
    decision 0006); neither the line nor a held-back order of county B may reach county A's admin
    through county A's statement, its page, its held list or its export."""
    from datetime import datetime

    from yiyang.orders.settlement import settlement_generate
    from yiyang.regions.scope import SYSTEM

    served = timezone.make_aware(datetime(2026, 10, 15, 10))
    elder = _elder_named(other_region, "邗江乙县老人")
    order = make_order(
        elder, make_item(), provider=settlement.provider, status="confirmed", checked_out_at=served
    )
    theirs, created = settlement_generate(
        provider=settlement.provider, month=settlement.month, actor=SYSTEM, region=other_region
    )
    # The child row really exists, on B's statement (unless B's statement was made before, when the
    # caller built county B's own world).
    assert theirs.lines.filter(order=order).exists() or not created
    # And one held back (an open flag), as the settlement page lists them.
    held_elder = _elder_named(other_region, "邗江乙县暂缓老人")
    held = make_order(
        held_elder, make_item(), provider=settlement.provider, status="confirmed", checked_out_at=served
    )
    OrderFlag.objects.create(order=held, code="short_service", message="服务时长不足")
    return [elder.name, str(elder.public_id), str(order.public_id), held_elder.name, str(held.public_id)]


def _provider_children(cast, org, other_region):
    """A county-A provider serving an elder of county B: county A sees the provider, not that elder."""
    elder = _elder_named(other_region, "邗江乙县服务对象")
    order = make_order(elder, make_item(), provider=org, caregiver=make_staff(org), status="dispatched")
    return [elder.name, str(elder.public_id), str(order.public_id)]


def _order_children(cast, order, other_region):
    """Around a county-A order (same provider, same service item): a county-B order with an open flag,
    a complaint and a photo. County A's order pages, lists, supervision and complaints show none."""
    elder = _elder_named(other_region, "邗江乙县投诉人")
    org = order.provider or make_provider(cast.community_a1)
    theirs = make_order(
        elder, order.service_item, provider=org, caregiver=make_staff(org), status="checked_out"
    )
    OrderFlag.objects.create(order=theirs, code="short_service", message="服务时长不足")
    complaint = Complaint.objects.create(
        order=theirs,
        channel="hotline",
        category="late",
        description="乙县的投诉",
        sla_due_at=theirs.scheduled_start,
    )
    OrderPhoto.objects.create(order=theirs, image="photos/b.png")
    return [elder.name, str(elder.public_id), str(theirs.public_id), str(complaint.public_id), "乙县的投诉"]


API_CASES["order"].children = _order_children
API_CASES["complaint"].children = lambda cast, c, other: _order_children(cast, c.order, other)
PAGE_CASES["orders:detail"].children = _order_children
PAGE_CASES["orders:complaint"].children = lambda cast, c, other: _order_children(cast, c.order, other)
PAGE_CASES["orders:print"].children = _order_children
PAGE_CASES["orders:complaint_print"].children = lambda cast, c, other: _order_children(cast, c.order, other)
API_CASES["settlement"].children = _settlement_children
API_CASES["settlement"].make = _settled_settlement
PAGE_CASES["orders:settlement"].children = _settlement_children
PAGE_CASES["orders:settlement_export"].children = _settlement_children
PAGE_CASES["providers:detail"].children = _provider_children


def _b_staff(cast):
    return make_staff(make_provider(cast.community_b1))


def _reason(cast, obj):
    return {"reason": "测试理由"}


SERVE = ("caregiver", 200)
_SERVE_CASES: list[tuple[str, Any, Any, dict[str, Any]]] = [
    ("order-accept", _served("dispatched"), lambda c, o: {}, {}),
    ("order-decline", _served("dispatched"), _reason, {}),
    ("order-check-in", _served("accepted"), lambda c, o: {"lat": HOME[0], "lng": HOME[1]}, {}),
    ("order-check-out", _served("checked_in"), lambda c, o: {"items_done": ["打扫"], "notes": "完成"}, {}),
    (
        "order-photo",
        _served("checked_in"),
        lambda c, o: {"image": ("photo.png", PNG, "image/png")},
        {"multipart": True},
    ),
    # The caregiver confirms with the code the elder reads out; the family member holds orders.confirm
    # but is not this elder's family: scope hides the order (404).
    ("order-confirm", _served("checked_out"), lambda c, o: {"code": "123456"}, {"hidden": ("family",)}),
]
for _name, _make, _body, _extra in _SERVE_CASES:
    register_action(
        ActionCase(route=_name, make=_make, body=_body, outsider="caregiver_b", own=SERVE, **_extra)
    )

# A new confirmation code: the elder's family or a dispatcher in scope (county A's admin dispatches);
# the family member of the cast is not this elder's family, so scope hides the order.
register_action(
    ActionCase(
        route="order-confirmation-code",
        make=_served("checked_out"),
        hidden=("family",),
        own=("county_admin_a", 200),
    )
)
register_action(
    ActionCase(
        route="order-rate",
        make=_served("confirmed", family=True),
        body=lambda c, o: {"score": 5, "comment": "很好"},
        outsider="family_b",
        own=("family", 200),
    )
)
# Family members hold orders.add / orders.complain for their own elders only: scope hides this one.
register_action(
    ActionCase(
        route="order-cancel", make=_order, body=_reason, hidden=("family",), own=("county_admin_a", 200)
    )
)
register_action(
    ActionCase(
        route="order-complain",
        make=_dispatched_order,
        body=lambda c, o: {"category": "late", "description": "迟到一小时"},
        hidden=("family",),
        own=("county_admin_a", 201),
    )
)
register_action(
    ActionCase(
        route="order-resolve-flag",
        make=_flagged,
        body=lambda c, o: {"code": "far_check_in", "decision": "clear", "reason": "定位漂移，核实无误"},
    )
)


def _dispatchable(cast, region):
    org = make_provider(region)
    make_staff(org)
    return make_order(make_elder(region), make_item(), provider=None)


register_action(
    ActionCase(
        route="order-dispatch",
        make=_dispatchable,
        body=lambda c, o: {"caregiver": str(make_staff(make_provider(c.community_a1)).public_id)},
        # County A's admin may not send county B's staff (not among the organisations they dispatch to).
        foreign=lambda c, o: {"caregiver": str(_b_staff(c).public_id)},
    )
)
register_action(ActionCase(route="order-auto-dispatch", make=_dispatchable))
register_action(ActionCase(route="order-candidates", method="get", make=_dispatchable))
register_action(
    ActionCase(
        route="order-bulk-auto-dispatch",
        make=_dispatchable,
        detail=False,
        body=lambda c, o: {"orders": [str(o.public_id)]},
        # Not bound to one object: county B's admin gets 200 and an empty run; county A's order stays.
        outsider_status=200,
    )
)

register_action(ActionCase(route="complaint-handle", make=_complaint_at("open")))
register_action(
    ActionCase(
        route="complaint-resolve",
        make=_complaint_at("handling"),
        body=lambda c, o: {"outcome": "upheld", "resolution": "已核实并整改"},
    )
)
register_action(
    ActionCase(route="complaint-reopen", make=_complaint_at("resolved"), body=_reason, hidden=("family",))
)


def _b_settled_order(cast):
    return _settled_settlement(cast, cast.community_b1).lines.get().order


register_action(
    ActionCase(
        route="settlement-reverse",
        make=_settled_settlement,
        body=lambda c, s: {"order": str(s.lines.get().order.public_id), "reason": "服务不属实"},
        # An order of county B (settled on county B's statement) named on county A's statement.
        foreign=lambda c, s: {"order": str(_b_settled_order(c).public_id), "reason": "服务不属实"},
    )
)
register_action(ActionCase(route="settlement-export", method="get", make=_settled_settlement))

# List filters: the value that matches county B's row.
for _basename, _param, _value in [
    ("order", "status", lambda c, o: o.status),
    (
        "order",
        "flagged",
        lambda c, o: OrderFlag.objects.create(order=o, code="backdated", message="补录") and "true",
    ),
    ("complaint", "status", lambda c, o: o.status),
    ("complaint", "category", lambda c, o: o.category),
    ("complaint", "overdue", lambda c, o: "true"),
]:
    register_filter(FilterCase(basename=_basename, param=_param, value=_value))

# Page POSTs. Pages with several operations register the one most worth guarding; each operation's
# service is also reached through its API action above.
OWN_OK = ("county_admin_a", (200, 302))
for _post in [
    PagePostCase(
        name="orders:detail",
        make=_order,
        url=lambda o: f"/services/orders/{o.public_id}/",
        data=lambda c, o: {"op": "cancel", "reason": "老人住院"},
    ),
    PagePostCase(
        name="orders:confirmation_code",
        make=_served("checked_out"),
        url=lambda o: f"/services/orders/{o.public_id}/confirmation-code/",
    ),
    PagePostCase(
        name="orders:dispatch",
        make=_dispatchable,
        url=lambda o: "/services/dispatch/",
        data=lambda c, o: {"op": "bulk"},
        outsider_status=None,
    ),
    PagePostCase(
        name="orders:candidates",
        make=_dispatchable,
        url=lambda o: f"/services/dispatch/{o.public_id}/",
        data=lambda c, o: {"caregiver": str(make_staff(make_provider(c.community_a1)).public_id)},
    ),
    PagePostCase(
        name="orders:serve",
        make=_served("dispatched"),
        url=lambda o: f"/services/m/{o.public_id}/",
        data=lambda c, o: {"op": "accept"},
        outsider="caregiver_b",
        own=("caregiver", (200, 302)),
    ),
    PagePostCase(
        name="orders:family",
        make=_served("confirmed", family=True),
        url=lambda o: "/services/family/",
        data=lambda c, o: {"order": str(o.public_id), "op": "rate", "score": "5"},
        outsider="family_b",
        own=("family", (200, 302)),
    ),
    PagePostCase(
        name="orders:complain",
        make=_dispatched_order,
        url=lambda o: f"/services/orders/{o.public_id}/complain/",
        data=lambda c, o: {"category": "late", "description": "迟到一小时"},
    ),
    PagePostCase(
        name="orders:complaint",
        make=_complaint_at("open"),
        url=lambda c: f"/services/complaints/{c.public_id}/",
        data=lambda c, o: {"op": "handle"},
    ),
    PagePostCase(
        name="orders:settlements",
        make=lambda c, r: make_provider(r),
        url=lambda o: "/services/settlements/",
        data=lambda c, o: {"provider": str(o.public_id), "month": "2026-10"},
        outsider_status=None,
    ),
    PagePostCase(
        name="orders:supervision",
        make=_open_flag,
        url=lambda f: "/services/supervision/",
        data=lambda c, f: {"flag": str(f.public_id), "op": "clear", "reason": "已电话核实"},
        outsider_status=None,
    ),
    PagePostCase(
        name="orders:settlement",
        make=_settled_settlement,
        url=lambda s: f"/services/settlements/{s.public_id}/",
        data=lambda c, s: {"order": str(s.lines.get().order.public_id), "reason": "服务不属实"},
    ),
]:
    register_page_post(_post)


# --- 点菜式下单 and 周期服务 (issue 11) ----------------------------------------------------------------

from datetime import time as _time  # noqa: E402
from datetime import timedelta as _td  # noqa: E402

from yiyang.orders import recurring as _recurring  # noqa: E402
from yiyang.orders.tests.factories import make_item as _make_item  # noqa: E402


def _elder(cast: Any, region: Any) -> Any:
    return make_elder(region)


def _when() -> str:
    return (timezone.localtime() + _td(days=1)).replace(hour=9, minute=0).isoformat()


def _cart_body(elder: Any) -> dict[str, Any]:
    return {
        "elder": str(elder.public_id),
        "lines": [{"service_item": str(_make_item().public_id), "quantity": 2}],
        "scheduled_start": _when(),
    }


def _tomorrow() -> Any:
    return timezone.localdate() + _td(days=1)


def _plan(cast: Any, region: Any) -> Any:
    admin = cast.county_admin_a if region.code.startswith("321002") else cast.county_admin_b
    return _recurring.plan_create(
        actor=admin,
        elder=make_elder(region),
        service_item=_make_item(),
        weekdays=str(_tomorrow().isoweekday()),
        time_of_day=_time(11, 0),
        start_date=_tomorrow(),
    )


for _case in [
    ActionCase(
        route="order-elder-search",
        method="get",
        detail=False,
        make=_elder,
        body=lambda c, o: {"q": o.name},
        outsider_status=200,  # another county's search finds nothing of A's (see test_ordering)
    ),
    ActionCase(
        route="order-quote",
        detail=False,
        make=_elder,
        body=lambda c, o: _cart_body(o),
        foreign=lambda c, o: _cart_body(make_elder(c.community_b1)),
        foreign_status=(404,),
    ),
    ActionCase(
        route="order-cart",
        detail=False,
        make=_elder,
        body=lambda c, o: _cart_body(o),
        own=("county_admin_a", 201),
        foreign=lambda c, o: _cart_body(make_elder(c.community_b1)),
        foreign_status=(404,),
    ),
]:
    register_action(_case)


def _cart_form(cast: Any, elder: Any) -> dict[str, Any]:
    return {
        f"qty_{_make_item().public_id}": "1",
        "scheduled_start": (timezone.localtime() + _td(days=1)).strftime("%Y-%m-%dT09:00"),
        "op": "place",
    }


def _plan_form(cast: Any, elder: Any) -> dict[str, Any]:
    return {
        "service_item": str(_make_item().public_id),
        "weekdays": [str(_tomorrow().isoweekday())],
        "time_of_day": "11:00",
        "start_date": _tomorrow().isoformat(),
    }


for _post in [
    PagePostCase(
        name="orders:cart", make=_elder, url=lambda o: f"/services/order/{o.public_id}/", data=_cart_form
    ),
    PagePostCase(
        name="orders:plan_new",
        make=_elder,
        url=lambda o: f"/services/order/{o.public_id}/plan/",
        data=_plan_form,
    ),
    PagePostCase(
        name="orders:plan",
        make=_plan,
        url=lambda o: f"/services/plans/{o.public_id}/",
        data=lambda c, o: {"op": "pause", "reason": "住院"},
    ),
]:
    register_page_post(_post)

register_page(PageScopeCase(name="orders:cart", make=_elder, url=lambda o: f"/services/order/{o.public_id}/"))
register_page(
    PageScopeCase(name="orders:plan_new", make=_elder, url=lambda o: f"/services/order/{o.public_id}/plan/")
)
register_page(PageScopeCase(name="orders:plan", make=_plan, url=lambda o: f"/services/plans/{o.public_id}/"))


def _batch_order(cast: Any, region: Any) -> Any:
    import uuid

    return make_order(make_elder(region), _make_item(), batch=uuid.uuid4(), channel="community")


register_page(
    PageScopeCase(name="orders:batch", make=_batch_order, url=lambda o: f"/services/order/batch/{o.batch}/")
)


# --- Caregiver order cards (服务卡): one order's card, a caregiver's day (issue 11 item 7) ---------------------


def _card_day(o: Any) -> dict[str, Any]:
    return {"date": timezone.localtime(o.scheduled_start).date().isoformat()}


register_page(
    PageScopeCase(name="orders:card", make=_order, url=lambda o: f"/services/orders/{o.public_id}/card/")
)
PAGE_CASES["orders:card"].children = _order_children
for _post in [
    # The full address and phone through the audited visit reveal: the assigned caregiver only.
    PagePostCase(
        name="orders:card",
        make=_served("accepted"),
        url=lambda o: f"/services/orders/{o.public_id}/card/",
        outsider="caregiver_b",
        own=("caregiver", (200,)),
    ),
    PagePostCase(
        name="orders:cards",
        make=_served("accepted"),
        url=lambda o: "/services/orders/cards/",
        data=lambda c, o: _card_day(o),
        outsider="caregiver_b",
        outsider_status=None,
        own=("caregiver", (200,)),
    ),
]:
    register_page_post(_post)
