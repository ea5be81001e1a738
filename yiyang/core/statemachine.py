"""State machines as tables (ARCHITECTURE rule 3).

A machine is a mapping ``{from_status: {to_status, ...}}``. ``transition`` performs a compare-and-swap
``UPDATE ... WHERE pk = ? AND status = old`` so two concurrent movers can never both win, and lets the
caller write the timeline row in the same transaction. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models, transaction

from yiyang.core.errors import Conflict


class IllegalTransition(Conflict):
    code = "illegal_transition"


class LostRace(Conflict):
    code = "concurrent_update"


class StateMachine:
    def __init__(
        self, edges: Mapping[str, set[str] | frozenset[str]], labels: Mapping[str, str] | None = None
    ):
        self.edges = {k: frozenset(v) for k, v in edges.items()}
        self.labels = dict(labels or {})

    def can(self, old: str, new: str) -> bool:
        return new in self.edges.get(old, frozenset())

    def targets(self, old: str) -> frozenset[str]:
        return self.edges.get(old, frozenset())

    def label(self, status: str) -> str:
        return self.labels.get(status, status)


def transition(
    *,
    obj: models.Model,
    to: str,
    machine: StateMachine,
    on_moved: Callable[[str, str], Any] | None = None,
    field: str = "status",
    updates: Mapping[str, Any] | None = None,
) -> models.Model:
    """Move ``obj`` to status ``to`` or raise ``IllegalTransition`` / ``LostRace`` (both HTTP 409).

    ``on_moved(old, new)`` runs inside the same transaction after the swap succeeded, typically writing
    the timeline row and the audit event. ``updates`` are extra columns set in the same UPDATE.
    """
    model = type(obj)
    with transaction.atomic():
        old = getattr(obj, field)
        if not machine.can(old, to):
            raise IllegalTransition(
                f"当前状态为「{machine.label(old)}」，不能变更为「{machine.label(to)}」",
                extra={"current_status": old},
            )
        values = {field: to, **(updates or {})}
        moved = model._default_manager.filter(pk=obj.pk, **{field: old}).update(**values)
        if moved == 0:
            current = model._default_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
            raise LostRace(
                f"该记录已被他人处理，当前状态为「{machine.label(str(current))}」，请刷新后重试",
                extra={"current_status": current},
            )
        for key, value in values.items():
            setattr(obj, key, value)
        if on_moved is not None:
            on_moved(old, to)
    return obj
