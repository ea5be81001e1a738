"""Pages of the renovation programme: applications (list, new, one household with its workflow forms),
the household archive (一户一档, page and PDF), programmes, and progress per district and street."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, paginate, querystring_without
from yiyang.core.validators import parse_form_date
from yiyang.elders.selectors import elder_get, elder_list
from yiyang.providers.selectors import organisation_scoped
from yiyang.regions.models import Region
from yiyang.renovation import selectors, services
from yiyang.renovation.choices import Applicant, ApplicationStatus, PhotoKind, ProgrammeStatus
from yiyang.renovation.eligibility import CATEGORY_LABELS
from yiyang.renovation.models import Application, Photo
from yiyang.renovation.photos import IMAGE_TYPES
from yiyang.renovation.transitions import REJECT_PERM, WITHDRAWABLE

S = ApplicationStatus
VIEW = "renovation.view"

# What each role acts on (the "待我处理" filter): permission → statuses.
AWAITING_ME: dict[str, set[str]] = {
    "renovation.review": {S.SUBMITTED, S.PUBLICITY, S.COMPLETED},
    "renovation.approve": {S.PUBLICISED, S.ACCEPTED},
    "renovation.assess": {S.APPROVED, S.ASSESSED},
    "renovation.apply": {S.PLANNED},
    "renovation.build": {S.SIGNED, S.BUILDING},
    "renovation.supervise": {S.COMPLETED},
}


def _uuid(value: Any) -> Any:
    """A posted id as a UUID, or None (a malformed value is simply not found, never a 500)."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(m for msgs in exc.errors.values() for m in msgs if m not in exc.message)
    messages.error(request, exc.message + (f"（{detail}）" if detail else ""))


def _fen(raw: str) -> int | None:
    """A yuan amount typed by people (``1234.5``) as integer fen, without floats."""
    raw = (raw or "").strip()
    if not raw:
        return None
    whole, _, frac = raw.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2 or len(whole) > 7:
        raise DomainError("金额格式应为元，最多两位小数", errors={"amount": ["金额格式有误"]})
    return int(whole) * 100 + int((frac + "00")[:2])


class ApplicationListView(ScopedPageMixin, View):
    required_perm = VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.application_list(user=request.user)
        for perm in ("renovation.build", "renovation.supervise"):
            if request.user.has_perm(perm):
                qs = qs | selectors.application_list(user=request.user, perm=perm)
        qs = qs.distinct().select_related("elder__region")
        status = request.GET.get("status", "")
        if status in S.values:
            qs = qs.filter(status=status)
        todo = request.GET.get("todo") == "1"
        if todo:
            statuses = set().union(*(v for p, v in AWAITING_ME.items() if request.user.has_perm(p)))
            qs = qs.filter(status__in=statuses)
        return render(
            request,
            "renovation/list.html",
            {
                "page": paginate(request, qs.order_by("-created_at", "-pk"), 30),
                "qs": querystring_without(request, "page"),
                "statuses": S.choices,
                "status": status,
                "todo": todo,
            },
        )


class ApplyView(ScopedPageMixin, View):
    """New application: find the elder, check eligibility rule by rule, then submit."""

    required_perm = "renovation.apply"

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        programmes = selectors.programme_list(user=request.user).filter(status=ProgrammeStatus.ACTIVE)
        q = request.GET.get("q", "").strip()[:50]
        found = (
            list(elder_list(user=request.user).filter(name__contains=q).select_related("region")[:20])
            if q
            else []
        )
        return {
            "programmes": programmes,
            "q": q,
            "found": found,
            "applicants": Applicant.choices,
            "today": timezone.localdate(),
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "renovation/apply.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        p = request.POST
        programme = selectors.programme_get(user=request.user, public_id=_uuid(p.get("programme")))
        elder = elder_get(user=request.user, public_id=_uuid(p.get("elder")))
        if programme is None or elder is None:
            messages.error(request, "请选择项目和老人")
            return render(request, "renovation/apply.html", self._context(request), status=400)
        try:
            on = (
                parse_form_date(
                    p.get("application_date"), "申请日期", field="application_date", required=False
                )
                or timezone.localdate()
            )
        except DomainError as exc:
            _fail(request, exc)
            ctx = self._context(request, elder=elder, chosen=programme, posted=p)
            return render(request, "renovation/apply.html", ctx, status=400)
        housing = p.get("housing_right") == "1"
        demolition = p.get("in_demolition_plan") == "1"
        verdict = services.eligibility_verdict(
            programme=programme, elder=elder, on=on, housing_right=housing, in_demolition_plan=demolition
        )
        ctx = self._context(request, verdict=verdict, elder=elder, chosen=programme, posted=p)
        if p.get("op") == "check" or not verdict.eligible:
            return render(request, "renovation/apply.html", ctx)
        try:
            application = services.application_create(
                actor=request.user,
                programme=programme,
                elder=elder,
                application_date=on,
                housing_right=housing,
                in_demolition_plan=demolition,
                applicant=str(p.get("applicant"))
                if p.get("applicant") in Applicant.values
                else Applicant.ELDER,
                applicant_name=p.get("applicant_name", ""),
            )
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "renovation/apply.html", ctx, status=400)
        messages.success(request, f"已受理申请 {application.number}")
        return HttpResponseRedirect(reverse("renovation:detail", args=[application.public_id]))


def _scoped_application(request: HttpRequest, application_id: Any) -> Application:
    user = request.user
    for perm in (VIEW, "renovation.build", "renovation.supervise"):
        if user.has_perm(perm):
            found = selectors.application_get(user=user, public_id=application_id, perm=perm)
            if found is not None:
                return selectors.application_detail(found)
    raise Http404


class ApplicationDetailView(ScopedPageMixin, View):
    required_perm = VIEW

    def get(self, request: HttpRequest, application_id: Any) -> HttpResponse:
        application = _scoped_application(request, application_id)
        user = request.user
        st = application.status
        can = {
            "review": user.has_perm("renovation.review") and st == S.SUBMITTED,
            "object": user.has_perm("renovation.apply") and st == S.PUBLICITY,
            "close_publicity": user.has_perm("renovation.review") and st == S.PUBLICITY,
            "approve": user.has_perm("renovation.approve") and st == S.PUBLICISED,
            "assess": user.has_perm("renovation.assess") and st == S.APPROVED,
            "plan": user.has_perm("renovation.assess") and st in {S.ASSESSED, S.PLANNED},
            "sign": user.has_perm("renovation.apply") and st == S.PLANNED,
            "photo": user.has_perm("renovation.build") and st in {S.SIGNED, S.BUILDING, S.PAID},
            "start": user.has_perm("renovation.build") and st == S.SIGNED,
            "complete": user.has_perm("renovation.build") and st == S.BUILDING,
            "accept": (user.has_perm("renovation.review") or user.has_perm("renovation.supervise"))
            and st == S.COMPLETED,
            "pay": user.has_perm("renovation.approve") and st == S.ACCEPTED,
            "reject": st in REJECT_PERM and user.has_perm(REJECT_PERM[st]),
            "withdraw": user.has_perm("renovation.apply") and st in WITHDRAWABLE,
            "claim": user.has_perm("renovation.apply") and st == S.PAID,
            "repair": user.has_perm("renovation.build") and st == S.PAID,
        }
        plan = {row.item.code: row for row in application.plan_items.all()}
        catalog = [(item, plan.get(item.code)) for item in application.programme.items.order_by("seq")]
        orgs = organisation_scoped(user=user, perm="providers.view") if can["approve"] else []
        photo_kinds = [(k, v) for k, v in PhotoKind.choices if (k == PhotoKind.REPAIR) == (st == S.PAID)]
        if st == S.SIGNED:
            photo_kinds = [(PhotoKind.BEFORE.value, PhotoKind.BEFORE.label)]
        return render(
            request,
            "renovation/detail.html",
            {
                "a": application,
                "can": can,
                "catalog": catalog,
                "included": [r for r in application.plan_items.all() if r.included],
                "gaps": services.plan_gaps(application) if st == S.PLANNED else [],
                "orgs": orgs,
                "photo_kinds": photo_kinds,
                "open_claims": [c for c in application.claims.all() if c.status == "open"],
                "planned_total": sum(r.planned_fen for r in application.plan_items.all()),
                "today": timezone.localdate(),
            },
        )

    def post(self, request: HttpRequest, application_id: Any) -> HttpResponse:
        application = _scoped_application(request, application_id)
        p = request.POST
        op = p.get("op", "")
        user = request.user
        try:
            if op == "review":
                services.application_review(actor=user, application=application, note=p.get("note", ""))
            elif op == "object":
                services.application_object(
                    actor=user,
                    application=application,
                    text=p.get("text", ""),
                    raised_by=p.get("raised_by", ""),
                )
            elif op == "close_publicity":
                services.application_close_publicity(
                    actor=user, application=application, ruling=p.get("ruling", "")
                )
            elif op == "approve":
                orgs = organisation_scoped(user=user, perm="providers.view")
                contractor = orgs.filter(public_id=_uuid(p.get("contractor"))).first()
                supervisor = orgs.filter(public_id=_uuid(p.get("supervisor"))).first()
                services.application_approve(
                    actor=user,
                    application=application,
                    contractor=contractor,
                    supervisor=supervisor,
                    note=p.get("note", ""),
                )
            elif op == "assess":
                services.application_assess(
                    actor=user,
                    application=application,
                    note=p.get("note", ""),
                    assessor_name=p.get("assessor_name", ""),
                    assessed_on=parse_form_date(
                        p.get("assessed_on"), "评估日期", field="assessed_on", required=False
                    ),
                )
            elif op == "plan":
                items = []
                for item in application.programme.items.all():
                    mode = p.get(f"mode-{item.code}", "")
                    if mode == "include":
                        price = _fen(p.get(f"price-{item.code}", ""))
                        qty = p.get(f"qty-{item.code}", "1")
                        items.append(
                            {
                                "code": item.code,
                                "included": True,
                                "quantity": int(qty) if qty.isdigit() and len(qty) < 3 else 0,
                                "unit_price_fen": price,
                            }
                        )
                    elif mode == "na":
                        items.append(
                            {
                                "code": item.code,
                                "included": False,
                                "not_applicable_reason": p.get(f"reason-{item.code}", ""),
                            }
                        )
                services.application_plan(actor=user, application=application, items=items)
            elif op == "sign":
                services.application_sign(
                    actor=user,
                    application=application,
                    signed_by=p.get("signed_by", ""),
                    relation=p.get("relation", ""),
                )
            elif op == "photo":
                services.application_add_photo(
                    actor=user,
                    application=application,
                    code=p.get("code", ""),
                    kind=p.get("kind", ""),
                    upload=request.FILES.get("image"),
                )
            elif op == "start":
                services.application_start(actor=user, application=application)
            elif op == "complete":
                items = []
                for row in application.plan_items.all():
                    if not row.included:
                        continue
                    items.append(
                        {
                            "code": row.item.code,
                            "done": p.get(f"done-{row.item.code}") == "1",
                            "actual_cost_fen": _fen(p.get(f"cost-{row.item.code}", "")),
                            "work_note": p.get(f"note-{row.item.code}", ""),
                        }
                    )
                services.application_complete(actor=user, application=application, items=items)
            elif op == "accept":
                services.application_accept(
                    actor=user,
                    application=application,
                    passed=p.get("passed") == "1",
                    note=p.get("note", ""),
                    street_inspector=p.get("street_inspector", ""),
                    supervisor_inspector=p.get("supervisor_inspector", ""),
                )
            elif op == "pay":
                services.application_pay(
                    actor=user, application=application, payment_ref=p.get("payment_ref", "")
                )
            elif op == "reject":
                services.application_reject(actor=user, application=application, reason=p.get("reason", ""))
            elif op == "withdraw":
                services.application_withdraw(actor=user, application=application, reason=p.get("reason", ""))
            elif op == "claim":
                services.warranty_claim_create(
                    actor=user, application=application, description=p.get("description", "")
                )
            elif op == "repair":
                claim = application.claims.filter(public_id=_uuid(p.get("claim"))).first()
                if claim is None:
                    raise Http404
                services.warranty_claim_repair(actor=user, claim=claim, note=p.get("note", ""))
            else:
                raise Http404
            messages.success(request, "已保存")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("renovation:detail", args=[application.public_id]))


@login_required
def photo_view(request: HttpRequest, application_id: Any, name: str) -> FileResponse:
    application = _scoped_application(request, application_id)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    path = f"renovation/{application.public_id}/{name}"
    photo = (
        Photo.objects.filter(application=application).filter(image=path).first()
        or Photo.objects.filter(application=application, thumbnail=path).first()
    )
    if photo is None or ext not in IMAGE_TYPES:
        raise Http404
    field = photo.image if str(photo.image.name) == path else photo.thumbnail
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=IMAGE_TYPES[ext])
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class ArchiveView(ScopedPageMixin, View):
    """一户一档: the whole household on one printable page."""

    required_perm = VIEW

    def get(self, request: HttpRequest, application_id: Any) -> HttpResponse:
        application = _scoped_application(request, application_id)
        return render(request, "renovation/archive.html", {"a": application, **archive_context(application)})


def archive_context(application: Application) -> dict[str, Any]:
    rows = list(application.plan_items.all())
    categories = [CATEGORY_LABELS.get(c.category, c.category) for c in application.elder.categories.all()]
    return {
        "rows": rows,
        "included": [r for r in rows if r.included],
        "planned_total": sum(r.planned_fen for r in rows),
        "categories": categories,
        "rules": (application.eligibility or {}).get("rules", []),
    }


class ArchivePdfView(ScopedPageMixin, View):
    required_perm = VIEW

    def get(self, request: HttpRequest, application_id: Any) -> HttpResponse:
        from yiyang.renovation.report import archive_pdf

        application = _scoped_application(request, application_id)
        content = archive_pdf(application)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="archive-{application.number}.pdf"'
        return response


# --- programmes ---------------------------------------------------------------------------------------


class ProgrammeListView(ScopedPageMixin, View):
    required_perm = VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "renovation/programmes.html",
            {"programmes": selectors.programme_list(user=request.user)},
        )


class ProgrammeDetailView(ScopedPageMixin, View):
    required_perm = VIEW

    def _programme(self, request: HttpRequest, programme_id: Any) -> Any:
        programme = selectors.programme_get(user=request.user, public_id=programme_id)
        if programme is None:
            raise Http404
        return programme

    def get(self, request: HttpRequest, programme_id: Any) -> HttpResponse:
        programme = self._programme(request, programme_id)
        counties = Region.objects.filter(level="county", code__startswith=programme.region_code[:4]).order_by(
            "code"
        )
        return render(
            request,
            "renovation/programme.html",
            {
                "p": programme,
                "items": selectors.catalog_items(programme),
                "quotas": programme.quotas.select_related("county"),
                "can_manage": request.user.has_perm("renovation.programme"),
                "editable": programme.status == ProgrammeStatus.DRAFT and not programme.applications.exists(),
                "counties": counties if programme.region.level != "county" else [programme.region],
                "categories": [(k, v) for k, v in CATEGORY_LABELS.items()],
                "next_year": programme.year + 1,
            },
        )

    def post(self, request: HttpRequest, programme_id: Any) -> HttpResponse:
        if not request.user.has_perm("renovation.programme"):
            raise Http404
        programme = self._programme(request, programme_id)
        p = request.POST
        op = p.get("op", "")
        target = programme
        try:
            if op == "copy":
                year = p.get("year", "")
                target = services.programme_copy(
                    actor=request.user,
                    programme=programme,
                    year=int(year) if year.isdigit() and len(year) == 4 else None,
                )
                messages.success(request, f"已复制为 {target}")
            elif op == "activate":
                services.programme_activate(actor=request.user, programme=programme)
                messages.success(request, "项目已启用")
            elif op == "update":
                cap = _fen(p.get("cap_yuan", ""))
                changes: dict[str, Any] = {"name": p.get("name", "")}
                if cap is not None:
                    changes["cap_fen"] = cap
                for key in ("publicity_days", "warranty_years"):
                    raw = p.get(key, "")
                    if raw.isdigit() and len(raw) < 4:
                        changes[key] = int(raw)
                cats = [c for c in p.getlist("target_categories") if c in CATEGORY_LABELS]
                if cats:
                    changes["target_categories"] = cats
                prices = {}
                for item in programme.items.all():
                    fen = _fen(p.get(f"price-{item.code}", ""))
                    if fen is not None and fen != item.reference_price_fen:
                        prices[item.code] = fen
                services.programme_update(actor=request.user, programme=programme, prices=prices, **changes)
                messages.success(request, "项目已保存")
            elif op == "quota":
                county = Region.objects.filter(code=p.get("county", ""), level="county").first()
                raw = p.get("households", "")
                if county is None or not raw.isdigit() or len(raw) > 6:
                    raise DomainError("请选择区县并填写任务数", errors={"households": ["请填写任务数"]})
                services.quota_set(
                    actor=request.user, programme=programme, county=county, households=int(raw)
                )
                messages.success(request, "任务数已保存")
            else:
                raise Http404
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("renovation:programme", args=[target.public_id]))


# --- progress -----------------------------------------------------------------------------------------


def _progress_programme(request: HttpRequest) -> Any:
    programmes = selectors.programme_list(user=request.user)
    chosen = _uuid(request.GET.get("programme"))
    if chosen:
        return programmes.filter(public_id=chosen).first(), programmes
    return programmes.filter(status=ProgrammeStatus.ACTIVE).first() or programmes.first(), programmes


class ProgressView(ScopedPageMixin, View):
    required_perm = "renovation.approve"

    def get(self, request: HttpRequest) -> HttpResponse:
        programme, programmes = _progress_programme(request)
        level = "street" if request.GET.get("level") == "street" else "county"
        rows = (
            selectors.progress_rows(user=request.user, programme=programme, level=level) if programme else []
        )
        return render(
            request,
            "renovation/progress.html",
            {
                "programme": programme,
                "programmes": programmes,
                "level": level,
                "rows": rows,
                "phases": [label for label, _, _ in selectors.PHASES],
                "workload": selectors.contractor_workload(user=request.user, programme=programme)
                if programme
                else [],
            },
        )


class ProgressExportView(ScopedPageMixin, View):
    required_perm = "renovation.approve"

    def get(self, request: HttpRequest) -> HttpResponse:
        from yiyang.renovation.report import progress_xlsx

        programme, _ = _progress_programme(request)
        if programme is None:
            raise Http404
        level = "street" if request.GET.get("level") == "street" else "county"
        rows = selectors.progress_rows(user=request.user, programme=programme, level=level)
        content = progress_xlsx(programme, rows, level)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="renovation-progress-{programme.year}.xlsx"'
        return response
