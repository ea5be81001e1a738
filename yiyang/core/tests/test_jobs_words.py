"""The jobs page is a system administrator's, in plain words (issue 11): job names in Chinese, results
summarised, no task paths or result dicts; county admins neither see it in the sidebar nor open it."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from yiyang.core.jobs import city_code
from yiyang.core.models import JobRun


def test_jobs_page_is_for_the_system_administrator_in_words(cast: Any) -> None:
    JobRun.objects.create(
        name="yiyang.core.tasks.deliver_outbox",
        status=JobRun.Status.SUCCEEDED,
        result={"claimed": 3, "sent": 2, "failed": 1},
        region_code=city_code(),
        duration_ms=2500,
    )
    JobRun.objects.create(
        name="yiyang.core.tasks.clear_expired_sessions",
        status=JobRun.Status.FAILED,
        error="OperationalError: database is locked",
        region_code=city_code(),
    )
    JobRun.objects.create(
        name="yiyang.core.tasks.clear_expired_sessions",
        status=JobRun.Status.SUCCEEDED,
        result={"removed": 0},
        region_code=city_code(),
    )
    county = Client()
    county.force_login(cast.county_admin_a)
    assert county.get("/jobs/").status_code == 403
    assert 'href="/jobs/"' not in county.get("/").content.decode()
    admin = cast.city_admin
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin)
    assert 'href="/jobs/"' in client.get("/").content.decode()
    html = re.sub(r"<[^>]+>", " ", client.get("/jobs/").content.decode())  # the text people read
    assert "投递待发消息（通知、短信）" in html and "清理过期登录会话" in html
    assert "本次取出 3、已投递 2、失败 1" in html
    assert "运行失败（详情已记入系统日志）" in html and "完成，无需处理" in html
    assert "2 秒" in html or "3 秒" in html
    for dev in ("yiyang.core.tasks", "{'", "OperationalError", "claimed"):
        assert dev not in html, dev
