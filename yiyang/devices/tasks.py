"""Celery tasks of devices: processing stored events (idempotent by the processed marker, acknowledged
late, retried) and the periodic sweep (offline, inactivity, lost tasks)."""

from __future__ import annotations

from celery import shared_task

from yiyang.core.jobs import recorded_job


@shared_task(
    name="yiyang.devices.tasks.process_device_events",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
)
def process_device_events(pks: list[int]) -> int:
    """Process a batch of stored events; safe to run twice (each event is claimed once)."""
    from yiyang.devices.services import events_process
    from yiyang.regions.scope import SYSTEM

    return events_process(actor=SYSTEM, pks=pks)


@recorded_job("yiyang.devices.tasks.devices_sweep", "智能设备：离线、无活动与补处理")
def devices_sweep() -> dict[str, int]:
    from yiyang.devices.services import devices_sweep as sweep
    from yiyang.regions.scope import SYSTEM

    return sweep(actor=SYSTEM)
