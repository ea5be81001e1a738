from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class GrantBackend(ModelBackend):
    """Password check as usual (Argon2); permissions come from the user's role grants, not Django groups."""

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        holds = getattr(user_obj, "holds", None)
        return bool(holds and holds(perm))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        from yiyang.accounts.roles import PERMISSIONS

        return {p for p in PERMISSIONS if self.has_perm(user_obj, p)}
