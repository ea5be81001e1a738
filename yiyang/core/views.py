from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yiyang.core import home, nav
from yiyang.core.context_processors import ELDER_MODE_KEY
from yiyang.core.errors import DomainError, Forbidden
from yiyang.core.jobs import JOBS, job_label, job_runs, result_summary
from yiyang.core.jobs import job_run_now as run_job_now
from yiyang.core.models import Notification, OutboxMessage
from yiyang.core.pages import paginate


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    roles = user.roles() if hasattr(user, "roles") else set()
    if roles and roles <= {"family"}:
        # A family's home is its first page in the family menu (我的家人), not the back-office desk.
        menu = nav.family_items_for(user)
        if menu and menu[0][1] and menu[0][1][0].url():
            return redirect(menu[0][1][0].url())
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
    # A system administrator's page (issue 11): county admins and auditors see each job's effect on its
    # own business page (imports, orders), not this console.
    if not request.user.has_perm("jobs.view") or not request.user.is_superuser:
        raise PermissionDenied
    runs = job_runs(user=request.user)
    name = request.GET.get("name")
    if name:
        runs = runs.filter(name=name)
    page = paginate(request, runs, 30)
    for run in page.object_list:
        run.label = job_label(run.name)
        run.summary = result_summary(run)
    return render(
        request,
        "core/jobs.html",
        {
            "jobs": sorted(JOBS.values(), key=lambda j: j.label),
            "page": page,
            "can_run": request.user.has_perm("jobs.run") and request.user.is_superuser,
            "name": job_label(name) if name else "",
        },
    )


@login_required
@require_POST
def job_run_now(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.has_perm("jobs.run"):
        raise PermissionDenied
    try:
        job = run_job_now(name=name, actor=request.user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("core:jobs")
    messages.success(request, f"已提交「{job.label}」，运行记录见下表")
    return redirect("core:jobs")


def styleguide(request: HttpRequest) -> HttpResponse:
    """The style guide: public in development, for signed-in users in production."""
    if settings.PRODUCTION and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "core/styleguide.html")


@login_required
def outbox_dead_view(request: HttpRequest) -> HttpResponse:
    """死信: messages that failed every attempt, for system administrators (scoped by the message's region)."""
    if not request.user.has_perm("jobs.run"):
        raise PermissionDenied
    from yiyang.core.outbox import channel_label

    dead = OutboxMessage.objects.restrict(request.user, "jobs.run").filter(status=OutboxMessage.Status.DEAD)
    page = paginate(request, dead.order_by("-next_attempt_at", "-pk"), 30)
    rows = [(m, channel_label(m.channel)) for m in page]
    return render(request, "core/outbox_dead.html", {"page": page, "rows": rows})


@login_required
@require_POST
def outbox_redeliver_view(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    from yiyang.core.outbox import outbox_redeliver

    if not request.user.has_perm("jobs.run"):
        raise PermissionDenied
    message = OutboxMessage.objects.restrict(request.user, "jobs.run").filter(public_id=message_id).first()
    if message is None:
        raise Http404
    try:
        outbox_redeliver(message=message, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已重新投递")
    return redirect("core:outbox-dead")


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    """The user's own in-app notifications; opening the page marks them read."""
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    page = paginate(request, mine, 30)
    unread = [n.pk for n in page if n.read_at is None]
    response = render(request, "core/notifications.html", {"page": page, "unread_ids": set(unread)})
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response


@require_POST
def elder_mode_switch(request: HttpRequest) -> HttpResponse:
    """长辈模式 on or off for this session (kept across the login); back to the page it was asked on."""
    request.session[ELDER_MODE_KEY] = request.POST.get("on") == "1"
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        nxt = "/"
    return redirect(nxt)
