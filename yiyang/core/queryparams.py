"""API query parameters declared once: the same ``Param`` list gives the OpenAPI parameters (type, format,
enum, pattern, bounds) and the validation of ``request.query_params``, so what the schema states is what
the view accepts (issue 10: schemathesis found filters that took ``?mine=null``, ``?until=`` or
``?level=AAA`` silently, and bounds the schema did not state).

A parameter that is present must be valid, even when empty (``?status=`` is not "any status": the schema
says it is one of the enum). Integers use ASCII digits only; date-times are RFC 3339 with an offset.

    LIST = [Param.flag("mine", "仅指派给我的"), Param.choice("status", Status.values)]

    @extend_schema(parameters=openapi(LIST))
    def list(...):
        q = parse_query(request.query_params, LIST)   # raises ValidationError → 400, every bad name listed
        q["mine"]  # True/False/None (absent)
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

_INT = re.compile(r"^-?[0-9]{1,9}$")
# RFC 3339 date-time (the OpenAPI ``date-time`` format): a date, ``T``, a time and an offset.
_DATETIME = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
    r"(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$",
    re.IGNORECASE,
)
# Filters compare with stored times; a bound outside these years filters like the nearest one does.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
DEFAULT_MAX_LENGTH = 100


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False
    message: str = ""  # why a value is refused (Chinese), shown in ``errors[name]``
    extra: dict[str, Any] = field(default_factory=dict)

    # --- constructors ---------------------------------------------------------------------------------

    @classmethod
    def text(
        cls,
        name: str,
        description: str = "",
        *,
        max_length: int = DEFAULT_MAX_LENGTH,
        pattern: str | None = None,
        required: bool = False,
        message: str = "",
    ) -> Param:
        # No NUL (RejectNulMiddleware answers 400 for it in any query value).
        schema: dict[str, Any] = {
            "type": "string",
            "maxLength": max_length,
            "pattern": pattern or r"^[^\u0000]*$",
        }
        if required:
            schema["minLength"] = 1
        return cls(name, schema, description, required, message or f"最长 {max_length} 个字符")

    @classmethod
    def choice(
        cls, name: str, values: Iterable[str], description: str = "", *, required: bool = False
    ) -> Param:
        choices = list(values)
        return cls(
            name, {"type": "string", "enum": choices}, description, required, "允许：" + "、".join(choices)
        )

    @classmethod
    def flag(cls, name: str, description: str = "") -> Param:
        return cls(name, {"type": "boolean"}, description, message="应为 true 或 false")

    @classmethod
    def integer(cls, name: str, description: str = "", *, minimum: int = 0, maximum: int = 10**9) -> Param:
        return cls(
            name,
            {"type": "integer", "minimum": minimum, "maximum": maximum},
            description,
            message=f"应为 {minimum}–{maximum} 的整数",
        )

    @classmethod
    def uid(cls, name: str, description: str = "", *, required: bool = False) -> Param:
        return cls(name, {"type": "string", "format": "uuid"}, description, required, "应为 UUID")

    @classmethod
    def when(cls, name: str, description: str = "") -> Param:
        return cls(
            name,
            {"type": "string", "format": "date-time"},
            description,
            message="时间格式应为 RFC 3339，例如 2026-11-23T08:00:00+08:00",
        )

    # --- schema and parsing ---------------------------------------------------------------------------

    def openapi(self) -> OpenApiParameter:
        return OpenApiParameter(self.name, self.schema, description=self.description, required=self.required)

    def parse(self, raw: str) -> Any:
        """The typed value of ``raw``; ``ValueError`` when the schema does not allow it."""
        kind = self.schema["type"]
        if kind == "boolean":
            if raw not in {"true", "false"}:
                raise ValueError
            return raw == "true"
        if kind == "integer":
            if not _INT.match(raw):
                raise ValueError
            value = int(raw)
            if not self.schema["minimum"] <= value <= self.schema["maximum"]:
                raise ValueError
            return value
        if "enum" in self.schema:
            if raw not in self.schema["enum"]:
                raise ValueError
            return raw
        fmt = self.schema.get("format")
        if fmt == "uuid":
            if not re.fullmatch(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}", raw):
                raise ValueError
            return uuid.UUID(raw)
        if fmt == "date-time":
            if not _DATETIME.match(raw):
                raise ValueError
            text = raw.upper().replace("Z", "+00:00")
            if text[17:19] == "60":  # a leap second: the next instant
                text = text[:17] + "59" + text[19:]
            when = datetime.fromisoformat(text)  # ValueError for 2026-02-30
            return min(max(when, _EARLIEST), _LATEST)
        if len(raw) > self.schema["maxLength"] or (self.required and not raw):
            raise ValueError
        if "pattern" in self.schema and not re.search(self.schema["pattern"], raw):
            raise ValueError
        return raw


def openapi(params: Sequence[Param]) -> list[OpenApiParameter]:
    return [p.openapi() for p in params]


def parse_query(query: Mapping[str, Any], params: Sequence[Param]) -> dict[str, Any]:
    """``{name: typed value or None}`` for ``params``; a ``ValidationError`` naming every refused one
    (a repeated parameter is refused too: each of these takes one value)."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    getlist = getattr(query, "getlist", None)
    for param in params:
        values = getlist(param.name) if getlist else ([query[param.name]] if param.name in query else [])
        if not values:
            if param.required:
                errors[param.name] = ["必填"]
            out[param.name] = None
            continue
        if len(values) > 1:
            errors[param.name] = ["只能给一个值"]
            continue
        try:
            out[param.name] = param.parse(str(values[0]))
        except (ValueError, OverflowError):
            errors[param.name] = [param.message]
    if errors:
        raise ValidationError(errors)
    return out
