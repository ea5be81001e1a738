from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from yiyang.core.pages import ScopedPageMixin
from yiyang.core.regioncodes import normalize_region_code
from yiyang.regions.selectors import region_chain, region_list, region_roots


class RegionBrowseView(ScopedPageMixin, View):
    """The region tree of the user's scope; children load on demand with HTMX."""

    required_perm = "regions.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "regions/browse.html", {"roots": region_roots(user=request.user)})


class RegionChildrenView(ScopedPageMixin, View):
    required_perm = "regions.view"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        try:
            code12 = normalize_region_code(code)
        except ValueError as exc:
            raise Http404 from exc
        region = region_list(user=request.user).filter(code=code12).first()
        if region is None:
            raise Http404
        children = region_list(user=request.user, parent=code12)
        template = "regions/_children.html" if request.headers.get("HX-Request") else "regions/region.html"
        return render(
            request, template, {"region": region, "children": children, "chain": region_chain(code12)}
        )
