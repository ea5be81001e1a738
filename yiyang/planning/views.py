"""Pages of the elderly-care map (养老地图), the 15-minute service circle (15 分钟服务圈) and siting (设施选址).

Each page takes its region from the path (``/planning/map/321002/``; the bare path opens the widest
region of the user's scope) and reads only: nothing here writes. A region outside the user's scope is a
404 like any record outside it.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from rest_framework.exceptions import ValidationError

from yiyang.core.geo import distance_text
from yiyang.core.pages import ScopedPageMixin
from yiyang.core.queryparams import Param, parse_query
from yiyang.core.xlsx import append_row
from yiyang.planning import selectors as sel
from yiyang.regions.models import Region
from yiyang.regions.selectors import region_chain

DISTANCE = Param.integer("distance_m", "步行距离（米）", minimum=100, maximum=5000)
SITING = [
    DISTANCE,
    Param.integer("n", "新增设施数", minimum=1, maximum=50),
    Param.choice("candidates", ["community", "grid", "both"], "候选点"),
]
FIELD_LABELS = {"distance_m": "步行距离", "n": "新增设施数", "candidates": "候选点"}


def _params(request: HttpRequest, params: list[Param]) -> dict[str, Any]:
    """The page's query, each refused value named in a message and replaced by its default."""
    try:
        return parse_query(request.GET, params)
    except ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        for name, msgs in detail.items():
            messages.error(
                request, f"{FIELD_LABELS.get(str(name), name)}：{'；'.join(map(str, msgs))}，已按默认值计算"
            )
        good = {k: v for k, v in request.GET.items() if k not in detail}
        return parse_query(good, params)


def _region(request: HttpRequest, code: str) -> Region:
    region = sel.region_get(user=request.user, code=code)
    if region is None:
        raise Http404
    return region


def _home(request: HttpRequest, url_name: str) -> HttpResponse:
    region = sel.region_home(user=request.user)
    if region is None:
        raise Http404
    query = request.GET.urlencode()
    return HttpResponseRedirect(reverse(url_name, args=[region.gb_code]) + (f"?{query}" if query else ""))


def _crumbs(region: Region, user: Any, url_name: str) -> list[dict[str, str]]:
    """The region's ancestors the user may open, for the drill-up links."""
    out = []
    for r in region_chain(region.code):
        if sel.region_get(user=user, code=r.code) is not None:
            out.append({"name": r.name, "url": reverse(url_name, args=[r.gb_code])})
    return out


class _Page(ScopedPageMixin, View):
    required_perm = sel.VIEW


class MapHomeView(_Page):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _home(request, "planning:map_region")


class MapView(_Page):
    """养老地图: the region's outline, a bubble per street or community, facilities and the layers."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        region = _region(request, code)
        q = _params(request, [DISTANCE])
        distance = q["distance_m"] or sel.walk_distance(region.code)
        payload = sel.map_payload(user=request.user, region=region, distance_m=distance)
        payload["urls"] = {
            "map": reverse("planning:map_region", args=["CODE"]),
            "coverage": reverse("planning:coverage", args=[region.gb_code]),
        }
        return render(
            request,
            "planning/map.html",
            {
                "region": region,
                "payload": payload,
                "distance": distance,
                "distance_label": distance_text(distance),
                "crumbs": _crumbs(region, request.user, "planning:map_region"),
                "nav_current": "planning:map",
            },
        )


class CoverageHomeView(_Page):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _home(request, "planning:coverage")


class CoverageView(_Page):
    """15 分钟服务圈: the share within reach per street and community, the gaps, beds against the norm."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        region = _region(request, code)
        q = _params(request, [DISTANCE])
        default = sel.walk_distance(region.code)
        distance = q["distance_m"] or default
        report = sel.coverage_report(user=request.user, region=region, distance_m=distance)
        by_child = report.by_child()
        child_regions = {r.code: r for r in Region.objects.filter(code__in=list(by_child))}
        children = [
            {"region": child_regions.get(code), "code": code, "tally": tally}
            for code, tally in sorted(by_child.items())
        ]
        return render(
            request,
            "planning/coverage.html",
            {
                "region": region,
                "report": report,
                "distance": distance,
                "default_distance": default,
                "distance_label": distance_text(distance),
                "children": children,
                "drill": region.level not in {"town", "village"},
                "gaps": report.uncovered_communities(),
                "beds": sel.beds_rows(user=request.user, region=region),
                "crumbs": _crumbs(region, request.user, "planning:coverage"),
                "nav_current": "planning:coverage_home",
            },
        )


class SitingHomeView(_Page):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _home(request, "planning:siting")


def _siting(request: HttpRequest, region: Region) -> tuple[dict[str, Any], dict[str, Any] | None]:
    q = _params(request, SITING)
    form: dict[str, Any] = {
        "n": q["n"] or 3,
        "distance_m": q["distance_m"] or sel.walk_distance(region.code),
        "candidates": q["candidates"] or "both",
    }
    if q["n"] is None:
        return form, None
    kinds = ["community", "grid"] if form["candidates"] == "both" else [form["candidates"]]
    result = sel.siting_proposal(
        user=request.user, region=region, n=form["n"], distance_m=form["distance_m"], kinds=kinds
    )
    return form, result


class SitingView(_Page):
    """设施选址: N new community facility sites covering the most elders now out of reach."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        region = _region(request, code)
        form, result = _siting(request, region)
        return render(
            request,
            "planning/siting.html",
            {
                "region": region,
                "form": form,
                "result": result,
                "distance_label": distance_text(form["distance_m"]),
                "export_query": request.GET.urlencode(),
                "crumbs": _crumbs(region, request.user, "planning:siting"),
                "nav_current": "planning:siting_home",
            },
        )


class SitingExportView(_Page):
    """The proposal as .xlsx: the sites with their positions (WGS-84) and gains, coverage before/after."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        from openpyxl import Workbook

        region = _region(request, code)
        form, result = _siting(request, region)
        if result is None:
            return HttpResponseRedirect(reverse("planning:siting", args=[region.gb_code]))
        book = Workbook()
        ws = book.create_sheet("选址建议", 0)
        book.remove(book.worksheets[1])
        append_row(
            ws, [f"{region.name}社区养老服务设施选址建议（15 分钟服务圈，步行 {form['distance_m']} 米）"]
        )
        append_row(ws, ["在册老年人", result["elders"], "已定位", result["located"]])
        append_row(
            ws,
            [
                "现有覆盖人数",
                result["before"],
                "覆盖率",
                _percent(result["share_before"]),
            ],
        )
        append_row(
            ws,
            ["新增后覆盖人数", result["after"], "覆盖率", _percent(result["share_after"])],
        )
        if result["optimum_checked"] and result["optimum"] is not None:
            append_row(
                ws,
                ["同样候选点下的最优新增覆盖", result["optimum"], "本建议新增覆盖", result["greedy_total"]],
            )
        append_row(ws, [])
        append_row(
            ws,
            [
                "序号",
                "候选点",
                "类型",
                "所在社区（村）",
                "所在街道（乡镇）",
                "纬度（WGS-84）",
                "经度（WGS-84）",
                "新增覆盖老人",
                "累计覆盖老人",
            ],
        )
        for site in result["sites"]:
            append_row(
                ws,
                [
                    site["rank"],
                    site["label"],
                    site["kind"],
                    site["community"],
                    site["town"],
                    site["lat"],
                    site["lng"],
                    site["gain"],
                    site["covered_after"],
                ],
            )
        out = BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="siting-{region.gb_code}.xlsx"'
        return response


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"
