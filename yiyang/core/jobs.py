"""Background jobs: a Celery base task that records every run, and a registry for the jobs page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from yiyang.core.logging import scrub


class RecordedTask(Task):
    """Writes a ``JobRun`` row for each execution (start, end, duration, result or error).

    ``_trigger`` ("schedule" or "manual") is an extra keyword consumed here, so argument checking of the
    task signature is left to the call itself (``typing = False``)."""

    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from yiyang.core.models import JobRun

        trigger = kwargs.pop("_trigger", "schedule")
        run = JobRun.objects.create(name=self.name, task_id=self.request.id or "", trigger=trigger)
        started = time.perf_counter()
        try:
            result = super().__call__(*args, **kwargs)
        except Exception as exc:
            JobRun.objects.filter(pk=run.pk).update(
                status=JobRun.Status.FAILED,
                finished_at=timezone.now(),
                duration_ms=int((time.perf_counter() - started) * 1000),
                error=scrub(f"{type(exc).__name__}: {exc}")[:2000],
            )
            raise
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            duration_ms=int((time.perf_counter() - started) * 1000),
            result=result if isinstance(result, dict) else {"value": result},
        )
        return result


@dataclass(frozen=True)
class JobInfo:
    name: str
    label: str
    task: Any
    manual: bool = True  # False: the job needs arguments (e.g. an uploaded file) and has no 立即运行


JOBS: dict[str, JobInfo] = {}


def recorded_job(name: str, label: str, *, manual: bool = True) -> Any:
    """Decorator: a recorded Celery task, listed on the jobs page under ``label``; ``manual=False`` for a
    job that only runs with its arguments (no 立即运行 button)."""

    def wrap(func: Any) -> Any:
        task = shared_task(name=name, base=RecordedTask, bind=False)(func)
        JOBS[name] = JobInfo(name=name, label=label, task=task, manual=manual)
        return task

    return wrap
