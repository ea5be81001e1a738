"""Tabs of the elder page. The register shows what it knows (overview, categories, contacts, status);
later apps add theirs (assessments, orders…) from their ``AppConfig.ready`` without touching these
templates::

    register_tab("assessments", "能力评估", "assessments.view", "assessments/_elder_tab.html",
                 lambda elder, user: {"rows": ...}, order=40)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ContextFn = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class ElderTab:
    key: str
    title: str
    perm: str
    template: str
    context_fn: ContextFn
    order: int = 50


TABS: dict[str, ElderTab] = {}


def register_tab(
    key: str, title: str, perm: str, template: str, context_fn: ContextFn, order: int = 50
) -> None:
    TABS[key] = ElderTab(key, title, perm, template, context_fn, order)


def tabs_for(user: Any) -> list[ElderTab]:
    return [t for t in sorted(TABS.values(), key=lambda t: (t.order, t.key)) if user.has_perm(t.perm)]


def tab_context(tab: ElderTab, elder: Any, user: Any) -> dict[str, Any]:
    return {"elder": elder, "tab": tab, **tab.context_fn(elder, user)}


# --- the register's own tabs ------------------------------------------------------------------------


def _overview(elder: Any, user: Any) -> dict[str, Any]:
    from yiyang.elders.selectors import elder_capability
    from yiyang.elders.services import birthplace_warnings

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
