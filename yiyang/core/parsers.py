"""Body parsers that refuse NUL characters in form bodies (PostgreSQL cannot store them; they are never
legitimate input; in JSON the fields refuse them, see ``yiyang.core.strictinput``), bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413) and JSON nested deeper than ``MAX_JSON_DEPTH``
(400) — never a 500. The query string is checked by ``yiyang.core.middleware.RejectNulMiddleware``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

NUL_MESSAGE = "请求中包含无效字符（NUL），请检查输入"
DEPTH_MESSAGE = "请求数据嵌套层级过深"
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求数据过大"
    default_code = "too_large"


def too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return RequestTooLarge(f"请求数据过大（上限 {limit // (1024 * 1024)} MB）")


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``value`` nests lists/objects deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _check_length(parser_context: Any) -> None:
    request = (parser_context or {}).get("request")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request is None or limit is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large()


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(v) for v in value)
    if hasattr(value, "lists"):  # QueryDict
        return any(contains_nul(k) or contains_nul(v) for k, v in value.lists())
    return False


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _check_length(parser_context)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(DEPTH_MESSAGE) from exc
        except RequestDataTooBig as exc:
            raise too_large() from exc
        if json_depth_exceeds(data):
            raise ParseError(DEPTH_MESSAGE)
        # NUL in JSON is refused by the fields that read it (yiyang.core.strictinput: every text and JSON
        # field), with the field named; members the endpoint does not read are ignored, as any other.
        return data


class SafeFormParser(FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _check_length(parser_context)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RequestDataTooBig as exc:
            raise too_large() from exc
        if contains_nul(data):
            raise ParseError(NUL_MESSAGE)
        return data


class SafeMultiPartParser(MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            result = super().parse(stream, media_type, parser_context)
        except RequestDataTooBig as exc:
            raise too_large() from exc
        if contains_nul(result.data):
            raise ParseError(NUL_MESSAGE)
        return result
