from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yiyang.core import home
from yiyang.core.jobs import JOBS
from yiyang.core.models import JobRun
from yiyang.core.pages import paginate


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    grants = user.active_grants()
    return render(
        request,
        "core/home.html",
        {
            "grants": grants,
            "cards": home.cards_for(user),
        },
    )


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # the broker's own errors vary by transport
        return f"error: {type(exc).__name__}"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and dependencies: database round-trip and broker reachability (no personal data)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as exc:
        database = f"error: {type(exc).__name__}"
    broker = _broker_state()
    healthy = database == "ok" and not broker.startswith("error")
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": database,
            "database_vendor": connection.vendor,
            "broker": broker,
        },
        status=200 if healthy else 503,
    )


@login_required
def jobs_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("jobs.view"):
        raise PermissionDenied
    runs = JobRun.objects.all()
    name = request.GET.get("name")
    if name:
        runs = runs.filter(name=name)
    return render(
        request,
        "core/jobs.html",
        {
            "jobs": sorted(JOBS.values(), key=lambda j: j.label),
            "page": paginate(request, runs, 30),
            "can_run": request.user.has_perm("jobs.run"),
            "name": name or "",
        },
    )


@login_required
@require_POST
def job_run_now(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.has_perm("jobs.run"):
        raise PermissionDenied
    job = JOBS.get(name)
    if job is None:
        messages.error(request, "没有这个后台任务")
        return redirect("core:jobs")
    if not job.manual:
        messages.error(request, f"「{job.label}」需随上传的文件运行，不能手动运行")
        return redirect("core:jobs")
    from yiyang.audit.services import audit_record  # audit is a platform app the kernel may call lazily

    with transaction.atomic():
        grant = request.user.primary_grant()  # type: ignore[union-attr]
        audit_record(
            actor=request.user,
            region=grant.region_id if grant else None,
            event="jobs.run",
            data={"job": name},
        )
    job.task.apply_async(kwargs={"_trigger": "manual"})
    messages.success(request, f"已提交「{job.label}」，运行记录见下表")
    return redirect("core:jobs")


def styleguide(request: HttpRequest) -> HttpResponse:
    """The style guide: public in development, for signed-in users in production."""
    if settings.PRODUCTION and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "core/styleguide.html")
