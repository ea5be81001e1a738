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
