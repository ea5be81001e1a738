"""Fixed-window counters in the Django cache (Redis in production, so every worker shares them; locmem in
the demo and tests). ``incr`` is atomic in both, so simultaneous requests are counted exactly."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from yiyang.core.errors import DomainError


class Throttled(DomainError):
    status = 429
    code = "throttled"


def hit(scope: str, who: str, window_seconds: int) -> int:
    """Count one event for ``who`` in ``scope`` and return the count in the current window."""
    key = f"rl:{scope}:" + hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    for _ in range(3):
        cache.add(key, 0, window_seconds)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            continue
    return 1


def limit(scope: str, who: str, *, max_events: int, window_seconds: int, message: str) -> None:
    """Raise ``Throttled`` (429) once ``who`` has done ``scope`` more than ``max_events`` times."""
    if hit(scope, who, window_seconds) > max_events:
        raise Throttled(message)
