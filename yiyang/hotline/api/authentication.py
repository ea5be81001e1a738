"""``Authorization: Api-Key <key>``: an integration (the city's 12345 hotline) authenticates with its
key; the request's ``user`` is then the ``Integration`` row. Keys are compared by their SHA-256."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from yiyang.hotline.selectors import integration_for_key

KEYWORD = "Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise AuthenticationFailed("密钥格式应为 Authorization: Api-Key <密钥>")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("密钥无效") from exc
        integration = integration_for_key(key)
        if integration is None:
            raise AuthenticationFailed("密钥无效或已吊销")
        return integration, None

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "yiyang.hotline.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "对接系统密钥：`Authorization: Api-Key <密钥>`（在「12345 对接」页面创建，只显示一次）",
        }
