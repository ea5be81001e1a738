"""Pages of the register: list (HTMX filters, sort, pagination), elder page with the tab registry, create
and edit forms with inline ID validation, status change, reveal, import with a progress bar, export."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.hooks import effects_text
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate, querystring_without
from yiyang.core.tabs import TABS, tab_context, tabs_for
from yiyang.elders.exporting import elder_export_xlsx
from yiyang.elders.forms import ElderFilterForm, ElderForm, ImportForm, StatusForm
from yiyang.elders.identity import check_id_number, id_number_index
from yiyang.elders.importing import COLUMNS, report_xlsx, template_xlsx
from yiyang.elders.models import Elder, ImportJob
from yiyang.elders.selectors import ElderFilters, elder_find_by_id_number, elder_search
from yiyang.elders.services import (
    REGISTERED_ELSEWHERE,
    REVEALABLE,
    elder_change_status,
    elder_create,
    elder_reveal,
    elder_update,
    id_probe_limit,
)
from yiyang.elders.transitions import ELDER_STATUS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTABLE = [
    ("name", "姓名"),
    ("birth_date", "出生日期"),
    ("capability_level", "能力等级"),
    ("created_at", "登记时间"),
]


def _elder(request: HttpRequest, elder_id: Any, perm: str) -> Elder:
    return get_scoped_or_404(
        Elder.objects.select_related("region", "region__parent", "hukou_region"),
        request.user,
        perm,
        public_id=elder_id,
    )


def _apply_errors(form: Any, exc: DomainError) -> None:
    mapping = {"region": "region_code", "hukou_region": "hukou_region_code"}
    placed = False
    for key, msgs in exc.errors.items():
        name = mapping.get(key, key.split("[")[0])
        if name.startswith("contacts"):
            name = "contact_phone" if "contact_phone" in form.fields else ""
        for m in msgs:
            if name in form.fields:
                form.add_error(name, m)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- the list's search: posted, kept in the session under a short token (``?s=<token>``) ----------------
# An ID number typed into the search never travels in a URL (browser history, access logs, Referer); the
# session keeps it encrypted. The API's ``?id_number=`` filter stays (the register's contract).
SEARCH_SESSION_KEY = "elder_searches"
SEARCH_KEPT = 20
SEARCH_FIELDS = (
    "q",
    "id_number",
    "phone_tail",
    "category",
    "living_situation",
    "age_min",
    "age_max",
    "capability_level",
    "region",
    "status",
    "ordering",
)
PRIVATE_SEARCH_FIELDS = frozenset({"id_number"})


def _search_store(request: HttpRequest, data: Any) -> str:
    from yiyang.core.pii import encrypt

    saved = {}
    for key in SEARCH_FIELDS:
        value = str(data.get(key) or "").strip()[:100]
        if value:
            saved[key] = encrypt(value) if key in PRIVATE_SEARCH_FIELDS else value
    searches = dict(request.session.get(SEARCH_SESSION_KEY) or {})
    token = secrets.token_urlsafe(6)
    searches[token] = saved
    while len(searches) > SEARCH_KEPT:
        searches.pop(next(iter(searches)))
    request.session[SEARCH_SESSION_KEY] = searches
    return token


def _search_params(request: HttpRequest) -> QueryDict:
    """The GET parameters with the saved search of ``?s=<token>`` filled in (URL values win, e.g. a new
    ordering); an unknown or expired token is an empty search."""
    from yiyang.core.pii import decrypt

    params = request.GET.copy()
    saved = (request.session.get(SEARCH_SESSION_KEY) or {}).get(params.get("s", ""), {})
    for key, value in saved.items():
        if key in SEARCH_FIELDS and key not in params:
            params[key] = decrypt(value) if key in PRIVATE_SEARCH_FIELDS else value
    return params


class ElderListView(ScopedPageMixin, View):
    required_perm = "elders.view"

    def post(self, request: HttpRequest) -> HttpResponse:
        """The search form posts here; answer with the list at ``?s=<token>``."""
        token = _search_store(request, request.POST)
        url = f"{request.path}?s={token}"
        if request.headers.get("HX-Request"):
            request.GET = QueryDict(f"s={token}")
            response = self.get(request)
            response["HX-Push-Url"] = url
            return response
        return redirect(url)

    def get(self, request: HttpRequest) -> HttpResponse:
        if any(request.GET.get(k) for k in PRIVATE_SEARCH_FIELDS):
            # an old bookmark or a hand-typed URL: keep the search, drop the number from the address
            data = request.GET.copy()
            data.pop("s", None)
            return redirect(f"{request.path}?s={_search_store(request, data)}")
        params = _search_params(request)
        form = ElderFilterForm(
            params if any(params.get(k) for k in SEARCH_FIELDS) else None, user=request.user
        )
        filters = ElderFilters.from_params(params)
        for key, msgs in filters.errors.items():
            if key in form.fields:
                for m in msgs:
                    form.add_error(key, m)
        if filters.errors:
            filters = ElderFilters()
        qs = elder_search(user=request.user, filters=filters).prefetch_related("categories")
        ordering = filters.ordering or "-created_at"
        sort_links = []
        base = querystring_without(request, "page", "ordering")
        for key, label in SORTABLE:
            current = ordering.lstrip("-") == key
            desc = ordering.startswith("-")
            target = f"-{key}" if current and not desc else key
            sort_links.append(
                {
                    "label": label,
                    "url": f"?{base}&ordering={target}" if base else f"?ordering={target}",
                    "css": ("sort-desc" if desc else "sort-asc") if current else "",
                }
            )
        context = {
            "form": form,
            "page": paginate(request, qs, 20),
            "qs": querystring_without(request, "page"),
            "sort_links": sort_links,
            "export_qs": querystring_without(request, "page"),
            "can_add": request.user.has_perm("elders.add"),
            "can_export": request.user.has_perm("elders.export"),
            "can_reveal": request.user.has_perm("elders.reveal"),
        }
        template = "elders/_table.html" if request.headers.get("HX-Request") else "elders/list.html"
        return render(request, template, context)


class ElderCreateView(ScopedPageMixin, View):
    required_perm = "elders.add"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "elders/form.html", {"form": ElderForm(user=request.user), "editing": False})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ElderForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            contacts = (
                [
                    {
                        "name": d["contact_name"],
                        "relation": d["contact_relation"] or "other",
                        "phone": d["contact_phone"],
                        "is_emergency": True,
                    }
                ]
                if d["contact_name"]
                else []
            )
            try:
                elder, warnings = elder_create(
                    actor=request.user,
                    name=d["name"],
                    id_number=d["id_number"],
                    phone=d["phone"],
                    region=d["region_code"],
                    hukou_region=d["hukou_region_code"] or None,
                    address=d["address"],
                    lat=d["lat"],
                    lng=d["lng"],
                    living_situation=d["living_situation"],
                    categories=list(d["categories"]),
                    contacts=contacts,
                    notes=d["notes"],
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已登记 {elder.name}")
                for w in warnings:
                    messages.warning(request, w.message)
                return redirect("elders:detail", elder_id=elder.public_id)
        return render(request, "elders/form.html", {"form": form, "editing": False}, status=400)


class ValidateIdView(ScopedPageMixin, View):
    """Inline check of the ID field (HTMX, on blur/typing): the reason it is refused, the historical
    birthplace warning, or that the person is already registered. POST so the number stays out of URLs."""

    required_perm = "elders.add"

    def post(self, request: HttpRequest) -> HttpResponse:
        value = request.POST.get("id_number", "").strip()
        context: dict[str, Any] = {"value": bool(value)}
        if value:
            try:
                check = check_id_number(value)
                # each valid number checked counts: whether a number is registered elsewhere is all a
                # caller outside its scope may learn, and only a few times an hour
                id_probe_limit(request.user)
            except DomainError as exc:
                context["error"] = exc.message  # a fragment swapped in place (HTMX swaps only 2xx)
            else:
                context["warnings"] = check.warnings
                context["birth_date"], context["sex"] = check.rid.birth_date, check.rid.sex
                if Elder.objects.filter(id_number_hash=id_number_index(check.rid.number)).exists():
                    mine = elder_find_by_id_number(user=request.user, id_number=check.rid.number)
                    context["duplicate"] = mine or True
                    context["elsewhere"] = REGISTERED_ELSEWHERE
        return render(request, "elders/_id_feedback.html", context)


class ElderDetailView(ScopedPageMixin, View):
    required_perm = "elders.view"

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        tabs = tabs_for(request.user)
        key = request.GET.get("tab") or (tabs[0].key if tabs else "")
        tab = next((t for t in tabs if t.key == key), tabs[0] if tabs else None)
        return render(
            request,
            "elders/detail.html",
            {
                **(tab_context(tab, elder, request.user) if tab else {}),
                "elder": elder,
                "tabs": tabs,
                "tab": tab,
                "can_change": request.user.has_perm("elders.change"),
                "can_status": request.user.has_perm("elders.status"),
            },
        )


class ElderPrintView(ScopedPageMixin, View):
    """The printable elder record (A4): identifiers masked, labels in words, signature lines."""

    required_perm = "elders.view"

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        today = timezone.localdate()
        categories = [c.get_category_display() for c in elder.categories.all() if c.is_valid_on(today)]
        if elder.age(today) >= 80:
            categories.append("高龄（80 岁以上）")
        return render(
            request,
            "elders/print.html",
            {
                "elder": elder,
                "age": elder.age(today),
                "categories": categories,
                "contacts": list(elder.contacts.order_by("-is_emergency", "pk")),
                "now": timezone.localtime(),
            },
        )


class ElderTabView(ScopedPageMixin, View):
    """One tab's content (HTMX swap)."""

    required_perm = "elders.view"

    def get(self, request: HttpRequest, elder_id: Any, key: str) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        tab = TABS.get(key)
        if tab is None or not request.user.has_perm(tab.perm):
            raise Http404
        return render(request, tab.template, tab_context(tab, elder, request.user))


class ElderEditView(ScopedPageMixin, View):
    required_perm = "elders.change"

    def _initial(self, elder: Elder) -> dict[str, Any]:
        return {
            "name": elder.name,
            "region_code": elder.region_id,
            "hukou_region_code": elder.hukou_region_id or "",
            "lat": elder.lat,
            "lng": elder.lng,
            "living_situation": elder.living_situation,
            "categories": [c.category for c in elder.categories.all()],
            "notes": elder.notes,
        }

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        form = ElderForm(initial=self._initial(elder), user=request.user, editing=True)
        return render(request, "elders/form.html", {"form": form, "editing": True, "elder": elder})

    def post(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        form = ElderForm(request.POST, user=request.user, editing=True)
        if form.is_valid():
            d = form.cleaned_data
            changes: dict[str, Any] = {
                "name": d["name"],
                "hukou_region": d["hukou_region_code"] or None,
                "lat": d["lat"],
                "lng": d["lng"],
                "living_situation": d["living_situation"],
                "notes": d["notes"],
            }
            if d["region_code"] != elder.region_id:
                changes["region"] = d["region_code"]
            if set(d["categories"]) != {c.category for c in elder.categories.all()}:
                changes["categories"] = list(d["categories"])
            for key in ("id_number", "phone", "address"):
                if d[key]:  # empty = keep (the clear value is never put back in the form)
                    changes[key] = d[key]
            try:
                elder_update(actor=request.user, elder=elder, **changes)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("elders:detail", elder_id=elder.public_id)
        return render(
            request, "elders/form.html", {"form": form, "editing": True, "elder": elder}, status=400
        )


class ElderStatusView(ScopedPageMixin, View):
    required_perm = "elders.status"

    def _render(
        self, request: HttpRequest, elder: Elder, form: StatusForm, status: int = 200
    ) -> HttpResponse:
        return render(request, "elders/status_form.html", {"elder": elder, "form": form}, status=status)

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        form = StatusForm(
            initial={"date": timezone.localdate()}, allowed=sorted(ELDER_STATUS.targets(elder.status))
        )
        return self._render(request, elder, form)

    def post(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        form = StatusForm(request.POST, allowed=sorted(ELDER_STATUS.targets(elder.status)))
        if form.is_valid():
            d = form.cleaned_data
            if d["date"] > timezone.localdate():
                form.add_error("date", "生效日期不能晚于今天")
            else:
                try:
                    elder_change_status(
                        actor=request.user,
                        elder=elder,
                        status=d["status"],
                        effective_date=d["date"],
                        reason=d["reason"],
                    )
                except DomainError as exc:
                    _apply_errors(form, exc)
                else:
                    change = elder.status_changes.order_by("-at", "-id").first()
                    stopped = effects_text(change.data if change else None)
                    messages.success(
                        request,
                        f"状态已变更为“{elder.get_status_display()}”"
                        + (f"，已联动停止：{stopped}" if stopped else "，没有需要停止的服务或待遇"),
                    )
                    return redirect(f"/elders/{elder.public_id}/?tab=status")
        return self._render(request, elder, form, status=400)


class ElderRevealView(ScopedPageMixin, View):
    """GET: the masked value with its 查看 button; POST (HTMX): the clear value, once, audited."""

    required_perm = "elders.reveal"

    def _field(self, field_name: str) -> str:
        if field_name not in REVEALABLE:
            raise Http404
        return field_name

    def get(self, request: HttpRequest, elder_id: Any, field_name: str) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        masked = getattr(
            elder,
            {"id_number": "id_number_masked", "phone": "phone_masked", "address": "address_masked"}[
                self._field(field_name)
            ],
        )
        return render(
            request,
            "elders/_reveal.html",
            {"elder": elder, "field": field_name, "masked": masked, "can_reveal": True},
        )

    def post(self, request: HttpRequest, elder_id: Any, field_name: str) -> HttpResponse:
        elder = _elder(request, elder_id, self.required_perm)
        value = elder_reveal(actor=request.user, elder=elder, field_name=self._field(field_name))
        response = render(
            request, "elders/_reveal.html", {"elder": elder, "field": field_name, "clear": value}
        )
        response["Cache-Control"] = "no-store"
        return response


class ExportView(ScopedPageMixin, View):
    required_perm = "elders.export"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = ElderFilters.from_params(_search_params(request))
        if filters.errors:
            filters = ElderFilters()
        reveal = request.GET.get("reveal") == "1"
        try:
            data = elder_export_xlsx(
                actor=request.user, queryset=elder_search(user=request.user, filters=filters), reveal=reveal
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("elders:list")
        response = HttpResponse(data, content_type=XLSX)
        name = f"elders-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response


# --- import --------------------------------------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportView(ScopedPageMixin, View):
    required_perm = "elders.import"

    def _render(self, request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
        jobs = ImportJob.objects.restrict(request.user, self.required_perm).filter(
            created_by_id=request.user.pk
        )[:10]
        return render(
            request, "elders/import.html", {"form": form, "jobs": jobs, "columns": COLUMNS}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        from yiyang.core.effects import after_commit
        from yiyang.elders.tasks import import_elders_task

        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        grant = request.user.primary_grant()  # type: ignore[union-attr]
        job = ImportJob.objects.create(
            created_by_id=request.user.pk,
            region_id=grant.region_id if grant else None,
            filename=Path(upload.name).name[:200],
            mode=form.cleaned_data["mode"],
        )
        path = _upload_dir() / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        after_commit(import_elders_task, str(job.public_id), str(path), _trigger="manual")
        return redirect("elders:import_job", job_id=job.public_id)


class ImportTemplateView(ScopedPageMixin, View):
    required_perm = "elders.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(template_xlsx(request.user), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="elders-template.xlsx"'
        return response


class ImportHistoryView(ScopedPageMixin, View):
    """Past imports in the user's region (who, when, file, counts, the downloadable report)."""

    required_perm = "elders.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = ImportJob.objects.restrict(request.user, self.required_perm).select_related(
            "created_by", "region"
        )
        return render(request, "elders/import_history.html", {"page": paginate(request, jobs, 30)})


def _job(request: HttpRequest, job_id: Any) -> ImportJob:
    return get_scoped_or_404(ImportJob.objects.all(), request.user, "elders.import", public_id=job_id)


class ImportJobView(ScopedPageMixin, View):
    required_perm = "elders.import"

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job(request, job_id)
        template = (
            "elders/_import_progress.html" if request.headers.get("HX-Request") else "elders/import_job.html"
        )
        return render(request, template, {"job": job, "errors": job.errors[:200]})


class ImportReportView(ScopedPageMixin, View):
    required_perm = "elders.import"

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job(request, job_id)
        response = HttpResponse(report_xlsx(job.errors), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="import-report.xlsx"'
        return response
