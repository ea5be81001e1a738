"""The API schema and Swagger UI. Public in development; in production the schema needs an authenticated
caller (session or token) and the docs page redirects to login. Swagger UI's start-up script is served as
a file (``SpectacularSwaggerSplitView``): the Content-Security-Policy allows no inline script."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated


class SchemaView(SpectacularAPIView):
    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if settings.PRODUCTION else [AllowAny()]


class DocsView(SpectacularSwaggerSplitView):
    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if settings.PRODUCTION else [AllowAny()]


_docs = DocsView.as_view(url_name="schema")


def api_docs(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if settings.PRODUCTION and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _docs(request, *args, **kwargs)
