"""Pages of 探访关爱: the visitor's 今日探访 (route order, phone-first, 390 px), the record form of one
elder's visit (with findings, photos and follow-ups), the county/community overview (visit rate,
drill-down, overdue list, visitor loads, plan generation, .xlsx 台账), reassigning planned visits to
another visitor, campaigns with the live list of elders still unreached, and the rule set (read and
publish a new version)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError, OutOfScope
from yiyang.core.geo import distance_text
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.core.validators import parse_form_date
from yiyang.elders.selectors import elder_get
from yiyang.visits import rules as R
from yiyang.visits import selectors, services
from yiyang.visits.choices import FACTS, FINDINGS, HAZARDS, CampaignEvent, Method, PlanItemStatus, RiskClass
from yiyang.visits.models import Campaign

MONTH = re.compile(r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")


def _fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(
        f"{m}" for msgs in list(exc.errors.values())[:10] for m in msgs if m not in exc.message
    )
    messages.error(request, exc.message + (f"（{detail}）" if detail else ""))


def _uuid(value: Any) -> Any:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _period(request: HttpRequest) -> str:
    raw = request.GET.get("period", "")
    return raw if MONTH.match(raw) else R.period_of(timezone.localdate())


def _region(request: HttpRequest, perm: str) -> Any:
    """The region asked for (``?region=``) if the user sees it, else the user's first region."""
    from yiyang.regions.models import Region
    from yiyang.regions.selectors import region_roots

    roots = list(region_roots(user=request.user))
    code = request.GET.get("region") or request.POST.get("region") or ""
    if code:
        from yiyang.core.regioncodes import normalize_region_code

        try:
            code = normalize_region_code(code)  # 6-digit county codes as links write them, too
        except ValueError:
            raise Http404 from None
        region = Region.objects.filter(code=code).first()
        if region is None or not any(region.code.startswith(_prefix(r.code)) for r in roots):
            raise Http404
        return region
    if not roots:
        raise Http404
    return roots[0]


def _prefix(code: str) -> str:
    from yiyang.core.regioncodes import scope_prefix

    return scope_prefix(code)


class TodayView(ScopedPageMixin, View):
    """今日探访: the visitor's open visits up to today, overdue first, in route order."""

    required_perm = "visits.record"

    def get(self, request: HttpRequest) -> HttpResponse:
        items = selectors.my_today(user=request.user)
        today = timezone.localdate()
        last = selectors.last_visits([i.elder_id for i in items])
        rows: list[dict[str, Any]] = [
            {
                "item": i,
                "overdue": i.slot_end < today,
                "last": last.get(i.elder_id),
                "has_position": i.elder.lat is not None,
            }
            for i in items
        ]
        points = [
            {
                "name": r["item"].elder.name,
                "value": [r["item"].elder.lng, r["item"].elder.lat],
                "order": n + 1,
            }
            for n, r in enumerate(rows)
            if r["has_position"]
        ]
        return render(request, "visits/today.html", {"rows": rows, "today": today, "points": points})


class RecordView(ScopedPageMixin, View):
    """One elder's visit form (and, for those allowed, the class override and closing a hazard)."""

    required_perm = "visits.record"

    def _elder(self, request: HttpRequest, elder_id: Any, perm: str) -> Any:
        elder = elder_get(user=request.user, public_id=elder_id, perm=perm)
        if elder is None:
            raise Http404
        return elder

    def _context(self, request: HttpRequest, elder: Any) -> dict[str, Any]:
        from yiyang.providers.selectors import service_item_list

        visits = list(
            selectors.visit_list(user=request.user).filter(elder=elder).prefetch_related("follow_ups")[:5]
        )
        return {
            "elder": elder,
            "risk": selectors.risk_of(elder),
            "override": selectors.active_override(elder),
            "visits": visits,
            "open_hazards": [v for v in visits if v.hazard_open],
            "methods": Method.choices,
            "findings": [(k, label, list(options.items())) for k, (label, options) in FINDINGS.items()],
            "hazards": list(HAZARDS.items()),
            "classes": RiskClass.choices,
            "service_items": list(service_item_list().order_by("category", "code")[:100])
            if request.user.has_perm("orders.add")
            else [],
            "can_override": request.user.has_perm("visits.override"),
            "can_assess": request.user.has_perm("assessments.request"),
            "can_work_order": request.user.has_perm("workorders.handle"),
            "can_renovate": request.user.has_perm("renovation.apply"),
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = self._elder(request, elder_id, "visits.record")
        return render(request, "visits/record.html", self._context(request, elder))

    def post(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        op = request.POST.get("op", "visit")
        elder = self._elder(request, elder_id, "visits.override" if op == "override" else "visits.record")
        try:
            if op == "override":
                expires = request.POST.get("expires_on") or ""
                services.risk_override(
                    actor=request.user,
                    elder=elder,
                    risk_class=request.POST.get("risk_class", ""),
                    reason=request.POST.get("reason", ""),
                    expires_on=parse_form_date(expires, "有效期至", field="expires_on", required=False),
                )
                messages.success(request, "已调整风险分类")
            elif op == "hazard_close":
                visit = selectors.visit_get(
                    user=request.user, public_id=_uuid(request.POST.get("visit")), perm="visits.record"
                )
                if visit is None or visit.elder_id != elder.pk:
                    raise Http404
                services.visit_hazard_close(
                    actor=request.user, visit=visit, note=request.POST.get("note", "")
                )
                messages.success(request, "已记录隐患消除")
            else:
                visit = services.visit_record(actor=request.user, elder=elder, **self._visit_form(request))
                text = "已登记探访" if visit.seen else "已登记：未见到老人（不计入完成）"
                if visit.distance_m is not None:
                    text += f"，定位距老人住址 {distance_text(visit.distance_m)}"
                messages.success(request, text)
                return HttpResponseRedirect(reverse("visits:today"))
        except ValueError:
            messages.error(request, "日期格式不正确")
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "visits/record.html", self._context(request, elder), status=400)
        return HttpResponseRedirect(reverse("visits:record", args=[elder.public_id]))

    def _visit_form(self, request: HttpRequest) -> dict[str, Any]:
        p = request.POST
        findings: dict[str, Any] = {k: p.get(k) for k in FINDINGS if p.get(k)}
        if p.get("needs"):
            findings["needs"] = p.get("needs")
        findings["hazards"] = [h for h in p.getlist("hazards") if h]
        follow_ups: list[dict[str, Any]] = []
        if p.get("fu_order") and p.get("service_item"):
            follow_ups.append(
                {
                    "kind": "order",
                    "service_item": _uuid(p.get("service_item")),
                    "scheduled_start": p.get("scheduled_start", ""),
                    "note": p.get("needs", "")[:200],
                }
            )
        elif p.get("fu_order"):
            raise DomainError("请选择要下单的服务项目", errors={"service_item": ["请选择服务项目"]})
        if p.get("fu_assessment"):
            follow_ups.append({"kind": "assessment", "note": "探访发现身体状况变化"})
        if p.get("fu_work_order"):
            follow_ups.append(
                {
                    "kind": "work_order",
                    "title": p.get("wo_title") or "探访发现的问题",
                    "note": p.get("needs", "")[:200],
                }
            )
        if p.get("fu_renovation"):
            answers = {"yes": True, "no": False}
            follow_ups.append(
                {
                    "kind": "renovation",
                    "housing_right": answers.get(p.get("reno_housing_right", "")),
                    "in_demolition_plan": answers.get(p.get("reno_demolition", "")),
                }
            )
        raw_at = p.get("visited_at", "")
        try:
            at: Any = datetime.fromisoformat(raw_at) if raw_at else timezone.now()
        except ValueError as exc:
            raise DomainError("探访时间格式不正确", errors={"visited_at": ["探访时间格式不正确"]}) from exc
        return {
            "method": p.get("method", ""),
            "visited_at": at,
            "seen": p.get("seen") == "yes",
            "findings": findings,
            "lat": p.get("lat") or None,
            "lng": p.get("lng") or None,
            "notes": p.get("notes", ""),
            "follow_ups": follow_ups,
            "photos": request.FILES.getlist("photos"),
        }


class OverviewView(ScopedPageMixin, View):
    """探访覆盖: the visit rate of a region and month, its children (drill-down), the overdue and
    not-reached list, each visitor's load; plan generation for a community."""

    required_perm = "visits.view"

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        region = _region(request, self.required_perm)
        period = _period(request)
        today = timezone.localdate()
        total, wins = selectors.coverage(region.code, period, today)
        children = selectors.coverage_by_child(region.code, period, wins, today)
        missing_ids = {w.elder_id for w in wins if not w.done and (w.end < today)}
        from yiyang.elders.selectors import elder_list

        elders = {
            e.pk: e
            for e in elder_list(user=request.user, perm="visits.view").filter(pk__in=list(missing_ids)[:500])
        }
        last = selectors.last_visits(list(elders))
        late = sorted(
            (w for w in wins if w.elder_id in elders and not w.done and w.end < today),
            key=lambda w: (w.risk_class or "Z", w.end),
        )[:200]
        overdue = [{"elder": elders[w.elder_id], "window": w, "last": last.get(w.elder_id)} for w in late]
        plan = selectors.plan_list(user=request.user).filter(region_code=region.code, period=period).first()
        return {
            "region": region,
            "period": period,
            "total": total,
            "rate_pct": None if total.rate is None else round(total.rate * 100, 1),
            "children": children,
            "overdue": overdue,
            "loads": selectors.visitor_loads(region.code, period),
            "is_community": region.level == "village",
            "plan": plan,
            "can_plan": request.user.has_perm("visits.plan") and region.level == "village",
            "can_export": request.user.has_perm("visits.export"),
            "chart": [
                {
                    "name": c["region"].name,
                    "rate": None if c["coverage"].rate is None else round(c["coverage"].rate * 100, 1),
                }
                for c in children
            ],
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "visits/overview.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        region = _region(request, "visits.plan")
        period = request.POST.get("period", "")
        try:
            plan = services.plan_generate(actor=request.user, region_code=region.code, period=period)
            messages.success(request, f"已生成 {plan.period} 探访计划，共 {plan.items.count()} 次应探访")
        except DomainError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(
            f"{reverse('visits:overview')}?region={region.code}&period={period if MONTH.match(period) else ''}"
        )


class ReassignView(ScopedPageMixin, View):
    """改派探访: a community's still-due visits of a month, ticked and handed to another of its visitors
    (shown with their load this month), with a reason; the service checks scope and audits."""

    required_perm = "visits.plan"

    def _render(
        self,
        request: HttpRequest,
        region: Any,
        period: str,
        form: dict[str, Any],
        errors: dict[str, list[str]],
    ) -> HttpResponse:
        plan = (
            selectors.plan_list(user=request.user, perm=self.required_perm)
            .filter(region_code=region.code, period=period)
            .first()
        )
        items = (
            list(
                plan.items.filter(status=PlanItemStatus.DUE)
                .select_related("elder", "visitor")
                .order_by("slot_start", "pk")[:500]
            )
            if plan
            else []
        )
        return render(
            request,
            "visits/reassign.html",
            {
                "region": region,
                "period": period,
                "plan": plan,
                "items": items,
                "is_community": region.level == "village",
                "visitors": selectors.visitor_choices(services.visitors_of(region.code), period)
                if plan
                else [],
                "today": timezone.localdate(),
                "form": form,
                "errors": errors,
            },
            status=400 if errors else 200,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request, self.required_perm)
        return self._render(request, region, _period(request), {"items": []}, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        region = _region(request, self.required_perm)
        period = str(request.POST.get("period", ""))
        if not MONTH.match(period):
            raise Http404
        plan = (
            selectors.plan_list(user=request.user, perm=self.required_perm)
            .filter(region_code=region.code, period=period)
            .first()
        )
        if plan is None:
            raise Http404
        item_ids = [str(v)[:40] for v in request.POST.getlist("items")][:600]
        reason = str(request.POST.get("reason", ""))[:300]
        form: dict[str, Any] = {
            "items": item_ids,
            "visitor": str(request.POST.get("visitor", ""))[:40],
            "reason": reason,
        }
        from django.contrib.auth import get_user_model

        key = _uuid(form["visitor"])
        visitor = get_user_model().objects.filter(public_id=key, is_active=True).first() if key else None
        try:
            moved = services.plan_items_reassign(
                actor=request.user, plan=plan, item_ids=item_ids, visitor=visitor, reason=reason
            )
        except OutOfScope as exc:
            raise Http404 from exc
        except DomainError as exc:
            return self._render(request, region, period, form, exc.errors or {"items": [exc.message]})
        name = moved[0].visitor.display_name if moved and moved[0].visitor else "探访人"
        messages.success(request, f"已将 {len(moved)} 次探访改派给 {name}")
        return HttpResponseRedirect(f"{reverse('visits:reassign')}?region={region.code}&period={period}")


class ExportView(ScopedPageMixin, View):
    """探访台账 (.xlsx): one row per visit of the month, then the elders not reached."""

    required_perm = "visits.export"

    def get(self, request: HttpRequest) -> HttpResponse:
        from openpyxl import Workbook

        from yiyang.core.xlsx import append_row

        region = _region(request, self.required_perm)
        period = _period(request)
        today = timezone.localdate()
        total, wins = selectors.coverage(region.code, period, today)
        book = Workbook()
        ws = book.active
        assert ws is not None
        ws.title = "探访记录"
        append_row(ws, [f"{region.name} {period} 探访关爱台账"])
        append_row(
            ws,
            [
                "应探访",
                total.due,
                "已探访",
                total.done,
                "逾期",
                total.overdue,
                "探访率",
                "" if total.rate is None else f"{total.rate * 100:.1f}%",
            ],
        )
        append_row(
            ws,
            [
                "序号",
                "老人",
                "社区（村）",
                "风险分类",
                "探访时间",
                "方式",
                "是否见到",
                "探访人",
                "发现的安全隐患",
                "需求",
                "转办",
            ],
        )
        first, last = R.month_first(period), R.month_last(period)
        names = _region_names({w.region_code for w in wins})
        visits = (
            selectors.visit_list(user=request.user, perm="visits.export")
            .filter(
                region_code__startswith=_prefix(region.code),
                visited_at__date__gte=first,
                visited_at__date__lte=last,
            )
            .prefetch_related("follow_ups")
            .select_related("elder__risk_status")
            .order_by("visited_at", "pk")
        )
        for n, v in enumerate(visits[:20000], 1):
            status = getattr(v.elder, "risk_status", None)
            append_row(
                ws,
                [
                    n,
                    v.elder.name,
                    names.get(v.region_code, ""),
                    status.risk_class if status and status.risk_class else "不分类",
                    timezone.localtime(v.visited_at).strftime("%Y-%m-%d %H:%M"),
                    v.get_method_display(),
                    "是" if v.seen else "否（未探到）",
                    v.visitor.display_name if v.visitor else "",
                    "、".join(HAZARDS.get(h, "其他") for h in v.hazards),
                    str(v.findings.get("needs", "")),
                    "、".join(f.get_kind_display() for f in v.follow_ups.all()),
                ],
            )
        ws2 = book.create_sheet("逾期未探访")
        append_row(ws2, ["老人", "社区（村）", "风险分类", "应探访起", "应探访止"])
        from yiyang.elders.selectors import elder_list

        missing = [w for w in wins if not w.done and w.end < today]
        elders = {
            e.pk: e
            for e in elder_list(user=request.user, perm="visits.export").filter(
                pk__in=[w.elder_id for w in missing][:20000]
            )
        }
        for w in missing:
            if w.elder_id in elders:
                append_row(
                    ws2,
                    [
                        elders[w.elder_id].name,
                        names.get(w.region_code, ""),
                        w.risk_class or "特困",
                        w.start.isoformat(),
                        w.end.isoformat(),
                    ],
                )
        out = BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="visits-{period}.xlsx"'
        return response


def _region_names(codes: set[str]) -> dict[str, str]:
    from yiyang.regions.models import Region

    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


class CampaignListView(ScopedPageMixin, View):
    required_perm = "visits.view"

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        from yiyang.regions.selectors import region_roots

        campaigns = list(selectors.campaign_list(user=request.user)[:50])
        for c in campaigns:
            c.unreached_count = c.targets.filter(reached_at__isnull=True).count()  # type: ignore[attr-defined]
            c.total_count = c.targets.count()  # type: ignore[attr-defined]
        return {
            "campaigns": campaigns,
            "events": CampaignEvent.choices,
            "classes": RiskClass.choices,
            "roots": list(region_roots(user=request.user)),
            "can_start": request.user.has_perm("visits.campaign"),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "visits/campaigns.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        p = request.POST
        try:
            hours = int(p.get("hours") or 24)
        except ValueError:
            hours = 0
        try:
            if not 1 <= hours <= 720:
                raise DomainError("完成时限应为 1–720 小时", errors={"hours": ["完成时限应为 1–720 小时"]})
            campaign = services.campaign_start(
                actor=request.user,
                name=p.get("name", ""),
                event=p.get("event", ""),
                region_code=p.get("region", ""),
                classes=p.getlist("classes"),
                deadline=timezone.now() + timedelta(hours=hours),
            )
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "visits/campaigns.html", self._context(request), status=400)
        messages.success(request, f"已发起「{campaign.name}」")
        return HttpResponseRedirect(reverse("visits:campaign", args=[campaign.public_id]))


class CampaignView(ScopedPageMixin, View):
    required_perm = "visits.view"

    def _context(self, request: HttpRequest, campaign_id: Any) -> dict[str, Any]:
        campaign = get_scoped_or_404(
            Campaign.objects.all(), request.user, self.required_perm, public_id=campaign_id
        )
        unreached = list(selectors.campaign_unreached(campaign)[:500])
        total = campaign.targets.count()
        names = _region_names({t.region_code for t in unreached})
        for t in unreached:
            t.region_name = names.get(t.region_code, "")  # type: ignore[attr-defined]
        return {
            "campaign": campaign,
            "unreached": unreached,
            "total": total,
            "reached": total - campaign.targets.filter(reached_at__isnull=True).count(),
            "overdue": timezone.now() > campaign.deadline,
        }

    def get(self, request: HttpRequest, campaign_id: Any) -> HttpResponse:
        context = self._context(request, campaign_id)
        if request.GET.get("part") == "unreached":
            return render(request, "visits/_unreached.html", context)
        return render(request, "visits/campaign.html", context)


class RulesView(ScopedPageMixin, View):
    """风险分类规则: the rules in force for the user's region (with their history), and a form that
    publishes a new version (the city's; a county may publish its own)."""

    required_perm = "visits.view"

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        region = _region(request, self.required_perm)
        current = selectors.ruleset_for(region.code)
        rules = current.rules if current else R.DEFAULT_RULES
        rows = [
            {**r, "text": R.describe(r), "clauses": r["when"] + [[]] * (3 - len(r["when"]))} for r in rules
        ]
        blank = {"code": "", "class": "", "name": "", "when": [], "clauses": [[], [], []]}
        return {
            "region": region,
            "current": current,
            "rows": rows,
            "edit_rows": [*rows, blank, blank],
            "history": selectors.ruleset_history(region.code),
            "facts": list(FACTS.items()),
            "classes": ["A", "B", "C"],
            "can_publish": request.user.has_perm("visits.rules"),
            "intervals": [
                (label, selectors.interval_days(k, False, region.code, timezone.localdate()))
                for k, label in RiskClass.choices
            ],
            "tekun_interval": selectors.interval_days("", True, region.code, timezone.localdate()),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "visits/rules.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        region = _region(request, "visits.rules")
        p = request.POST
        rules = []
        for i in range(int(p.get("count") or 0) if (p.get("count") or "0").isdigit() else 0):
            if i > 30:
                break
            code = p.get(f"code-{i}", "").strip()
            if not code:
                continue
            when = [p.getlist(f"when-{i}-{j}") for j in range(3)]
            rules.append(
                {
                    "code": code,
                    "class": p.get(f"class-{i}", ""),
                    "name": p.get(f"name-{i}", ""),
                    "when": [c for c in when if c],
                }
            )
        try:
            rs = services.ruleset_publish(
                actor=request.user,
                region_code=region.code,
                rules=rules,
                raise_on_hazard=p.get("raise_on_hazard") == "on",
                note=p.get("note", ""),
            )
            messages.success(
                request,
                f"已发布第{rs.version}版规则，今晚起全部老人按新规则重新分类（查看老人时即按新规则计算）",
            )
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "visits/rules.html", self._context(request), status=400)
        return HttpResponseRedirect(f"{reverse('visits:rules')}?region={region.code}")
