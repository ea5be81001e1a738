"""Scope cases of the kernel's own pages: the jobs page's "run now" (city-wide, no county to cross)."""

from yiyang.core.testing import PagePostCase, register_page_post

register_page_post(
    PagePostCase(
        name="core:job-run",
        make=lambda cast, region: None,
        url=lambda obj: "/jobs/no-such-job/run/",
        scoped=False,
        own=None,
        note="jobs are platform-wide; running one is core/tests/test_platform.py's business",
    )
)

register_page_post(
    PagePostCase(
        name="core:policy",
        make=lambda cast, region: None,
        url=lambda obj: "/settings/policy/",
        data=lambda cast, obj: {
            "key": "orders.check_in_max_distance",
            "region_code": cast.county_a.code,
            "value": "150",
            "valid_from": "2026-01-01",
            "source": "区文件",
        },
        outsider_status=None,  # county B holds no policy.manage: 403, nothing changes
        own=None,
        note="only a city admin (not in the cast) may add a version: core/tests/test_policy.py",
    )
)


def _dead_message(cast, region):
    from django.utils import timezone

    from yiyang.core.models import OutboxMessage

    return OutboxMessage.objects.create(
        channel="notifications",
        payload={"title": "测试"},
        region_code=region.code,
        key=f"scope-case-{region.code}-{OutboxMessage.objects.count()}",
        status=OutboxMessage.Status.DEAD,
        attempts=8,
        next_attempt_at=timezone.now(),
        last_error="RuntimeError",
    )


register_page_post(
    PagePostCase(
        name="core:outbox-redeliver",
        make=_dead_message,
        url=lambda obj: f"/outbox/{obj.public_id}/redeliver/",
    )
)
