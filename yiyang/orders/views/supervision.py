"""Pages: supervision of open flags (filters, tab counts from the same rows as the list, bulk review)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, paginate, querystring_without
from yiyang.orders import services
from yiyang.orders.choices import FlagCode
from yiyang.orders.exporting import XLSX_TYPE, flags_export_xlsx
from yiyang.orders.filtering import OrderFilters, filter_choices, flags_listed
from yiyang.orders.selectors import open_flags
from yiyang.orders.views.common import fail, uuid_or_none

MAX_BULK = 200


class SupervisionView(ScopedPageMixin, View):
    required_perm = "orders.supervise"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = OrderFilters.from_params(request.GET)
        # One base for the tab counts and the list: the counts are the list's length per code.
        base, flags, _ = flags_listed(user=request.user, params=request.GET)
        code = request.GET.get("code", "")
        counts = dict(base.order_by().values_list("code").annotate(n=Count("pk")))
        context = {
            "page": paginate(request, flags, 50),
            "qs": querystring_without(request, "page"),
            "filter_qs": querystring_without(request, "page", "code"),
            "codes": [
                (c, label, counts.get(c, 0)) for c, label in FlagCode.choices if counts.get(c) or c == code
            ],
            "all_count": sum(counts.values()),
            "code": code,
            "filters": filters,
            "now": timezone.localtime(),
            **filter_choices(
                user=request.user,
                perm=self.required_perm,
                rows=open_flags(user=request.user),
                prefix="order__",
            ),
        }
        template = "orders/_flags.html" if request.headers.get("HX-Request") else "orders/supervision.html"
        return render(request, template, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        """批量放行/驳回: the ticked flags, one reason; each flag is checked and audited by the service."""
        ids = [u for u in (uuid_or_none(v) for v in request.POST.getlist("flag")[:MAX_BULK]) if u]
        flags = list(open_flags(user=request.user).filter(public_id__in=ids)) if ids else []
        decision = request.POST.get("op", "")
        try:
            result = services.flags_resolve_many(
                flags=flags,
                actor=request.user,
                decision=decision,
                reason=request.POST.get("reason", "").strip(),
            )
            word = "放行" if decision == "clear" else "驳回"
            text = f"已{word} {result['resolved']} 条异常"
            if result["skipped"]:
                text += f"；{result['skipped']} 条已由他人处理"
            messages.success(request, text)
        except DomainError as exc:
            fail(request, exc)
        nxt = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) or not nxt.startswith(
            reverse("orders:supervision")
        ):
            nxt = reverse("orders:supervision")
        return HttpResponseRedirect(nxt)


class SupervisionExportView(ScopedPageMixin, View):
    """The supervision list (the chosen tab, as filtered) as .xlsx (audited)."""

    required_perm = "orders.supervise"

    def get(self, request: HttpRequest) -> HttpResponse:
        _, flags, subtitle = flags_listed(user=request.user, params=request.GET)
        response = HttpResponse(
            flags_export_xlsx(actor=request.user, queryset=flags, subtitle=subtitle), content_type=XLSX_TYPE
        )
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="supervision-{day}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
