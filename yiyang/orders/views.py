"""Pages: dispatcher, caregiver (phone-first), family (elder mode), supervision, settlement, providers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.geo import haversine_m
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate, querystring_without
from yiyang.dispatch.services import (
    dispatch_organisations,
    order_auto_dispatch,
    order_candidates,
    orders_auto_dispatch,
)
from yiyang.elders.selectors import elder_list
from yiyang.orders import complaints, services
from yiyang.orders.choices import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintStatus,
    FlagCode,
    OrderStatus,
)
from yiyang.orders.models import Complaint, Order, Settlement
from yiyang.orders.selectors import (
    complaint_list,
    open_flags,
    order_complaints,
    order_detail_queryset,
    order_list,
    overdue_q,
    settlement_lines,
    settlement_list,
)
from yiyang.orders.settlement import (
    settlement_generate,
    settlement_held_orders,
    settlement_reverse,
    settlement_xlsx,
)
from yiyang.orders.transitions import DISPATCHABLE
from yiyang.providers.selectors import (
    monthly_quota_list,
    organisation_list,
    organisation_scoped,
    service_item_get,
    service_item_list,
    staff_for_user,
    staff_get,
    staff_list,
    subsidy_rule_list,
)


def _uuid(value: Any) -> Any:
    """A posted id as a UUID, or None (so a malformed value is simply not found, never a 500)."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _pk(user: Any) -> Any:
    return user.pk


def _roles(user: Any) -> set[str]:
    return set(user.roles()) if hasattr(user, "roles") else set()


def _fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(m for msgs in exc.errors.values() for m in msgs if m not in exc.message)
    messages.error(request, exc.message + (f"（{detail}）" if detail else ""))


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(fallback)


# --- orders list / detail -------------------------------------------------------------------------------


class OrderListView(ScopedPageMixin, View):
    required_perm = "orders.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = order_list(user=request.user).order_by("-scheduled_start", "-pk")
        status = request.GET.get("status", "")
        if status in OrderStatus.values:
            qs = qs.filter(status=status)
        if request.GET.get("flagged"):
            qs = qs.filter(flags__status="open")
        return render(
            request,
            "orders/list.html",
            {
                "page": paginate(request, qs, 30),
                "qs": querystring_without(request, "page"),
                "statuses": OrderStatus.choices,
                "status": status,
            },
        )


class OrderDetailView(ScopedPageMixin, View):
    required_perm = "orders.view"

    def _order(self, request: HttpRequest, order_id: Any) -> Order:
        return get_scoped_or_404(
            order_detail_queryset(user=request.user), request.user, self.required_perm, public_id=order_id
        )

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order = self._order(request, order_id)
        return render(
            request,
            "orders/detail.html",
            {
                "order": order,
                "can_dispatch": request.user.has_perm("orders.dispatch") and order.status in DISPATCHABLE,
                "can_cancel": request.user.has_perm("orders.add")
                and services.ORDER_MACHINE.can(order.status, "cancelled"),
                "can_supervise": request.user.has_perm("orders.supervise"),
                "show_code": request.user.has_perm("orders.dispatch")
                and "provider_admin" not in _roles(request.user),
                "complaints": list(order_complaints(order=order, user=request.user)),
                "can_complain": request.user.has_perm("orders.complain") and complaints.can_complain(order),
            },
        )

    def post(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        perm = {"cancel": "orders.add", "clear": "orders.supervise", "reject": "orders.supervise"}.get(op)
        if perm is None or not request.user.has_perm(perm):
            raise Http404
        order = get_scoped_or_404(
            Order.objects.select_related("elder", "service_item"), request.user, perm, public_id=order_id
        )
        reason = request.POST.get("reason", "").strip()
        try:
            if not reason:
                raise DomainError("请填写理由", errors={"reason": ["请填写理由"]})
            if op == "cancel":
                services.order_cancel(order=order, actor=request.user, reason=reason)
                messages.success(request, "工单已取消")
            else:
                flag = order.flags.filter(code=request.POST.get("code", "")).first()
                if flag is None:
                    raise Http404
                services.flag_resolve(flag=flag, actor=request.user, decision=op, reason=reason)
                messages.success(request, "异常已核查" + ("，放行结算" if op == "clear" else "，不予结算"))
        except DomainError as exc:
            _fail(request, exc)
        nxt = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = reverse("orders:detail", args=[order.public_id])
        return HttpResponseRedirect(nxt)


# --- dispatcher -----------------------------------------------------------------------------------------


class OrderCreateForm(forms.Form):
    elder = forms.ChoiceField(label="老人")
    service_item = forms.ChoiceField(label="服务项目")
    scheduled_start = forms.DateTimeField(
        label="预约上门时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    note = forms.CharField(label="需求说明", required=False, max_length=300)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        elders = elder_list(user=user).filter(status="active").order_by("name")[:500]
        self.fields["elder"].choices = [(str(e.public_id), f"{e.name}（{e.region.name}）") for e in elders]  # type: ignore[attr-defined]
        self.fields["service_item"].choices = [  # type: ignore[attr-defined]
            (str(i.public_id), f"{i.name} · {i.standard_minutes} 分钟 · ¥{i.price_fen / 100:.2f}")
            for i in service_item_list()
        ]


class DispatchBoardView(ScopedPageMixin, View):
    required_perm = "orders.dispatch"

    def _context(self, request: HttpRequest, form: OrderCreateForm | None = None) -> dict[str, Any]:
        qs = order_list(user=request.user, perm="orders.dispatch")
        waiting = qs.filter(status__in=DISPATCHABLE).order_by("scheduled_start")
        return {
            "waiting": waiting[:100],
            "waiting_count": waiting.count(),
            "escalated": qs.filter(escalated_at__isnull=False, status__in=DISPATCHABLE).count(),
            "pending": qs.filter(status=OrderStatus.DISPATCHED).order_by("dispatched_at")[:50],
            "form": form
            or OrderCreateForm(
                user=request.user,
                initial={
                    "scheduled_start": (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:00")
                },
            ),
            "can_add": request.user.has_perm("orders.add"),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "orders/dispatch.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("op") == "bulk":
            orders = list(
                Order.objects.restrict(request.user, "orders.dispatch")
                .filter(status__in=DISPATCHABLE)
                .select_related("elder", "service_item")[:2000]
            )
            result = orders_auto_dispatch(orders=orders, actor=request.user)
            messages.success(
                request,
                f"批量自动派单：成功 {len(result['dispatched'])} 单，"
                f"无合适人员 {len(result['unassigned'])} 单，冲突 {len(result['conflicts'])} 单",
            )
            return HttpResponseRedirect(reverse("orders:dispatch"))
        if not request.user.has_perm("orders.add"):
            raise Http404
        form = OrderCreateForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            elder = elder_list(user=request.user).filter(public_id=data["elder"]).first()
            item = service_item_get(public_id=data["service_item"])
            if elder is None or item is None:
                raise Http404
            try:
                order = services.order_create(
                    actor=request.user,
                    elder=elder,
                    service_item=item,
                    scheduled_start=data["scheduled_start"],
                    note=data["note"],
                )
            except DomainError as exc:
                for field, msgs in exc.errors.items():
                    form.add_error(field if field in form.fields else None, msgs)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"已为 {elder.name} 创建工单，请选择服务人员")
                return HttpResponseRedirect(reverse("orders:candidates", args=[order.public_id]))
        return render(request, "orders/dispatch.html", self._context(request, form), status=400)


class CandidatesView(ScopedPageMixin, View):
    required_perm = "orders.dispatch"

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order = get_scoped_or_404(
            order_detail_queryset(user=request.user, perm=self.required_perm),
            request.user,
            self.required_perm,
            public_id=order_id,
        )
        found = order_candidates(order=order, organisations=dispatch_organisations(request.user))
        points = [
            {"name": c.staff.name, "value": [c.staff.home_lng, c.staff.home_lat], "eligible": c.eligible}
            for c in found
            if c.staff.home_lat is not None
        ]
        elder_point = (
            {"name": order.elder.name, "value": [order.elder.lng, order.elder.lat]}
            if order.elder.lat is not None
            else None
        )
        return render(
            request,
            "orders/candidates.html",
            {
                "order": order,
                "candidates": found,
                "dispatchable": order.status in DISPATCHABLE,
                "map_data": {"staff": points, "elder": elder_point},
            },
        )

    def post(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order = get_scoped_or_404(
            Order.objects.select_related("elder", "service_item"),
            request.user,
            self.required_perm,
            public_id=order_id,
        )
        try:
            if request.POST.get("op") == "auto":
                chosen = order_auto_dispatch(order=order, actor=request.user)
                messages.success(request, f"已自动派单给 {chosen.staff.name}（{chosen.distance_m} 米）")
            else:
                staff = staff_get(public_id=_uuid(request.POST.get("caregiver")))
                orgs = dispatch_organisations(request.user)
                if staff is None or (orgs is not None and staff.organisation not in orgs):
                    raise DomainError("服务人员不存在或不可派")
                services.order_dispatch(order=order, caregiver=staff, actor=request.user)
                messages.success(request, f"已派单给 {staff.name}")
        except DomainError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("orders:candidates", args=[order.public_id]))
        return HttpResponseRedirect(reverse("orders:dispatch"))


# --- caregiver (phone) ----------------------------------------------------------------------------------


def route_order(orders: list[Order], start: tuple[float, float] | None) -> list[Order]:
    """Nearest-neighbour route from the caregiver's base through today's stops (time-boxed stops first)."""

    def where(o: Order) -> tuple[float, float] | None:
        lat, lng = o.elder.lat, o.elder.lng
        return (lat, lng) if lat is not None and lng is not None else None

    remaining = [o for o in orders if where(o) is not None]
    unknown = [o for o in orders if where(o) is None]
    route: list[Order] = []
    here = start

    def key(o: Order) -> tuple[float, Any]:
        point = where(o)
        if here is None or point is None:
            return (0.0, o.scheduled_start)
        return (haversine_m(here[0], here[1], point[0], point[1]), o.scheduled_start)

    while remaining:
        nxt = min(remaining, key=key)
        route.append(nxt)
        remaining.remove(nxt)
        here = where(nxt)
    return route + sorted(unknown, key=lambda o: o.scheduled_start)


class MyOrdersView(ScopedPageMixin, View):
    required_perm = "orders.serve"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        qs = (
            order_list(user=request.user, perm=self.required_perm)
            .filter(caregiver__user_id=_pk(request.user))
            .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.SETTLED])
        )
        active = [
            o
            for o in qs
            if timezone.localtime(o.scheduled_start).date() <= today
            and o.status in {OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.CHECKED_IN}
        ]
        staff = staff_for_user(user_id=_pk(request.user))
        base = (
            (staff.home_lat, staff.home_lng)
            if staff and staff.home_lat is not None and staff.home_lng is not None
            else None
        )
        upcoming = sorted(
            (o for o in qs if o not in active and o.status in {OrderStatus.DISPATCHED, OrderStatus.ACCEPTED}),
            key=lambda o: o.scheduled_start,
        )
        done = [o for o in qs if o.status == OrderStatus.CHECKED_OUT]
        return render(
            request,
            "orders/mine.html",
            {
                "route": route_order(active, base),
                "upcoming": upcoming[:20],
                "done": done[:20],
                "staff": staff,
            },
        )


class ServeView(ScopedPageMixin, View):
    required_perm = "orders.serve"

    def _order(self, request: HttpRequest, order_id: Any) -> Order:
        return get_scoped_or_404(
            order_detail_queryset(user=request.user, perm=self.required_perm),
            request.user,
            self.required_perm,
            public_id=order_id,
        )

    def _page(
        self, request: HttpRequest, order: Order, contact: dict[str, str] | None = None
    ) -> HttpResponse:
        return render(
            request,
            "orders/serve.html",
            {
                "order": order,
                "far_m": services.far_check_in_m(),
                "contact": contact,
                "can_see_contact": order.status in services.VISIT_CONTACT_STATUSES,
            },
        )

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        return self._page(request, self._order(request, order_id))

    def post(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order = self._order(request, order_id)
        op = request.POST.get("op", "")
        p = request.POST
        try:
            if op == "contact":
                # Rendered in this answer only (never stored, never in a URL); each showing is audited.
                contact = services.order_visit_contact(order=order, actor=request.user)
                response = self._page(request, order, contact)
                response["Cache-Control"] = "no-store"
                return response
            if op == "accept":
                services.order_accept(order=order, actor=request.user)
                messages.success(request, "已接单")
            elif op == "decline":
                reason = p.get("reason", "").strip()
                if not reason:
                    raise DomainError("请填写拒单原因", errors={"reason": ["请填写拒单原因"]})
                services.order_decline(order=order, actor=request.user, reason=reason)
                messages.info(request, "已拒单，工单退回调度重派")
                return HttpResponseRedirect(reverse("orders:mine"))
            elif op == "check_in":
                try:
                    lat, lng = float(p.get("lat", "")), float(p.get("lng", ""))
                except ValueError as exc:
                    raise DomainError("未获取到定位，请允许浏览器使用位置信息后重试") from exc
                if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                    raise DomainError("定位数据无效")
                at = parse_datetime(p.get("at", "")) if p.get("at") else None
                services.order_check_in(order=order, actor=request.user, lat=lat, lng=lng, at=at)
                order.refresh_from_db()
                messages.success(
                    request,
                    f"已签到，距老人住址 {order.check_in_distance_m} 米"
                    if order.check_in_distance_m is not None
                    else "已签到",
                )
            elif op == "photo":
                upload = request.FILES.get("image")
                if (
                    upload is None
                    or not (upload.content_type or "").startswith("image/")
                    or (upload.size or 0) > 8 * 1024 * 1024
                ):
                    raise DomainError("请选择 8MB 以内的照片")
                services.order_add_photo(order=order, actor=request.user, upload=upload)
                messages.success(request, "照片已上传")
            elif op == "check_out":
                items = [i for i in p.getlist("items_done") if i.strip()]
                if not items:
                    raise DomainError("请勾选或填写完成的服务事项", errors={"items_done": ["请至少填写一项"]})
                services.order_check_out(
                    order=order, actor=request.user, items_done=items, notes=p.get("notes", "")
                )
                messages.success(request, "已签退，请老人读出确认码完成确认")
            elif op == "confirm":
                services.order_confirm(order=order, actor=request.user, code=p.get("code", ""))
                messages.success(request, "老人已确认服务")
                return HttpResponseRedirect(reverse("orders:mine"))
            else:
                raise DomainError("未知操作")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("orders:serve", args=[order.public_id]))


# --- family (elder mode) --------------------------------------------------------------------------------


class FamilyView(ScopedPageMixin, View):
    required_perm = "orders.confirm"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = order_list(user=request.user, perm=self.required_perm).order_by("-scheduled_start")
        to_confirm = qs.filter(status=OrderStatus.CHECKED_OUT)
        to_rate = qs.filter(status=OrderStatus.CONFIRMED)
        upcoming = qs.filter(
            status__in=[
                OrderStatus.CREATED,
                OrderStatus.DISPATCHED,
                OrderStatus.ACCEPTED,
                OrderStatus.DECLINED,
                OrderStatus.CHECKED_IN,
            ]
        )
        history = qs.filter(status__in=[OrderStatus.RATED, OrderStatus.SETTLED])[:10]
        return render(
            request,
            "orders/family.html",
            {
                "to_confirm": to_confirm,
                "to_rate": to_rate,
                "upcoming": upcoming,
                "history": history,
                "can_complain": request.user.has_perm("orders.complain"),
                "complaints": complaint_list(user=request.user)[:20],
                "score_choices": [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "很不满意")],
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        order = get_scoped_or_404(
            Order.objects.select_related("elder"),
            request.user,
            self.required_perm,
            public_id=_uuid(request.POST.get("order")),
        )
        try:
            if request.POST.get("op") == "confirm":
                services.order_confirm(order=order, actor=request.user)
                messages.success(request, "已确认服务完成，请为本次服务打分")
            else:
                try:
                    score = int(request.POST.get("score", ""))
                except ValueError as exc:
                    raise DomainError("请选择 1–5 分") from exc
                services.order_rate(
                    order=order, actor=request.user, score=score, comment=request.POST.get("comment", "")
                )
                messages.success(request, "感谢您的评价")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("orders:family"))


# --- complaints (投诉) ----------------------------------------------------------------------------------


class ComplainView(ScopedPageMixin, View):
    """The complaint form for one order: the family in elder mode, the hotline and community staff."""

    required_perm = "orders.complain"

    def _order(self, request: HttpRequest, order_id: Any) -> Order:
        return get_scoped_or_404(
            order_detail_queryset(user=request.user, perm=self.required_perm),
            request.user,
            self.required_perm,
            public_id=order_id,
        )

    def _render(
        self,
        request: HttpRequest,
        order: Order,
        errors: dict[str, list[str]] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        family = "family" in _roles(request.user)
        return render(
            request,
            "orders/complain.html",
            {
                "order": order,
                "allowed": complaints.can_complain(order),
                "categories": ComplaintCategory.choices,
                "channels": ComplaintChannel.choices,
                "family": family,
                "errors": errors or {},
                "values": request.POST if request.method == "POST" else {},
                "sla_hours": int(complaints.resolve_sla().total_seconds() // 3600),
            },
            status=status,
        )

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        return self._render(request, self._order(request, order_id))

    def post(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order = self._order(request, order_id)
        p = request.POST
        try:
            complaint = complaints.complaint_raise(
                order=order,
                actor=request.user,
                category=p.get("category", ""),
                description=p.get("description", ""),
                channel=p.get("channel", ""),
            )
        except DomainError as exc:
            if exc.errors:
                return self._render(request, order, exc.errors, status=400)
            _fail(request, exc)
            return self._render(request, order, status=409)
        hours = int(complaints.resolve_sla().total_seconds() // 3600)
        messages.success(request, f"投诉已提交，将在 {hours} 小时内办结")
        if "family" in _roles(request.user):
            return HttpResponseRedirect(reverse("orders:family"))
        if request.user.has_perm("complaints.view"):
            return HttpResponseRedirect(reverse("orders:complaint", args=[complaint.public_id]))
        return HttpResponseRedirect(reverse("orders:detail", args=[order.public_id]))


class ComplaintListView(ScopedPageMixin, View):
    required_perm = "complaints.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = complaint_list(user=request.user)
        status = request.GET.get("status", "")
        if status == "pending":
            qs = qs.filter(status__in=[ComplaintStatus.OPEN, ComplaintStatus.HANDLING])
        elif status in ComplaintStatus.values:
            qs = qs.filter(status=status)
        category = request.GET.get("category", "")
        if category in ComplaintCategory.values:
            qs = qs.filter(category=category)
        overdue = bool(request.GET.get("overdue"))
        if overdue:
            qs = qs.filter(overdue_q())
        return render(
            request,
            "orders/complaints.html",
            {
                "page": paginate(request, qs, 30),
                "qs": querystring_without(request, "page"),
                "statuses": [("pending", "未办结"), *ComplaintStatus.choices],
                "categories": ComplaintCategory.choices,
                "status": status,
                "category": category,
                "overdue": overdue,
                "overdue_count": complaint_list(user=request.user).filter(overdue_q()).count(),
            },
        )


class ComplaintDetailView(ScopedPageMixin, View):
    required_perm = "complaints.view"

    def get(self, request: HttpRequest, complaint_id: Any) -> HttpResponse:
        complaint = get_scoped_or_404(
            complaint_list(user=request.user), request.user, self.required_perm, public_id=complaint_id
        )
        can_handle = (
            request.user.has_perm("complaints.handle")
            and Complaint.objects.restrict(request.user, "complaints.handle").filter(pk=complaint.pk).exists()
        )
        return render(
            request,
            "orders/complaint.html",
            {
                "c": complaint,
                "can_handle": can_handle,
                "can_reopen": complaint.can_reopen and request.user.has_perm("orders.complain"),
                "outcomes": ComplaintOutcome.choices,
                "show_raiser": "provider_admin" not in _roles(request.user),
                "timeline": complaint.order.timeline.filter(data__complaint=str(complaint.public_id)),
            },
        )

    def post(self, request: HttpRequest, complaint_id: Any) -> HttpResponse:
        op = request.POST.get("op", "")
        perm = {
            "handle": "complaints.handle",
            "resolve": "complaints.handle",
            "reopen": "orders.complain",
        }.get(op)
        if perm is None or not request.user.has_perm(perm):
            raise Http404
        complaint = get_scoped_or_404(
            complaint_list(user=request.user, perm=perm), request.user, perm, public_id=complaint_id
        )
        p = request.POST
        try:
            if op == "handle":
                complaints.complaint_handle(complaint=complaint, actor=request.user)
                messages.success(request, "已受理")
            elif op == "resolve":
                complaints.complaint_resolve(
                    complaint=complaint,
                    actor=request.user,
                    outcome=p.get("outcome", ""),
                    resolution=p.get("resolution", ""),
                )
                messages.success(request, "投诉已办结")
            else:
                complaints.complaint_reopen(
                    complaint=complaint, actor=request.user, reason=p.get("reason", "")
                )
                messages.success(request, "已提交，投诉将重新处理")
        except DomainError as exc:
            _fail(request, exc)
        nxt = p.get("next", "")
        if not nxt or not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = reverse("orders:complaint", args=[complaint.public_id])
        return HttpResponseRedirect(nxt)


# --- supervision ----------------------------------------------------------------------------------------


class SupervisionView(ScopedPageMixin, View):
    required_perm = "orders.supervise"

    def get(self, request: HttpRequest) -> HttpResponse:
        flags = open_flags(user=request.user)
        code = request.GET.get("code", "")
        if code in FlagCode.values:
            flags = flags.filter(code=code)
        counts = dict(open_flags(user=request.user).values_list("code").annotate(n=Count("pk")))
        context = {
            "flags": flags[:200],
            "total": flags.count(),
            "codes": [(c, label, counts.get(c, 0)) for c, label in FlagCode.choices],
            "code": code,
            "now": timezone.localtime(),
        }
        template = "orders/_flags.html" if request.headers.get("HX-Request") else "orders/supervision.html"
        return render(request, template, context)


# --- settlement -----------------------------------------------------------------------------------------


class SettlementListView(ScopedPageMixin, View):
    required_perm = "settlements.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        providers = (
            organisation_scoped(user=request.user, perm="settlements.manage").order_by("name")
            if request.user.has_perm("settlements.manage")
            else []
        )
        last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        return render(
            request,
            "orders/settlements.html",
            {
                "page": paginate(request, settlement_list(user=request.user), 30),
                "providers": providers,
                "default_month": timezone.localdate().strftime("%Y-%m"),
                "last_month": last_month,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("settlements.manage"):
            raise Http404
        provider = (
            organisation_scoped(user=request.user, perm="settlements.manage")
            .filter(public_id=_uuid(request.POST.get("provider")))
            .first()
        )
        if provider is None:
            messages.error(request, "请选择管辖范围内的服务机构")
            return HttpResponseRedirect(reverse("orders:settlements"))
        try:
            settlement, created = settlement_generate(
                provider=provider, month=request.POST.get("month", ""), actor=request.user
            )
        except DomainError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("orders:settlements"))
        messages.success(request, "结算单已生成" if created else "该月结算单已存在，未重复结算")
        return HttpResponseRedirect(reverse("orders:settlement", args=[settlement.public_id]))


class SettlementDetailView(ScopedPageMixin, View):
    required_perm = "settlements.view"

    def get(self, request: HttpRequest, settlement_id: Any) -> HttpResponse:
        settlement = get_scoped_or_404(
            Settlement.objects.select_related("provider"),
            request.user,
            self.required_perm,
            public_id=settlement_id,
        )
        lines = list(settlement_lines(settlement))
        held = settlement_held_orders(settlement=settlement, user=request.user)
        return render(
            request,
            "orders/settlement.html",
            {
                "settlement": settlement,
                "lines": lines,
                "held": held,
                "quotas_used": sum(1 for ln in lines if ln.quota_used and ln.kind == "charge"),
                "can_manage": request.user.has_perm("settlements.manage"),
            },
        )

    def post(self, request: HttpRequest, settlement_id: Any) -> HttpResponse:
        if not request.user.has_perm("settlements.manage"):
            raise Http404
        settlement = get_scoped_or_404(
            Settlement.objects.select_related("provider"),
            request.user,
            "settlements.manage",
            public_id=settlement_id,
        )
        order = Order.objects.filter(public_id=_uuid(request.POST.get("order"))).first()
        try:
            if order is None:
                raise DomainError("工单不存在")
            settlement_reverse(
                settlement=settlement, order=order, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已冲正")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("orders:settlement", args=[settlement.public_id]))


class SettlementExportView(ScopedPageMixin, View):
    required_perm = "settlements.view"

    def get(self, request: HttpRequest, settlement_id: Any) -> HttpResponse:
        settlement = get_scoped_or_404(
            Settlement.objects.select_related("provider"),
            request.user,
            self.required_perm,
            public_id=settlement_id,
        )
        response = HttpResponse(
            settlement_xlsx(settlement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="settlement-{settlement.month}.xlsx"'
        return response


# --- providers ------------------------------------------------------------------------------------------


class ProviderListView(ScopedPageMixin, View):
    required_perm = "providers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "providers/list.html",
            {"page": paginate(request, organisation_list(user=request.user), 30)},
        )


class ProviderDetailView(ScopedPageMixin, View):
    required_perm = "providers.view"

    def get(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = get_scoped_or_404(
            organisation_list(user=request.user), request.user, self.required_perm, public_id=provider_id
        )
        today = timezone.localdate()
        staff = list(staff_list(user=request.user).filter(organisation=org))
        return render(
            request,
            "providers/detail.html",
            {
                "org": org,
                "staff": staff,
                "today": today,
                "facilities": org.facilities.all(),
                "contracts": org.contracts.prefetch_related("items__service_item").order_by("-valid_from"),
            },
        )


class CatalogView(ScopedPageMixin, View):
    required_perm = "providers.view"
    scoped = False

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "providers/catalog.html",
            {
                "items": service_item_list(active_only=False),
                "rules": subsidy_rule_list().order_by("category", "service_category", "-valid_from"),
                "quotas": monthly_quota_list().order_by("category", "-valid_from"),
            },
        )
