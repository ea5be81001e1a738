"""Base for server-rendered pages: login required, permission by view, rows by ``restrict``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase

from yiyang.core.pagination import CappedPaginator


class ScopedPageMixin(LoginRequiredMixin):
    """Anonymous → login page; no permission → 403 page; object outside scope → 404 page."""

    scoped: ClassVar[bool] = True
    required_perm: ClassVar[str] = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.required_perm or not request.user.has_perm(self.required_perm):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def get_scoped_or_404(queryset: QuerySet[Any], user: Any, perm: str, **lookup: Any) -> Any:
    obj = queryset.restrict(user, perm).filter(**lookup).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def paginate(request: HttpRequest, queryset: Any, per_page: int = 20) -> Page[Any]:
    """The ``?page=`` of ``queryset``; the count stops at the cap (``page.paginator.count_label`` shows
    "10,000+"), see ``yiyang.core.pagination``."""
    paginator = CappedPaginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def querystring_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
