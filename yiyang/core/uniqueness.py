"""The database decides "one of" rules (unique constraints); services turn a lost race into the same
409 their pre-check gives, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from yiyang.core.errors import Conflict


@contextmanager
def conflict_on_duplicate(message: str, field: str = "") -> Iterator[None]:
    """Run the block in a savepoint; a unique-constraint violation becomes ``Conflict`` (409, duplicate)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise Conflict(message, code="duplicate", errors={field: [message]} if field else {}) from exc
