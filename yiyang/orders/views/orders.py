"""Pages: the order list and one order (cancel, flag review, a new elder confirmation code)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate, querystring_without
from yiyang.orders import complaints, services
from yiyang.orders.choices import (
    OrderStatus,
)
from yiyang.orders.exporting import XLSX_TYPE, orders_export_xlsx
from yiyang.orders.filtering import OrderFilters, filter_choices, orders_listed
from yiyang.orders.models import Order
from yiyang.orders.selectors import (
    order_complaints,
    order_detail_queryset,
    order_list,
)
from yiyang.orders.transitions import DISPATCHABLE
from yiyang.orders.views.common import fail, roles

# Statuses in which the order no longer needs the elder's confirmation code.
CODE_DONE = {OrderStatus.CONFIRMED, OrderStatus.RATED, OrderStatus.SETTLED, OrderStatus.CANCELLED}


class OrderListView(ScopedPageMixin, View):
    required_perm = "orders.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs, _ = orders_listed(user=request.user, params=request.GET)
        status = request.GET.get("status", "")
        filters = OrderFilters.from_params(request.GET)
        return render(
            request,
            "orders/list.html",
            {
                "page": paginate(request, qs, 30),
                "qs": querystring_without(request, "page"),
                "statuses": OrderStatus.choices,
                "status": status,
                "filters": filters,
                **filter_choices(
                    user=request.user, perm=self.required_perm, rows=order_list(user=request.user)
                ),
            },
        )


class OrderExportView(ScopedPageMixin, View):
    """The order list as filtered on the page, as .xlsx (audited)."""

    required_perm = "orders.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs, subtitle = orders_listed(user=request.user, params=request.GET)
        response = HttpResponse(
            orders_export_xlsx(actor=request.user, queryset=qs, subtitle=subtitle), content_type=XLSX_TYPE
        )
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="orders-{day}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response


class OrderDetailView(ScopedPageMixin, View):
    required_perm = "orders.view"

    def _order(self, request: HttpRequest, order_id: Any) -> Order:
        return get_scoped_or_404(
            order_detail_queryset(user=request.user), request.user, self.required_perm, public_id=order_id
        )

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order = self._order(request, order_id)
        show_code = request.user.has_perm("orders.dispatch") and "provider_admin" not in roles(request.user)
        return render(
            request,
            "orders/detail.html",
            {
                "order": order,
                "can_dispatch": request.user.has_perm("orders.dispatch") and order.status in DISPATCHABLE,
                "can_cancel": request.user.has_perm("orders.add")
                and services.ORDER_MACHINE.can(order.status, "cancelled"),
                "can_supervise": request.user.has_perm("orders.supervise"),
                "show_code": show_code,
                "can_renew_code": show_code and order.status not in CODE_DONE,
                "code_locked": services.confirmation_code_locked(order),
                "code_expired": order.status == OrderStatus.CHECKED_OUT
                and timezone.now() >= services.confirmation_code_expires_at(order),
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
            fail(request, exc)
        nxt = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = reverse("orders:detail", args=[order.public_id])
        return HttpResponseRedirect(nxt)


class OrderPrintView(ScopedPageMixin, View):
    """The printable service sheet of one order (A4): short number, labels, timeline, signature lines."""

    required_perm = "orders.view"

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        from django.utils import timezone

        order = get_scoped_or_404(
            order_detail_queryset(user=request.user), request.user, self.required_perm, public_id=order_id
        )
        return render(
            request,
            "orders/print_order.html",
            {
                "order": order,
                "timeline": list(order.timeline.all()),
                "flags": list(order.flags.all()),
                "now": timezone.localtime(),
            },
        )


class ConfirmationCodeView(ScopedPageMixin, View):
    """A new elder confirmation code (the old one void, wrong tries reset), by the elder's
    family (from their page) or a dispatcher (from the order page) — ``order_confirmation_code_renew``,
    the same service as ``POST /api/v1/orders/{id}/confirmation-code/``."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Either permission opens the page (ScopedPageMixin checks one); scope is decided by the service.
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (request.user.has_perm("orders.dispatch") or request.user.has_perm("orders.confirm")):
            raise PermissionDenied
        return View.dispatch(self, request, *args, **kwargs)

    def _order(self, request: HttpRequest, order_id: Any) -> tuple[Order, bool]:
        dispatcher = request.user.has_perm("orders.dispatch") and "provider_admin" not in roles(request.user)
        perm = "orders.dispatch" if dispatcher else "orders.confirm"
        order = get_scoped_or_404(
            Order.objects.select_related("elder", "service_item"), request.user, perm, public_id=order_id
        )
        return order, dispatcher

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        """The confirmation step (also where the buttons post from): the code's state and the button."""
        order, dispatcher = self._order(request, order_id)
        return render(
            request,
            "orders/confirmation_code.html",
            {
                "order": order,
                "renewable": order.status not in CODE_DONE,
                "locked": services.confirmation_code_locked(order),
                "expired": timezone.now() >= services.confirmation_code_expires_at(order),
                "back": reverse("orders:detail", args=[order.public_id])
                if dispatcher
                else reverse("orders:family"),
            },
        )

    def post(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        order, dispatcher = self._order(request, order_id)
        try:
            services.order_confirmation_code_renew(order=order, actor=request.user)
            messages.success(request, f"已重新生成确认码：{order.confirmation_code}，原确认码作废")
        except DomainError as exc:
            fail(request, exc)
        nxt = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = reverse("orders:detail", args=[order.public_id]) if dispatcher else reverse("orders:family")
        return HttpResponseRedirect(nxt)
