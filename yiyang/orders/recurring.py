"""周期服务: plans that repeat one service on chosen weekdays at one time (助餐 every weekday, 助浴 every
Wednesday), and the job that makes their orders a few days ahead.

A plan is set up by whoever may order for the elder (family for their own relatives, community and street
workers, the 12349 operator, the dispatcher); it is 执行中 → 已暂停 ⇄ 执行中 → 已结束. Pausing or ending
cancels the plan's orders not yet dispatched. ``plans_generate`` (Celery beat, daily; also
``manage.py orders_generate_recurring``) makes one order per plan and day through ``order_create`` with
the channel 周期服务自动生成; the unique (plan, day) row makes it idempotent, and a day whose order was
cancelled is not made again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.errors import DomainError
from yiyang.core.statemachine import StateMachine, timeline_write, transition
from yiyang.elders.choices import ElderStatus
from yiyang.orders.choices import Channel, PlanStatus
from yiyang.orders.choices import OrderStatus as S
from yiyang.orders.models import Order, PlanOccurrence, ServicePlan, ServicePlanEvent
from yiyang.orders.services import _is_contact, order_cancel, order_channel, order_create
from yiyang.regions.scope import SYSTEM, is_system, require_actor, require_scope

if TYPE_CHECKING:
    from yiyang.elders.models import Elder
    from yiyang.providers.models import ServiceItem

PLAN_MACHINE = StateMachine(
    {
        PlanStatus.ACTIVE: {PlanStatus.PAUSED, PlanStatus.ENDED},
        PlanStatus.PAUSED: {PlanStatus.ACTIVE, PlanStatus.ENDED},
        PlanStatus.ENDED: set(),
    },
    labels=dict(PlanStatus.choices),
)

#: Longest plan (days between start and end) and how far ahead a start may lie.
MAX_PLAN_DAYS = 366
MAX_START_AHEAD_DAYS = 180


def days_ahead() -> int:
    """How many days ahead the job makes a plan's orders (setting ``ORDERS_RECURRING_DAYS_AHEAD``)."""
    return max(1, min(int(getattr(settings, "ORDERS_RECURRING_DAYS_AHEAD", 7)), 31))


def _invalid(field_name: str, message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={field_name: [message]})


def parse_weekdays(value: Any) -> str:
    """Weekdays as sorted ISO digits ("12345"); accepts a list of numbers or a string of digits."""
    items = list(str(value)) if isinstance(value, str) else [str(v) for v in (value or [])]
    if not items or any(d not in "1234567" or len(d) != 1 for d in items):
        raise _invalid("weekdays", "请选择服务日（周一至周日）")
    return "".join(sorted(set(items)))


def _audit(plan: ServicePlan, actor: Any, event: str, data: dict[str, Any]) -> None:
    audit_record(actor=actor, region=plan.region_code, event=event, obj=plan, data=data)


def plan_create(
    *,
    actor: Any,
    elder: Elder,
    service_item: ServiceItem,
    weekdays: Any,
    time_of_day: time,
    start_date: date,
    end_date: date | None = None,
    note: str = "",
    channel: str = "",
) -> ServicePlan:
    """Set up a plan for an elder in the actor's scope (``orders.add``; a family member for their own
    relatives), then make its first orders right away. ``channel``: how the plan was asked for (as
    ``order_channel`` decides); its orders say 周期服务自动生成."""
    require_actor(actor)
    days = parse_weekdays(weekdays)
    today = timezone.localdate()
    if start_date < today:
        raise _invalid("start_date", "开始日期不能早于今天")
    if start_date > today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise _invalid("start_date", f"开始日期最晚为 {MAX_START_AHEAD_DAYS} 天后")
    if end_date is not None and end_date < start_date:
        raise _invalid("end_date", "结束日期不能早于开始日期")
    if end_date is not None and (end_date - start_date).days > MAX_PLAN_DAYS:
        raise _invalid("end_date", "一个周期服务计划最长一年")
    if elder.status != ElderStatus.ACTIVE:
        raise _invalid("elder", "老人已故或已迁出，不能设立周期服务")
    if not service_item.is_active:
        raise _invalid("service_item", "该服务项目已停用")
    via = order_channel(actor, channel)
    with transaction.atomic():
        require_scope(actor, "orders.add", elder.region_id, own=_is_contact(elder.pk, actor))
        plan = ServicePlan.objects.create(
            elder=elder,
            service_item=service_item,
            weekdays=days,
            time_of_day=time_of_day.replace(second=0, microsecond=0),
            start_date=start_date,
            end_date=end_date,
            note=note.strip()[:300],
            created_via=via,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            region_code=elder.region_id,
        )
        timeline_write(
            timeline=ServicePlanEvent,
            subject=plan,
            old="",
            new=PlanStatus.ACTIVE,
            actor=actor,
            reason="设立周期服务",
            data={"channel": via},
        )
        _audit(plan, actor, "orders.plan_created", {"weekdays": days, "channel": via})
    plans_generate(actor=SYSTEM, plans=[plan])
    return plan


def _cancel_upcoming(plan: ServicePlan, actor: Any, reason: str) -> int:
    """Cancel the plan's orders not yet dispatched (created, declined) that lie ahead."""
    upcoming = Order.objects.filter(
        plan_occurrence__plan=plan,
        status__in=[S.CREATED, S.DECLINED],
        scheduled_start__gte=timezone.now(),
    )
    n = 0
    for order in upcoming:
        order_cancel(order=order, actor=actor, reason=reason)
        n += 1
    return n


def _plan_move(plan: ServicePlan, to: str, actor: Any, reason: str) -> ServicePlan:
    require_actor(actor)
    if not reason.strip():
        raise _invalid("reason", "请填写原因")
    PLAN_MACHINE.require(plan.status, to)
    with transaction.atomic():
        own = _is_contact(plan.elder_id, actor)
        cancelled = 0

        def moved(old: str, new: str) -> None:
            nonlocal cancelled
            require_scope(actor, "orders.add", plan.region_code, own=own)
            if new in {PlanStatus.PAUSED, PlanStatus.ENDED}:
                cancelled = _cancel_upcoming(plan, actor, f"周期服务{PLAN_MACHINE.label(new)}：{reason}")
            _audit(plan, actor, "orders.plan_status", {"from": old, "to": new, "cancelled": cancelled})

        transition(
            obj=plan,
            to=to,
            machine=PLAN_MACHINE,
            timeline=ServicePlanEvent,
            actor=actor,
            reason=reason.strip()[:300],
            on_moved=moved,
        )
    if to == PlanStatus.ACTIVE:
        plans_generate(actor=SYSTEM, plans=[plan])
    return plan


def plan_pause(*, plan: ServicePlan, actor: Any, reason: str) -> ServicePlan:
    return _plan_move(plan, PlanStatus.PAUSED, actor, reason)


def plan_resume(*, plan: ServicePlan, actor: Any, reason: str) -> ServicePlan:
    return _plan_move(plan, PlanStatus.ACTIVE, actor, reason)


def plan_end(*, plan: ServicePlan, actor: Any, reason: str) -> ServicePlan:
    return _plan_move(plan, PlanStatus.ENDED, actor, reason)


def plan_days(plan: ServicePlan, first: date, last: date) -> list[date]:
    """The plan's service days within [first, last]."""
    lo = max(first, plan.start_date)
    hi = min(last, plan.end_date) if plan.end_date else last
    out: list[date] = []
    day = lo
    while day <= hi:
        if str(day.isoweekday()) in plan.weekdays:
            out.append(day)
        day += timedelta(days=1)
    return out


def plans_generate(
    *, actor: Any, today: date | None = None, days: int | None = None, plans: list[ServicePlan] | None = None
) -> dict[str, int]:
    """Make the orders of active plans for the next ``days`` days (default ``days_ahead()``): one per plan
    and service day not made before. Idempotent (unique plan and day); a day already past its time, an
    elder no longer active or an item withdrawn is skipped. Needs ``orders.add`` over each plan's region
    (the job runs as ``SYSTEM``)."""
    require_actor(actor)
    today = today or timezone.localdate()
    horizon = today + timedelta(days=(days or days_ahead()) - 1)
    if plans is None:
        # A person running it (not the job) reaches only the plans in their own scope.
        base = (
            ServicePlan.objects.all()
            if is_system(actor)
            else ServicePlan.objects.restrict(actor, "orders.add")
        )
        todo = list(
            base.filter(status=PlanStatus.ACTIVE, start_date__lte=horizon)
            .exclude(end_date__lt=today)
            .select_related("elder", "service_item")
        )
    else:
        todo = [p for p in plans if p.status == PlanStatus.ACTIVE]
    made = skipped = 0
    now = timezone.now()
    for plan in todo:
        done = set(PlanOccurrence.objects.filter(plan=plan, day__gte=today).values_list("day", flat=True))
        for day in plan_days(plan, today, horizon):
            if day in done:
                continue
            start = timezone.make_aware(datetime.combine(day, plan.time_of_day))
            if start <= now or plan.elder.status != ElderStatus.ACTIVE or not plan.service_item.is_active:
                skipped += 1
                continue
            try:
                with transaction.atomic():
                    require_scope(actor, "orders.add", plan.region_code)
                    order = order_create(
                        actor=actor,
                        elder=plan.elder,
                        service_item=plan.service_item,
                        scheduled_start=start,
                        channel=Channel.RECURRING,
                        note=plan.note,
                        from_plan=True,
                    )
                    PlanOccurrence.objects.create(plan=plan, day=day, order=order)
            except IntegrityError:
                if not PlanOccurrence.objects.filter(plan=plan, day=day).exists():
                    raise
                skipped += 1  # made by a concurrent run
                continue
            except DomainError:
                skipped += 1
                continue
            made += 1
    return {"plans": len(todo), "made": made, "skipped": skipped}


def plan_list(*, user: Any) -> Any:
    return (
        ServicePlan.objects.restrict(user, "orders.view")
        .select_related("elder", "elder__region", "service_item")
        .order_by("-created_at", "-pk")
    )


def plan_upcoming(plan: ServicePlan) -> Any:
    return (
        Order.objects.filter(plan_occurrence__plan=plan, scheduled_start__gte=timezone.now())
        .select_related("service_item")
        .order_by("scheduled_start")
    )
