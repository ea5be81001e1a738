"""Pages: supervision of open flags."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from yiyang.core.pages import ScopedPageMixin
from yiyang.orders.choices import (
    FlagCode,
)
from yiyang.orders.selectors import (
    open_flags,
)


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
