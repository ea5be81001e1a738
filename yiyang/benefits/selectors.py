"""Reads of allowances and subsidies; each takes the acting user and starts from the scoped queryset."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse

from yiyang.benefits.choices import EnrolmentStatus, LineKind, PaymentMode, ProgrammeKind
from yiyang.benefits.models import Enrolment, PaymentLine, PaymentRun, Programme, ServiceCredit
from yiyang.core.ledger import ledger_balance
from yiyang.core.regioncodes import scope_prefix
from yiyang.elders.selectors import anniversary_back, elder_list
from yiyang.regions.scope import SYSTEM

VIEW = "benefits.view"


def programme_list() -> QuerySet[Programme]:
    """Programmes are published policy: every user allowed to view benefits sees them all."""
    return (
        Programme.objects.select_related("region")
        .prefetch_related("bands")
        .order_by("region_id", "code", "-version")
    )


def enrolment_list(*, user: Any, perm: str = VIEW) -> QuerySet[Enrolment]:
    return Enrolment.objects.restrict(user, perm).select_related("elder", "programme")


def enrolment_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Enrolment | None:
    try:
        return enrolment_list(user=user, perm=perm).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def proposals(*, user: Any) -> QuerySet[Enrolment]:
    """The street's monthly confirmation list: proposals waiting for one click."""
    return enrolment_list(user=user, perm="benefits.confirm").filter(status=EnrolmentStatus.PROPOSED)


def run_list(*, user: Any, perm: str = VIEW) -> QuerySet[PaymentRun]:
    return PaymentRun.objects.restrict(user, perm).select_related("programme", "created_by", "approved_by")


def run_get(*, user: Any, public_id: Any, perm: str = VIEW) -> PaymentRun | None:
    try:
        return run_list(user=user, perm=perm).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def run_lines(*, user: Any, run: PaymentRun) -> QuerySet[PaymentLine]:
    """A run's lines as the user may see them (a run is one county's, its lines that county's)."""
    return PaymentLine.objects.restrict(user, VIEW).filter(run=run).select_related("elder").order_by("pk")


def line_get(*, user: Any, public_id: Any, perm: str = VIEW) -> PaymentLine | None:
    try:
        return (
            PaymentLine.objects.restrict(user, perm).select_related("run").filter(public_id=public_id).first()
        )
    except (ValueError, TypeError):
        return None


def run_totals(run: PaymentRun) -> list[dict[str, Any]]:
    """Totals of a run by kind and band: what the county's page shows above the list."""
    labels = dict(LineKind.choices)
    rows = (
        run.lines.values("kind", "band")
        .annotate(n=Count("pk"), total=Sum("amount_fen"))
        .order_by("kind", "band")
    )
    return [
        {"kind": labels.get(r["kind"], ""), "band": r["band"], "count": r["n"], "total_fen": r["total"]}
        for r in rows
    ]


def elder_benefits(*, elder: Any) -> dict[str, Any]:
    """An elder's enrolments and payment lines (the caller already found the elder in scope)."""
    enrolments = list(
        Enrolment.objects.filter(elder=elder).select_related("programme").order_by("programme_code")
    )
    payments = list(PaymentLine.objects.filter(elder=elder).select_related("run").order_by("-month", "pk"))
    return {"enrolments": enrolments, "payments": payments}


def credit_entries(*, elder: Any) -> QuerySet[ServiceCredit]:
    return ServiceCredit.objects.filter(elder=elder).order_by("created_at", "pk")


def credit_balance(*, elder: Any, programme_code: str) -> int:
    return ledger_balance(ServiceCredit, f"credit:{elder.public_id}:{programme_code}")


def service_subsidy_ratio(region_code: str, *, on: Any = None) -> dict[str, Any]:
    """KPI 养老服务补贴对象占老年人口比 of a region: elders (60+, in the register) with an active
    养老服务补贴 enrolment over all elders 60+ in the register. Other code (analytics, KPI pages) calls
    this; the percentage is in basis points (integer)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    prefix = scope_prefix(region_code)
    born_by = anniversary_back(on, 60)
    elders = elder_list(user=SYSTEM).filter(
        region__code__startswith=prefix, status="active", birth_date__lte=born_by
    )
    population = elders.count()
    codes = Programme.objects.filter(kind=ProgrammeKind.SERVICE_SUBSIDY).values_list("code", flat=True)
    covered = (
        Enrolment.objects.filter(
            programme_code__in=list(codes), status=EnrolmentStatus.ACTIVE, elder__in=elders.values("pk")
        )
        .values("elder_id")
        .distinct()
        .count()
    )
    bp = covered * 10000 // population if population else 0
    return {"region_code": region_code, "population": population, "covered": covered, "ratio_bp": bp}


def elder_tab_context(elder: Any, user: Any) -> dict[str, Any]:
    """Context of ``benefits/_elder_tab.html``: the elder's enrolments, payments and credit balance."""
    data = elder_benefits(elder=elder)
    credits = [
        {
            "programme": e.programme.name,
            "balance": credit_balance(elder=elder, programme_code=e.programme_code),
        }
        for e in data["enrolments"]
        if e.programme.payment_mode == PaymentMode.CREDIT
    ]
    return {**data, "credits": credits, "confirm_url": reverse("benefits:confirmations")}
