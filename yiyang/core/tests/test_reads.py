"""Several reads in one round trip (``yiyang.core.reads``): the rows are the ORM's rows, typed the same,
on SQLite and on PostgreSQL, in one query where the database can."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiyang.core.models import Notification
from yiyang.core.policy_models import PolicyValue
from yiyang.core.reads import SubjectRows, read_together

pytestmark = pytest.mark.django_db

POLICY_FIELDS = ("pk", "public_id", "key", "value", "valid_from", "valid_to", "created_at")


def _policies() -> None:
    for n, (key, value) in enumerate([("test.a", "12.50"), ("test.b", "3"), ("test.a", "7")]):
        PolicyValue.objects.create(
            key=key,
            region_code="",
            value=Decimal(value),
            unit="米",
            valid_from=date(2026, 1, 1) + timedelta(days=n),
            source="测试",
        )


def _notes(user: Any, n: int) -> None:
    for i in range(n):
        Notification.objects.create(recipient=user, title=f"通知 {i}", key=f"reads-{user.pk}-{i}")


def test_the_rows_are_the_orms_rows_typed_alike(cast: Any) -> None:
    _policies()
    _notes(cast.family, 3)
    _notes(cast.caregiver, 1)
    policies = PolicyValue.objects.filter(key__startswith="test.").values(*POLICY_FIELDS)
    notes = SubjectRows(
        Notification, "recipient_id", cast.family.pk, ("id", "title", "created_at", "read_at")
    )
    with CaptureQueriesContext(connection) as ctx:
        found = read_together({"policies": policies, "notes": notes})
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)

    def key(row: dict[str, Any]) -> Any:
        return row.get("pk", row.get("id"))

    assert sorted(found["policies"], key=key) == sorted(policies, key=key)
    assert sorted(found["notes"], key=key) == sorted(notes.queryset(), key=key)
    row = found["policies"][0]
    assert isinstance(row["value"], Decimal) and isinstance(row["valid_from"], date)
    assert row["public_id"] == PolicyValue.objects.get(pk=row["pk"]).public_id  # a UUID, not its text
    assert all(timezone.is_aware(n["created_at"]) and n["read_at"] is None for n in found["notes"])
    assert {n["title"] for n in found["notes"]} == {"通知 0", "通知 1", "通知 2"}  # the family's only


def test_a_sliced_part_picks_the_row_the_orm_picks(cast: Any) -> None:
    _policies()
    latest = (
        PolicyValue.objects.filter(key="test.a").order_by("-valid_from").values("value", "valid_from")[:1]
    )
    found = read_together({"latest": latest})
    assert found["latest"] == list(latest) and found["latest"][0]["value"] == Decimal("7")


def test_empty_parts_cost_nothing(cast: Any) -> None:
    with CaptureQueriesContext(connection) as ctx:
        found = read_together({"none": PolicyValue.objects.none().values("pk")})
    assert found == {"none": []} and not ctx.captured_queries


def test_a_subjects_rows_are_compiled_once_and_read_for_each_subject(cast: Any) -> None:
    _notes(cast.family, 2)
    _notes(cast.caregiver, 1)
    fields = ("id", "title")
    first = read_together({"n": SubjectRows(Notification, "recipient_id", cast.family.pk, fields)})
    second = read_together({"n": SubjectRows(Notification, "recipient_id", cast.caregiver.pk, fields)})
    assert len(first["n"]) == 2 and [r["title"] for r in second["n"]] == ["通知 0"]
    if connection.vendor == "postgresql":
        a = SubjectRows(Notification, "recipient_id", cast.family.pk, fields).sql("default")
        b = SubjectRows(Notification, "recipient_id", cast.caregiver.pk, fields).sql("default")
        assert a[0] == b[0] and (a[1], b[1]) == ((cast.family.pk,), (cast.caregiver.pk,))
