from __future__ import annotations

from pathlib import Path
from typing import Any

from yiyang.core.jobs import recorded_job


def _import_region(job_id: str, *args: Any, **kwargs: Any) -> str:
    from yiyang.elders.models import ImportJob

    return str(ImportJob.objects.values_list("region_id", flat=True).get(public_id=job_id) or "")


@recorded_job("elders.import", "导入老年人名册", region_of=_import_region)
def import_elders_task(job_id: str, path: str, _trigger: str = "upload") -> dict[str, Any]:
    """Run one uploaded import (eager in the demo, a worker in production); the upload is deleted after.
    ``_trigger`` is consumed by ``RecordedTask`` (how the run was started)."""
    from yiyang.elders.importing import ImportFormatError, run_job
    from yiyang.elders.models import ImportJob

    job = ImportJob.objects.select_related("created_by").get(public_id=job_id)
    file = Path(path)
    try:
        report = run_job(job, file)
    except ImportFormatError:
        return {"status": "failed"}
    finally:
        file.unlink(missing_ok=True)
    return {
        "processed": report.processed,
        "created": report.created,
        "updated": report.updated,
        "failed": report.failed,
        "rejected": report.rejected,
    }
