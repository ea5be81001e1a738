"""Two people confirming the same submitted assessment at once: exactly one wins (CAS), the elder's level
is written once. Needs PostgreSQL (real concurrent transactions)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from yiyang.assessments import services
from yiyang.assessments.models import Assessment, Status
from yiyang.assessments.tests.factories import make_assessment
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"
    ),
]


def test_concurrent_completion_has_one_winner(transactional_db: Any, cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="submitted")
    people = list(a.assessors.all())
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def worker(person: Any) -> None:
        from django.db import connections

        try:
            mine = Assessment.objects.select_related("elder").get(pk=a.pk)
            barrier.wait()
            services.assessment_complete(assessment=mine, actor=person)
            outcomes.append("won")
        except Conflict:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert Assessment.objects.get(pk=a.pk).status == Status.COMPLETED
    assert AuditEvent.objects.filter(event="assessments.completed", object_id=str(a.public_id)).count() == 1
