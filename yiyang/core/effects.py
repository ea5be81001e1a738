"""Side effects after commit (ARCHITECTURE rule 4).

``after_commit(task, *args, **kwargs)`` runs a Celery task (queued with ``apply_async``) or a plain
callable once the current transaction commits, and never if it rolls back; outside a transaction it runs
at once. With no broker configured (demo, tests) Celery runs tasks eagerly, in-process, after the
commit as well. Messages that must not be lost go through the outbox instead (``yiyang.core.outbox``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction


def _is_task(obj: Any) -> bool:
    return callable(getattr(obj, "apply_async", None))


def after_commit(task: Callable[..., Any], *args: Any, robust: bool = False, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` for after the commit of the current transaction.

    ``robust=True``: an exception is logged instead of reaching the caller (for best-effort work that a
    sweep repeats anyway, such as delivering the outbox right away)."""
    if _is_task(task):
        run: Callable[[], Any] = partial(task.apply_async, args=args, kwargs=kwargs)  # type: ignore[attr-defined]
    else:
        run = partial(task, *args, **kwargs)
    transaction.on_commit(run, robust=robust)
