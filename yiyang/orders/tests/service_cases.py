"""Service cases of orders, complaints, settlements and dispatch (see
``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yiyang.core.errors import Forbidden
from yiyang.core.tests.service_kit import ServiceCase
from yiyang.orders import complaints as c
from yiyang.orders import dispatching as d
from yiyang.orders import exporting as ex
from yiyang.orders import ordering as od
from yiyang.orders import recurring as rc
from yiyang.orders import services as s
from yiyang.orders import settlement as st
from yiyang.orders.models import (
    OrderFlag,
    ServicePlan,
)
from yiyang.orders.tests.factories import make_order, make_staff, make_world

M = "yiyang.orders.services"
OD = "yiyang.orders.ordering"
RC = "yiyang.orders.recurring"
C = "yiyang.orders.complaints"
S = "yiyang.orders.settlement"
D = "yiyang.orders.dispatching"
EX = "yiyang.orders.exporting"


def _caregiver(cast: Any, world: Any) -> Any:
    return cast.caregiver


def _family(cast: Any, world: Any) -> Any:
    return cast.family


def _order(status: str = "created", **fields: Any) -> Any:
    def arrange(cast: Any) -> Any:
        w = make_world(cast)
        extra = dict(fields)  # a fresh copy: the closure's dict outlives this test's rows
        if status != "created":
            extra.setdefault("provider", w["org"])
            extra.setdefault("caregiver", w["staff"])
        return make_order(w["elder"], w["item"], status=status, **extra)

    return arrange


def _world_order(cast: Any) -> Any:
    w = make_world(cast)
    w["order"] = make_order(w["elder"], w["item"])
    w["other_staff"] = make_staff(w["org"])
    return w


def _stale(cast: Any) -> Any:
    w = make_world(cast)
    return make_order(
        w["elder"],
        w["item"],
        status="dispatched",
        provider=w["org"],
        caregiver=w["staff"],
        dispatched_at=timezone.now() - timedelta(hours=3),
    )


def _served(cast: Any) -> Any:
    w = make_world(cast)
    now = timezone.now()
    w["order"] = make_order(
        w["elder"],
        w["item"],
        status="confirmed",
        provider=w["org"],
        caregiver=w["staff"],
        checked_in_at=now - timedelta(hours=2),
        checked_out_at=now - timedelta(hours=1),
    )
    w["month"] = timezone.localtime(now - timedelta(hours=1)).strftime("%Y-%m")
    return w


def _settled(cast: Any) -> Any:
    w = _served(cast)
    w["settlement"], _ = st.settlement_generate(
        provider=w["org"], month=w["month"], actor=cast.county_admin_a
    )
    w["order"].refresh_from_db()
    return w


def _flag(cast: Any) -> Any:
    order = _order("checked_out")(cast)
    return s.flag_raise(order=order, code="short_service", message="短", actor=cast.county_admin_a)


def _two_flags(cast: Any) -> Any:
    """Two open flags of one order (``short_service`` and ``far_check_in``) in county A."""
    first = _flag(cast)
    second = s.flag_raise(order=first.order, code="far_check_in", message="远", actor=cast.county_admin_a)
    return [first, second]


def _complaint(state: str) -> Any:
    def arrange(cast: Any) -> Any:
        order = _order("dispatched")(cast)
        a = cast.county_admin_a
        complaint = c.complaint_raise(order=order, actor=a, category="late", description="迟到")
        if state in {"handling", "resolved"}:
            c.complaint_handle(complaint=complaint, actor=a)
        if state == "resolved":
            c.complaint_resolve(complaint=complaint, actor=a, outcome="dismissed", resolution="不属实")
        return complaint

    return arrange


def _tomorrow_weekday() -> str:
    return str((timezone.localdate() + timedelta(days=1)).isoweekday())


def _plan(cast: Any) -> Any:
    """A plan on tomorrow's weekday (one order made within the next 7 days)."""
    from datetime import time

    w = make_world(cast)
    return rc.plan_create(
        actor=cast.county_admin_a,
        elder=w["elder"],
        service_item=w["item"],
        weekdays=_tomorrow_weekday(),
        time_of_day=time(11, 0),
        start_date=timezone.localdate() + timedelta(days=1),
    )


def _paused_plan(cast: Any) -> Any:
    plan = _plan(cast)
    return rc.plan_pause(plan=plan, actor=cast.county_admin_a, reason="住院")


def _bare_plan(cast: Any) -> Any:
    """A plan written directly (no orders made yet), for the generator."""
    from datetime import time

    w = make_world(cast)
    return ServicePlan.objects.create(
        elder=w["elder"],
        service_item=w["item"],
        weekdays=_tomorrow_weekday(),
        time_of_day=time(11, 0),
        start_date=timezone.localdate(),
        created_via="community",
        region_code=w["elder"].region_id,
    )


SERVICE_CASES = {
    f"{OD}.cart_place": ServiceCase(
        arrange=lambda cast: make_world(cast),
        act=lambda cast, w, actor: od.cart_place(
            actor=actor,
            elder=w["elder"],
            lines=[od.CartLine(item=w["item"], quantity=2)],
            scheduled_start=timezone.now() + timedelta(hours=3),
        ),
        audits=2,  # one order per visit
    ),
    f"{RC}.plan_create": ServiceCase(
        arrange=lambda cast: make_world(cast),
        act=lambda cast, w, actor: rc.plan_create(
            actor=actor,
            elder=w["elder"],
            service_item=w["item"],
            weekdays=_tomorrow_weekday(),
            time_of_day=__import__("datetime").time(11, 0),
            start_date=timezone.localdate() + timedelta(days=1),
        ),
        audits=2,  # the plan, and its first order (tomorrow)
    ),
    f"{RC}.plan_pause": ServiceCase(
        arrange=_plan,
        act=lambda cast, w, actor: rc.plan_pause(plan=w, actor=actor, reason="住院"),
        audits=2,  # the plan's move, and the cancelled order not yet dispatched
    ),
    f"{RC}.plan_resume": ServiceCase(
        arrange=_paused_plan,
        act=lambda cast, w, actor: rc.plan_resume(plan=w, actor=actor, reason="出院"),
        audits=1,  # tomorrow's day was made (and cancelled) before: not made again
    ),
    f"{RC}.plan_end": ServiceCase(
        arrange=_plan,
        act=lambda cast, w, actor: rc.plan_end(plan=w, actor=actor, reason="不再需要"),
        audits=2,
    ),
    f"{RC}.plans_generate": ServiceCase(
        arrange=_bare_plan,
        act=lambda cast, w, actor: rc.plans_generate(actor=actor),
        denied=type(None),  # type: ignore[arg-type]  # another county's run reaches none of A's plans
        audits=1,
    ),
    f"{M}.order_create": ServiceCase(
        arrange=lambda cast: make_world(cast),
        act=lambda cast, w, actor: s.order_create(
            actor=actor,
            elder=w["elder"],
            service_item=w["item"],
            scheduled_start=timezone.now() + timedelta(hours=3),
        ),
    ),
    f"{M}.order_dispatch": ServiceCase(
        arrange=_world_order,
        act=lambda cast, w, actor: s.order_dispatch(order=w["order"], caregiver=w["staff"], actor=actor),
    ),
    f"{M}.order_accept": ServiceCase(
        arrange=_order("dispatched"),
        act=lambda cast, w, actor: s.order_accept(order=w, actor=actor),
        actor=_caregiver,
        denied=Forbidden,  # only the order's own caregiver serves it
    ),
    f"{M}.order_decline": ServiceCase(
        arrange=_order("dispatched"),
        act=lambda cast, w, actor: s.order_decline(order=w, actor=actor, reason="生病"),
        actor=_caregiver,
        denied=Forbidden,
    ),
    f"{M}.order_check_in": ServiceCase(
        arrange=_order("accepted"),
        act=lambda cast, w, actor: s.order_check_in(order=w, actor=actor, lat=w.elder.lat, lng=w.elder.lng),
        actor=_caregiver,
        denied=Forbidden,
    ),
    f"{M}.order_check_out": ServiceCase(
        arrange=_order("checked_in", checked_in_at=timezone.now() - timedelta(hours=1)),
        act=lambda cast, w, actor: s.order_check_out(order=w, actor=actor, items_done=["打扫"]),
        actor=_caregiver,
        denied=Forbidden,
    ),
    f"{M}.order_visit_contact": ServiceCase(
        arrange=_order("accepted"),
        act=lambda cast, w, actor: s.order_visit_contact(order=w, actor=actor),
        actor=_caregiver,
        denied=Forbidden,
        audits=2,  # one reveal row per field (address, phone)
    ),
    f"{M}.order_add_photo": ServiceCase(
        arrange=_order("checked_in", checked_in_at=timezone.now()),
        act=lambda cast, w, actor: s.order_add_photo(
            order=w,
            actor=actor,
            upload=SimpleUploadedFile("a.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
        ),
        actor=_caregiver,
        denied=Forbidden,
    ),
    f"{M}.order_confirm": ServiceCase(
        arrange=_order("checked_out", checked_out_at=timezone.now()),
        act=lambda cast, w, actor: s.order_confirm(order=w, actor=actor),
        actor=_family,
        denied=Forbidden,
    ),
    f"{M}.order_rate": ServiceCase(
        arrange=_order("confirmed"),
        act=lambda cast, w, actor: s.order_rate(order=w, actor=actor, score=5),
        actor=_family,
        denied=Forbidden,
    ),
    f"{M}.order_cancel": ServiceCase(
        arrange=_order(), act=lambda cast, w, actor: s.order_cancel(order=w, actor=actor, reason="不需要了")
    ),
    f"{M}.flag_raise": ServiceCase(
        arrange=_order("checked_out"),
        act=lambda cast, w, actor: s.flag_raise(order=w, code="backdated", message="倒签", actor=actor),
    ),
    f"{M}.flag_resolve": ServiceCase(
        arrange=_flag,
        act=lambda cast, w, actor: s.flag_resolve(
            flag=OrderFlag.objects.get(pk=w.pk), actor=actor, decision="clear", reason="核实无误"
        ),
    ),
    f"{M}.flags_resolve_many": ServiceCase(
        arrange=lambda cast: _two_flags(cast),
        act=lambda cast, w, actor: s.flags_resolve_many(
            flags=list(OrderFlag.objects.filter(pk__in=[f.pk for f in w])),
            actor=actor,
            decision="reject",
            reason="电话回访：未上门",
        ),
        audits=2,  # one audit row per flag
    ),
    f"{M}.orders_sla_sweep": ServiceCase(
        arrange=_stale,
        act=lambda cast, w, actor: s.orders_sla_sweep(actor=actor),
        denied=type(None),  # type: ignore[arg-type]  # another county's sweep finds nothing of A's: no error, nothing changes
        audits=2,  # taken back, then escalated (nobody else fits)
    ),
    f"{M}.order_confirmation_code_renew": ServiceCase(
        arrange=_order("checked_out"),
        act=lambda cast, w, actor: s.order_confirmation_code_renew(order=w, actor=actor),
    ),
    f"{M}.order_auto_dispatch_excluding": ServiceCase(
        arrange=_world_order,
        act=lambda cast, w, actor: s.order_auto_dispatch_excluding(
            order=w["order"], exclude=w["staff"], actor=actor
        ),
    ),
    f"{C}.complaint_raise": ServiceCase(
        arrange=_order("dispatched"),
        act=lambda cast, w, actor: c.complaint_raise(
            order=w, actor=actor, category="attitude", description="态度差"
        ),
    ),
    f"{C}.complaint_handle": ServiceCase(
        arrange=_complaint("open"), act=lambda cast, w, actor: c.complaint_handle(complaint=w, actor=actor)
    ),
    f"{C}.complaint_resolve": ServiceCase(
        arrange=_complaint("handling"),
        act=lambda cast, w, actor: c.complaint_resolve(
            complaint=w, actor=actor, outcome="dismissed", resolution="经核实不属实"
        ),
    ),
    f"{C}.complaint_reopen": ServiceCase(
        arrange=_complaint("resolved"),
        act=lambda cast, w, actor: c.complaint_reopen(complaint=w, actor=actor, reason="不满意"),
    ),
    f"{S}.settlement_generate": ServiceCase(
        arrange=_served,
        act=lambda cast, w, actor: st.settlement_generate(
            provider=w["org"], month=w["month"], actor=actor, region=cast.county_a
        ),
    ),
    f"{S}.settlement_reverse": ServiceCase(
        arrange=_settled,
        act=lambda cast, w, actor: st.settlement_reverse(
            settlement=w["settlement"], order=w["order"], actor=actor, reason="重复收费"
        ),
    ),
    f"{D}.order_auto_dispatch": ServiceCase(
        arrange=_world_order, act=lambda cast, w, actor: d.order_auto_dispatch(order=w["order"], actor=actor)
    ),
    f"{D}.orders_auto_dispatch": ServiceCase(
        arrange=_world_order,
        act=lambda cast, w, actor: d.orders_auto_dispatch(orders=[w["order"]], actor=actor),
    ),
    # The exports: the rows handed in are checked against the actor's scope (county B's admin handed
    # county A's rows is refused); the export itself writes its audit row.
    f"{EX}.orders_export_xlsx": ServiceCase(
        arrange=_world_order,
        act=lambda cast, w, actor: ex.orders_export_xlsx(
            actor=actor, queryset=type(w["order"]).objects.filter(pk=w["order"].pk)
        ),
    ),
    f"{EX}.flags_export_xlsx": ServiceCase(
        arrange=lambda cast: OrderFlag.objects.create(
            order=_world_order(cast)["order"], code="short_service", message="服务时长不足"
        ),
        act=lambda cast, w, actor: ex.flags_export_xlsx(
            actor=actor, queryset=OrderFlag.objects.filter(pk=w.pk)
        ),
    ),
    f"{EX}.complaints_export_xlsx": ServiceCase(
        arrange=lambda cast: _export_complaint(cast),
        act=lambda cast, w, actor: ex.complaints_export_xlsx(
            actor=actor, queryset=type(w).objects.filter(pk=w.pk)
        ),
    ),
}


def _export_complaint(cast: Any) -> Any:
    from yiyang.orders.models import Complaint

    order = _world_order(cast)["order"]
    return Complaint.objects.create(
        order=order, channel="hotline", category="late", description="迟到", sla_due_at=timezone.now()
    )


NOT_WRITES = {
    f"{EX}.complaint_number": "formats a number",
    f"{M}.order_channel": "decides the channel recorded by order_create",
    f"{S}.subsidy_split": "the subsidy rule (arithmetic on read data)",
    f"{S}.quota_used_settled": "reader",
    f"{OD}.cart_quote": "the cart's preview (reads the catalog, the rules and the elder's orders)",
    f"{OD}.quota_used_pending": "reader",
    f"{OD}.batch_orders": "reader (scoped)",
    f"{RC}.days_ahead": "a setting",
    f"{RC}.parse_weekdays": "parser",
    f"{RC}.plan_days": "arithmetic",
    f"{RC}.plan_list": "reader (scoped)",
    f"{RC}.plan_upcoming": "reader",
    f"{M}.can_renew_confirmation_code": "a check for the pages",
    f"{M}.check_photo": "validation of an upload",
    f"{M}.confirmation_code_expires_at": "arithmetic",
    f"{M}.confirmation_code_life": "a setting",
    f"{M}.confirmation_code_locked": "a check",
    f"{M}.confirmation_max_tries": "a setting",
    f"{M}.short_service_percent": "a policy value",
    f"{M}.check_in_window_minutes": "a policy value",
    f"{M}.unknown_caregiver": "builds the error answered for a caregiver outside scope",
    f"{M}.accept_sla": "a setting",
    f"{M}.backdate_tolerance": "a setting",
    f"{M}.far_check_in_m": "a setting",
    f"{M}.max_dispatch_attempts": "a setting",
    f"{M}.require_transition": "a check",
    f"{M}.on_elder_status": "hook inside elder_change_status' gated transaction; each move gated itself",
    f"{M}.on_elder_transfer": "hook inside the gated transfer (elder_update, import)",
    f"{C}.can_complain": "a check",
    f"{C}.resolve_sla": "a setting",
    f"{S}.closed_months": "reader",
    f"{S}.complaint_hold_q": "query expression",
    f"{S}.held_q": "query expression",
    f"{S}.parse_month": "parser",
    f"{S}.settleable_orders": "reader",
    f"{S}.settlement_xlsx": "export of a statement the caller already scoped",
    f"{S}.statement_county": "which county a statement is for",
}
