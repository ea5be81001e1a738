from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("yiyang.request")


class RequestLogMiddleware:
    """One structured line per request: method, route, status, duration, user id. No query strings
    (they may carry search terms) and never a body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            user = getattr(request, "user", None)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": str(getattr(user, "public_id", "")) if user and user.is_authenticated else "",
                },
            )
        return response


class RejectNulMiddleware:
    """A NUL byte in the query string is never legitimate (and PostgreSQL cannot compare against it):
    answer 400 in the error envelope before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if query and b"\x00" in unquote_to_bytes(query):
            from yiyang.core.api import envelope
            from yiyang.core.parsers import NUL_MESSAGE

            return JsonResponse(envelope("validation_error", NUL_MESSAGE), status=400)
        return self.get_response(request)


DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # ECharts writes tooltip markup with style attributes, htmx its indicator rule: styles only,
        # never script.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DEFAULT_PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(self), microphone=(), payment=(), usb=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (no inline script, no eval: page behaviour lives in static files) and
    the other security headers, in every environment. A view may set its own header first (it wins)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from django.conf import settings

        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": getattr(settings, "YIYANG_CSP", DEFAULT_CSP),
            "Permissions-Policy": getattr(settings, "YIYANG_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": getattr(settings, "SECURE_REFERRER_POLICY", None) or "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value and name not in response:
                response[name] = value
        return response
