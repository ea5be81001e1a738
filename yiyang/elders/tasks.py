from __future__ import annotations

from pathlib import Path
from typing import Any

from yiyang.core.jobs import recorded_job


@recorded_job("elders.import", "导入老年人名册")
def import_elders_task(job_id: str, path: str, _trigger: str = "upload") -> dict[str, Any]:
    """Run one uploaded import (eager in the demo, a worker in production); the upload is deleted after.
    ``_trigger`` is consumed by ``RecordedTask`` (how the run was started)."""
    from django.utils import timezone

    from yiyang.elders.importing import ImportFormatError, run_job
    from yiyang.elders.importlock import ImportBusy, region_import_lock
    from yiyang.elders.models import ImportJob

    job = ImportJob.objects.select_related("created_by").get(public_id=job_id)
    file = Path(path)
    try:
        with region_import_lock(job):
            report = run_job(job, file)
    except ImportBusy as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(exc), finished_at=timezone.now()
        )
        return {"status": "failed"}
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
