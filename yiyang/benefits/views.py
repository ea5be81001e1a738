"""Pages of allowances and subsidies: the county's runs (generate, review, bank file, paid/returned),
the street's monthly confirmation list and the county's death-list imports."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.benefits import selectors, services
from yiyang.benefits.choices import DeathSource, PaymentMode, RunStatus
from yiyang.benefits.models import DeathImport
from yiyang.benefits.rules import month_add, month_of
from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate
from yiyang.regions.scope import county_code


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except (TypeError, ValueError):
        return None


def _fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(m for msgs in (exc.errors or {}).values() for m in msgs)
    messages.error(request, f"{exc.message}{'：' + detail if detail else ''}")


def _counties(user: Any, perm: str = "benefits.run") -> list[Any]:
    from yiyang.regions.models import Region

    return list(Region.objects.restrict(user, perm).filter(level="county").order_by("code")[:50])


class RunListView(ScopedPageMixin, View):
    """The county's runs; a county user generates a run for a programme and month."""

    required_perm = "benefits.run"

    def get(self, request: HttpRequest) -> HttpResponse:
        counties = _counties(request.user)
        programmes = [p for p in selectors.programme_list() if p.payment_mode in PaymentMode.values]
        kpis = [{"region": c, **selectors.service_subsidy_ratio(c.code)} for c in counties[:20]]
        return render(
            request,
            "benefits/runs.html",
            {
                "page": paginate(request, selectors.run_list(user=request.user, perm="benefits.run"), 30),
                "counties": counties,
                "programmes": {p.code: p for p in programmes}.values(),
                "default_month": month_of(timezone.localdate()),
                "next_month": month_add(month_of(timezone.localdate()), 1),
                "kpis": kpis,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            run, created = services.payment_run_create(
                actor=request.user,
                programme_code=str(request.POST.get("programme", ""))[:40],
                region_code=county_code(str(request.POST.get("region_code", ""))[:12]),
                month=request.POST.get("month", ""),
            )
        except DomainError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("benefits:runs"))
        messages.success(
            request, "发放名单已生成，请另一名工作人员复核" if created else "该月名单已存在，未重复生成"
        )
        return HttpResponseRedirect(reverse("benefits:run", args=[run.public_id]))


class RunDetailView(ScopedPageMixin, View):
    """One run: totals by kind and band, the lines with masked ID numbers, review and bank file."""

    required_perm = "benefits.view"

    def get(self, request: HttpRequest, run_id: Any) -> HttpResponse:
        run = get_scoped_or_404(
            selectors.run_list(user=request.user), request.user, "benefits.view", public_id=run_id
        )
        user = request.user
        return render(
            request,
            "benefits/run.html",
            {
                "run": run,
                "totals": selectors.run_totals(run),
                "page": paginate(request, selectors.run_lines(user=user, run=run), 50),
                "can_approve": user.has_perm("benefits.approve")
                and run.status == RunStatus.DRAFT
                and run.created_by_id != user.pk,
                "own_run": run.created_by_id == user.pk,
                "can_mark": user.has_perm("benefits.approve") and run.status == RunStatus.APPROVED,
                "can_bank": user.has_perm("benefits.bank_file")
                and run.status != RunStatus.DRAFT
                and run.programme.payment_mode == PaymentMode.CASH,
                "timeline": list(run.events.all()),
            },
        )

    def post(self, request: HttpRequest, run_id: Any) -> HttpResponse:
        run = get_scoped_or_404(
            selectors.run_list(user=request.user), request.user, "benefits.approve", public_id=run_id
        )
        op = request.POST.get("op", "")
        try:
            if op == "approve":
                services.payment_run_approve(actor=request.user, run=run)
                messages.success(request, "已复核")
            elif op == "paid":
                services.payment_run_mark_paid(actor=request.user, run=run)
                messages.success(request, "已标记为银行已发放")
            elif op == "return":
                line = selectors.line_get(
                    user=request.user, public_id=_uuid(request.POST.get("line")), perm="benefits.approve"
                )
                if line is None or line.run_id != run.pk:
                    raise Http404
                services.payment_line_return(
                    actor=request.user, line=line, reason=request.POST.get("reason", "")
                )
                messages.success(request, "已标记退回")
            else:
                messages.error(request, "未知操作")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("benefits:run", args=[run.public_id]))


class BankFileView(ScopedPageMixin, View):
    """The audited bank file (full ID numbers) of an approved run."""

    required_perm = "benefits.bank_file"

    def get(self, request: HttpRequest, run_id: Any, fmt: str) -> HttpResponse:
        run = get_scoped_or_404(
            selectors.run_list(user=request.user), request.user, self.required_perm, public_id=run_id
        )
        try:
            body = services.payment_run_bank_file(actor=request.user, run=run, fmt=fmt)
        except DomainError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("benefits:run", args=[run.public_id]))
        ctype = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if fmt == "xlsx"
            else "text/csv; charset=utf-8"
        )
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = (
            f'attachment; filename="bank-{run.programme_code}-{run.month}.{fmt}"'
        )
        return response


class ConfirmationListView(ScopedPageMixin, View):
    """The street's monthly confirmation list: proposals with their rules, confirmed with one click."""

    required_perm = "benefits.confirm"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "benefits/confirmations.html",
            {
                "page": paginate(
                    request, selectors.proposals(user=request.user).order_by("from_month", "pk"), 30
                )
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        enrolment = selectors.enrolment_get(
            user=request.user, public_id=_uuid(request.POST.get("enrolment")), perm="benefits.confirm"
        )
        if enrolment is None:
            raise Http404
        try:
            if request.POST.get("op") == "reject":
                services.enrolment_reject(
                    actor=request.user, enrolment=enrolment, reason=request.POST.get("reason", "")
                )
                messages.success(request, "已记录不予认定")
            else:
                services.enrolment_confirm(actor=request.user, enrolment=enrolment)
                messages.success(request, f"已确认 {enrolment.elder.name}")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("benefits:confirmations"))


class DeathImportListView(ScopedPageMixin, View):
    required_perm = "benefits.death_import"

    def get(self, request: HttpRequest) -> HttpResponse:
        batches = DeathImport.objects.restrict(request.user, self.required_perm)
        return render(
            request,
            "benefits/deaths.html",
            {
                "page": paginate(request, batches, 20),
                "counties": _counties(request.user, self.required_perm),
                "sources": DeathSource.choices,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > 5 * 1024 * 1024:
            messages.error(request, "请上传 5MB 以内的 .xlsx 文件")
            return HttpResponseRedirect(reverse("benefits:deaths"))
        try:
            batch = services.death_import_read(
                actor=request.user,
                region_code=county_code(str(request.POST.get("region_code", ""))[:12]),
                source=str(request.POST.get("source", "")),
                upload=upload,
            )
        except DomainError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("benefits:deaths"))
        return HttpResponseRedirect(reverse("benefits:death", args=[batch.public_id]))


class DeathImportDetailView(ScopedPageMixin, View):
    required_perm = "benefits.death_import"

    def get(self, request: HttpRequest, batch_id: Any) -> HttpResponse:
        batch = get_scoped_or_404(
            DeathImport.objects.all(), request.user, self.required_perm, public_id=batch_id
        )
        return render(request, "benefits/death.html", {"batch": batch, "matched": len(batch.matched())})

    def post(self, request: HttpRequest, batch_id: Any) -> HttpResponse:
        batch = get_scoped_or_404(
            DeathImport.objects.all(), request.user, self.required_perm, public_id=batch_id
        )
        try:
            services.death_import_confirm(actor=request.user, batch=batch)
            messages.success(request, "已确认，名单中的老人已标记为已故")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("benefits:death", args=[batch.public_id]))
