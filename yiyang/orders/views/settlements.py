"""Pages: monthly settlements (generate, reverse a line, export)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate
from yiyang.orders.models import Order, Settlement
from yiyang.orders.selectors import (
    settlement_held_orders,
    settlement_lines,
    settlement_list,
)
from yiyang.orders.settlement import (
    settlement_generate,
    settlement_reverse,
    settlement_xlsx,
)
from yiyang.orders.views.common import fail, uuid_or_none
from yiyang.providers.selectors import (
    organisation_scoped,
)


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
                "default_month": last_month,  # the current month cannot be settled before it ends
                "last_month": last_month,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("settlements.manage"):
            raise Http404
        provider = (
            organisation_scoped(user=request.user, perm="settlements.manage")
            .filter(public_id=uuid_or_none(request.POST.get("provider")))
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
            fail(request, exc)
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
        order = Order.objects.filter(public_id=uuid_or_none(request.POST.get("order"))).first()
        try:
            if order is None:
                raise DomainError("工单不存在")
            settlement_reverse(
                settlement=settlement, order=order, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已登记冲正，将计入该机构下期结算单")
        except DomainError as exc:
            fail(request, exc)
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
