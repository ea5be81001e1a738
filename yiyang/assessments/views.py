"""Pages of the assessment app: task list, request, detail with assignment, the tablet form, history
with the differences view, external results, the elder-facing summary, the PDF report and the scoring
playground. Writes go through the services; errors are shown next to the field they concern."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.accounts.models import User
from yiyang.assessments import rules, selectors, services
from yiyang.assessments.models import (
    STANDARD_CHOICES,
    Assessment,
    AssessmentAgency,
    ExternalAssessmentResult,
    Reason,
    SignatureRole,
    Status,
)
from yiyang.assessments.scoring import STANDARDS, ScoringError, describe, score
from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate
from yiyang.core.validators import parse_form_date
from yiyang.elders.selectors import elder_get, elder_list

RULE_TEXT = {
    "coma": "处于昏迷状态，直接评定为最重等级",
    "diagnosis": "确诊痴呆或其他精神和行为障碍，等级提高一级",
    "risk_events": "近30天内发生过 2 次及以上照护风险事件，等级提高一级",
    "cap": "提级后以最重等级为上限",
    "already_3": "已为重度失能，提级规则不再改变等级",
}


def rule_texts(codes: list[str], standard: str = "gbt42195") -> list[str]:
    known = (
        {r["code"]: r["text"] for r in describe(standard).get("rules", [])} if standard in STANDARDS else {}
    )
    return [known.get(c) or RULE_TEXT.get(c, c) for c in codes]


def _error_text(exc: DomainError) -> str:
    details = "；".join(f"{k}：{'，'.join(v)}" for k, v in exc.errors.items())
    return f"{exc.message}（{details}）" if details else exc.message


def _assessment(request: HttpRequest, assessment_id: Any, perm: str = "assessments.view") -> Assessment:
    qs = Assessment.objects.select_related(
        "elder", "elder__region", "agency", "requested_by"
    ).prefetch_related("assessors", "signatures", "events__actor")
    return get_scoped_or_404(qs, request.user, perm, public_id=assessment_id)


class TaskListView(ScopedPageMixin, View):
    """Assessors see the assessments assigned to them; administrators every one in their region."""

    required_perm = "assessments.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        assessor_only = "assessor" in user.roles() and not user.holds("assessments.assign")
        mine = assessor_only or request.GET.get("mine") == "1"
        status = request.GET.get("status") or ""
        if status not in Status.values:
            status = ""
        due = request.GET.get("due") == "1"
        if due:
            qs = selectors.reassessments_due(user=user, mine=mine)
        elif assessor_only and not status and request.GET.get("all") != "1":
            qs = selectors.assessment_list(user=user, mine=True).filter(
                status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED]
            )
        else:
            qs = selectors.assessment_list(user=user, mine=mine, status=status or None)
        return render(
            request,
            "assessments/tasks.html",
            {
                "page": paginate(request, qs, 25),
                "status": status,
                "mine": mine,
                "due": due,
                "today": timezone.localdate(),
                "assessor_only": assessor_only,
                "statuses": Status.choices,
                "nav_current": "assessments:tasks",
            },
        )


class RequestView(ScopedPageMixin, View):
    """Find an elder in scope by name and request an assessment with a reason."""

    required_perm = "assessments.request"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = (request.GET.get("q") or "").strip()[:50]
        chosen = None
        if request.GET.get("elder"):
            try:
                chosen = elder_get(
                    user=request.user, public_id=uuid.UUID(request.GET["elder"]), perm=self.required_perm
                )
            except ValueError:
                chosen = None
        found = (
            list(
                elder_list(user=request.user, perm=self.required_perm)
                .filter(name__contains=q)
                .order_by("name")[:20]
            )
            if q
            else []
        )
        return render(
            request,
            "assessments/request.html",
            {
                "q": q,
                "found": found,
                "chosen": chosen,
                "reasons": Reason.choices,
                "standards": STANDARD_CHOICES,
                "nav_current": "assessments:request",
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            elder = elder_get(
                user=request.user, public_id=uuid.UUID(request.POST.get("elder", "")), perm=self.required_perm
            )
        except ValueError:
            elder = None
        if elder is None:
            raise Http404
        try:
            assessment = services.assessment_request(
                elder=elder,
                reason=request.POST.get("reason", ""),
                standard=request.POST.get("standard") or None,
                note=request.POST.get("note", ""),
                home_visit=request.POST.get("home_visit", "1") == "1",
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, _error_text(exc))
            return redirect(reverse("assessments:request") + f"?elder={elder.public_id}")
        messages.success(request, f"已为 {elder.name} 申请评估")
        return redirect("assessments:detail", assessment_id=assessment.public_id)


class DetailView(ScopedPageMixin, View):
    required_perm = "assessments.view"

    def get(self, request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
        a = _assessment(request, assessment_id)
        user: Any = request.user
        can_assign = (
            a.status in (Status.REQUESTED, Status.ASSIGNED)
            and user.has_perm("assessments.assign")
            and user.in_region_scope("assessments.assign", a.elder.region_id)
        )
        agencies = (
            list(
                AssessmentAgency.objects.filter(active=True)
                .restrict(user, "assessments.assign")
                .prefetch_related("assessors")
            )
            if can_assign
            else []
        )
        is_assessor = a.assessors.filter(pk=user.pk).exists()
        previous = None
        if a.status == Status.COMPLETED:
            previous = (
                Assessment.objects.filter(elder=a.elder, status=Status.COMPLETED, standard=a.standard)
                .exclude(pk=a.pk)
                .filter(assessed_on__lte=a.assessed_on)
                .order_by("-assessed_on", "-completed_at")
                .first()
            )
        return render(
            request,
            "assessments/detail.html",
            {
                "a": a,
                "can_assign": can_assign,
                "agencies": agencies,
                "is_assessor": is_assessor,
                "required": services.assessors_required(a),
                "can_cancel": a.is_open and user.has_perm("assessments.request"),
                "can_complete": a.status == Status.SUBMITTED
                and (is_assessor or user.has_perm("assessments.assign")),
                "rules": rule_texts((a.result or {}).get("rules_applied", []), a.standard),
                "previous": previous,
                "items": _items_with_answers(a),
                "nav_current": "assessments:tasks",
            },
        )

    def post(self, request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
        op = request.POST.get("op")
        perm = {
            "assign": "assessments.assign",
            "cancel": "assessments.request",
            "complete": "assessments.perform",
        }.get(op or "")
        if perm is None:
            raise Http404
        if not request.user.has_perm(perm):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        a = _assessment(request, assessment_id, perm)
        try:
            if op == "assign":
                agency = (
                    AssessmentAgency.objects.restrict(request.user, perm)
                    .filter(public_id=_uuid_or_none(request.POST.get("agency")) or uuid.uuid4())
                    .first()
                )
                if agency is None:
                    raise DomainError("请选择评估机构", errors={"agency": ["请选择评估机构"]})
                ids = [u for u in (_uuid_or_none(x) for x in request.POST.getlist("assessors")) if u]
                people = list(User.objects.filter(public_id__in=ids))
                services.assessment_assign(assessment=a, agency=agency, assessors=people, actor=request.user)
                messages.success(request, "已指派评估机构与评估员")
            elif op == "cancel":
                services.assessment_cancel(
                    assessment=a, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, "评估已取消")
            else:
                services.assessment_complete(assessment=a, actor=request.user)
                messages.success(request, f"评估已完成，老人能力等级已更新为：{a.label}")
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        return redirect("assessments:detail", assessment_id=a.public_id)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


def _items_with_answers(a: Assessment) -> list[dict[str, Any]]:
    groups = []
    for group in describe(a.standard)["groups"]:
        items = []
        for item in group["items"]:
            value = a.answers.get(item["code"])
            text = next((o["text"] for o in item["options"] if o["score"] == value), "")
            items.append({**item, "value": value, "text": text})
        groups.append(
            {
                "code": group["code"],
                "name": group["name"],
                "items": items,
                "subtotal": ((a.result or {}).get("subtotals") or {}).get(group["code"]),
            }
        )
    return groups


class FormView(ScopedPageMixin, View):
    """The tablet form: items in order as big radio cards, each saved by HTMX as it is chosen."""

    required_perm = "assessments.perform"

    def _context(self, request: HttpRequest, a: Assessment) -> dict[str, Any]:
        bank = services.item_bank(a.standard)
        answered = sum(1 for code in bank if code in a.answers)
        signatures = list(a.signatures.all())
        signed_users = {s.user_id for s in signatures if s.role == SignatureRole.ASSESSOR}
        flags = services.assessment_flags(a)
        return {
            "a": a,
            "groups": _items_with_answers(a),
            "answered": answered,
            "count": len(bank),
            "percent": round(100 * answered / len(bank)) if bank else 0,
            "editable": a.status in (Status.ASSIGNED, Status.IN_PROGRESS)
            and a.assessors.filter(pk=getattr(request.user, "pk", 0)).exists(),
            "health_items": [
                {**h, "value": a.health.get(h["code"], [] if h["multi"] else "")} for h in rules.HEALTH_ITEMS
            ],
            "diagnoses": rules.DIAGNOSES,
            "chosen_diagnoses": {d["code"] for d in a.diagnoses},
            "diag_icd": {d["code"]: d.get("icd10", "") for d in a.diagnoses},
            "risk_events": [(k, label, a.risk_events.get(k, 0)) for k, label in rules.RISK_EVENTS],
            "risk_options": rules.RISK_EVENT_OPTIONS,
            "flags": flags,
            "informant_relations": rules.INFORMANT_RELATIONS,
            "assessors": [(u, u.pk in signed_users) for u in a.assessors.all()],
            "me_signed": request.user.pk in signed_users,
            "informant_sig": next((s for s in signatures if s.role == SignatureRole.INFORMANT), None),
            "missing": services.missing_signatures(a),
            "rules": rule_texts((a.result or {}).get("rules_applied", []), a.standard),
            "nav_current": "assessments:tasks",
        }

    def get(self, request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
        a = _assessment(request, assessment_id, self.required_perm)
        return render(request, "assessments/form.html", self._context(request, a))

    def post(self, request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
        a = _assessment(request, assessment_id, self.required_perm)
        op = request.POST.get("op", "")
        htmx = bool(request.headers.get("HX-Request"))
        error = ""
        try:
            if op == "answer":
                code = request.POST.get("code", "")
                services.assessment_save_answers(
                    assessment=a, answers={code: request.POST.get("value", "")}, actor=request.user
                )
            elif op == "health":
                health: dict[str, Any] = {}
                for h in rules.HEALTH_ITEMS:
                    if h["multi"]:
                        values = request.POST.getlist(h["code"])
                        if values:
                            health[h["code"]] = values
                    elif request.POST.get(h["code"]):
                        health[h["code"]] = request.POST[h["code"]]
                diagnoses = [
                    {"code": c, "icd10": request.POST.get(f"icd_{c}", "")}
                    for c in request.POST.getlist("diagnoses")
                ]
                risk = {k: _int(request.POST.get(f"risk_{k}")) for k, _ in rules.RISK_EVENTS}
                services.assessment_save_record(
                    assessment=a,
                    actor=request.user,
                    health=health,
                    diagnoses=diagnoses,
                    risk_events=risk,
                    informant_name=request.POST.get("informant_name", ""),
                    informant_relation=request.POST.get("informant_relation", ""),
                )
                messages.success(request, "健康信息已保存")
            elif op == "sign":
                services.assessment_sign(
                    assessment=a,
                    role=request.POST.get("role", ""),
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    image=request.POST.get("image", ""),
                )
                messages.success(request, "签名已保存")
            elif op == "submit":
                services.assessment_submit(assessment=a, actor=request.user)
                messages.success(request, f"已提交，服务器计算结果：{a.label}")
            elif op == "complete":
                services.assessment_complete(assessment=a, actor=request.user)
                messages.success(request, f"评估已完成，老人能力等级已更新为：{a.label}")
                return redirect("assessments:detail", assessment_id=a.public_id)
            elif op == "reopen":
                services.assessment_reopen(assessment=a, actor=request.user)
            else:
                raise Http404
        except DomainError as exc:
            error = _error_text(exc)
            if not htmx:
                messages.error(request, error)
        if htmx and op == "answer":
            a.refresh_from_db()
            context = self._context(request, a)
            context["error"] = error
            return render(request, "assessments/_progress.html", context)
        return redirect(
            reverse("assessments:form", args=[a.public_id]) + ("#result" if op == "submit" else "")
        )


def _best(item: dict[str, Any], bank: dict[str, Any]) -> int:
    up = bank["higher_is_better"]
    better = up.get(item["group"], True) if isinstance(up, dict) else bool(up)
    return max(item["allowed"]) if better else min(item["allowed"])


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class HistoryView(ScopedPageMixin, View):
    """Every assessment of one elder, and the differences between two of them."""

    required_perm = "assessments.view"

    def get(self, request: HttpRequest, elder_id: uuid.UUID) -> HttpResponse:
        elder = elder_get(user=request.user, public_id=elder_id, perm=self.required_perm)
        if elder is None:
            raise Http404
        history = list(selectors.assessment_list(user=request.user, elder=elder))
        completed = [a for a in history if a.status == Status.COMPLETED]
        completed.sort(key=lambda a: a.assessed_on or date.min, reverse=True)
        by_id = {str(a.public_id): a for a in completed}
        new = by_id.get(request.GET.get("b", "")) or (completed[0] if completed else None)
        old = by_id.get(request.GET.get("a", "")) or next(
            (x for x in completed if new is not None and x.pk != new.pk and x.standard == new.standard), None
        )
        diff = selectors.assessment_diff(old, new) if old and new else None
        externals = ExternalAssessmentResult.objects.restrict(request.user, self.required_perm).filter(
            elder=elder
        )
        return render(
            request,
            "assessments/history.html",
            {
                "elder": elder,
                "history": history,
                "completed": completed,
                "old": old,
                "new": new,
                "diff": diff,
                "externals": list(externals),
                "chart": (
                    [
                        {"date": a.assessed_on.isoformat(), "level": a.final_level, "total": a.total}
                        for a in reversed(completed)
                        if a.assessed_on
                    ]
                ),
                "nav_current": "assessments:tasks",
            },
        )


class ExternalView(ScopedPageMixin, View):
    """Record results made by other bodies (医保 / 残联 / 卫健) and list the recorded ones."""

    required_perm = "assessments.view"
    SOURCES = ["医保局长期护理失能评估", "残联残疾评定", "卫健委医养结合评估", "其他"]

    def get(
        self, request: HttpRequest, form_errors: dict[str, list[str]] | None = None, values: Any = None
    ) -> HttpResponse:
        elder = None
        raw = request.GET.get("elder") or (values or {}).get("elder")
        if raw and _uuid_or_none(raw):
            elder = elder_get(user=request.user, public_id=_uuid_or_none(raw), perm=self.required_perm)
        qs = ExternalAssessmentResult.objects.restrict(request.user, self.required_perm).select_related(
            "elder"
        )
        if elder is not None:
            qs = qs.filter(elder=elder)
        q = (request.GET.get("q") or "").strip()[:50]
        found = (
            list(
                elder_list(user=request.user, perm=self.required_perm)
                .filter(name__contains=q)
                .order_by("name")[:20]
            )
            if q
            else []
        )
        return render(
            request,
            "assessments/external.html",
            {
                "page": paginate(request, qs, 25),
                "elder": elder,
                "found": found,
                "q": q,
                "sources": self.SOURCES,
                "standards": STANDARD_CHOICES,
                "errors": form_errors or {},
                "values": values or {},
                "can_record": request.user.has_perm("assessments.record_external"),
                "nav_current": "assessments:external",
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("assessments.record_external"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        p = request.POST
        elder = elder_get(
            user=request.user,
            public_id=_uuid_or_none(p.get("elder")) or uuid.uuid4(),
            perm="assessments.record_external",
        )
        if elder is None:
            raise Http404
        errors: dict[str, list[str]] = {}
        assessed_on = _date(p.get("assessed_on"), "assessed_on", "评估日期", errors, required=True)
        valid_until = _date(p.get("valid_until"), "valid_until", "有效期至", errors)
        source = p.get("source_other") if p.get("source") == "其他" else p.get("source")
        if not errors and assessed_on is not None:
            try:
                services.external_result_record(
                    elder=elder,
                    source=source or "",
                    standard=p.get("standard", ""),
                    level=_int(p.get("level")),
                    label=p.get("label", ""),
                    assessed_on=assessed_on,
                    valid_until=valid_until,
                    document_ref=p.get("document_ref", ""),
                    actor=request.user,
                )
                messages.success(request, f"已录入 {elder.name} 的他部门评估结果")
                return redirect(reverse("assessments:external") + f"?elder={elder.public_id}")
            except DomainError as exc:
                errors = exc.errors or {"non_field_errors": [exc.message]}
        return self.get(request, form_errors=errors, values=p)


def _date(
    raw: Any, field: str, label: str, errors: dict[str, list[str]], required: bool = False
) -> date | None:
    """The shared form date parser, its error collected with the form's others (shown by each input)."""
    try:
        return parse_form_date(raw, label, field=field, required=required)
    except DomainError as exc:
        errors.update(exc.errors)
        return None


class SummaryView(ScopedPageMixin, View):
    """The result in plain words, for the elder and the family (elder mode)."""

    required_perm = "assessments.view"

    def get(self, request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
        a = _assessment(request, assessment_id)
        return render(
            request,
            "assessments/summary.html",
            {
                "a": a,
                "rules": rule_texts((a.result or {}).get("rules_applied", []), a.standard),
                "groups": _items_with_answers(a),
                "moderate_plus": rules.moderate_plus(a.standard, a.final_level),
            },
        )


class ReportView(ScopedPageMixin, View):
    required_perm = "assessments.view"

    def get(self, request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
        from yiyang.assessments.report import render_pdf

        a = _assessment(request, assessment_id)
        if a.status not in (Status.SUBMITTED, Status.COMPLETED):
            raise Http404
        response = HttpResponse(render_pdf(a), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="assessment-{a.public_id}.pdf"'
        return response


class PlaygroundView(ScopedPageMixin, View):
    """Try a set of answers against the same scoring engine as the API."""

    required_perm = "assessments.score"

    def get(self, request: HttpRequest) -> HttpResponse:
        standard = request.GET.get("standard", "gbt42195")
        if standard not in STANDARDS:
            standard = "gbt42195"
        bank = describe(standard)
        result = None
        errors: dict[str, list[str]] = {}
        answers = {
            code: request.GET.get(code)
            for g in bank["groups"]
            for code in [i["code"] for i in g["items"]]
            if request.GET.get(code) not in (None, "")
        }
        flags = {
            "coma": request.GET.get("coma") == "1",
            "dementia": request.GET.get("dementia") == "1",
            "mental_disorder": request.GET.get("mental_disorder") == "1",
            "risk_events_30d": _int(request.GET.get("risk_events_30d")),
        }
        options = {"cumulative": request.GET.get("cumulative", "1") == "1"}
        if not request.GET.get("go"):
            # First visit: every item at its best answer, to change one by one.
            answers = {code: str(_best(item, bank)) for code, item in services.item_bank(standard).items()}
            options["cumulative"] = True
        if request.GET.get("go"):
            try:
                result = score(standard, answers, flags, options).to_dict()
            except ScoringError as exc:
                errors = exc.errors
        return render(
            request,
            "assessments/playground.html",
            {
                "standard": standard,
                "standards": STANDARD_CHOICES,
                "bank": bank,
                "answers": answers,
                "flags": flags,
                "options": options,
                "result": result,
                "errors": errors,
                "rules": rule_texts(result["rules_applied"], standard) if result else [],
                "nav_current": "assessments:playground",
            },
        )
