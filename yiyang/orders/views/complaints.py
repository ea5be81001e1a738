"""Pages: complaints (投诉): raise one for an order, the list, handle and resolve."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate, querystring_without
from yiyang.orders import complaints
from yiyang.orders.choices import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintStatus,
)
from yiyang.orders.exporting import XLSX_TYPE, complaints_export_xlsx
from yiyang.orders.filtering import complaints_listed
from yiyang.orders.models import Complaint, Order
from yiyang.orders.selectors import (
    complaint_list,
    order_detail_queryset,
    overdue_q,
)
from yiyang.orders.views.common import fail, roles


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
        family = "family" in roles(request.user)
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
                "sla_hours": int(complaints.resolve_sla(order.elder.region_id).total_seconds() // 3600),
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
            fail(request, exc)
            return self._render(request, order, status=409)
        hours = int(complaints.resolve_sla(order.elder.region_id).total_seconds() // 3600)
        messages.success(request, f"投诉已提交，将在 {hours} 小时内办结")
        if "family" in roles(request.user):
            return HttpResponseRedirect(reverse("orders:family"))
        if request.user.has_perm("complaints.view"):
            return HttpResponseRedirect(reverse("orders:complaint", args=[complaint.public_id]))
        return HttpResponseRedirect(reverse("orders:detail", args=[order.public_id]))


class ComplaintListView(ScopedPageMixin, View):
    required_perm = "complaints.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs, _ = complaints_listed(user=request.user, params=request.GET)
        status = request.GET.get("status", "")
        category = request.GET.get("category", "")
        overdue = bool(request.GET.get("overdue"))
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


class ComplaintExportView(ScopedPageMixin, View):
    """The complaint list as filtered, as .xlsx (audited)."""

    required_perm = "complaints.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.utils import timezone

        qs, subtitle = complaints_listed(user=request.user, params=request.GET)
        response = HttpResponse(
            complaints_export_xlsx(actor=request.user, queryset=qs, subtitle=subtitle),
            content_type=XLSX_TYPE,
        )
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="complaints-{day}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response


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
                "show_raiser": "provider_admin" not in roles(request.user),
                "timeline": complaint.events.all(),
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
            fail(request, exc)
        nxt = p.get("next", "")
        if not nxt or not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = reverse("orders:complaint", args=[complaint.public_id])
        return HttpResponseRedirect(nxt)


class ComplaintPrintView(ScopedPageMixin, View):
    """The printable complaint disposition (投诉处理单): the complaint, its handling and ruling, the
    timeline and the signature and seal lines."""

    required_perm = "complaints.view"

    def get(self, request: HttpRequest, complaint_id: Any) -> HttpResponse:
        from django.utils import timezone

        complaint = get_scoped_or_404(
            complaint_list(user=request.user), request.user, self.required_perm, public_id=complaint_id
        )
        return render(
            request,
            "orders/print_complaint.html",
            {
                "c": complaint,
                "number": f"TS{complaint.pk:08d}",
                "show_raiser": "provider_admin" not in roles(request.user),
                "timeline": complaint.events.all(),
                "now": timezone.localtime(),
            },
        )
