"""Typed in-process hooks between apps (no signals). An app that must react to another's change
subscribes in its ``AppConfig.ready``; the owning service calls the hook inside its own transaction,
so every subscriber's writes commit or roll back with the change, and each reports what it did::

    from yiyang.core.hooks import ElderStatusChanged, on_elder_status_changed

    def stop_meals(event: ElderStatusChanged) -> dict[str, Any]:
        if not event.ends_service:
            return {}
        ...
        return {"meals_stopped": n}

    on_elder_status_changed(stop_meals)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

E = TypeVar("E")
Effects = dict[str, Any]


class Hook(Generic[E]):
    """An ordered list of subscribers for one kind of event; ``emit`` merges what they report."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Callable[[E], Effects]] = []

    def subscribe(self, handler: Callable[[E], Effects]) -> Callable[[E], Effects]:
        if handler not in self._handlers:  # ready() may run more than once
            self._handlers.append(handler)
        return handler

    @property
    def handlers(self) -> tuple[Callable[[E], Effects], ...]:
        return tuple(self._handlers)

    def emit(self, event: E) -> Effects:
        effects: Effects = {}
        for handler in self._handlers:
            effects.update(handler(event) or {})
        return effects

    @contextmanager
    def only(self, *handlers: Callable[[E], Effects]) -> Iterator[None]:
        """Tests: run with just these subscribers, then restore the registered ones."""
        saved = self._handlers[:]
        self._handlers[:] = list(handlers)
        try:
            yield
        finally:
            self._handlers[:] = saved


@dataclass(frozen=True)
class ElderStatusChanged:
    """An elder's status moved (e.g. active → deceased). ``elder_id`` is the public id."""

    elder_id: UUID
    region_code: str
    old: str
    new: str
    effective_date: date | None
    actor: Any
    at: datetime

    @property
    def ends_service(self) -> bool:
        """Death or moving out: every benefit, open order and booking of the elder stops."""
        return self.new != "active"


elder_status_changed: Hook[ElderStatusChanged] = Hook("elder_status_changed")


def on_elder_status_changed(
    handler: Callable[[ElderStatusChanged], Effects],
) -> Callable[[ElderStatusChanged], Effects]:
    """Subscribe to elder status changes (call from ``AppConfig.ready``)."""
    return elder_status_changed.subscribe(handler)


# What a subscriber's effect keys mean, for people (the timeline stores the keys, pages show these).
EFFECT_LABELS: dict[str, str] = {}


def register_effect_labels(labels: dict[str, str]) -> None:
    """A subscriber names its effect keys once, at start-up (``AppConfig.ready``)."""
    EFFECT_LABELS.update(labels)


def effects_text(effects: dict[str, Any] | None) -> str:
    """「已取消工单 1 单、已关闭评估 1 项」: the effects of a status change as people read them."""
    return "、".join(f"{EFFECT_LABELS.get(k, '其他')} {v}" for k, v in (effects or {}).items() if v)


@dataclass(frozen=True)
class ElderRegistered:
    """An elder was registered or their register entry changed (``created`` tells which); subscribers
    (免申即享 enrolment in benefits) act inside the register's transaction. ``elder_pk`` is the row id."""

    elder_pk: int
    region_code: str
    created: bool
    actor: Any


elder_registered: Hook[ElderRegistered] = Hook("elder_registered")


def on_elder_registered(
    handler: Callable[[ElderRegistered], Effects],
) -> Callable[[ElderRegistered], Effects]:
    """Subscribe to register creations and edits (call from ``AppConfig.ready``)."""
    return elder_registered.subscribe(handler)


@dataclass(frozen=True)
class ServiceCharged:
    """A settled home-service order charged a government share: a subscriber may fund it from the
    elder's service credit (养老服务补贴额度) and reports how much it took."""

    elder_pk: int
    region_code: str
    order_public_id: UUID
    government_fen: int
    month: str
    actor: Any


service_charged: Hook[ServiceCharged] = Hook("service_charged")


def on_service_charged(handler: Callable[[ServiceCharged], Effects]) -> Callable[[ServiceCharged], Effects]:
    """Subscribe to settled charges (call from ``AppConfig.ready``)."""
    return service_charged.subscribe(handler)


@dataclass(frozen=True)
class ServiceChargeReversed:
    """A settled charge was reversed (冲正, by hand or by an upheld complaint): the mirror of
    ``ServiceCharged`` — a subscriber gives back what it funded for that order."""

    elder_pk: int
    region_code: str
    order_public_id: UUID
    reason: str
    actor: Any


service_charge_reversed: Hook[ServiceChargeReversed] = Hook("service_charge_reversed")


def on_service_charge_reversed(
    handler: Callable[[ServiceChargeReversed], Effects],
) -> Callable[[ServiceChargeReversed], Effects]:
    """Subscribe to reversed charges (call from ``AppConfig.ready``)."""
    return service_charge_reversed.subscribe(handler)
