"""Pages of smart devices (四端合一): the alarm queue and an alarm's card with its timeline (community
workers, the 12349 centre; providers read their elders'), the device register with the vendor's .xlsx
import and 未登记设备, the county map of homes with devices and live alarms, and the away form used by
the family and the community worker."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate
from yiyang.core.validators import parse_form_date, parse_form_datetime
from yiyang.devices import services
from yiyang.devices.choices import LIVE_ALARM, AlarmKind, AlarmStatus, DeviceStatus, DeviceType
from yiyang.devices.importing import read_delivery_list
from yiyang.devices.models import Alarm, Device, DeviceEvent, Installation
from yiyang.devices.selectors import (
    alarm_list,
    alarm_timeline,
    alarms_live,
    device_list,
    response_minutes,
    unregistered_serials,
    vendors_usable,
)
from yiyang.devices.transitions import ALARM_MACHINE
from yiyang.elders.selectors import elder_get
from yiyang.renovation.photos import IMAGE_TYPES, max_photo_bytes


def _uuid(value: Any) -> Any:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(
        f"{k}：{m}" for k, msgs in list(exc.errors.items())[:10] for m in msgs if m not in exc.message
    )
    messages.error(request, exc.message + (f"（{detail}）" if detail else ""))


class AlarmQueueView(ScopedPageMixin, View):
    """告警队列: live alarms first (most severe, oldest), then the recent closed ones."""

    required_perm = "alarms.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = alarm_list(user=request.user)
        kind = request.GET.get("kind", "")
        if kind in AlarmKind.values:
            qs = qs.filter(kind=kind)
        live = qs.filter(status__in=LIVE_ALARM).order_by("raised_at", "pk")
        order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        live_rows = sorted(live[:300], key=lambda a: (order.get(a.severity, 9), a.raised_at))
        closed = paginate(request, qs.exclude(status__in=LIVE_ALARM).order_by("-raised_at", "-pk"))
        return render(
            request,
            "devices/alarms.html",
            {
                "live": live_rows,
                "closed": closed,
                "kinds": AlarmKind.choices,
                "kind": kind,
                "can_handle": request.user.has_perm("alarms.handle"),
            },
        )


class AlarmView(ScopedPageMixin, View):
    required_perm = "alarms.view"

    def _alarm(self, request: HttpRequest, alarm_id: Any, perm: str) -> Alarm:
        return get_scoped_or_404(
            Alarm.objects.select_related("elder", "device", "incident"),
            request.user,
            perm,
            public_id=alarm_id,
        )

    def get(self, request: HttpRequest, alarm_id: Any) -> HttpResponse:
        alarm = self._alarm(request, alarm_id, self.required_perm)
        return render(
            request,
            "devices/alarm.html",
            {
                "alarm": alarm,
                "timeline": alarm_timeline(alarm),
                "can_handle": request.user.has_perm("alarms.handle")
                and bool(ALARM_MACHINE.targets(alarm.status)),
                "can_ack": ALARM_MACHINE.can(alarm.status, AlarmStatus.ACKNOWLEDGED),
            },
        )

    def post(self, request: HttpRequest, alarm_id: Any) -> HttpResponse:
        if not request.user.has_perm("alarms.handle"):
            raise Http404
        alarm = self._alarm(request, alarm_id, "alarms.handle")
        op = request.POST.get("op", "")
        try:
            if op == "acknowledge":
                services.alarm_acknowledge(actor=request.user, alarm=alarm)
                messages.success(request, "已确认告警")
            elif op in {AlarmStatus.HANDLED, AlarmStatus.FALSE_ALARM}:
                services.alarm_close(
                    actor=request.user, alarm=alarm, outcome=op, notes=request.POST.get("notes", "")
                )
                messages.success(request, "已记录处置结果")
            else:
                messages.error(request, "未知的操作")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("devices:alarm", args=[alarm.public_id]))


class DeviceListView(ScopedPageMixin, View):
    """设备登记: the register (filter by type and status), one-by-one registration, the vendor's .xlsx
    delivery list, and serials that sent events but are not registered (未登记设备)."""

    required_perm = "devices.manage"

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        qs = device_list(user=request.user)
        t = request.GET.get("type", "")
        st = request.GET.get("status", "")
        if t in DeviceType.values:
            qs = qs.filter(type=t)
        if st in DeviceStatus.values:
            qs = qs.filter(status=st)
        return {
            "page": paginate(request, qs.order_by("-created_at", "-pk")),
            "types": DeviceType.choices,
            "statuses": DeviceStatus.choices,
            "type": t,
            "status": st,
            "vendors": vendors_usable(user=request.user),
            "unregistered": unregistered_serials(user=request.user),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "devices/devices.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        vendor = vendors_usable(user=request.user).filter(public_id=_uuid(request.POST.get("vendor"))).first()
        try:
            if vendor is None:
                raise DomainError("请选择设备厂商", errors={"vendor": ["请选择设备厂商"]})
            if request.POST.get("op") == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError("请选择厂商提供的设备清单（.xlsx）")
                rows = read_delivery_list(upload)
                created = services.device_import_rows(actor=request.user, vendor=vendor, rows=rows)
                messages.success(request, f"已登记 {len(created)} 台设备")
            else:
                elder = elder_get(
                    user=request.user, public_id=_uuid(request.POST.get("elder")), perm="devices.manage"
                )
                if elder is None:
                    raise DomainError("管辖范围内没有这位老人", errors={"elder": ["请填写老人编号"]})
                device = services.device_register(
                    actor=request.user,
                    vendor=vendor,
                    serial=request.POST.get("serial", ""),
                    type=request.POST.get("type", ""),
                    elder=elder,
                    installed_by=request.POST.get("installed_by", ""),
                )
                messages.success(request, f"已登记{device.get_type_display()} {device.serial}")
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "devices/devices.html", self._context(request), status=400)
        return HttpResponseRedirect(reverse("devices:devices"))


class DeviceView(ScopedPageMixin, View):
    """One device: its details, its installation records with their photos, its recent events and
    alarms; those who manage devices record an installation (安装记录) here."""

    required_perm = "devices.view"

    def _device(self, request: HttpRequest, device_id: Any, perm: str) -> Device:
        return get_scoped_or_404(
            Device.objects.select_related("vendor", "elder"), request.user, perm, public_id=device_id
        )

    def _render(self, request: HttpRequest, device: Device, status: int = 200) -> HttpResponse:
        return render(
            request,
            "devices/device.html",
            {
                "device": device,
                "installations": device.installations.select_related("created_by"),
                "events": DeviceEvent.objects.filter(device=device).order_by("-ts", "-pk")[:20],
                "alarms": alarm_list(user=request.user).filter(device=device).order_by("-raised_at")[:20],
                "can_manage": request.user.has_perm("devices.manage"),
                "today": timezone.localdate().isoformat(),
                "max_mb": max_photo_bytes() // (1024 * 1024),
            },
            status=status,
        )

    def get(self, request: HttpRequest, device_id: Any) -> HttpResponse:
        return self._render(request, self._device(request, device_id, self.required_perm))

    def post(self, request: HttpRequest, device_id: Any) -> HttpResponse:
        if not request.user.has_perm("devices.manage"):
            raise Http404
        device = self._device(request, device_id, "devices.manage")
        try:
            installed_on = parse_form_date(request.POST.get("installed_on"), "安装日期", field="installed_on")
            services.installation_add(
                actor=request.user,
                device=device,
                installed_on=installed_on,
                installed_by=request.POST.get("installed_by", ""),
                notes=request.POST.get("notes", ""),
                photo=request.FILES.get("photo"),
            )
        except DomainError as exc:
            _fail(request, exc)
            return self._render(request, device, status=400)
        messages.success(request, "已记录安装")
        return HttpResponseRedirect(reverse("devices:device", args=[device.public_id]))


@login_required
def installation_photo(request: HttpRequest, device_id: Any, installation_id: int) -> FileResponse:
    """An installation photo, to those who may see the device (never a public media URL)."""
    device = get_scoped_or_404(Device.objects.all(), request.user, "devices.view", public_id=device_id)
    record = Installation.objects.filter(device=device, pk=installation_id).first()
    if record is None or not record.photo:
        raise Http404
    ext = str(record.photo.name).rsplit(".", 1)[-1].lower()
    if ext not in IMAGE_TYPES:
        raise Http404
    try:
        handle = record.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=IMAGE_TYPES[ext])
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _map_data(user: Any) -> dict[str, Any]:
    """Homes with devices (elder position, device count, devices offline) and their live alarms."""
    homes: dict[int, dict[str, Any]] = {}
    for d in (
        device_list(user=user).exclude(status=DeviceStatus.REMOVED).filter(elder__lat__isnull=False)[:5000]
    ):
        e = d.elder
        assert e is not None
        home = homes.setdefault(
            e.pk, {"name": e.name, "value": [e.lng, e.lat], "devices": 0, "offline": 0, "alarms": []}
        )
        home["devices"] += 1
        home["offline"] += int(d.status == DeviceStatus.OFFLINE)
    for a in alarms_live(user=user).filter(elder_id__in=list(homes)):
        assert a.elder_id is not None
        homes[a.elder_id]["alarms"].append(a.get_kind_display())
    return {"homes": list(homes.values())}


class MapView(ScopedPageMixin, View):
    """设备地图: homes with devices, live alarms in red; the points and the live alarm list refresh themselves every 5 seconds."""

    required_perm = "devices.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        data = _map_data(request.user)
        qs = device_list(user=request.user).exclude(status=DeviceStatus.REMOVED)
        return render(
            request,
            "devices/map.html",
            {
                "map_data": data,
                "homes": len(data["homes"]),
                "devices": qs.count(),
                "offline": qs.filter(status=DeviceStatus.OFFLINE).count(),
                "low_battery": qs.filter(status=DeviceStatus.LOW_BATTERY).count(),
                **_live_context(request.user),
                "response": response_minutes(user=request.user),
            },
        )


class MapLiveView(ScopedPageMixin, View):
    """The map page's live alarm list (HTMX swaps it in every 5 seconds): live alarms, most severe and
    oldest first, each linking to its card."""

    required_perm = "devices.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "devices/_map_live.html", _live_context(request.user))


def _live_context(user: Any) -> dict[str, Any]:
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    qs = alarms_live(user=user).select_related("elder")
    rows = sorted(qs.order_by("raised_at", "pk")[:50], key=lambda a: (order.get(a.severity, 9), a.raised_at))
    return {"live_alarms": rows, "live": qs.count()}


class MapDataView(ScopedPageMixin, View):
    required_perm = "devices.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse(_map_data(request.user))


class AwayView(ScopedPageMixin, View):
    """外出登记 (family, community worker): pauses inactivity alarms for the period."""

    required_perm = "devices.away"

    def post(self, request: HttpRequest) -> HttpResponse:
        elder = elder_get(user=request.user, public_id=_uuid(request.POST.get("elder")), perm="devices.away")
        if elder is None:
            raise Http404
        try:
            services.away_add(
                actor=request.user,
                elder=elder,
                starts_at=parse_form_datetime(request.POST.get("starts_at", ""), "开始时间"),
                ends_at=parse_form_datetime(request.POST.get("ends_at", ""), "结束时间"),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"已登记{elder.name}外出，期间暂停无活动告警")
        except DomainError as exc:
            _fail(request, exc)
        nxt = request.POST.get("next", "")
        if nxt not in {reverse("orders:family"), f"/elders/{elder.public_id}/"}:
            nxt = (
                reverse("orders:family")
                if "family" in request.user.roles()  # type: ignore[union-attr]
                else f"/elders/{elder.public_id}/"
            )
        return HttpResponseRedirect(nxt)
