"""API plumbing shared by every app: the error envelope, pagination and the scoped base views.

Every error leaves the API as ``{"code", "message", "errors": {field: [messages]}}`` (plus ``message_en``),
whatever raised it. Scoped views take their rows from ``Model.objects.restrict(user, perm)`` — the one
region-scope mechanism (see ``yiyang.regions.scope``) — so an object outside the caller's scope is 404.
Workflow actions (``POST /<id>/<action>/``) are written with ``TransitionActionsMixin.move`` and declared
with ``move_schema``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from yiyang.core.apischema import errors as error_responses
from yiyang.core.errors import DomainError
from yiyang.core.parsers import DEPTH_MESSAGE, RequestTooLarge, too_large

logger = logging.getLogger("yiyang.api")

MESSAGES: dict[str, tuple[str, str]] = {
    "validation_error": (
        "提交的数据有误，请检查标出的字段",
        "The submitted data is invalid; see the field errors",
    ),
    "parse_error": ("请求格式错误，无法解析", "Malformed request body"),
    "not_authenticated": ("请先登录", "Authentication credentials were not provided"),
    "authentication_failed": ("身份验证失败，请重新登录", "Authentication failed"),
    "permission_denied": ("您没有执行此操作的权限", "You do not have permission to perform this action"),
    "not_found": ("未找到该记录，或不在您的管辖范围内", "Not found, or outside your region scope"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "not_acceptable": ("无法提供请求的格式", "Not acceptable"),
    "unsupported_media_type": ("不支持的内容类型", "Unsupported media type"),
    "throttled": ("请求过于频繁，请稍后再试", "Too many requests; try again later"),
    "too_large": ("请求数据过大", "Request body too large"),
    "server_error": ("服务器内部错误，已记录，请稍后重试", "Internal server error; it has been logged"),
    "invalid_credentials": ("用户名或密码错误", "Wrong username or password"),
    "account_locked": ("账户已被锁定", "The account is locked after repeated failed logins"),
    "conflict": ("与当前状态冲突", "Conflicts with the current state"),
    "duplicate": ("记录已存在", "Already registered"),
    "illegal_transition": ("当前状态不允许此操作", "This transition is not allowed from the current status"),
    "concurrent_update": ("已被他人处理，请刷新后重试", "Someone else changed it first; reload and retry"),
    "invalid": ("请求不符合业务规则", "The request breaks a business rule"),
}

_DRF_CODES: list[tuple[type[Exception], str]] = [
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (RequestTooLarge, "too_large"),
]


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else f"{prefix}{key}"
            for k, v in _flatten(value, name + ".").items():
                out.setdefault(k.rstrip("."), []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            out[prefix or "non_field_errors"] = [str(d) for d in detail]
        else:
            for i, item in enumerate(detail):
                if item:
                    for k, v in _flatten(item, f"{prefix.rstrip('.')}[{i}].").items():
                        out.setdefault(k.rstrip("."), []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def envelope(
    code: str,
    message: str | None = None,
    errors: dict[str, list[str]] | None = None,
    *,
    lang: str = "zh-hans",
    **extra: Any,
) -> dict[str, Any]:
    zh, en = MESSAGES.get(code, (message or code, message or code))
    body: dict[str, Any] = {
        "code": code,
        "message": message or (en if lang.startswith("en") else zh),
        "message_en": en,
        "errors": errors or {},
    }
    body.update(extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    request = context.get("request")
    lang = getattr(request, "LANGUAGE_CODE", "zh-hans") or "zh-hans"
    if isinstance(exc, DomainError):
        return Response(
            envelope(exc.code, exc.message, exc.errors, lang=lang, **exc.extra), status=exc.status
        )
    if isinstance(exc, RequestDataTooBig):  # Django refused to read the body (DATA_UPLOAD_MAX_MEMORY_SIZE)
        exc = too_large()
    if isinstance(exc, RecursionError):
        exc = exceptions.ParseError(DEPTH_MESSAGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, DataError):  # a value the database refuses (out of range, bad encoding)
        if connection.in_atomic_block:
            transaction.set_rollback(True)
        exc = exceptions.ValidationError({"non_field_errors": ["输入值超出范围或包含无效字符"]})
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        if connection.in_atomic_block:
            transaction.set_rollback(True)
        logger.exception("unhandled API error", extra={"view": type(context.get("view")).__name__})
        return Response(envelope("server_error", lang=lang), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    code = next((c for cls, c in _DRF_CODES if isinstance(exc, cls)), "error")
    errors: dict[str, list[str]] = {}
    message = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    elif (isinstance(exc, exceptions.AuthenticationFailed) and isinstance(exc.detail, str)) or (
        isinstance(exc, exceptions.PermissionDenied)
        and str(exc.detail) != str(exceptions.PermissionDenied.default_detail)
    ):
        message = str(exc.detail)
    response.data = envelope(code, message, errors, lang=lang)
    return response


class ActionPermission(permissions.BasePermission):
    """Grants a request when the user holds the permission the view declares for its action.

    ``permission_map`` maps a DRF action (``list``, ``retrieve``, ``create``, a custom ``@action`` name…)
    to a permission code; ``"*"`` is the fallback. A missing mapping denies (fail closed).
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perm = required_perm(view)
        return perm is not None and user.has_perm(perm)


def required_perm(view: Any) -> str | None:
    mapping: dict[str, str] = getattr(view, "permission_map", {})
    action = getattr(view, "action", None) or (view.request.method or "get").lower()
    return mapping.get(action, mapping.get("*"))


class ScopedViewMixin(GenericAPIView[Any]):
    """Base for every region-scoped API view: permission by action, rows by ``restrict``."""

    scoped: ClassVar[bool] = True
    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {}
    # The permission that decides which rows are visible to the view (defaults to the action's).
    scope_perm: ClassVar[str | None] = None

    def base_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] | None = getattr(self, "queryset", None)
        assert queryset is not None, "set queryset or override base_queryset()"
        return queryset.all()

    def get_queryset(self) -> QuerySet[Any]:
        perm = self.scope_perm or required_perm(self) or ""
        return self.base_queryset().restrict(self.request.user, perm)  # type: ignore[attr-defined]


MOVE_ERRORS = error_responses(400, 401, 403, 404, 409)


def read_body(request: Request, serializer_class: Any) -> dict[str, Any]:
    """The request body validated by ``serializer_class`` (400 naming the fields otherwise). A body Django
    refuses to read (too many fields) is a 400 ``parse_error``, not a server error."""
    try:
        data = request.data
    except SuspiciousOperation as exc:
        raise exceptions.ParseError("请求内容过大或字段过多") from exc
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def move_schema(body: Any, summary: str, response: Any, status: int = 200) -> Any:
    """The OpenAPI declaration of a workflow action: its body (or ``None``), the detail it answers with and
    the errors every move may answer (409 for an illegal move or a lost race)."""
    return extend_schema(request=body, responses={status: response, **MOVE_ERRORS}, summary=summary)


class TransitionActionsMixin:
    """Workflow actions ``POST /<id>/<action>/`` of a scoped viewset, one line each::

        @move_schema(ReasonSerializer, "退回重办", WorkOrderDetailSerializer)
        @action(detail=True, methods=["post"])
        def rework(self, request, id):
            return self.move(services.work_order_rework, ReasonSerializer)

    ``move`` takes the object through ``get_object`` (out of scope: 404, before the body is read), validates
    the body, calls ``service(actor=<user>, <move_subject>=<object>, **body)`` and renders the object the
    service returns with ``render_moved``. The service's ``IllegalTransition`` / ``LostRace`` (both
    ``Conflict``) leave through ``exception_handler`` as 409 with ``current_status``."""

    move_subject: ClassVar[str] = ""  # the service's keyword for the object ("incident", "application" …)

    def render_moved(self, obj: Any, code: int = 200) -> Response:
        """The moved object as the viewset's serializer renders it (viewsets with a richer detail, or one
        read again through their selector, override this)."""
        return Response(self.get_serializer(obj).data, status=code)  # type: ignore[attr-defined]

    def move(
        self,
        service: Callable[..., Any],
        body: Any = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        code: int = 200,
    ) -> Response:
        """Run one move; ``defaults`` fill the body's optional fields the service requires."""
        subject = self.get_object()  # type: ignore[attr-defined]
        data = {**(defaults or {}), **(read_body(self.request, body) if body is not None else {})}  # type: ignore[attr-defined]
        moved = service(actor=self.request.user, **{self.move_subject: subject}, **data)  # type: ignore[attr-defined]
        return self.render_moved(moved, code)
