"""State machines as tables (ARCHITECTURE rule 3).

A machine is a mapping ``{from_status: {to_status, ...}}``, defined only in each app's ``transitions.py``.
``transition`` performs a compare-and-swap ``UPDATE ... WHERE pk = ? AND status = old`` so two concurrent
movers can never both win, and writes the timeline row (a ``core.TransitionEvent`` subclass: from, to,
actor, reason, data) in the same transaction. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models, transaction

from yiyang.core.errors import Conflict
from yiyang.core.models import TransitionEvent


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

    def require(self, old: str, new: str) -> None:
        """Raise ``IllegalTransition`` naming both statuses by label unless ``old → new`` is an edge."""
        if not self.can(old, new):
            raise IllegalTransition(
                f"当前状态为「{self.label(old)}」，不能变更为「{self.label(new)}」",
                extra={"current_status": old},
            )


def actor_name(actor: Any) -> str:
    """How a timeline shows who acted: the display name, or 系统 for jobs and anonymous callers."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return str(getattr(actor, "display_name", "") or "系统")
    return str(getattr(actor, "display_name", "") or actor.username)


def timeline_write(
    *,
    timeline: type[TransitionEvent],
    subject: models.Model,
    old: str,
    new: str,
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> TransitionEvent:
    """Write one timeline row. ``transition`` calls it for every move; services call it directly only for
    a creation (``old=""``), which is not a move of an existing row."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return timeline._default_manager.create(
        **{timeline.subject_name(): subject},
        from_status=old,
        to_status=new,
        actor=actor if authenticated else None,
        actor_name=actor_name(actor)[:150],
        reason=reason[:300],
        data=dict(data or {}),
        **(extra or {}),
    )


def transition(
    *,
    obj: models.Model,
    to: str,
    machine: StateMachine,
    timeline: type[TransitionEvent],
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    timeline_extra: Mapping[str, Any] | None = None,
    on_moved: Callable[[str, str], Any] | None = None,
    field: str = "status",
    updates: Mapping[str, Any] | None = None,
) -> models.Model:
    """Move ``obj`` to status ``to`` or raise ``IllegalTransition`` / ``LostRace`` (both HTTP 409).

    After the swap succeeded and in the same transaction, ``on_moved(old, new)`` runs for further effects
    (audit event, flags, outbox messages), then the timeline row (``timeline``: old → new, actor, reason,
    ``data``, plus ``timeline_extra`` columns) is written; ``data`` is read after ``on_moved``, so effects
    may add what they did to it. ``updates`` are extra columns set in the same
    UPDATE."""
    model = type(obj)
    with transaction.atomic():
        old = getattr(obj, field)
        machine.require(old, to)
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
        timeline_write(
            timeline=timeline,
            subject=obj,
            old=old,
            new=to,
            actor=actor,
            reason=reason,
            data=data,
            extra=timeline_extra,
        )
    return obj
