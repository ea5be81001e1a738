"""Pages: the caregiver's phone (today's route, serving one order)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.geo import distance_text
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.orders import services
from yiyang.orders.choices import (
    OrderStatus,
)
from yiyang.orders.models import Order
from yiyang.orders.selectors import (
    order_detail_queryset,
    order_list,
)
from yiyang.orders.views.common import fail
from yiyang.providers.selectors import (
    staff_for_user,
)


def route_map_data(day: list[Order], base: tuple[float, float] | None) -> dict[str, Any]:
    """Points for the day's route map (``charts.js`` ``route-map``): the base, then each stop in order,
    labelled with its number and time (no addresses)."""
    stops = [
        {
            "name": f"{n}. {timezone.localtime(o.scheduled_start):%H:%M} {o.elder.name}",
            "value": [o.elder.lng, o.elder.lat],
        }
        for n, o in enumerate(day, start=1)
        if o.elder.lat is not None and o.elder.lng is not None
    ]
    start = {"name": "出发地", "value": [base[1], base[0]]} if base else None
    return {"start": start, "stops": stops}


def navigation_url(order: Order) -> str:
    """A map app's navigation link to the elder's home (opened on the caregiver's phone)."""
    elder = order.elder
    if elder.lat is None or elder.lng is None:
        return ""
    return (
        f"https://uri.amap.com/marker?position={elder.lng:.6f},{elder.lat:.6f}"
        f"&coordinate=wgs84&callnative=1&name={quote(elder.name)}"
    )


class MyOrdersView(ScopedPageMixin, View):
    required_perm = "orders.serve"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        me: Any = request.user.pk
        qs = (
            order_list(user=request.user, perm=self.required_perm)
            .filter(caregiver__user_id=me)
            .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.SETTLED])
        )
        active = [
            o
            for o in qs
            if timezone.localtime(o.scheduled_start).date() <= today
            and o.status in {OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.CHECKED_IN}
        ]
        staff = staff_for_user(user_id=me)
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
        # The day in appointment order (what the elders were promised); the map joins the stops in it.
        day = sorted(active, key=lambda o: (o.scheduled_start, o.pk))
        return render(
            request,
            "orders/mine.html",
            {
                "route": day,
                "route_map": route_map_data(day, base),
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
                "far_m": services.far_check_in_m(order.elder.region_id),
                "short_percent": services.short_service_percent(order.elder.region_id),
                "window_min": services.check_in_window_minutes(order.elder.region_id),
                "contact": contact,
                "navigation_url": navigation_url(order) if contact else "",
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
                    f"已签到，距老人住址 {distance_text(order.check_in_distance_m)}"
                    if order.check_in_distance_m is not None
                    else "已签到",
                )
            elif op == "photo":
                services.order_add_photo(order=order, actor=request.user, upload=request.FILES.get("image"))
                messages.success(request, "照片已上传")
            elif op == "check_out":
                items = [i for i in p.getlist("items_done") if i.strip()]
                if not items:
                    raise DomainError("请勾选或填写完成的服务事项", errors={"items_done": ["请至少填写一项"]})
                try:
                    out_lat: float | None = float(p.get("lat", ""))
                    out_lng: float | None = float(p.get("lng", ""))
                except ValueError:
                    out_lat = out_lng = None  # no position from the phone: checked out without one
                if (
                    out_lat is not None
                    and out_lng is not None
                    and not (-90 <= out_lat <= 90 and -180 <= out_lng <= 180)
                ):
                    raise DomainError("定位数据无效")
                services.order_check_out(
                    order=order,
                    actor=request.user,
                    items_done=items,
                    notes=p.get("notes", ""),
                    lat=out_lat,
                    lng=out_lng,
                )
                messages.success(request, "已签退，请老人读出确认码完成确认")
            elif op == "confirm":
                services.order_confirm(order=order, actor=request.user, code=p.get("code", ""))
                messages.success(request, "老人已确认服务")
                return HttpResponseRedirect(reverse("orders:mine"))
            else:
                raise DomainError("未知操作")
        except DomainError as exc:
            fail(request, exc)
        return HttpResponseRedirect(reverse("orders:serve", args=[order.public_id]))
