"""Generated service-level scope tests (decision 0006).

For every public write function of the services modules (``service_kit.SERVICE_MODULES``):

* it has a case (``*/tests/service_cases.py``) or is declared as writing nothing;
* the other county's admin, on county-A rows, is refused (``OutOfScope``) and no row and no audit row
  changes;
* the right actor writes exactly the case's audit rows;
* the change and its audit row are one transaction: when the audit insert fails (a database trigger
  refuses it), nothing of the change remains.
"""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from yiyang.audit.models import AuditEvent
from yiyang.core.tests.service_kit import discover, service_modules

CASES, NOT_WRITES = discover()
SNAPSHOT_APPS = [
    "elders",
    "assessments",
    "providers",
    "orders",
    "audit",
    "core",
    "benefits",
    "hotline",
    "renovation",
    "visits",
    "analytics",
]


def public_functions() -> list[str]:
    names = []
    for module in service_modules():
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and func.__module__ == module.__name__:
                names.append(f"{module.__name__}.{name}")
    return sorted(names)


def snapshot() -> dict[str, str]:
    out = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = list(model._default_manager.order_by("pk").values_list())
            out[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def test_every_public_service_has_a_case() -> None:
    missing = [n for n in public_functions() if n not in CASES and n not in NOT_WRITES]
    assert not missing, f"services without a case in */tests/service_cases.py: {missing}"
    stale = [n for n in [*CASES, *NOT_WRITES] if n not in public_functions()]
    assert not stale, f"cases for functions that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("target", sorted(CASES))
def test_other_county_is_refused_and_nothing_changes(target: str, cast: Any) -> None:
    case = CASES[target]
    world = case.arrange(cast)
    before = snapshot()
    if case.denied is type(None):  # a sweep over the other county's scope: finds nothing, no error
        case.act(cast, world, case.other(cast, world))
    else:
        with pytest.raises(case.denied):
            case.act(cast, world, case.other(cast, world))
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("target", sorted(CASES))
def test_right_actor_writes_its_audit_rows(target: str, cast: Any) -> None:
    case = CASES[target]
    world = case.arrange(cast)
    before = AuditEvent.objects.count()
    case.act(cast, world, case.actor(cast, world))
    assert AuditEvent.objects.count() - before == case.audits


_TRIGGERS = {
    "sqlite": (
        [
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        ],
        ["DROP TRIGGER refuse_audit"],
    ),
    "postgresql": (
        [
            "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; "
            "END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ],
        ["DROP TRIGGER refuse_audit ON audit_auditevent", "DROP FUNCTION refuse_audit()"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("target", sorted(t for t, c in CASES.items() if c.audits))
def test_change_and_audit_row_are_one_transaction(target: str, cast: Any) -> None:
    case = CASES[target]
    world = case.arrange(cast)
    actor = case.actor(cast, world)
    create, drop = _TRIGGERS[connection.vendor]
    before = snapshot()
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    try:
        with pytest.raises(Exception):  # noqa: B017 (the database refuses; the service may wrap it)
            case.act(cast, world, actor)
    finally:
        with connection.cursor() as cursor:
            for sql in drop:
                cursor.execute(sql)
    assert snapshot() == before
