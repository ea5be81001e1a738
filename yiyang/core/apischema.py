"""OpenAPI declarations of the error envelope (``yiyang.core.api.envelope``) for these apps' endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    message_en = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]  # the envelope's field, not Serializer.errors
        child=serializers.ListField(child=serializers.CharField())
    )
    current_status = serializers.CharField(required=False, allow_null=True)


def errors(*codes: int) -> dict[int, Any]:
    text = {
        400: "数据有误",
        401: "未登录",
        403: "无权限",
        404: "不存在或不在管辖范围内",
        409: "状态冲突（含当前状态 current_status）",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=text[c]) for c in codes}
