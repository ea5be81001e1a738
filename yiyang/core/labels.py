"""The one place that turns code values into the Chinese words people read (no machine codes on any
screen, export or PDF).

Every model field declared with ``choices`` is looked up from the models themselves (``field_label``), so
a new status needs no second list. Values that are not a model field's choices (a standard stored in a
plain column, a role, an audit data key) are registered by their app in ``AppConfig.ready`` with
``register(kind, choices)``. Templates use ``{% load labels %}``: ``{{ code|label:"kind" }}``,
``{{ obj|choice:"field" }}``, ``{{ user|person }}``; exports and PDFs call the functions here.

Users are named by their display name (姓名), never their login name; personal names in places that
must not show them in full (the audit list) go through ``mask_name``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_KINDS: dict[str, dict[str, str]] = {}


def _pairs(choices: Any) -> dict[str, str]:
    if hasattr(choices, "choices"):  # a TextChoices / IntegerChoices class
        choices = choices.choices
    if isinstance(choices, Mapping):
        return {str(k): str(v) for k, v in choices.items()}
    return {str(k): str(v) for k, v in choices}


def register(kind: str, choices: Any) -> None:
    """Register (or extend) a kind of code: a choices class, ``[(code, label), …]`` or a mapping."""
    _KINDS.setdefault(kind, {}).update(_pairs(choices))


def kinds() -> dict[str, dict[str, str]]:
    return {k: dict(v) for k, v in _KINDS.items()}


def label(kind: str, code: Any, default: str | None = None) -> str:
    """The Chinese label of ``code`` in ``kind``; an unknown code gives ``default`` (or 未知, never the
    code itself), an empty one gives "—"."""
    if code is None or code == "":
        return "—"
    found = _KINDS.get(kind, {}).get(str(code))
    if found is not None:
        return found
    return default if default is not None else "未知"


def labels(kind: str, codes: Iterable[Any], sep: str = "、") -> str:
    return sep.join(label(kind, c) for c in codes) or "—"


def field_label(model: Any, field: str, code: Any) -> str:
    """The label of ``code`` in a model field's ``choices`` (the model's own list)."""
    if code is None or code == "":
        return "—"
    f = model._meta.get_field(field)
    found = dict((str(k), str(v)) for k, v in (f.flatchoices or [])).get(str(code))
    return found if found is not None else "未知"


def verbose_field(model: Any, field: str) -> str:
    """A model field's Chinese name (its verbose_name); a name that is not a field gives the registered
    ``field`` kind or the name itself in words where known."""
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:
        return label("field", field, default="其他信息")


def person(user: Any) -> str:
    """How a person is named on screen: the display name (姓名), never the login name; 系统 for jobs."""
    if user is None:
        return "系统"
    name = str(getattr(user, "display_name", "") or "")
    if not name and hasattr(user, "get_full_name"):
        name = user.get_full_name()
    return name or "（未填姓名的账户）"


def mask_name(name: str) -> str:
    """A person's name as lists show it: the platform's one masking rule (``core.identifiers.mask_name``,
    张三丰 → 张**), so the API, pages and the audit list mask a name alike."""
    from yiyang.core.identifiers import mask_name as mask

    return mask(name or "")


def all_codes() -> set[str]:
    """Every code value the platform knows (registered kinds and every model field's choices): the list
    the page tests look for in visible text."""
    from django.apps import apps

    out: set[str] = set()
    for mapping in _KINDS.values():
        out.update(k for k in mapping if not k.isdigit())
    for model in apps.get_models():
        if not model.__module__.startswith("yiyang."):
            continue
        for f in model._meta.get_fields():
            for k, _ in getattr(f, "flatchoices", None) or []:
                if isinstance(k, str) and not k.isdigit():
                    out.add(k)
    return out
