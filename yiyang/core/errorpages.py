"""Error pages in Chinese; API paths get the JSON envelope instead. Nothing of the request is echoed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from yiyang.core.api import envelope


def _render(request: HttpRequest, status: int, code: str, title: str, text: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(envelope(code), status=status)
    body: str
    try:
        body = loader.render_to_string(
            "core/error.html", {"status": status, "title": title, "text": text}, request
        )
    except Exception:  # the error page must never fail
        body = f"<h1>{status} {title}</h1><p>{text}</p>"
    return HttpResponse(body, status=status)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _render(
        request,
        403,
        "permission_denied",
        "没有权限",
        "您的角色没有执行此操作的权限。如需开通，请联系上级管理员。",
    )


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _render(request, 404, "not_found", "未找到", "该页面或记录不存在，或不在您的管辖范围内。")


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(
        request, 500, "server_error", "系统出错", "服务器遇到错误，已记录。请稍后重试，或联系系统管理员。"
    )
