"""OpenAPI post-processing: every operation documents the one error envelope for the statuses the
platform answers with (400 validation, 401, 403, 404 outside scope, 409 conflicts on writes)."""

from __future__ import annotations

from typing import Any

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["code", "message", "errors"],
    "properties": {
        "code": {
            "type": "string",
            "description": "stable machine code, e.g. validation_error, not_found, duplicate",
        },
        "message": {
            "type": "string",
            "description": "human message (Chinese by default; English with Accept-Language: en)",
        },
        "message_en": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "field → messages; item codes for assessment scoring",
        },
        "current_status": {
            "type": "string",
            "nullable": True,
            "description": "on 409 from a state transition",
        },
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "请求数据有误（errors 指明字段）",
    "401": "未登录或令牌无效",
    "403": "没有权限",
    "404": "不存在或不在管辖范围内",
    "409": "与当前状态冲突（重复登记、状态不允许、并发处理）",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "403", "404"]
            if method != "get":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result


NUL_FREE = r"^[^\u0000]*$"
# DRF trims text fields and refuses a blank required one: at least one character that is not white space.
NUL_FREE_NOT_BLANK = r"^[^\u0000]*[^\u0000\s][^\u0000]*$"


def _state_text_rules(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _state_text_rules(item)
        return
    if not isinstance(node, dict):
        return
    if (
        node.get("type") == "string"
        and not node.get("readOnly")
        and not {"pattern", "format", "enum"} & node.keys()
    ):
        node["pattern"] = NUL_FREE_NOT_BLANK if node.get("minLength", 0) >= 1 else NUL_FREE
    for value in node.values():
        if isinstance(value, dict | list):
            _state_text_rules(value)


def _require_raw_body(body: dict[str, Any]) -> None:
    """A raw request schema (``extend_schema(request={media: {...}})``) whose every variant requires members
    needs a body, as drf-spectacular decides for a serializer with required fields."""
    for media in body.get("content", {}).values():
        schema = media.get("schema", {})
        variants = schema.get("oneOf") or ([schema] if "$ref" not in schema else [])
        if variants and all(v.get("required") for v in variants):
            body["required"] = True


def state_text_rules(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Request text the API refuses, stated as ``pattern`` on every request string without one: no NUL
    (``yiyang.core.strictinput``), and for a required one at least one visible character (DRF trims white
    space, then refuses blank). Fields with their own rule (names, free text, identifiers) carry it
    already (``yiyang.core.validators``, ``yiyang.core.apifields``)."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _state_text_rules(schema)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                _state_text_rules(operation["requestBody"])
                _require_raw_body(operation["requestBody"])
    return result
