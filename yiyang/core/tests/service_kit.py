"""The service-level registry behind ``test_service_scope.py``.

Each app lists, in ``yiyang/<app>/tests/service_cases.py``:

* ``SERVICE_CASES``: one ``ServiceCase`` per public write function of its services modules, keyed by
  ``"<module>.<function>"``. ``arrange(cast)`` builds county-A rows (community A1) and returns them;
  ``act(cast, world, actor)`` makes the call; ``actor`` names who may (default the county admin of A),
  ``other`` who may not (default the county admin of B); ``denied`` what the other gets (``OutOfScope``;
  ``Forbidden`` where the permission is held only by own-scope roles); ``audits`` how many audit rows
  one allowed call writes.
* ``NOT_WRITES``: public functions of those modules that write nothing (checks, readers, helpers), each
  with the reason.

A public function in none of the two fails the suite, so a new service cannot ship without its case.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from yiyang.core.errors import OutOfScope


def _county_a_admin(cast: Any, world: Any) -> Any:
    return cast.county_admin_a


def _county_b_admin(cast: Any, world: Any) -> Any:
    return cast.county_admin_b


@dataclass
class ServiceCase:
    arrange: Callable[[Any], Any]
    act: Callable[[Any, Any, Any], Any]
    actor: Callable[[Any, Any], Any] = _county_a_admin
    other: Callable[[Any, Any], Any] = _county_b_admin
    denied: type[Exception] = OutOfScope
    audits: int = 1


SERVICE_MODULES = [
    "yiyang.elders.services",
    "yiyang.assessments.services",
    "yiyang.providers.services",
    "yiyang.orders.services",
    "yiyang.orders.complaints",
    "yiyang.orders.settlement",
    "yiyang.orders.dispatching",
    "yiyang.benefits.services",
    "yiyang.orders.ordering",
    "yiyang.orders.recurring",
    "yiyang.orders.exporting",
    "yiyang.accounts.services",
    "yiyang.audit.services",
    "yiyang.hotline.services",
    "yiyang.renovation.services",
    "yiyang.devices.services",
    "yiyang.visits.services",
    "yiyang.analytics.services",
]


def service_modules() -> list[Any]:
    out = []
    for name in SERVICE_MODULES:
        try:
            out.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return out


def discover() -> tuple[dict[str, ServiceCase], dict[str, str]]:
    cases: dict[str, ServiceCase] = {}
    not_writes: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("yiyang."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.service_cases")
        except ModuleNotFoundError as exc:
            if exc.name not in {f"{config.name}.tests", f"{config.name}.tests.service_cases"}:
                raise
            continue
        cases.update(getattr(module, "SERVICE_CASES", {}))
        not_writes.update(getattr(module, "NOT_WRITES", {}))
    return cases, not_writes
