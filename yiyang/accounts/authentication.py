from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from yiyang.accounts.models import AuthToken
from yiyang.accounts.services import token_hash, token_is_live, token_touch


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token <key>`` against per-login tokens stored hashed. A token unused for
    ``API_TOKEN_HOURS``, older than ``API_TOKEN_MAX_HOURS`` or revoked is refused; each use renews the
    idle lifetime."""

    model = AuthToken

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = AuthToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed("令牌无效或已退出，请重新登录")
        if not token.user.is_active:
            raise AuthenticationFailed("账户已停用")
        if not token_is_live(token):
            raise AuthenticationFailed("令牌已过期，请重新登录获取")
        token_touch(token)
        return token.user, token
