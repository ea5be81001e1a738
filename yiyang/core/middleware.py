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
