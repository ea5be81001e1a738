"""Account services: login with lockout (pages and API share it), tokens, users with grants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.authtoken.models import Token

from yiyang.accounts.models import Grant, User
from yiyang.audit.services import audit_record
from yiyang.core.errors import DomainError
from yiyang.regions.scope import SYSTEM


class LoginFailed(DomainError):
    status = 401
    code = "invalid_credentials"


class AccountLocked(DomainError):
    status = 401
    code = "account_locked"


def _region(user: User) -> str | None:
    grant = user.primary_grant()
    return grant.region_id if grant else None


def user_login(*, username: str, password: str, request: Any = None) -> User:
    """Check a username and password. Same message for an unknown user and a wrong password; after
    ``LOGIN_MAX_FAILURES`` consecutive failures the account is locked for ``LOGIN_LOCKOUT_MINUTES``."""
    username = (username or "").strip()
    now = timezone.now()
    account = User.objects.filter(username=username).first()
    if account is not None and account.locked_until and account.locked_until > now:
        minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)
        raise AccountLocked(f"该账户因连续登录失败已被锁定，请约 {minutes} 分钟后再试，或联系管理员解锁")
    user = authenticate(request, username=username, password=password) if username and password else None
    if user is None:
        if account is not None:
            with transaction.atomic():
                User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
                account.refresh_from_db(fields=["failed_logins"])
                audit_record(
                    actor=SYSTEM,
                    region=_region(account),
                    event="auth.login_failed",
                    obj=account,
                    data={"failures": account.failed_logins},
                )
                if account.failed_logins >= settings.LOGIN_MAX_FAILURES:
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
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
        audit_record(actor=user, region=_region(user), event="auth.login", obj=user)
    return user


def token_issue(*, user: User) -> Token:
    """Return the user's API token, replacing it when expired (several clients may share one)."""
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if not created and token.created < timezone.now() - timedelta(hours=settings.API_TOKEN_HOURS):
            token.delete()
            token = Token.objects.create(user=user)
            created = True
        if created:
            audit_record(actor=user, region=_region(user), event="auth.token_issued", obj=user)
    return token


def token_revoke(*, user: User) -> None:
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        audit_record(actor=user, region=_region(user), event="auth.logout", obj=user)


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
