"""Pages of the 12349 centre: the operator console (live queue by HTMX polling), calls with the elder's
card, the emergency screen, work orders, the duty roster, 12345 keys, the report and the family's SOS."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate
from yiyang.core.validators import parse_form_date, parse_form_datetime
from yiyang.elders.selectors import elder_get
from yiyang.hotline import services
from yiyang.hotline.choices import (
    CallDirection,
    CallKind,
    HandlerKind,
    IncidentKind,
    IncidentOutcome,
    Satisfaction,
    ShiftRole,
    WorkOrderStatus,
)
from yiyang.hotline.models import Call, CareCallBatch, CareCallTask, Incident, Integration, Shift, WorkOrder
from yiyang.hotline.selectors import (
    answer_options,
    call_answers,
    call_appointments,
    call_list,
    elder_card,
    elders_for_number,
    incident_list,
    incidents_active,
    integration_list,
    nearest_responders,
    report,
    shift_list,
    shifts_now,
    work_order_list,
    work_orders_due,
)
from yiyang.hotline.transitions import INCIDENT_MACHINE, WORK_ORDER_MACHINE


def _uuid(value: Any) -> Any:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(m for msgs in exc.errors.values() for m in msgs if m not in exc.message)
    messages.error(request, exc.message + (f"（{detail}）" if detail else ""))


# --- console ----------------------------------------------------------------------------------------------


class ConsoleView(ScopedPageMixin, View):
    """坐席台: take a call (the number pops the elder's card), the live queue below refreshes itself."""

    required_perm = "hotline.console"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "hotline/console.html",
            {
                "directions": CallDirection.choices,
                "kinds": CallKind.choices,
                **_queue(request.user),
                "on_duty": list(shifts_now(user=request.user)) if request.user.has_perm("duty.view") else [],
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("calls.add"):
            raise PermissionDenied
        try:
            call, _ = services.call_log(
                actor=request.user,
                direction=request.POST.get("direction", CallDirection.IN),
                number=request.POST.get("number", ""),
                kind=request.POST.get("kind", ""),
                notes=request.POST.get("notes", ""),
            )
        except DomainError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("hotline:console"))
        return HttpResponseRedirect(reverse("hotline:call", args=[call.public_id]))


def _queue(user: Any) -> dict[str, Any]:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    calls = (
        call_list(user=user).filter(started_at__gte=today).order_by("-started_at")[:15]
        if user.has_perm("calls.view")
        else []
    )
    incidents = list(incidents_active(user=user)[:30]) if user.has_perm("incidents.view") else []
    due = list(work_orders_due(user=user)[:20]) if user.has_perm("workorders.view") else []
    return {"calls": calls, "incidents": incidents, "due": due, "now": timezone.now()}


class QueueView(ScopedPageMixin, View):
    """The console's live part (HTMX polls it every few seconds)."""

    required_perm = "hotline.console"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "hotline/_queue.html", _queue(request.user))


class WallView(ScopedPageMixin, View):
    """大屏: the same queue in large type for the centre's wall screen."""

    required_perm = "hotline.console"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "hotline/wall.html", _queue(request.user))


# --- calls ------------------------------------------------------------------------------------------------


def _matched(call: Call, user: Any) -> list[Any]:
    return elders_for_number(user, call.number_hash)


def _call_elder(request: HttpRequest, call: Call) -> Any:
    """The elder a form on the call page names: one of the elders matched to the call's number (None when
    the form names none; 404 for an elder not matched to this call)."""
    wanted = _uuid(request.POST.get("elder") or request.GET.get("elder"))
    if wanted is None:
        return None
    for elder in _matched(call, request.user):
        if elder.public_id == wanted:
            return elder
    raise Http404


def _answer_panel(request: HttpRequest, call: Call, matched: list[Any]) -> dict[str, Any]:
    """The 查询养老院 / 预约挂号 panel: facilities and providers near the caller (the chosen matched
    elder's home, else the first matched elder's, else the call's region), the answers given and the
    appointments taken on this call."""
    from yiyang.providers.choices import OrgType

    if not request.user.has_perm("providers.view"):
        return {"show_answers": False}
    elder = None
    wanted = _uuid(request.GET.get("elder"))
    if wanted is not None:
        elder = next((e for e in matched if e.public_id == wanted), None)
    if elder is None and matched:
        elder = matched[0]
    q = request.GET.get("q", "").strip()[:50]
    org_type = request.GET.get("type", "")
    if org_type not in OrgType.values:
        org_type = ""
    if not org_type and not q and call.kind == CallKind.APPOINTMENT:
        default_type = OrgType.MEDICAL.value
    else:
        default_type = org_type
    region = elder.region_id if elder is not None else call.region_code
    options = answer_options(user=request.user, region_code=region, elder=elder, q=q, org_type=default_type)
    return {
        "show_answers": True,
        "can_answer": request.user.has_perm("calls.add"),
        "options": options,
        "answer_elder": elder,
        "answer_q": q,
        "answer_type": default_type,
        "org_types": OrgType.choices,
        "answers": list(call_answers(call)),
        "appointments": list(call_appointments(call)),
        "appointment_orgs": sorted(
            {(str(o["organisation"].public_id), o["organisation"].name) for o in options}, key=lambda p: p[1]
        ),
        "remind_choices": [(0, "不提醒"), (2, "提前 2 小时"), (24, "提前 1 天")],
        "soon_day": timezone.localtime() + timedelta(days=1),
    }


class CallView(ScopedPageMixin, View):
    """One call: the caller's card(s), and from here an incident, a home-service order or a work order."""

    required_perm = "calls.view"

    def _call(self, request: HttpRequest, call_id: Any) -> Call:
        return get_scoped_or_404(
            Call.objects.select_related("elder"), request.user, "calls.view", public_id=call_id
        )

    def get(self, request: HttpRequest, call_id: Any) -> HttpResponse:
        from yiyang.providers.selectors import service_item_list

        call = self._call(request, call_id)
        matched = _matched(call, request.user)
        cards = [elder_card(e, request.user, number_hash=call.number_hash) for e in matched]
        return render(
            request,
            "hotline/call.html",
            {
                "call": call,
                "cards": cards,
                **_answer_panel(request, call, matched),
                "incident_kinds": IncidentKind.choices,
                "items": list(service_item_list()) if request.user.has_perm("orders.add") else [],
                "can_incident": request.user.has_perm("incidents.open"),
                "can_order": request.user.has_perm("orders.add"),
                "can_work_order": request.user.has_perm("workorders.handle"),
                "soon": timezone.localtime() + timedelta(hours=2),
            },
        )

    def post(self, request: HttpRequest, call_id: Any) -> HttpResponse:
        call = self._call(request, call_id)
        op = request.POST.get("op", "")
        back = HttpResponseRedirect(reverse("hotline:call", args=[call.public_id]))
        try:
            if op == "incident":
                elder = elder_get(
                    user=request.user, public_id=_uuid(request.POST.get("elder")), perm="incidents.open"
                )
                if elder is None:
                    raise Http404
                incident, created = services.incident_open(
                    actor=request.user,
                    elder=elder,
                    kind=request.POST.get("kind", "sos"),
                    source="call",
                    notes=request.POST.get("notes", ""),
                    call=call,
                )
                messages.success(
                    request, "已发起紧急呼援" if created else "该老人已有未结案的紧急呼援，已并入"
                )
                return HttpResponseRedirect(reverse("hotline:incident", args=[incident.public_id]))
            if op == "order":
                from yiyang.orders.services import order_create
                from yiyang.providers.selectors import service_item_get

                elder = elder_get(
                    user=request.user, public_id=_uuid(request.POST.get("elder")), perm="orders.add"
                )
                item = service_item_get(public_id=_uuid(request.POST.get("service_item")))
                if elder is None or item is None:
                    raise DomainError("请选择老人和服务项目", code="validation_error")
                order = order_create(
                    actor=request.user,
                    elder=elder,
                    service_item=item,
                    scheduled_start=parse_form_datetime(
                        request.POST.get("scheduled_start", ""), "预约上门时间"
                    ),
                    channel="hotline",
                    note=request.POST.get("note", "")[:300],
                )
                messages.success(request, "已创建上门服务工单（来源：热线）")
                return HttpResponseRedirect(reverse("orders:detail", args=[order.public_id]))
            if op == "work_order":
                elder = elder_get(
                    user=request.user, public_id=_uuid(request.POST.get("elder")), perm="workorders.handle"
                )
                wo = services.work_order_create(
                    actor=request.user,
                    title=request.POST.get("title", ""),
                    content=request.POST.get("content", ""),
                    region_code=elder.region_id if elder is not None else call.region_code,
                    elder=elder,
                    call=call,
                )
                messages.success(request, "已受理热线工单")
                return HttpResponseRedirect(reverse("hotline:work_order", args=[wo.public_id]))
            if op == "recommend":
                from yiyang.providers.selectors import facility_in_scope, organisation_in_scope

                facility = facility_in_scope(
                    user=request.user, perm="providers.view", public_id=_uuid(request.POST.get("facility"))
                )
                organisation = (
                    organisation_in_scope(
                        user=request.user,
                        perm="providers.view",
                        public_id=_uuid(request.POST.get("organisation")),
                    )
                    if facility is None
                    else None
                )
                if facility is None and organisation is None:
                    raise Http404
                answer = services.call_recommend(
                    actor=request.user,
                    call=call,
                    facility=facility,
                    organisation=organisation,
                    elder=_call_elder(request, call),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, f"已记录答复：推荐{answer.name}")
                return HttpResponseRedirect(reverse("hotline:call", args=[call.public_id]) + "#answers")
            if op == "appointment":
                from yiyang.providers.selectors import organisation_in_scope

                organisation = None
                if request.POST.get("organisation"):
                    organisation = organisation_in_scope(
                        user=request.user,
                        perm="providers.view",
                        public_id=_uuid(request.POST.get("organisation")),
                    )
                    if organisation is None:
                        raise Http404
                hours = request.POST.get("remind_hours", "0")
                appointment = services.appointment_book(
                    actor=request.user,
                    call=call,
                    at=parse_form_datetime(request.POST.get("at", ""), "预约时间"),
                    place=request.POST.get("place", ""),
                    organisation=organisation,
                    elder=_call_elder(request, call),
                    person_name=request.POST.get("person_name", ""),
                    department=request.POST.get("department", ""),
                    notes=request.POST.get("notes", ""),
                    remind_hours=int(hours) if hours.isdigit() else -1,
                )
                messages.success(
                    request,
                    "已登记预约挂号"
                    + ("，将按时提醒" if appointment.remind_at else "")
                    + f"：{appointment.place} {timezone.localtime(appointment.at):%m-%d %H:%M}",
                )
                return HttpResponseRedirect(reverse("hotline:call", args=[call.public_id]) + "#appointments")
            if op == "finish":
                minutes = request.POST.get("duration_seconds", "0")
                services.call_finish(
                    actor=request.user,
                    call=call,
                    duration_seconds=int(minutes) if minutes.isdigit() else -1,
                    notes=request.POST.get("notes", ""),
                )
                messages.success(request, "已保存通话记录")
                return HttpResponseRedirect(reverse("hotline:console"))
            raise DomainError("未知操作")
        except DomainError as exc:
            _fail(request, exc)
        return back


# --- incidents --------------------------------------------------------------------------------------------


class IncidentListView(ScopedPageMixin, View):
    required_perm = "incidents.handle"

    def get(self, request: HttpRequest) -> HttpResponse:
        active = list(incidents_active(user=request.user)[:100])
        closed = incident_list(user=request.user).filter(status="closed").order_by("-closed_at")
        return render(
            request,
            "hotline/incidents.html",
            {"active": active, "page": paginate(request, closed), "now": timezone.now()},
        )


class IncidentView(ScopedPageMixin, View):
    """The emergency screen: the elder (masked, audited reveal), capability, contacts, the map with the
    nearest caregivers and community workers, the actions and the timeline."""

    required_perm = "incidents.view"

    def _incident(self, request: HttpRequest, incident_id: Any) -> Incident:
        return get_scoped_or_404(
            Incident.objects.select_related("elder", "elder__region"),
            request.user,
            "incidents.view",
            public_id=incident_id,
        )

    def get(
        self, request: HttpRequest, incident_id: Any, revealed: dict[str, str] | None = None
    ) -> HttpResponse:
        incident = self._incident(request, incident_id)
        elder = incident.elder
        user: Any = request.user
        can_handle = user.has_perm("incidents.handle") and user.in_region_scope(
            "incidents.handle", incident.region_code
        )
        near = nearest_responders(elder) if can_handle else {"staff": [], "workers": []}
        map_data = {
            "elder": [elder.lng, elder.lat] if elder.lat is not None else None,
            "staff": [
                {"name": s["name"], "value": [s["lng"], s["lat"]], "eligible": True}
                for s in near["staff"]
                if s["lat"] is not None
            ],
        }
        return render(
            request,
            "hotline/incident.html",
            {
                "incident": incident,
                "card": elder_card(elder, request.user),
                "near": near,
                "map_data": map_data,
                "can_handle": can_handle,
                "targets": INCIDENT_MACHINE.targets(incident.status),
                "outcomes": IncidentOutcome.choices,
                "timeline": incident.timeline.all(),
                "revealed": revealed or {},
                "now": timezone.now(),
            },
        )

    def post(self, request: HttpRequest, incident_id: Any) -> HttpResponse:
        incident = self._incident(request, incident_id)
        if not request.user.has_perm("incidents.handle"):
            raise PermissionDenied
        op = request.POST.get("op", "")
        try:
            if op == "reveal":
                field = request.POST.get("field", "")
                value = services.incident_reveal(actor=request.user, incident=incident, field_name=field)
                return self.get(request, incident_id, revealed={field: value})
            if op == "acknowledge":
                services.incident_acknowledge(incident=incident, actor=request.user)
                messages.success(request, "已确认接警")
            elif op == "dispatch":
                services.incident_dispatch(
                    incident=incident, actor=request.user, responder=request.POST.get("responder", "")
                )
                messages.success(request, "已派员")
            elif op == "arrive":
                services.incident_arrive(incident=incident, actor=request.user)
                messages.success(request, "已记录到达")
            elif op == "close":
                services.incident_close(
                    incident=incident,
                    actor=request.user,
                    outcome=request.POST.get("outcome", ""),
                    notes=request.POST.get("notes", ""),
                )
                messages.success(request, "已结案")
            else:
                raise DomainError("未知操作")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("hotline:incident", args=[incident.public_id]))


class SosView(ScopedPageMixin, View):
    """一键呼救 from the family's page (or a community worker's): opens (or joins) an incident."""

    required_perm = "incidents.open"

    def post(self, request: HttpRequest) -> HttpResponse:
        elder = elder_get(
            user=request.user, public_id=_uuid(request.POST.get("elder")), perm="incidents.open"
        )
        if elder is None:
            raise Http404
        try:
            _, created = services.incident_open(
                actor=request.user,
                elder=elder,
                kind=request.POST.get("kind", "sos"),
                source="page",
                notes=request.POST.get("notes", ""),
            )
            messages.success(
                request, "已发出紧急呼援，12349 中心正在处置" if created else "呼援已在处置中，已补充信息"
            )
        except DomainError as exc:
            _fail(request, exc)
        nxt = request.POST.get("next", "")
        return HttpResponseRedirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")


# --- work orders ------------------------------------------------------------------------------------------


class WorkOrderListView(ScopedPageMixin, View):
    required_perm = "workorders.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = work_order_list(user=request.user).order_by("-created_at", "-pk")
        status = request.GET.get("status", "")
        if status in WorkOrderStatus.values:
            qs = qs.filter(status=status)
        return render(
            request,
            "hotline/work_orders.html",
            {
                "page": paginate(request, qs),
                "statuses": WorkOrderStatus.choices,
                "status": status,
                "now": timezone.now(),
            },
        )


class WorkOrderView(ScopedPageMixin, View):
    required_perm = "workorders.view"

    def _wo(self, request: HttpRequest, work_order_id: Any) -> WorkOrder:
        return get_scoped_or_404(
            WorkOrder.objects.select_related("integration", "order"),
            request.user,
            "workorders.view",
            public_id=work_order_id,
        )

    def get(self, request: HttpRequest, work_order_id: Any) -> HttpResponse:
        wo = self._wo(request, work_order_id)
        return render(
            request,
            "hotline/work_order.html",
            {
                "wo": wo,
                "targets": WORK_ORDER_MACHINE.targets(wo.status),
                "handler_kinds": HandlerKind.choices,
                "satisfactions": Satisfaction.choices,
                "can_handle": request.user.has_perm("workorders.handle"),
                "can_supervise": request.user.has_perm("workorders.supervise"),
                "timeline": wo.timeline.all(),
                "now": timezone.now(),
            },
        )

    def post(self, request: HttpRequest, work_order_id: Any) -> HttpResponse:
        wo = self._wo(request, work_order_id)
        op = request.POST.get("op", "")
        p = request.POST
        perm = "workorders.supervise" if op == "supervise" else "workorders.handle"
        if not request.user.has_perm(perm):
            raise PermissionDenied
        try:
            if op == "assign":
                services.work_order_assign(
                    work_order=wo,
                    actor=request.user,
                    handler_kind=p.get("handler_kind", ""),
                    handler_name=p.get("handler_name", ""),
                )
            elif op == "transfer":
                services.work_order_transfer(
                    work_order=wo,
                    actor=request.user,
                    handler_kind=p.get("handler_kind", ""),
                    handler_name=p.get("handler_name", ""),
                    reason=p.get("reason", ""),
                )
            elif op == "start":
                services.work_order_start(work_order=wo, actor=request.user)
            elif op == "resolve":
                services.work_order_resolve(work_order=wo, actor=request.user, result=p.get("result", ""))
            elif op == "rework":
                services.work_order_rework(work_order=wo, actor=request.user, reason=p.get("reason", ""))
            elif op == "follow_up":
                services.work_order_follow_up(
                    work_order=wo,
                    actor=request.user,
                    satisfaction=p.get("satisfaction", ""),
                    notes=p.get("notes", ""),
                )
            elif op == "supervise":
                services.work_order_supervise(work_order=wo, actor=request.user, reason=p.get("reason", ""))
            else:
                raise DomainError("未知操作")
            messages.success(request, "已保存")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("hotline:work_order", args=[wo.public_id]))


# --- duty roster ------------------------------------------------------------------------------------------


class RosterView(ScopedPageMixin, View):
    required_perm = "duty.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        from yiyang.accounts.models import User

        now = timezone.now()
        upcoming = (
            shift_list(user=request.user)
            .filter(ends_at__gt=now - timedelta(hours=12))
            .order_by("starts_at")[:200]
        )
        staff: list[Any] = []
        if request.user.has_perm("duty.manage"):
            staff = [
                u
                for u in User.objects.filter(
                    is_active=True, grants__role__in=["operator", "dispatcher", "county_admin", "city_admin"]
                )
                .distinct()
                .order_by("display_name")[:300]
            ]
        return render(
            request,
            "hotline/roster.html",
            {
                "now_shifts": shifts_now(user=request.user),
                "shifts": upcoming,
                "roles": ShiftRole.choices,
                "staff": staff,
                "can_manage": request.user.has_perm("duty.manage"),
                "regions": _manage_regions(request.user),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from yiyang.accounts.models import User

        if not request.user.has_perm("duty.manage"):
            raise PermissionDenied
        p = request.POST
        user = User.objects.filter(public_id=_uuid(p.get("user")), is_active=True).first()
        try:
            if user is None:
                raise DomainError("请选择值班人员", code="validation_error")
            if p.get("op") == "swap":
                shift = get_scoped_or_404(
                    Shift.objects.all(), request.user, "duty.manage", public_id=_uuid(p.get("shift"))
                )
                services.shift_swap(actor=request.user, shift=shift, user=user, reason=p.get("reason", ""))
                messages.success(request, "已换班")
            else:
                services.shift_add(
                    actor=request.user,
                    user=user,
                    role=p.get("role", ""),
                    starts_at=parse_form_datetime(p.get("starts_at", ""), "开始时间"),
                    ends_at=parse_form_datetime(p.get("ends_at", ""), "结束时间"),
                    region_code=p.get("region_code", ""),
                    note=p.get("note", ""),
                )
                messages.success(request, "已排班")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("hotline:roster"))


def _manage_regions(user: Any) -> list[Any]:
    from yiyang.regions.selectors import region_roots

    if not user.has_perm("duty.manage"):
        return []
    return list(region_roots(user=user)[:50])


# --- integrations -----------------------------------------------------------------------------------------


class IntegrationsView(ScopedPageMixin, View):
    """12345 对接: create a key (shown once), revoke one; the callback dead letters are on the outbox page."""

    required_perm = "hotline.integrations"

    def get(self, request: HttpRequest, new_key: str = "", new_secret: str = "") -> HttpResponse:
        return render(
            request,
            "hotline/integrations.html",
            {
                "integrations": integration_list(user=request.user),
                "new_key": new_key,
                "new_secret": new_secret,
                "regions": _integration_regions(request.user),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        p = request.POST
        try:
            if p.get("op") == "revoke":
                integration = get_scoped_or_404(
                    Integration.objects.all(),
                    request.user,
                    "hotline.integrations",
                    public_id=_uuid(p.get("integration")),
                )
                services.integration_revoke(actor=request.user, integration=integration)
                messages.success(request, "已吊销，该密钥立即失效")
            else:
                integration, key = services.integration_create(
                    actor=request.user,
                    name=p.get("name", ""),
                    region_code=p.get("region_code", ""),
                    callback_url=p.get("callback_url", "").strip(),
                )
                messages.success(request, "已创建密钥，请立即复制保存：离开本页后不再显示")
                return self.get(request, new_key=key, new_secret=services.callback_secret(integration))
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("hotline:integrations"))


def _integration_regions(user: Any) -> list[Any]:
    from yiyang.regions.selectors import region_roots

    return [r for r in region_roots(user=user)[:50] if r.level in {"city", "province"}]


# --- report -----------------------------------------------------------------------------------------------


class ReportView(ScopedPageMixin, View):
    required_perm = "hotline.reports"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        week = today - timedelta(days=6), today
        try:
            start_day = parse_form_date(request.GET.get("start"), "开始日期", field="start", required=False)
            end_day = parse_form_date(request.GET.get("end"), "结束日期", field="end", required=False)
        except DomainError as exc:
            messages.error(request, f"{exc.message}，已按最近 7 天统计")
            start_day, end_day = week
        start_day, end_day = start_day or week[0], end_day or week[1]
        if end_day < start_day or (end_day - start_day).days > 366:
            start_day, end_day = week
        start = timezone.make_aware(datetime.combine(start_day, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(end_day + timedelta(days=1), datetime.min.time()))
        data = report(user=request.user, start=start, end=end)
        if request.GET.get("format") == "xlsx":
            return _report_xlsx(data, start_day, end_day)
        return render(request, "hotline/report.html", {"r": data, "start": start_day, "end": end_day})


def _report_xlsx(data: dict[str, Any], start: Any, end: Any) -> HttpResponse:
    from io import BytesIO

    from openpyxl import Workbook

    from yiyang.core.xlsx import append_row

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "来电统计"
    append_row(ws, ["日期", *data["kinds"], "合计"])
    for row in data["days"]:
        append_row(ws, [row["day"], *row["counts"], row["total"]])
    ws2 = book.create_sheet("工单与满意度")
    append_row(ws2, ["工单状态", "数量"])
    for label, count in data["work_orders"]:
        append_row(ws2, [label, count])
    append_row(ws2, ["超期未办结", data["overdue"]])
    append_row(ws2, ["回访满意度", "数量"])
    for label, count in data["satisfaction"]:
        append_row(ws2, [label, count])
    ws3 = book.create_sheet("紧急呼援")
    append_row(ws3, ["事件数", "已结案", "已到达", "平均到达（分钟）", "超时到达"])
    append_row(
        ws3,
        [
            data["incidents"],
            data["closed"],
            data["arrived"],
            data["avg_arrival_minutes"],
            data["over_target"],
        ],
    )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="hotline-{start}-{end}.xlsx"'
    return response


# --- care calls (关爱回访) ---------------------------------------------------------------------------------


class CareCallsView(ScopedPageMixin, View):
    """Batches of care calls: plan one (living situation, age, region), see how far each has got."""

    required_perm = "calls.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.db.models import Count, Q

        from yiyang.elders.choices import LivingSituation

        batches = (
            CareCallBatch.objects.restrict(request.user, "calls.view")
            .annotate(total=Count("tasks"), pending=Count("tasks", filter=Q(tasks__status="pending")))
            .order_by("-created_at")[:50]
        )
        return render(
            request,
            "hotline/care_calls.html",
            {
                "batches": batches,
                "situations": LivingSituation.choices,
                "regions": _manage_regions_for(request.user, "calls.add"),
                "can_plan": request.user.has_perm("calls.add"),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("calls.add"):
            raise PermissionDenied
        p = request.POST
        try:
            age = p.get("min_age", "")
            batch = services.care_call_batch_plan(
                actor=request.user,
                name=p.get("name", ""),
                region_code=p.get("region_code", ""),
                living_situations=p.getlist("living_situations"),
                min_age=int(age) if age.isdigit() else 0,
            )
            messages.success(request, "已生成回访批次")
            return HttpResponseRedirect(reverse("hotline:care_batch", args=[batch.public_id]))
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("hotline:care_calls"))


class CareBatchView(ScopedPageMixin, View):
    """One batch worked through as a queue: the next elder to call first."""

    required_perm = "calls.view"

    def _batch(self, request: HttpRequest, batch_id: Any) -> CareCallBatch:
        return get_scoped_or_404(CareCallBatch.objects.all(), request.user, "calls.view", public_id=batch_id)

    def get(self, request: HttpRequest, batch_id: Any) -> HttpResponse:
        batch = self._batch(request, batch_id)
        tasks = (
            CareCallTask.objects.restrict(request.user, "calls.view")
            .filter(batch=batch)
            .select_related("elder", "elder__region")
            .order_by("status", "pk")
        )
        return render(
            request,
            "hotline/care_batch.html",
            {
                "batch": batch,
                "page": paginate(request, tasks, 30),
                "can_call": request.user.has_perm("calls.add"),
            },
        )

    def post(self, request: HttpRequest, batch_id: Any) -> HttpResponse:
        batch = self._batch(request, batch_id)
        if not request.user.has_perm("calls.add"):
            raise PermissionDenied
        task = get_scoped_or_404(
            CareCallTask.objects.filter(batch=batch).select_related("elder"),
            request.user,
            "calls.add",
            public_id=_uuid(request.POST.get("task")),
        )
        try:
            services.care_call_record(
                actor=request.user,
                task=task,
                reached=request.POST.get("reached") == "1",
                notes=request.POST.get("notes", ""),
            )
            messages.success(request, "已登记回访")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("hotline:care_batch", args=[batch.public_id]))


def _manage_regions_for(user: Any, perm: str) -> list[Any]:
    from yiyang.regions.selectors import region_roots

    if not user.has_perm(perm):
        return []
    return list(region_roots(user=user)[:50])
