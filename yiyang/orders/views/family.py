"""Pages: the family in elder mode (confirm and rate)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.elders.selectors import elder_list
from yiyang.orders import services
from yiyang.orders.choices import (
    FlagCode,
    FlagStatus,
    OrderStatus,
)
from yiyang.orders.models import Order
from yiyang.orders.selectors import (
    complaint_list,
    order_list,
)
from yiyang.orders.views.common import fail, uuid_or_none


def visit_concerns(order: Order) -> list[str]:
    """Why a family should look twice before confirming: a visit much shorter than the standard, a
    check-in far from the appointment time or the home (the order's open flags), in plain words."""
    concerns: list[str] = []
    began, ended = order.checked_in_at, order.checked_out_at
    if began and ended:
        minutes = int((ended - began).total_seconds() // 60)
        standard = order.service_item.standard_minutes
        if minutes * 100 < standard * services.short_service_percent(order.region_code, ended):
            concerns.append(f"实际服务 {minutes} 分钟，标准时长 {standard} 分钟")
    for flag in order.flags.all():
        if flag.status == FlagStatus.OPEN and flag.code != FlagCode.SHORT_SERVICE:
            concerns.append(flag.message)
    return concerns


# The capability level as a family says it (GB/T 42195 levels 0–4).
LEVEL_WORDS = {0: "能力完好", 1: "轻度失能", 2: "中度失能", 3: "重度失能", 4: "完全失能"}
WAITING = [OrderStatus.CREATED, OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.DECLINED]
SERVED = [
    OrderStatus.CHECKED_OUT,
    OrderStatus.CONFIRMED,
    OrderStatus.RATED,
    OrderStatus.SETTLED,
]


def relatives(user: Any, orders: Any) -> list[dict[str, Any]]:
    """我的家人: one card per relative — level in words, the next visit with its caregiver, and how many
    services were done this month."""
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    cards = []
    for elder in elder_list(user=user).order_by("name")[:10]:
        mine = orders.filter(elder=elder)
        upcoming = (
            mine.filter(status__in=WAITING, scheduled_start__gte=now - timedelta(hours=2))
            .order_by("scheduled_start")
            .select_related("service_item", "caregiver")
            .first()
        )
        cards.append(
            {
                "elder": elder,
                "level": LEVEL_WORDS.get(elder.capability_level, "尚未评估")
                if elder.capability_level is not None
                else "尚未评估",
                "next": upcoming,
                "month_count": mine.filter(status__in=SERVED, checked_out_at__gte=month_start).count(),
            }
        )
    return cards


class FamilyView(ScopedPageMixin, View):
    required_perm = "orders.confirm"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = order_list(user=request.user, perm=self.required_perm).order_by("-scheduled_start")
        to_confirm = list(qs.filter(status=OrderStatus.CHECKED_OUT).select_related("service_item"))
        for o in to_confirm:
            o.concerns = visit_concerns(o)  # type: ignore[attr-defined]
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
                "relatives": relatives(request.user, order_list(user=request.user, perm=self.required_perm)),
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
            public_id=uuid_or_none(request.POST.get("order")),
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
            fail(request, exc)
        return HttpResponseRedirect(reverse("orders:family"))
