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
