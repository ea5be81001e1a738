"""Reads of devices and alarms, always restricted to the reader's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from yiyang.devices.choices import LIVE_ALARM
from yiyang.devices.models import Alarm, AlarmEvent, AwayPeriod, Device, DeviceEvent, Vendor


def device_list(*, user: Any, perm: str = "devices.view") -> QuerySet[Device]:
    return Device.objects.restrict(user, perm).select_related("vendor", "elder")


def alarm_list(*, user: Any, perm: str = "alarms.view") -> QuerySet[Alarm]:
    return Alarm.objects.restrict(user, perm).select_related("elder", "device", "incident")


def alarms_live(*, user: Any, perm: str = "alarms.view") -> QuerySet[Alarm]:
    return alarm_list(user=user, perm=perm).filter(status__in=LIVE_ALARM)


def alarm_timeline(alarm: Alarm) -> QuerySet[AlarmEvent]:
    return AlarmEvent.objects.filter(alarm=alarm).order_by("at", "pk")


def vendor_list(*, user: Any, perm: str = "devices.view") -> QuerySet[Vendor]:
    return Vendor.objects.restrict(user, perm)


def vendors_usable(*, user: Any, perm: str = "devices.manage") -> QuerySet[Vendor]:
    """Vendors a register keeper may file devices under: the vendors of the cities they work in."""
    if getattr(user, "is_superuser", False):
        return Vendor.objects.all()
    q = Q()
    for prefix in user.scope_prefixes(perm):
        q |= Q(region_code__startswith=prefix[:4])
    return Vendor.objects.filter(q) if q.children else Vendor.objects.none()


def vendor_by_code(code: str) -> Vendor | None:
    """The vendor named in a webhook header or an MQTT topic (the caller then checks its signature)."""
    return Vendor.objects.filter(code=code).first()


def away_periods(*, user: Any, elder: Any) -> QuerySet[AwayPeriod]:
    return AwayPeriod.objects.restrict(user, "devices.view").filter(elder=elder)


def unregistered_serials(*, user: Any) -> list[dict[str, Any]]:
    """未登记设备: serials that sent events but are not registered, with vendor, count and last time."""
    rows: Any = (
        DeviceEvent.objects.restrict(user, "devices.view")
        .filter(device__isnull=True)
        .values("vendor__name", "vendor__code", "serial")
        .annotate(events=Count("pk"), last=Max("ts"))
        .order_by("-last")[:200]
    )
    return [dict(r) for r in rows]


def response_minutes(*, user: Any) -> dict[str, Any]:
    """Median minutes from alarm to acknowledgement over the reader's acknowledged alarms (last 500)."""
    rows = list(
        alarm_list(user=user)
        .filter(acknowledged_at__isnull=False)
        .order_by("-created_at")
        .values_list("created_at", "acknowledged_at")[:500]
    )
    if not rows:
        return {"count": 0, "median": None}
    minutes = sorted(max(0.0, (a - c).total_seconds() / 60) for c, a in rows if a is not None)
    return {"count": len(minutes), "median": round(minutes[len(minutes) // 2], 1)}
