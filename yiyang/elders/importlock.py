"""One import at a time per county. Two imports of overlapping rows running at once used to report every
row of the second as "与本文件前面某行的身份证号重复"; now the second one ends at once, failed, with a
clear reason. The lock lives in the cache (Redis in production, shared by every worker; locmem in the
demo, where imports run in the request) and expires on its own if a worker dies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache

BUSY_MESSAGE = "本区县已有一个导入正在进行，请等它完成后再导入"


class ImportBusy(Exception):
    pass


def _key(job: Any) -> str:
    region = str(job.region_id or "")
    return "elders-import-lock:" + (region[:6] or f"user-{job.created_by_id}")


@contextmanager
def region_import_lock(job: Any) -> Iterator[None]:
    key, owner = _key(job), str(job.public_id)
    if not cache.add(key, owner, int(getattr(settings, "ELDERS_IMPORT_LOCK_SECONDS", 2 * 3600))):
        raise ImportBusy(BUSY_MESSAGE)
    try:
        yield
    finally:
        if cache.get(key) == owner:
            cache.delete(key)
