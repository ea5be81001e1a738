"""Demo orders for elders of 广陵区 (321002) served by the demo provider: about 60 in every state, some
flagged, last month settled, a few complaints in every complaint state — so the demo logins can run the
whole loop. Every move goes through the
order services; history is then placed at past times (the seed writes history, the app never does)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.money import yuan
from yiyang.demo.city import CENTRES
from yiyang.dispatch.matching import Candidate
from yiyang.elders.models import Elder, ElderContact
from yiyang.orders import complaints, services
from yiyang.orders.models import Complaint, ComplaintEvent, Order, OrderEvent
from yiyang.orders.settlement import settlement_generate
from yiyang.providers.models import Organisation, ServiceItem, Staff

# (status, count, days ago, flag to provoke)
PLAN: list[tuple[str, int, int, str]] = [
    ("rated", 14, 30, ""),
    ("confirmed", 8, 30, ""),
    ("rated", 8, 6, ""),
    ("confirmed", 4, 3, ""),
    ("checked_out", 3, 0, ""),
    ("confirmed", 2, 30, "far"),
    ("confirmed", 2, 5, "short"),
    ("confirmed", 1, 4, "backdated"),
    ("checked_in", 1, 0, ""),
    ("accepted", 4, 0, ""),
    ("dispatched", 4, 0, ""),
    ("created", 6, -1, ""),
    ("cancelled", 3, 2, ""),
]


def _candidate(staff: Staff) -> Candidate:
    return Candidate(staff=staff, distance_m=None, load=0, eligible=True, reasons=["演示数据"])


def _home(elder: Elder) -> tuple[float, float]:
    """The elder's home coordinates, else their community's, else the district centre."""
    if elder.lat is not None and elder.lng is not None:
        return elder.lat, elder.lng
    region = elder.region
    if region.lat is not None and region.lng is not None:
        return region.lat, region.lng
    return CENTRES["321002"]


def work_base(now: datetime) -> datetime:
    """When the demo's open work starts, whatever the hour the demo is seeded: the next hour if a day's
    visits still fit before the demo caregiver's 22:00, otherwise 09:00 of the next (or this) morning —
    so the demo dispatcher always finds caregivers within their working hours."""
    now = timezone.localtime(now)
    if 8 <= now.hour < 13:
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    day = now.date() if now.hour < 8 else now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(9)))


def _place(order: Order, start: datetime, minutes: int) -> None:
    """Move a finished visit to its historical slot (order times and timeline)."""
    Order.objects.filter(pk=order.pk).update(
        scheduled_start=start,
        dispatched_at=start - timedelta(hours=20),
        accepted_at=start - timedelta(hours=19),
        checked_in_at=start,
        checked_out_at=start + timedelta(minutes=minutes),
        created_at=start - timedelta(days=1),
    )
    stamps = {
        "created": start - timedelta(days=1),
        "dispatched": start - timedelta(hours=20),
        "accepted": start - timedelta(hours=19),
        "checked_in": start,
        "checked_out": start + timedelta(minutes=minutes),
    }
    for new, at in stamps.items():
        OrderEvent.objects.filter(order=order, to_status=new).update(at=at)
    order.refresh_from_db()


def seed(ctx: Any) -> str:
    return _seed_orders(ctx) + "；" + _seed_complaints(ctx) + "；" + _seed_plans(ctx)


def _seed_plans(ctx: Any) -> str:
    """Two 周期服务 plans (re-runnable: skipped once there): a relative of the demo family has 上门送餐 every
    weekday at 11:00 (set up by the family online); another elder of the community worker's community has
    上门助浴 every Wednesday at 15:00 (set up by the community worker). Their first orders are made at once."""
    from datetime import time as clock

    from yiyang.orders.models import ServicePlan
    from yiyang.orders.recurring import plan_create

    items = {i.code: i for i in ServiceItem.objects.filter(code__in=["ZC-01", "ZY-01"], is_active=True)}
    family, worker = ctx.user("family"), ctx.user("community_worker")
    relatives = list(Elder.objects.filter(contacts__user=family, status="active").order_by("pk")[:2])
    relative = relatives[0] if relatives else None
    # The meal plan is for another relative where there is one, so the first keeps this month's quota
    # for the demo's 预约服务.
    diner = relatives[-1] if relatives else None
    community = worker.primary_grant().region_id if worker.primary_grant() else ""
    neighbour = (
        Elder.objects.filter(region_id=community, status="active")
        .exclude(contacts__user=family)
        .order_by("pk")
        .first()
    )
    start = timezone.localdate() + timedelta(days=1)
    made = 0
    if relative is not None and not relative.categories.exists():
        # The family's first relative is 低保 (registered by the community worker), so the demo 预约服务
        # shows a government subsidy and the month's quota.
        from yiyang.elders.services import elder_update

        elder_update(
            actor=worker, elder=relative, categories=[{"category": "dibao", "valid_from": date(2020, 1, 1)}]
        )
    if ServicePlan.objects.exists():
        return "周期服务已存在，跳过"
    if diner is not None and "ZC-01" in items:
        plan_create(
            actor=family,
            elder=diner,
            service_item=items["ZC-01"],
            weekdays="12345",
            time_of_day=clock(11, 0),
            start_date=start,
            end_date=start + timedelta(days=90),
            note="少盐少油",
        )
        made += 1
    if neighbour is not None and "ZY-01" in items:
        plan_create(
            actor=worker,
            elder=neighbour,
            service_item=items["ZY-01"],
            weekdays="3",
            time_of_day=clock(15, 0),
            start_date=start,
        )
        made += 1
    return f"周期服务 {made} 个"


def _seed_orders(ctx: Any) -> str:
    org = Organisation.objects.filter(admins__username="provider_admin").first()
    if org is None:
        return "跳过：没有演示服务机构"
    if (
        Order.objects.filter(provider=org).exists()
        or Order.objects.filter(
            elder__region__code__startswith="321002", created_by__username="dispatcher"
        ).exists()
    ):
        return "演示工单已存在，跳过"
    family = ctx.user("family")
    linked = list(
        Elder.objects.filter(contacts__user=family, status="active").select_related("region").distinct()
    )
    others = list(
        Elder.objects.filter(region__code__startswith="321002", status="active")
        .select_related("region")
        .exclude(pk__in=[e.pk for e in linked])
        .order_by("region__code", "pk")[:40]
    )
    elders = linked + others
    if not elders:
        return "跳过：广陵区没有登记老人"
    dispatcher, caregiver_user = ctx.user("dispatcher"), ctx.user("caregiver")
    demo_staff = Staff.objects.get(user=caregiver_user)
    team = list(org.staff.exclude(pk=demo_staff.pk).order_by("pk"))
    items = {i.code: i for i in ServiceItem.objects.all()}
    easy = [items[c] for c in ["ZJ-01", "SH-01", "JS-01", "JZ-01", "ZX-01"] if c in items]
    linked_ids = {e.pk for e in linked}
    now = timezone.localtime()
    base = work_base(now)
    made = 0
    flagged = 0
    per_day: dict[int, int] = {}
    for status, count, days_ago, flag in PLAN:
        for n in range(count):
            elder = elders[(made * 7 + n) % len(elders)]
            item = easy[(made + n) % len(easy)]
            # The demo caregiver has today's work; the visit in progress belongs to a colleague, so the
            # demo caregiver's own next check-in is not "in two places at once".
            mine = status != "checked_in" and (
                status in {"checked_out", "accepted", "dispatched"} or elder.pk in linked_ids or made % 3 == 0
            )
            staff = demo_staff if mine else team[made % len(team)]
            actor = staff.user or caregiver_user
            order = services.order_create(
                actor=dispatcher,
                elder=elder,
                service_item=item,
                # The demo caregiver's accepted visits, then the dispatched ones, hour by hour from
                # ``base``; the visit in progress is the one due now.
                scheduled_start=(
                    timezone.now() + timedelta(minutes=1)
                    if status == "checked_in"
                    else base + timedelta(hours=n + (4 if status == "dispatched" else 0))
                ),
                channel=ctx.rng.choice(["hotline", "community", "family", "care_plan"]),
            )
            made += 1
            if status == "created":
                # Waiting to be dispatched: the morning after ``base``, when nobody is booked yet.
                Order.objects.filter(pk=order.pk).update(
                    scheduled_start=base.replace(hour=9) + timedelta(days=1, hours=n)
                )
                continue
            if status == "cancelled":
                services.order_cancel(order=order, actor=dispatcher, reason="老人住院，暂不需要服务")
                continue
            services.order_dispatch(
                order=order, caregiver=staff, actor=dispatcher, candidate=_candidate(staff)
            )
            if status == "dispatched":
                continue
            order.refresh_from_db()
            services.order_accept(order=order, actor=actor)
            if status == "accepted":
                continue
            home_lat, home_lng = _home(elder)
            lat = home_lat + (0.009 if flag == "far" else ctx.rng.uniform(-0.0008, 0.0008))
            lng = home_lng + ctx.rng.uniform(-0.0008, 0.0008)
            at = timezone.now() - timedelta(hours=2) if flag == "backdated" else None
            # Recorded now, at its appointment (a check-in hours off it would be flagged off-schedule).
            Order.objects.filter(pk=order.pk).update(scheduled_start=at or timezone.now())
            order.refresh_from_db()
            services.order_check_in(order=order, actor=actor, lat=lat, lng=lng, at=at)
            if status == "checked_in":
                continue
            minutes = 6 if flag == "short" else item.standard_minutes + ctx.rng.randint(-5, 20)
            Order.objects.filter(pk=order.pk).update(
                checked_in_at=timezone.now() - timedelta(minutes=minutes)
            )
            order.refresh_from_db()
            services.order_check_out(
                order=order,
                actor=actor,
                items_done=[item.name, "安全检查"],
                notes=ctx.rng.choice(["老人精神状态良好", "提醒按时服药", "家中地面湿滑，已提醒家属"]),
            )
            k = per_day[days_ago] = per_day.get(days_ago, -1) + 1
            if days_ago > 0:  # four visits a day, 08:00–18:00, spreading back over earlier days
                day = (now - timedelta(days=days_ago + k // 4)).replace(
                    hour=8, minute=0, second=0, microsecond=0
                )
                start = day + timedelta(minutes=150 * (k % 4))
            else:  # earlier today, clear of the visit being recorded now
                start = now - timedelta(minutes=150 * (k + 2))
            _place(order, start, minutes)
            if status == "checked_out":
                continue
            if ElderContact.objects.filter(elder=elder, user=family).exists():
                services.order_confirm(order=order, actor=family)
                if status == "rated":
                    services.order_rate(
                        order=order,
                        actor=family,
                        score=ctx.rng.choice([4, 5, 5, 5, 3]),
                        comment=ctx.rng.choice(["很细心", "准时到达", "服务周到", ""]),
                    )
            else:
                # No family login: the elder reads the code to the caregiver's phone.
                services.order_confirm(order=order, actor=actor, code=order.confirmation_code)
            if flag:
                flagged += 1
    last_month = (now.date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    settlement, _ = settlement_generate(provider=org, month=last_month, actor=ctx.user("county_admin"))
    open_flags = Order.objects.filter(provider=org, flags__status="open").distinct().count()
    return (
        f"工单 {made} 单（{open_flags} 单有待核查异常）；{last_month} 结算单 {settlement.lines.count()} 行，"
        f"合计 {yuan(settlement.total_fen)} 元"
    )


def _seed_complaints(ctx: Any) -> str:
    """Six complaints on the demo orders (chosen by primary key, so a seed gives the same ones): pending,
    overdue, in handling, dismissed (the family may dispute it), upheld before settlement (never paid)
    and upheld after settlement (its charge reversed in the next statement). Skipped when the provider
    already has any."""
    org = Organisation.objects.filter(admins__username="provider_admin").first()
    if org is None:
        return "跳过演示投诉：没有演示服务机构"
    if Complaint.objects.filter(order__provider=org).exists():
        return "演示投诉已存在，跳过"
    family, operator, handler = ctx.user("family"), ctx.user("operator"), ctx.user("dispatcher")
    community = ctx.user("community_worker")
    used: set[int] = set()

    def pick(statuses: list[str], *, by: Any = None, family_only: bool = False) -> Order | None:
        qs = Order.objects.filter(provider=org, status__in=statuses).exclude(pk__in=used)
        if family_only:
            qs = qs.filter(elder__contacts__user=family)
        if by is not None:
            qs = qs.filter(pk__in=Order.objects.restrict(by, "orders.complain").values("pk"))
        order = qs.select_related("elder").order_by("pk").first()
        if order is not None:
            used.add(order.pk)
        return order

    def complain(order: Order | None, actor: Any, category: str, text: str) -> Complaint | None:
        if order is None:
            return None
        if not Order.objects.restrict(actor, "orders.complain").filter(pk=order.pk).exists():
            actor = operator  # not one of the demo family's elders: the elder rang the hotline
        return complaints.complaint_raise(order=order, actor=actor, category=category, description=text)

    def resolve(c: Complaint | None, outcome: str, text: str) -> None:
        if c is not None:
            complaints.complaint_handle(complaint=c, actor=handler)
            complaints.complaint_resolve(complaint=c, actor=handler, outcome=outcome, resolution=text)

    made = [
        complain(
            pick(["confirmed"], family_only=True) or pick(["confirmed"]),
            family,
            "no_show",
            "家里老人说那天没人上门，但记录显示已服务。",
        ),
        late := complain(pick(["rated", "confirmed"]), operator, "late", "老人来电：约好九点，十点半才到。"),
    ]
    attitude = complain(
        pick(["rated", "confirmed"], by=community) or pick(["rated"]),
        community,
        "attitude",
        "社区走访时老人反映服务人员说话不耐烦。",
    )
    if attitude is not None:
        complaints.complaint_handle(complaint=attitude, actor=handler)
    dismissed = complain(
        pick(["rated", "confirmed", "settled"], family_only=True) or pick(["rated", "confirmed", "settled"]),
        family,
        "quality",
        "厨房没有擦干净。",
    )
    resolve(dismissed, "dismissed", "回访老人并查看服务照片，清洁已按标准完成。")
    upheld = complain(pick(["confirmed", "rated"]), operator, "quality", "助浴时水温过低，老人着凉。")
    resolve(upheld, "upheld", "服务人员承认未测水温，已培训整改，本次服务不予结算。")
    reversed_ = complain(pick(["settled"]), operator, "charge", "老人反映被额外收取了材料费。")
    resolve(reversed_, "upheld", "机构确认多收，退还老人，本单冲销计入下期结算单。")
    if late is not None:  # raised four days ago, never handled: past its deadline
        then = timezone.now() - timedelta(days=4)
        Complaint.objects.filter(pk=late.pk).update(
            created_at=then, sla_due_at=then + complaints.resolve_sla()
        )
        ComplaintEvent.objects.filter(complaint=late).update(at=then)
    count = len([c for c in [*made, attitude, dismissed, upheld, reversed_] if c is not None])
    return f"投诉 {count} 件（1 件已超期）"
