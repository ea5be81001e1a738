from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connections, models
from django.db.models.expressions import RawSQL
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from yiyang.accounts.models import AuthToken, Grant
from yiyang.accounts.services import token_hash, token_is_live, token_touch
from yiyang.regions.models import Region


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token <key>`` against per-login tokens stored hashed. A token unused for
    ``API_TOKEN_HOURS``, older than ``API_TOKEN_MAX_HOURS`` or revoked is refused; each use renews the
    idle lifetime.

    On PostgreSQL the user's active grants (with their regions) come back in the same query as the
    token and its user, so the permission and scope checks of the request cost no query of their own
    (decision 0019); elsewhere ``User.active_grants`` reads them on first use, as before."""

    model = AuthToken

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        tokens = AuthToken.objects.select_related("user")
        folded = connections[tokens.db].vendor == "postgresql"
        if folded:
            tokens = tokens.annotate(user_grants=RawSQL(_GRANTS_SQL, ()))  # noqa: S611 (constant SQL)
        token = tokens.filter(key_hash=token_hash(key)).first()
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed("令牌无效或已退出，请重新登录")
        if not token.user.is_active:
            raise AuthenticationFailed("账户已停用")
        if not token_is_live(token):
            raise AuthenticationFailed("令牌已过期，请重新登录获取")
        token_touch(token)
        if folded:
            token.user._grants_cache = _grants(token.user_grants, tokens.db)  # type: ignore[attr-defined]
        return token.user, token


_GRANT_FIELDS = [f for f in Grant._meta.concrete_fields]
_REGION_FIELDS = [f for f in Region._meta.concrete_fields]


def _grants_sql() -> str:
    """The user's active grants with their regions, ordered as ``User.active_grants`` orders them, as one
    JSON array of arrays (grant columns, then region columns) — a subquery on the token row's user.
    Only model tables and columns go into it."""
    qn = connections["default"].ops.quote_name
    columns = ", ".join(
        [f"g.{qn(str(f.column))}" for f in _GRANT_FIELDS] + [f"r.{qn(str(f.column))}" for f in _REGION_FIELDS]
    )
    grant, region, token = (qn(m._meta.db_table) for m in (Grant, Region, AuthToken))
    parts = [
        f"COALESCE((SELECT json_agg(json_build_array({columns}) ORDER BY g.{qn('id')})",
        f"FROM {grant} g INNER JOIN {region} r ON r.{qn(str(Region._meta.pk.column))} = g.{qn('region_id')}",
        f"WHERE g.{qn('user_id')} = {token}.{qn('user_id')} AND g.{qn('is_active')}), '[]')",
    ]
    return " ".join(parts)


_GRANTS_SQL = _grants_sql()


def _json_value(field: models.Field[Any, Any], value: Any) -> Any:
    """A column value as JSON gave it, as the database driver would have (dates and times were text)."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    return value


def _grants(rows: list[list[Any]], db: str) -> list[Grant]:
    grants = []
    n = len(_GRANT_FIELDS)
    for row in rows:
        grant = Grant.from_db(
            db,
            [f.attname for f in _GRANT_FIELDS],
            [_json_value(f, v) for f, v in zip(_GRANT_FIELDS, row, strict=False)],
        )
        region = Region.from_db(
            db,
            [f.attname for f in _REGION_FIELDS],
            [_json_value(f, v) for f, v in zip(_REGION_FIELDS, row[n:], strict=True)],
        )
        Grant._meta.get_field("region").set_cached_value(grant, region)
        grants.append(grant)
    return grants
