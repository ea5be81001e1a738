"""Reads of the hotline, starting from the scoped querysets."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yiyang.core.geo import haversine_m
from yiyang.hotline.choices import IncidentStatus, WorkOrderStatus
from yiyang.hotline.models import Call, Incident, Integration, Shift, WorkOrder
from yiyang.hotline.transitions import INCIDENT_ACTIVE, WORK_ORDER_OPEN


def call_list(*, user: Any, perm: str = "calls.view") -> QuerySet[Call]:
    return Call.objects.restrict(user, perm).select_related("elder", "operator")


def incident_list(*, user: Any, perm: str = "incidents.view") -> QuerySet[Incident]:
    return Incident.objects.restrict(user, perm).select_related("elder")


def incident_detail_queryset(*, user: Any, perm: str = "incidents.view") -> QuerySet[Incident]:
    return incident_list(user=user, perm=perm).prefetch_related("timeline")


def incidents_active(*, user: Any) -> QuerySet[Incident]:
    return incident_list(user=user).filter(status__in=INCIDENT_ACTIVE).order_by("opened_at")


def family_incidents(*, user: Any) -> QuerySet[Incident]:
    """The family's view: incidents of their elders still open, and those closed in the last 7 days."""
    since = timezone.now() - timedelta(days=7)
    qs = incident_list(user=user)
    return (qs.filter(status__in=INCIDENT_ACTIVE) | qs.filter(closed_at__gte=since)).order_by("-opened_at")


def work_order_list(*, user: Any, perm: str = "workorders.view") -> QuerySet[WorkOrder]:
    return WorkOrder.objects.restrict(user, perm).select_related("integration")


def work_orders_due(*, user: Any, within_hours: int = 24) -> QuerySet[WorkOrder]:
    """Open work orders due within ``within_hours`` (or overdue), the earliest deadline first."""
    limit = timezone.now() + timedelta(hours=within_hours)
    return (
        work_order_list(user=user)
        .filter(status__in=WORK_ORDER_OPEN, deadline__lte=limit)
        .order_by("deadline", "pk")
    )


def integration_list(*, user: Any) -> QuerySet[Integration]:
    return Integration.objects.restrict(user, "hotline.integrations")


def key_hash(key: str) -> str:
    """How an integration's API key is stored and looked up: its SHA-256, never the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def integration_for_key(key: str) -> Integration | None:
    """The live integration holding ``key`` (compared by hash), or None."""
    if not key or len(key) > 200:
        return None
    return Integration.objects.filter(key_hash=key_hash(key), revoked_at__isnull=True).first()


def shift_list(*, user: Any, perm: str = "duty.view") -> QuerySet[Shift]:
    return Shift.objects.restrict(user, perm).select_related("user")


def shifts_now(*, user: Any, at: datetime | None = None) -> QuerySet[Shift]:
    now = at or timezone.now()
    return shift_list(user=user).filter(starts_at__lte=now, ends_at__gt=now).order_by("role", "starts_at")


def nearest_responders(elder: Any, limit: int = 8) -> dict[str, list[dict[str, Any]]]:
    """Active caregivers of organisations serving the elder's region and the community workers of the
    elder's community and street, with distances in metres from the elder's home (caregivers from their
    base, community workers from the community's centre), nearest first."""
    from yiyang.accounts.models import Grant
    from yiyang.providers.selectors import staff_serving
    from yiyang.regions.selectors import region_chain

    code = elder.region_id
    ancestors = sorted({code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)})
    staff: list[dict[str, Any]] = []
    for s in staff_serving(region_codes=ancestors):
        distance = None
        if elder.lat is not None and s.home_lat is not None and s.home_lng is not None:
            distance = int(haversine_m(elder.lat, elder.lng, s.home_lat, s.home_lng))
        staff.append(
            {
                "id": str(s.public_id),
                "name": s.name,
                "organisation": s.organisation.name,
                "distance_m": distance,
                "lat": s.home_lat,
                "lng": s.home_lng,
            }
        )
    staff.sort(key=lambda d: (d["distance_m"] is None, d["distance_m"] or 0))
    chain = {r.code: r for r in region_chain(code)}
    workers: list[dict[str, Any]] = []
    street = code[:9].ljust(12, "0")
    for grant in Grant.objects.filter(
        role="community_worker", region_id__in=[code, street], is_active=True
    ).select_related("user", "region"):
        region = chain.get(grant.region_id) or grant.region
        distance = None
        if elder.lat is not None and region.lat is not None and region.lng is not None:
            distance = int(haversine_m(elder.lat, elder.lng, region.lat, region.lng))
        workers.append(
            {
                "id": str(grant.user.public_id),
                "name": grant.user.display_name or grant.user.username,
                "organisation": region.name,
                "distance_m": distance,
            }
        )
    workers.sort(key=lambda d: (d["distance_m"] is None, d["distance_m"] or 0))
    return {"staff": staff[:limit], "workers": workers[:limit]}


def elders_for_number(user: Any, number_hash: str, *, perm: str = "elders.view") -> list[Any]:
    """The elders in the user's scope a number belongs to: the elder's own phone, or the phone of one of
    their contacts (a relative calling). Matched through the phone blind index, never by decrypting."""
    from yiyang.elders.selectors import elders_by_phone_hash

    return elders_by_phone_hash(user=user, number_hash=number_hash, perm=perm, limit=10)


def calling_contacts(elders: list[Any], number_hash: str) -> list[Any]:
    """The contacts (of these already scoped elders) whose phone is the calling number."""
    from yiyang.elders.selectors import contacts_by_phone_hash

    return contacts_by_phone_hash(elders, number_hash)


def elder_card(elder: Any, user: Any, *, number_hash: str = "") -> dict[str, Any]:
    """What an operator sees of an elder on a call or an incident: masked identity, capability level,
    living situation, contacts (masked), open orders and recent incidents the user may see. With the
    call's ``number_hash``, ``caller`` says who is calling: the elder themself or which relative."""
    from yiyang.orders.selectors import order_list

    orders: list[Any] = []
    if user.has_perm("orders.view"):
        orders = list(
            order_list(user=user)
            .filter(elder=elder, status__in=["created", "dispatched", "accepted", "declined", "checked_in"])
            .select_related("service_item")[:5]
        )
    contacts = list(elder.contacts.all())
    return {
        "elder": elder,
        "age": elder.age(),
        "contacts": contacts,
        "self_calling": bool(number_hash) and elder.phone_hash == number_hash,
        "calling": [c for c in contacts if number_hash and c.phone_hash == number_hash],
        "orders": orders,
        "incidents": list(incident_list(user=user).filter(elder=elder).order_by("-opened_at")[:5]),
    }


def report(*, user: Any, start: datetime, end: datetime) -> dict[str, Any]:
    """Figures for the hotline report between ``start`` and ``end``: calls per day by type, average
    handling (call duration) time, work orders by status and overdue, satisfaction, incidents with
    arrival times (average, over target)."""
    from collections import Counter, defaultdict

    from yiyang.hotline.choices import CallKind, Satisfaction

    calls = call_list(user=user, perm="hotline.reports").filter(started_at__gte=start, started_at__lt=end)
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    durations: list[int] = []
    for started, kind, duration in calls.values_list("started_at", "kind", "duration_seconds"):
        per_day[timezone.localtime(started).strftime("%Y-%m-%d")][kind] += 1
        if duration is not None:
            durations.append(duration)
    orders = work_order_list(user=user, perm="hotline.reports").filter(
        created_at__gte=start, created_at__lt=end
    )
    now = timezone.now()
    by_status = Counter(orders.values_list("status", flat=True))
    overdue = orders.filter(status__in=WORK_ORDER_OPEN, deadline__lt=now).count()
    satisfaction = Counter(orders.exclude(satisfaction="").values_list("satisfaction", flat=True))
    incidents = incident_list(user=user, perm="hotline.reports").filter(
        opened_at__gte=start, opened_at__lt=end
    )
    arrivals = [m for i in incidents if (m := i.arrival_minutes) is not None]
    over = sum(1 for i in incidents if i.overrun)
    return {
        "days": [
            {
                "day": day,
                "counts": [per_day[day][k] for k in CallKind.values],
                "total": sum(per_day[day].values()),
            }
            for day in sorted(per_day)
        ],
        "kinds": [label for _, label in CallKind.choices],
        "calls": sum(sum(c.values()) for c in per_day.values()),
        "avg_call_seconds": int(sum(durations) / len(durations)) if durations else None,
        "work_orders": [(label, by_status.get(value, 0)) for value, label in WorkOrderStatus.choices],
        "overdue": overdue,
        "satisfaction": [(label, satisfaction.get(value, 0)) for value, label in Satisfaction.choices],
        "incidents": incidents.count(),
        "closed": incidents.filter(status=IncidentStatus.CLOSED).count(),
        "arrived": len(arrivals),
        "avg_arrival_minutes": round(sum(arrivals) / len(arrivals), 1) if arrivals else None,
        "over_target": over,
    }


def answer_options(
    *, user: Any, region_code: str, elder: Any = None, q: str = "", org_type: str = "", limit: int = 30
) -> list[dict[str, Any]]:
    """What the operator can answer a 查询养老院 / 预约挂号 call with, from the platform's own data: each
    facility (name, type, grade, beds by kind, address, the organisation's phone) and each organisation
    without a facility, of the organisations within the user's scope near the caller's region, with the
    distance from the elder's home where both places have coordinates, nearest first. Vacancies are not
    kept by the register: the beds shown are the facility's registered beds."""
    from yiyang.core.geo import distance_text
    from yiyang.providers.selectors import organisations_near

    home = (
        (elder.lat, elder.lng)
        if elder is not None and elder.lat is not None and elder.lng is not None
        else None
    )
    rows: list[dict[str, Any]] = []
    for org in organisations_near(user=user, region_code=region_code, q=q, org_type=org_type):
        common = {
            "organisation": org,
            "org_type": org.get_org_type_display(),
            "grade": org.get_grade_display() if org.grade else "",
            "phone": org.phone,
        }
        facilities = list(org.facilities.all())
        for f in facilities:
            distance = None
            if home and f.lat is not None and f.lng is not None:
                distance = int(haversine_m(home[0], home[1], f.lat, f.lng))
            beds = f.beds_ordinary + f.beds_nursing + f.beds_dementia
            rows.append(
                {
                    **common,
                    "kind": "facility",
                    "id": str(f.public_id),
                    "facility": f,
                    "name": f.name,
                    "address": f.address,
                    "beds": beds,
                    "beds_detail": f"普通 {f.beds_ordinary} · 护理型 {f.beds_nursing} · 认知障碍 {f.beds_dementia}",
                    "distance_m": distance,
                    "distance": distance_text(distance),
                }
            )
        if not facilities:
            rows.append(
                {
                    **common,
                    "kind": "provider",
                    "id": str(org.public_id),
                    "facility": None,
                    "name": org.name,
                    "address": org.address,
                    "beds": None,
                    "beds_detail": "",
                    "distance_m": None,
                    "distance": "",
                }
            )
    rows.sort(key=lambda r: (r["distance_m"] is None, r["distance_m"] or 0, r["name"]))
    return rows[:limit]


def call_answers(call: Call) -> QuerySet[Any]:
    from yiyang.hotline.models import CallAnswer

    return CallAnswer.objects.filter(call=call).select_related("created_by").order_by("created_at", "pk")


def call_appointments(call: Call) -> QuerySet[Any]:
    from yiyang.hotline.models import Appointment

    return Appointment.objects.filter(call=call).select_related("elder", "created_by").order_by("at", "pk")


def appointment_list(*, user: Any, perm: str = "calls.view") -> QuerySet[Any]:
    from yiyang.hotline.models import Appointment

    return Appointment.objects.restrict(user, perm).select_related("elder", "call", "organisation")
