"""Account services: login with throttling and lockout (pages and API share it), per-login API tokens,
users with grants."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yiyang.accounts.models import AuthToken, Grant, User
from yiyang.audit.services import audit_record
from yiyang.core.errors import DomainError
from yiyang.regions.scope import SYSTEM


class LoginFailed(DomainError):
    status = 401
    code = "invalid_credentials"


class AccountLocked(DomainError):
    status = 401
    code = "account_locked"


class LoginThrottled(DomainError):
    status = 429
    code = "throttled"


def _region(user: User) -> str | None:
    grant = user.primary_grant()
    return grant.region_id if grant else None


# --- login throttling -------------------------------------------------------------------------------------
# Attempts are counted in the cache *before* the password is checked (an atomic ``incr``), so simultaneous
# wrong passwords cannot all slip through between a check and a write: with a limit of 5, exactly 5 are
# evaluated. The per-name count covers unknown names exactly like real ones, so a locked account and an
# unknown one answer alike; every refused attempt still runs one password hash (same timing path).


def _window() -> int:
    return int(settings.LOGIN_LOCKOUT_MINUTES) * 60


def _cache_key(kind: str, value: str) -> str:
    return "login:" + kind + ":" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _hit(key: str, timeout: int) -> int:
    """Count one attempt atomically and return the count in this window."""
    for _ in range(3):
        cache.add(key, 0, timeout)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            continue
    return 1


def _unhit(key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


def client_address(request: Any) -> str:
    meta = getattr(request, "META", None) or {}
    if settings.LOGIN_TRUST_X_FORWARDED_FOR:
        forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if forwarded:
            return forwarded
    return str(meta.get("REMOTE_ADDR", "") or "unknown")


def _burn_hash(password: str) -> None:
    """Spend the same time as a real password check (Django does this for unknown users too)."""
    User().set_password(password or "-")


def _locked_message() -> str:
    return f"该账户因连续登录失败已被锁定，请 {settings.LOGIN_LOCKOUT_MINUTES} 分钟后再试，或联系管理员解锁"


def user_login(*, username: str, password: str, request: Any = None) -> User:
    """Check a username and password. One answer for an unknown user and a wrong password, and one for
    a locked name whether or not the account exists. ``LOGIN_MAX_FAILURES`` failures for a name lock it
    for ``LOGIN_LOCKOUT_MINUTES``; ``LOGIN_MAX_FAILURES_PER_IP`` failures from one address get 429."""
    username = (username or "").strip()
    now = timezone.now()
    ip_key = _cache_key("ip", client_address(request))
    name_key = _cache_key("user", username)
    if _hit(ip_key, _window()) > settings.LOGIN_MAX_FAILURES_PER_IP:
        _unhit(ip_key)
        _burn_hash(password)
        raise LoginThrottled(f"登录尝试过于频繁，请 {settings.LOGIN_LOCKOUT_MINUTES} 分钟后再试")
    tries = _hit(name_key, _window())
    if tries > settings.LOGIN_MAX_FAILURES:
        _burn_hash(password)
        raise AccountLocked(_locked_message())
    user = authenticate(request, username=username, password=password) if username and password else None
    if user is None:
        if not (username and password):
            _burn_hash(password)
        account = User.objects.filter(username=username).first()
        if tries >= settings.LOGIN_MAX_FAILURES:
            cache.touch(name_key, _window())  # the lock lasts a full period from the last failure
        if account is not None:
            with transaction.atomic():
                User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
                audit_record(
                    actor=SYSTEM,
                    region=_region(account),
                    event="auth.login_failed",
                    obj=account,
                    data={"failures": tries},
                )
                if tries >= settings.LOGIN_MAX_FAILURES:
                    until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                    User.objects.filter(pk=account.pk).update(locked_until=until, failed_logins=0)
                    audit_record(
                        actor=SYSTEM,
                        region=_region(account),
                        event="auth.locked",
                        obj=account,
                        data={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
                    )
        raise LoginFailed("用户名或密码错误")
    assert isinstance(user, User)
    cache.delete(name_key)
    _unhit(ip_key)  # only failures count against an address
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
        audit_record(actor=user, region=_region(user), event="auth.login", obj=user)
    return user


def login_unlock(*, username: str) -> None:
    """Lift a lock early (an administrator's action, e.g. from the shell)."""
    cache.delete(_cache_key("user", username.strip()))
    User.objects.filter(username=username.strip()).update(failed_logins=0, locked_until=None)


# --- API tokens -------------------------------------------------------------------------------------------


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def token_is_live(token: AuthToken, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    idle = timedelta(hours=settings.API_TOKEN_HOURS)
    return token.revoked_at is None and token.expires_at > now and token.last_used_at > now - idle


def token_issue(*, user: User, client: str = "") -> tuple[AuthToken, str]:
    """A new token for this login (never shared with another login). Returns the row and the clear key,
    which is not stored."""
    key = secrets.token_hex(20)
    now = timezone.now()
    with transaction.atomic():
        token = AuthToken.objects.create(
            user=user,
            key_hash=token_hash(key),
            client=client[:200],
            last_used_at=now,
            expires_at=now + timedelta(hours=settings.API_TOKEN_MAX_HOURS),
        )
        audit_record(actor=user, region=_region(user), event="auth.token_issued", obj=user)
    return token, key


def token_touch(token: AuthToken) -> None:
    """Renew the idle lifetime on use (written at most once a minute per token)."""
    now = timezone.now()
    if now - token.last_used_at > timedelta(seconds=60):
        AuthToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(last_used_at=now)
        token.last_used_at = now


def token_revoke(*, user: User, token: AuthToken | None = None) -> None:
    """Revoke one token (this login), or with no token every live token of the user."""
    with transaction.atomic():
        live = AuthToken.objects.filter(user=user, revoked_at__isnull=True)
        if token is not None:
            live = live.filter(pk=token.pk)
        live.update(revoked_at=timezone.now())
        audit_record(actor=user, region=_region(user), event="auth.logout", obj=user)


def tokens_live(*, user: User) -> list[AuthToken]:
    now = timezone.now()
    rows = AuthToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    return [t for t in rows.order_by("-last_used_at", "-pk") if token_is_live(t, now)]


def token_revoke_by_id(*, user: User, public_id: Any) -> bool:
    """退出 one of the user's own tokens; False if it is not theirs or already gone."""
    with transaction.atomic():
        done = AuthToken.objects.filter(user=user, public_id=public_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if done:
            audit_record(actor=user, region=_region(user), event="auth.logout", obj=user)
    return bool(done)


def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    grants: Iterable[tuple[str, str]] = (),
    is_superuser: bool = False,
) -> User:
    """Create (or reset) an account with its (role, 12-digit region code) grants."""
    with transaction.atomic():
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "is_superuser": is_superuser,
                "is_staff": is_superuser,
                "failed_logins": 0,
                "locked_until": None,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        for role, region_code in grants:
            Grant.objects.get_or_create(user=user, role=role, region_id=region_code)
    return user


# Other apps add fields to GET /auth/me/ (e.g. a caregiver's staff_id) by registering a function here.
ME_EXTENSIONS: list[Callable[[User], dict[str, Any]]] = []


def me_extensions(user: User) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for fn in ME_EXTENSIONS:
        extra.update(fn(user))
    return extra
