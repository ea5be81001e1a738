"""系统设置 › 政策参数: the city administrator reads every policy value in force for the regions in scope
and appends a new version (never an edit in place); see ``yiyang.core.policy``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from yiyang.core.errors import DomainError
from yiyang.core.policy import MANAGE, POLICIES, policy_history, policy_row
from yiyang.core.regioncodes import scope_prefix

VIEW = "policy.view"


def _regions(user: Any) -> list[Any]:
    """The city and county regions the user may set values for (or view), coarsest first."""
    from yiyang.regions.models import Region  # regions is a platform app the kernel reads lazily

    perm = MANAGE if user.has_perm(MANAGE) else VIEW
    qs = Region.objects.restrict(user, perm).filter(level__in=["city", "county"])
    return sorted(qs, key=lambda r: (len(scope_prefix(r.code)), r.code))[:60]


@login_required
def policy_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    can_manage = request.user.has_perm(MANAGE)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        from yiyang.core.policy import policy_value_set

        p = request.POST
        try:
            valid_from = date.fromisoformat(p.get("valid_from", ""))
        except ValueError:
            errors["valid_from"] = ["请填写生效日期"]
        if not errors:
            try:
                policy_value_set(
                    key=p.get("key", ""),
                    region_code=p.get("region_code", ""),
                    value=p.get("value", ""),
                    valid_from=valid_from,
                    source=p.get("source", ""),
                    actor=request.user,
                )
                messages.success(request, "已登记新版本，生效日起按新值执行")
                return redirect("core:policy")
            except DomainError as exc:
                errors = exc.errors or {"__all__": [exc.message]}
    regions = _regions(request.user)
    codes = [r.code for r in regions]
    names = {r.code: r.name for r in regions} | {"": "全平台默认"}
    rows = []
    for key, pol in POLICIES.items():
        in_force = [(r, policy_row(key, r.code)) for r in regions]
        rows.append(
            {
                "policy": pol,
                "in_force": [(r, row) for r, row in in_force],
                "history": policy_history(key, ["", *codes])[:10],
            }
        )
    return render(
        request,
        "core/policy.html",
        {
            "rows": rows,
            "regions": regions,
            "names": names,
            "can_manage": can_manage,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "today": timezone.localdate().isoformat(),
        },
        status=400 if errors else 200,
    )
