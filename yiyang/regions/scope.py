"""The one region-scope mechanism (ARCHITECTURE rule 2).

Every region-bound model stores the 12-digit code of its finest region. Because statistical codes nest
by prefix (province = 2 digits, city = 4, county = 6, street/town = 9, community/village = 12), "this
region and everything below" is a ``LIKE 'prefix%'`` on an indexed column. ``restrict(user, perm)`` ORs
the prefixes of the user's grants whose role holds ``perm`` with region scope, plus — for roles whose
scope is their own records (caregiver, provider, family) — the model's ``scope_own_q``.
"""

from __future__ import annotations

from typing import Any, Protocol, Self

from django.db import models
from django.db.models import Q


class ScopeUser(Protocol):
    is_authenticated: bool
    is_superuser: bool

    def scope_prefixes(self, perm: str) -> list[str]: ...


def prefixes_q(field: str, prefixes: list[str]) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


class ScopedQuerySet(models.QuerySet[Any]):
    def restrict(self, user: Any, perm: str) -> Self:
        if getattr(user, "is_system", False):
            return self
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        field: str = self.model.scope_region_field
        q = prefixes_q(field, user.scope_prefixes(perm))
        own = getattr(self.model, "scope_own_q", None)
        if own is not None:
            own_q = own(user, perm)
            if own_q is not None:
                q |= own_q
        if not q.children:
            return self.none()
        return self.filter(q)

    def in_scope(self, user: Any, perm: str, **lookup: Any) -> Any:
        """One object in scope or ``None`` (callers turn ``None`` into a 404)."""
        return self.restrict(user, perm).filter(**lookup).first()


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


# --------------------------------------------------------------------------------------------------------
# The write-scope gate (ARCHITECTURE rule 2, decision 0006)
# --------------------------------------------------------------------------------------------------------


class SystemActor:
    """The platform itself acting: scheduled jobs, Celery tasks, the SLA sweep, demo seeding and data
    migrations. It passes every scope check and is recorded in audit and timelines as 系统. It is a
    typed sentinel (one instance, ``SYSTEM``) so that a forgotten actor (``None``) is an error instead of
    a silent pass."""

    _instance: SystemActor | None = None

    is_authenticated = False
    is_superuser = False
    is_system = True
    pk = None
    id = None
    username = ""
    display_name = "系统"

    def __new__(cls) -> SystemActor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "系统"

    def __bool__(self) -> bool:
        return True

    def roles(self) -> set[str]:
        return set()

    def holds(self, perm: str) -> bool:
        return True

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def has_own_scope(self, perm: str) -> bool:
        return False

    def scope_prefixes(self, perm: str) -> list[str]:
        return [""]

    def in_region_scope(self, perm: str, region_code: str) -> bool:
        return True


SYSTEM = SystemActor()


def is_system(actor: Any) -> bool:
    return actor is SYSTEM


def require_actor(actor: Any) -> None:
    """``None`` as an actor is a programming error: jobs pass ``SYSTEM``."""
    if actor is None:
        raise TypeError("actor is required: pass the acting user, or SYSTEM for jobs and tasks")


def require_scope(actor: Any, permission: str, region_code: str | None, *, own: bool = False) -> None:
    """The one write-scope gate. Every service calls it, inside its transaction, for every region it
    writes into (the elder's region for a row naming an elder, the organisation's for a provider row,
    the city's for the catalog).

    * ``SYSTEM`` passes; a superuser passes.
    * ``None`` raises ``TypeError`` (a forgotten actor must never fail open).
    * the region gate: ``region_code`` (the 12-digit code stored on the row) lies under one of the
      actor's grants whose role holds ``permission`` with region scope;
    * the own gate: ``own`` is the service's finding that the actor is the row's own person (the
      order's caregiver, an admin of the organisation, the elder's family contact); it counts only for
      roles holding ``permission`` with own scope;
    * an actor holding ``permission`` in neither way → ``Forbidden`` (403): refused whatever the object;
    * an actor holding ``permission`` but not over this row → ``OutOfScope`` (404), the same answer as
      for an object that does not exist."""
    from yiyang.core.errors import Forbidden, OutOfScope

    require_actor(actor)
    if actor is SYSTEM:
        return
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden("请先登录")
    if getattr(actor, "is_superuser", False):
        return
    code = str(region_code or "")
    prefixes = actor.scope_prefixes(permission)
    if code and any(code.startswith(p) for p in prefixes):
        return
    own_scope = actor.has_own_scope(permission)
    if own and own_scope:
        return
    if prefixes or own_scope:
        raise OutOfScope("不存在或不在您的管辖范围内")
    raise Forbidden("您没有执行该操作的权限")


def county_code(code: str) -> str:
    """The 12-digit code of the county (区县) containing ``code`` (the code itself above county level)."""
    code = str(code or "")
    if len(code) < 6:
        return code.ljust(12, "0")
    return code[:6] + "000000"
