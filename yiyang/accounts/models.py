from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from yiyang.accounts.roles import OWN, REGION, ROLE_PERMISSIONS, Role
from yiyang.core.regioncodes import scope_prefix


class User(AbstractUser):
    """A platform account. Public id is a UUID; what it may do comes from its grants."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    # --- grants and permissions (cached per request on the instance) -------------------------------
    def active_grants(self) -> list[Grant]:
        cached: list[Grant] | None = getattr(self, "_grants_cache", None)
        if cached is None:
            cached = list(self.grants.filter(is_active=True).select_related("region").order_by("id"))
            self._grants_cache = cached
        return cached

    def primary_grant(self) -> Grant | None:
        grants = self.active_grants()
        return grants[0] if grants else None

    def roles(self) -> set[str]:
        return {g.role for g in self.active_grants()}

    def permission_kinds(self, perm: str) -> set[str]:
        return {ROLE_PERMISSIONS.get(g.role, {}).get(perm, "") for g in self.active_grants()} - {""}

    def holds(self, perm: str) -> bool:
        return self.is_superuser or bool(self.permission_kinds(perm))

    def has_own_scope(self, perm: str) -> bool:
        return OWN in self.permission_kinds(perm)

    def scope_prefixes(self, perm: str) -> list[str]:
        prefixes = sorted(
            {
                scope_prefix(g.region_id)
                for g in self.active_grants()
                if ROLE_PERMISSIONS.get(g.role, {}).get(perm) == REGION
            },
            key=len,
        )
        kept: list[str] = []
        for p in prefixes:  # drop prefixes already covered by a shorter one
            if not any(p.startswith(k) for k in kept):
                kept.append(p)
        return kept

    def in_region_scope(self, perm: str, region_code: str) -> bool:
        return self.is_superuser or any(region_code.startswith(p) for p in self.scope_prefixes(perm))


class Grant(models.Model):
    """A role held in a region (and everything below it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域"
    )
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "region"], name="uniq_grant")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.region_id}"


def users_in_scope_q(user: Any, perm: str) -> Q:
    """Users having a grant inside the acting user's scope."""
    q = Q()
    for prefix in user.scope_prefixes(perm):
        q |= Q(grants__region_id__startswith=prefix)
    return q


class AuthToken(models.Model):
    """One API token per login. Only the SHA-256 of the key is stored; the key is shown once, at issue.
    A token dies after ``API_TOKEN_HOURS`` without use, ``API_TOKEN_MAX_HOURS`` after issue, or when
    revoked (logout, or 退出 on the account's sessions page)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    client = models.CharField("客户端", max_length=200, blank=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", db_index=True)
    expires_at = models.DateTimeField("最迟失效时间")
    revoked_at = models.DateTimeField("退出时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="authtoken_user_live")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"
