"""The elder register's own tabs of the elder page (the registry itself is ``yiyang.core.tabs``)."""

from __future__ import annotations

from typing import Any

from yiyang.core.tabs import register_tab

# --- the register's own tabs ------------------------------------------------------------------------


def _overview(elder: Any, user: Any) -> dict[str, Any]:
    from yiyang.elders.identity import birthplace_warnings
    from yiyang.elders.selectors import elder_capability

    return {
        "capability": elder_capability(elder),
        "warnings": birthplace_warnings(elder.id_number_masked[:6]),
        "can_reveal": user.has_perm("elders.reveal"),
    }


def _categories(elder: Any, user: Any) -> dict[str, Any]:
    return {"categories": list(elder.categories.order_by("category"))}


def _contacts(elder: Any, user: Any) -> dict[str, Any]:
    return {"contacts": list(elder.contacts.order_by("-is_emergency", "id"))}


def _status(elder: Any, user: Any) -> dict[str, Any]:
    return {"changes": list(elder.status_changes.select_related("actor").order_by("-at"))}


def register_builtin_tabs() -> None:
    register_tab("overview", "基本信息", "elders.view", "elders/tabs/overview.html", _overview, order=10)
    register_tab("categories", "类别", "elders.view", "elders/tabs/categories.html", _categories, order=20)
    register_tab("contacts", "联系人", "elders.view", "elders/tabs/contacts.html", _contacts, order=30)
    register_tab("status", "状态记录", "elders.view", "elders/tabs/status.html", _status, order=90)
