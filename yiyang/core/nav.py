"""Navigation registry. Each app registers its menu entries in ``AppConfig.ready``; the layout shows
the ones whose permission the user holds (the role-based navigation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None
    section: str = "业务"
    order: int = 50
    superuser: bool = False  # shown to a system administrator (superuser) only

    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


_ITEMS: dict[str, NavItem] = {}
SECTION_ORDER = ["工作台", "老年人", "评估", "服务", "监管", "系统"]


def register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def items_for(user: object) -> list[tuple[str, list[NavItem]]]:
    has_perm = getattr(user, "has_perm", None)
    visible = [i for i in _ITEMS.values() if i.perm is None or (has_perm is not None and has_perm(i.perm))]
    visible = [i for i in visible if not i.superuser or getattr(user, "is_superuser", False)]
    sections: dict[str, list[NavItem]] = {}
    for item in sorted(visible, key=lambda i: i.order):
        sections.setdefault(item.section, []).append(item)
    order = {name: n for n, name in enumerate(SECTION_ORDER)}
    return sorted(sections.items(), key=lambda kv: order.get(kv[0], 50))


# Elder mode (families, elders): a short menu of the pages a family uses, in its own words.
_FAMILY: dict[str, int] = {}


def register_family(url_name: str, order: int = 50) -> None:
    """Show this (already registered) entry in the family menu."""
    _FAMILY[url_name] = order


def family_items_for(user: object) -> list[tuple[str, list[NavItem]]]:
    has_perm = getattr(user, "has_perm", None)
    items = [
        _ITEMS[name]
        for name in sorted(_FAMILY, key=lambda n: _FAMILY[n])
        if name in _ITEMS
        and (_ITEMS[name].perm is None or (has_perm is not None and has_perm(_ITEMS[name].perm)))
    ]
    return [("", items)] if items else []
