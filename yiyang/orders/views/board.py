"""Pages: the dispatcher's board (create, bulk auto-dispatch) and one order's candidates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.geo import distance_text
from yiyang.core.money import yuan
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.dispatch.matching import dispatch_organisations, order_candidates
from yiyang.elders.selectors import elder_list
from yiyang.orders import services
from yiyang.orders.choices import (
    OrderStatus,
)
from yiyang.orders.dispatching import order_auto_dispatch, orders_auto_dispatch
from yiyang.orders.models import Order
from yiyang.orders.selectors import (
    dispatchable_orders,
    order_detail_queryset,
    order_list,
)
from yiyang.orders.transitions import DISPATCHABLE
from yiyang.orders.views.common import fail, uuid_or_none
from yiyang.providers.selectors import (
    service_item_get,
    service_item_list,
    staff_get,
)


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
            (str(i.public_id), f"{i.name} · {i.standard_minutes} 分钟 · ¥{yuan(i.price_fen)}")
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
            orders = dispatchable_orders(user=request.user)
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
                messages.success(
                    request, f"已自动派单给 {chosen.staff.name}（{distance_text(chosen.distance_m)}）"
                )
            else:
                staff = staff_get(public_id=uuid_or_none(request.POST.get("caregiver")))
                orgs = dispatch_organisations(request.user)
                if staff is None or (orgs is not None and staff.organisation not in orgs):
                    raise services.unknown_caregiver()
                services.order_dispatch(order=order, caregiver=staff, actor=request.user)
                messages.success(request, f"已派单给 {staff.name}")
        except DomainError as exc:
            fail(request, exc)
            return HttpResponseRedirect(reverse("orders:candidates", args=[order.public_id]))
        return HttpResponseRedirect(reverse("orders:dispatch"))
