"""With a real broker configured (CI's PostgreSQL + Redis run), a recorded job travels through Redis to
a Celery worker and its run is recorded. Skipped when no broker is configured (SQLite/demo mode)."""

import time

import pytest
from django.conf import settings

from yiyang.core.jobs import JOBS
from yiyang.core.models import JobRun


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL, reason="no broker configured (demo mode runs jobs in-process)"
)
def test_job_runs_through_the_real_broker(transactional_db: object) -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        JOBS["yiyang.core.tasks.clear_expired_sessions"].task.apply_async(kwargs={"_trigger": "manual"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not JobRun.objects.filter(status="succeeded").exists():
            time.sleep(0.2)
    run = JobRun.objects.get()
    assert run.status == "succeeded" and run.trigger == "manual" and run.task_id
