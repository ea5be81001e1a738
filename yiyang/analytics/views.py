"""Pages of statistics and KPIs: the dashboard (city → county → street → community), the wall view for
the bureau's screen, the rows behind a KPI, the quarterly report (PDF, .xlsx) and the departments'
entry page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.analytics import report, selectors, services
from yiyang.analytics.choices import Direction, Source
from yiyang.analytics.evidence import CONTENT_TYPES, MAX_FILES, max_evidence_bytes
from yiyang.analytics.queries import NoData, get_query
from yiyang.core.errors import DomainError, OutOfScope
from yiyang.core.pages import ScopedPageMixin, paginate
from yiyang.core.regioncodes import normalize_region_code
from yiyang.core.validators import parse_form_date
from yiyang.regions.models import Region

TARGET_GROUP = "规划目标"
LEAGUE_EXTRA = ["elders_60", "share_80"]
TREND_CODES = ["elders_60", "elders_80", "nursing_bed_share", "subsidy_recipient_share", "caregivers_per_10k"]
PLANNING_MAP = "/planning/map/"


def _year(request: HttpRequest) -> int:
    raw = str(request.GET.get("year", "") or "")
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _region(request: HttpRequest) -> Region:
    code = str(request.GET.get("region", "") or "")[:12]
    try:
        if code:
            return selectors.region_for(request.user, code)
    except OutOfScope as exc:
        raise Http404 from exc
    region = selectors.home_region(request.user)
    if region is None:
        raise Http404
    return region


def dashboard_context(region: Region, year: int, user: Any) -> dict[str, Any]:
    kpis = [k for k in selectors.kpi_list() if selectors.applies(k, region)]
    stored = selectors.latest_period(region.code) is not None
    values = (
        selectors.dashboard_values(region, year, kpis)
        if stored
        else selectors.live_values(region, year, kpis)
    )
    targeted = [v for v in values if v.kpi.group == TARGET_GROUP]
    groups: dict[str, list[Any]] = {}
    for v in values:
        if v.kpi.group != TARGET_GROUP:
            groups.setdefault(v.kpi.group, []).append(v)
    children = selectors.region_children(region)
    league_kpis = [k for k in kpis if k.code in LEAGUE_EXTRA] + [
        k for k in kpis if k.group == TARGET_GROUP and k.source == Source.COMPUTED
    ]
    child_kpis = [k for k in league_kpis if children and selectors.applies(k, children[0])]
    trend = selectors.trend(region, [k for k in kpis if k.code in TREND_CODES])
    names = {k.code: f"{k.name}（{k.unit}）" if k.unit else k.name for k in kpis}
    top = selectors.home_region(user)
    return {
        "region": region,
        "level_label": selectors.level_label(region),
        "trail": selectors.region_trail(region, top),
        "year": year,
        "years": list(range(timezone.localdate().year, 2019, -1)),
        "targeted": targeted,
        "groups": groups,
        "counts": selectors.status_counts(targeted),
        "stored": stored,
        "period": selectors.latest_period(region.code),
        "backfilled": trend["backfilled"],
        "league_kpis": child_kpis,
        "league": selectors.league(children, child_kpis, year),
        "children_label": selectors.level_label(children[0]) if children else "",
        "chart": {
            "periods": trend["periods"],
            "series": [{"code": c, "name": names.get(c, c), "data": d} for c, d in trend["series"].items()],
            "backfilled": trend["backfilled"],
            "status": {selectors.STATUS_LABELS[s]: n for s, n in selectors.status_counts(targeted).items()},
        },
        "map_url": f"{PLANNING_MAP}?region={region.code}",
        "demo_targets": any(v.target and v.target.is_demo for v in targeted),
    }


class DashboardView(ScopedPageMixin, View):
    """统计监测看板: the region's KPIs against their targets, trends, and its children's league table."""

    required_perm = "kpis.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request)
        return render(
            request, "analytics/dashboard.html", dashboard_context(region, _year(request), request.user)
        )


class WallView(ScopedPageMixin, View):
    """大屏: the same figures, large, for the bureau's screen (reloads itself every five minutes)."""

    required_perm = "kpis.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request)
        return render(request, "analytics/wall.html", dashboard_context(region, _year(request), request.user))


class RowsView(ScopedPageMixin, View):
    """The rows a KPI of a region was computed from: the list page with its filter where one exists (the
    register, orders), otherwise the rows here; an entered KPI shows its entries and their evidence."""

    required_perm = "kpis.view"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        kpi = selectors.kpi_get(code)
        if kpi is None:
            raise Http404
        region = _region(request)
        as_of = timezone.localdate()
        context: dict[str, Any] = {"kpi": kpi, "region": region, "as_of": as_of, "headers": [], "rows": []}
        if kpi.source == Source.ENTERED:
            context["entries"] = list(
                selectors.entries_in_scope(user=request.user, perm="kpis.view").filter(
                    kpi=kpi, region_code=region.code
                )[:100]
            )
            return render(request, "analytics/rows.html", context)
        query = get_query(kpi.query)
        if query is None:
            context["reason"] = selectors.missing_query(kpi)
            return render(request, "analytics/rows.html", context)
        if query.drill is not None:
            return HttpResponseRedirect(query.drill(region.code, as_of))
        if query.rows is not None:
            if query.rows_perm and not request.user.has_perm(query.rows_perm):
                raise PermissionDenied
            try:
                query.compute(_prefix(region), as_of)  # the KPI's own no-data answer comes first
                context["headers"], context["rows"] = query.rows(_prefix(region), as_of)
            except NoData as exc:
                context["reason"] = exc.reason
        return render(request, "analytics/rows.html", context)


def _prefix(region: Region) -> str:
    from yiyang.core.regioncodes import scope_prefix

    return scope_prefix(region.code)


def _quarter(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    year = _year(request)
    raw = str(request.GET.get("quarter", "") or "")
    if raw in {"1", "2", "3", "4"}:
        return year, int(raw)
    return year, ((today.month - 1) // 3 + 1) if year == today.year else 4


class ReportPdfView(ScopedPageMixin, View):
    required_perm = "kpis.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request)
        year, quarter = _quarter(request)
        data = report.quarterly(region, year, quarter)
        response = HttpResponse(report.quarterly_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="kpi-report-{year}Q{quarter}.pdf"'
        return response


class ReportXlsxView(ScopedPageMixin, View):
    required_perm = "kpis.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request)
        year, quarter = _quarter(request)
        data = report.quarterly(region, year, quarter)
        response = HttpResponse(
            report.quarterly_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="kpi-report-{year}Q{quarter}.xlsx"'
        return response


class EntryView(ScopedPageMixin, View):
    """部门指标填报: a department enters the value of an entered KPI for its region, with evidence."""

    required_perm = "kpis.enter"

    def _render(
        self, request: HttpRequest, form: dict[str, Any], errors: dict[str, list[str]]
    ) -> HttpResponse:
        return render(
            request,
            "analytics/entries.html",
            {
                "kpis": list(selectors.kpi_list(source=Source.ENTERED)),
                "regions": selectors.entry_regions(user=request.user),
                "page": paginate(request, selectors.entries_in_scope(user=request.user), 30),
                "form": form,
                "errors": errors,
                "today": timezone.localdate(),
                "max_mb": max_evidence_bytes() // (1024 * 1024),
                "max_files": MAX_FILES,
            },
            status=400 if errors else 200,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, {"kpi": str(request.GET.get("kpi", ""))[:60]}, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = {
            k: str(request.POST.get(k, ""))[:300]
            for k in ("kpi", "region", "value", "as_of", "department", "evidence")
        }
        files = request.FILES.getlist("files")
        try:
            as_of = parse_form_date(form["as_of"], "数据日期", field="as_of")
        except DomainError as exc:
            return self._render(request, form, exc.errors)
        try:
            entry = services.kpi_entry_create(
                actor=request.user,
                kpi_code=form["kpi"],
                region_code=form["region"],
                value=form["value"],
                as_of=as_of,
                department=form["department"],
                evidence=form["evidence"],
                files=files,
            )
        except OutOfScope as exc:
            raise Http404 from exc
        except DomainError as exc:
            return self._render(request, form, exc.errors or {"kpi": [exc.message]})
        attached = f"，附佐证文件 {len(files)} 个" if files else ""
        messages.success(request, f"已填报：{entry.kpi.name} {entry.value}{entry.kpi.unit}{attached}")
        return HttpResponseRedirect(reverse("analytics:entries"))


class EvidenceView(ScopedPageMixin, View):
    """A departmental evidence file, to those who see its entry (404 outside their scope); every
    download is audited (``kpis.evidence_downloaded``)."""

    required_perm = "kpis.view"

    def get(self, request: HttpRequest, file_id: Any) -> FileResponse:
        record = selectors.evidence_get(user=request.user, public_id=file_id)
        if record is None or record.kind not in CONTENT_TYPES:
            raise Http404
        try:
            handle = record.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        try:
            services.kpi_evidence_download(actor=request.user, evidence=record)
        except OutOfScope as exc:
            handle.close()
            raise Http404 from exc
        response = FileResponse(
            handle,
            content_type=CONTENT_TYPES[record.kind],
            as_attachment=record.kind in ("pdf", "xlsx"),
            filename=record.name,
        )
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


TARGET_FIELDS = (
    "kpi",
    "region",
    "year",
    "value",
    "baseline_year",
    "baseline_value",
    "valid_from",
    "valid_to",
    "source",
    "reason",
)


class TargetsView(ScopedPageMixin, View):
    """指标目标值: the targets of a region (city or county) with every version, and a form that sets a
    target as a new version (in force from a date, with a reason); the old version stays readable."""

    required_perm = "kpis.targets"

    def _region(self, regions: list[Region], code: str) -> Region:
        """The region asked for among those whose targets the user sets (404 otherwise); the first by
        default."""
        if code:
            try:
                full = normalize_region_code(code)
            except (ValueError, TypeError) as exc:
                raise Http404 from exc
            for r in regions:
                if r.code == full:
                    return r
            raise Http404
        if not regions:
            raise Http404
        return regions[0]

    def _render(
        self,
        request: HttpRequest,
        regions: list[Region],
        region: Region,
        form: dict[str, Any],
        errors: dict[str, list[str]],
        rows: list[dict[str, Any]] | None = None,
    ) -> HttpResponse:
        kpis = [
            k for k in selectors.kpi_list() if k.direction != Direction.NONE and selectors.applies(k, region)
        ]
        return render(
            request,
            "analytics/targets.html",
            {
                "region": region,
                "regions": regions,
                "rows": rows if rows is not None else selectors.target_versions(region),
                "kpis": kpis,
                "form": form,
                "errors": errors,
                "today": timezone.localdate(),
            },
            status=400 if errors else 200,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        regions = selectors.target_regions(user=request.user)
        region = self._region(regions, str(request.GET.get("region", ""))[:12])
        rows = selectors.target_versions(region)
        form: dict[str, Any] = {"valid_from": timezone.localdate().isoformat()}
        kpi_code = str(request.GET.get("kpi", ""))[:60]
        year = str(request.GET.get("year", ""))[:4]
        if kpi_code:  # 修改: the form starts from the version in force (or the inherited one)
            form["kpi"] = kpi_code
            form["year"] = year
            for row in rows:
                t = row["target"]
                if t.kpi.code == kpi_code and str(t.year) == year and row["state"] == "现行":
                    form.update(
                        value=t.value,
                        baseline_year=t.baseline_year or "",
                        baseline_value="" if t.baseline_value is None else t.baseline_value,
                        source=t.source,
                    )
                    break
        return self._render(request, regions, region, form, {}, rows)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = {k: str(request.POST.get(k, "")).strip()[:300] for k in TARGET_FIELDS}
        regions = selectors.target_regions(user=request.user)
        region = self._region(regions, form["region"][:12])
        try:
            target = services.kpi_target_set(
                actor=request.user,
                kpi_code=form["kpi"],
                region_code=region.code,
                year=form["year"],
                value=form["value"],
                baseline_year=form["baseline_year"],
                baseline_value=form["baseline_value"],
                valid_from=parse_form_date(form["valid_from"], "生效日期", field="valid_from"),
                valid_to=parse_form_date(form["valid_to"], "失效日期", field="valid_to", required=False),
                source=form["source"],
                reason=form["reason"],
            )
        except OutOfScope as exc:
            raise Http404 from exc
        except DomainError as exc:
            return self._render(request, regions, region, form, exc.errors or {"kpi": [exc.message]})
        kpi = target.kpi
        messages.success(
            request,
            f"已设定 {region.name} {kpi.name} {target.year} 年目标 {target.value}{kpi.unit}，"
            f"自 {target.valid_from:%Y-%m-%d} 起生效",
        )
        return HttpResponseRedirect(f"{reverse('analytics:targets')}?region={region.code}")
