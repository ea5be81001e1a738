"""Background jobs: a Celery base task that records every run, and a registry for the jobs page.

Runs are region-scoped like every other row (decision 0006): a run carries the region it is about (the
county of an import; the city for a city-wide job such as the SLA sweep) and the jobs page lists
``JobRun.objects.restrict(user, "jobs.view")``. Only a system administrator (superuser) starts a
city-wide job by hand; jobs that act for one region (an import) start from their own page."""

from __future__ import annotations

import time
from collections.abc import Callable
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
        info = JOBS.get(self.name)
        region = ""
        if info is not None and info.region_of is not None:
            try:
                region = info.region_of(*args, **kwargs) or ""
            except Exception:  # the run is still recorded (as the city's) when the region is unknown
                region = ""
        run = JobRun.objects.create(
            name=self.name,
            task_id=self.request.id or "",
            trigger=trigger,
            region_code=region or city_code(),
        )
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


def city_code() -> str:
    """The city this deployment serves (``YIYANG_CITY_CODE``): the region of city-wide job runs."""
    from django.conf import settings

    return str(getattr(settings, "YIYANG_CITY_CODE", "321000000000"))


@dataclass(frozen=True)
class JobInfo:
    name: str
    label: str
    task: Any
    manual: bool = True  # False: the job needs arguments (e.g. an uploaded file) and has no 立即运行
    region_of: Callable[..., str] | None = None

    @property
    def city_wide(self) -> bool:
        """A job without ``region_of`` acts on the whole city (only a system administrator starts it)."""
        return self.region_of is None


JOBS: dict[str, JobInfo] = {}


def recorded_job(
    name: str, label: str, *, manual: bool = True, region_of: Callable[..., str] | None = None
) -> Any:
    """Decorator: a recorded Celery task, listed on the jobs page under ``label``; ``manual=False`` for a
    job that only runs with its arguments (no 立即运行 button). ``region_of(*args, **kwargs)`` gives the
    region one run is about (e.g. the import's county); without it the job is city-wide."""

    def wrap(func: Any) -> Any:
        task = shared_task(name=name, base=RecordedTask, bind=False)(func)
        JOBS[name] = JobInfo(name=name, label=label, task=task, manual=manual, region_of=region_of)
        return task

    return wrap


# What a run's result counts are called on the jobs page (a system administrator reads them in words).
RESULT_LABELS: dict[str, str] = {
    "removed": "清理会话",
    "claimed": "本次取出",
    "sent": "已投递",
    "failed": "失败",
    "timed_out": "接单超时",
    "redispatched": "已收回重派",
    "escalated": "已升级调度员",
    "processed": "处理行数",
    "created": "新增",
    "updated": "更新",
    "rejected": "有误未导入",
}


def result_summary(run: Any) -> str:
    """A run's outcome in words: 「已投递 3、失败 1」, 「运行失败」, 「完成，无需处理」 (never a dict)."""
    if run.status == "failed" or run.error:
        return "运行失败（详情已记入系统日志）"
    if run.status == "running":
        return "运行中"
    result = run.result if isinstance(run.result, dict) else {}
    if result.get("status") == "failed":
        return "运行失败（原因见该任务的业务页面）"
    if result.get("rejected") is True:
        return "文件有误，未写入任何行"
    # In the order of RESULT_LABELS, not of the stored dict: PostgreSQL's jsonb keeps no key order.
    parts = [
        f"{label} {v}"
        for k, label in RESULT_LABELS.items()
        if isinstance(v := result.get(k), int) and not isinstance(v, bool) and v
    ]
    return "、".join(parts) or "完成，无需处理"


def job_label(name: str) -> str:
    info = JOBS.get(name)
    return info.label if info is not None else "其他任务"


def job_runs(*, user: Any) -> Any:
    """The runs the user may see: those about a region in their ``jobs.view`` scope."""
    from yiyang.core.models import JobRun

    return JobRun.objects.restrict(user, "jobs.view")


def job_run_now(*, name: str, actor: Any) -> JobInfo:
    """Start a job by hand. City-wide jobs: system administrators only (a county admin holding
    ``jobs.run`` runs nothing city-wide: 403). Region jobs (an import) start from their own page.
    Audited (``jobs.run``) with the city's code, after which the task is queued."""
    from django.db import transaction

    from yiyang.audit.services import audit_record  # audit is a platform app the kernel may call lazily
    from yiyang.core.effects import after_commit
    from yiyang.core.errors import Conflict, Forbidden, OutOfScope
    from yiyang.regions.scope import require_scope

    job = JOBS.get(name)
    if job is None:
        raise OutOfScope("没有这个后台任务")
    if not job.manual:
        raise Conflict(f"「{job.label}」需随上传的文件运行，不能手动运行", code="not_manual")
    if not job.city_wide:
        raise Conflict("该任务需在其业务页面发起（例如批量导入页面上传文件）", code="not_manual")
    with transaction.atomic():
        require_scope(actor, "jobs.run", city_code())
        if not getattr(actor, "is_superuser", False) and not getattr(actor, "is_system", False):
            raise Forbidden("全市范围的后台任务只有系统管理员可以手动运行")
        audit_record(actor=actor, region=city_code(), event="jobs.run", data={"job": name})
        after_commit(job.task, _trigger="manual")
    return job
