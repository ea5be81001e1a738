from __future__ import annotations

from pathlib import Path
from typing import Any

from yiyang.core.jobs import recorded_job


def _import_region(job_id: str, *args: Any, **kwargs: Any) -> str:
    from yiyang.elders.models import ImportJob

    return str(ImportJob.objects.values_list("region_id", flat=True).get(public_id=job_id) or "")


@recorded_job("elders.import", "导入老年人名册", manual=False, region_of=_import_region)
def import_elders_task(job_id: str, path: str, _trigger: str = "upload") -> dict[str, Any]:
    """Run one uploaded import (eager in the demo, a worker in production); the upload is deleted after.
    ``_trigger`` is consumed by ``RecordedTask`` (how the run was started)."""
    from django.utils import timezone

    from yiyang.elders.importing import run_job
    from yiyang.elders.importlock import ImportBusy, region_import_lock
    from yiyang.elders.models import ImportJob

    file = Path(path)
    try:
        job = ImportJob.objects.select_related("created_by").get(public_id=job_id)
        with region_import_lock(job):  # one import at a time per county
            report = run_job(job, file)  # never raises: a failure marks the job failed with a reason
    except ImportBusy as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(exc), finished_at=timezone.now()
        )
        return {"status": "failed"}
    finally:
        file.unlink(missing_ok=True)
    if report is None:
        return {"status": "failed"}
    return {
        "processed": report.processed,
        "created": report.created,
        "updated": report.updated,
        "failed": report.failed,
        "rejected": report.rejected,
    }
