"""Pages: the dispatcher's board (waiting orders, bulk auto-dispatch, the elder search that leads to the cart) and one order's candidates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.geo import distance_text
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.dispatch.matching import dispatch_organisations, order_candidates
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
    staff_get,
)


class DispatchBoardView(ScopedPageMixin, View):
    required_perm = "orders.dispatch"

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        qs = order_list(user=request.user, perm="orders.dispatch")
        waiting = qs.filter(status__in=DISPATCHABLE).order_by("scheduled_start")
        return {
            "waiting": waiting[:100],
            "waiting_count": waiting.count(),
            "escalated": qs.filter(escalated_at__isnull=False, status__in=DISPATCHABLE).count(),
            "pending": qs.filter(status=OrderStatus.DISPATCHED).order_by("dispatched_at")[:50],
            # 为老人下单: the elder search leads to the cart (``orders:cart``); never a long dropdown.
            "can_add": request.user.has_perm("orders.order_for"),
            "q": "",
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "orders/dispatch.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("op") == "bulk":  # the board's one form
            orders = dispatchable_orders(user=request.user)
            result = orders_auto_dispatch(orders=orders, actor=request.user)
            messages.success(
                request,
                f"批量自动派单：成功 {len(result['dispatched'])} 单，"
                f"无合适人员 {len(result['unassigned'])} 单，冲突 {len(result['conflicts'])} 单",
            )
            return HttpResponseRedirect(reverse("orders:dispatch"))
        return HttpResponseRedirect(reverse("orders:dispatch"))


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
