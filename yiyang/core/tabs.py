"""Tabs of the elder page, a registry next to ``nav`` and ``home``. The register shows what it knows
(overview, categories, contacts, status); later apps add theirs (assessments, orders…) from their
``AppConfig.ready`` without touching the elder templates::

    from yiyang.core.tabs import register_tab

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
