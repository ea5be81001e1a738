"""Kernel behaviour: error envelope, health, state machine CAS, recorded jobs, log scrubbing, navigation."""

import json
import logging

import pytest
from django.test import Client

from yiyang.core.jobs import JOBS
from yiyang.core.logging import JsonFormatter, PersonalDataFilter, scrub
from yiyang.core.models import JobRun
from yiyang.core.statemachine import IllegalTransition, LostRace, StateMachine, transition

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker():
    body = Client().get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] in {"eager", "ok"}


def test_unknown_api_path_and_wrong_method_use_the_envelope(cast, api_as):
    client = api_as(cast.county_admin_a)
    missing = client.get("/api/v1/nothing-here/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = client.delete("/api/v1/auth/me/")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"


def test_english_message_on_request(cast):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication credentials were not provided"
    assert response.json()["message_en"] == "Authentication credentials were not provided"


def test_page_404_is_chinese(cast):
    client = Client()
    client.force_login(cast.county_admin_a)
    page = client.get("/regions/321003/")
    assert page.status_code == 404 and "不在您的管辖范围内" in page.content.decode()


def test_state_machine_refuses_illegal_edges_and_lost_races(cast):
    from django.apps import apps

    from yiyang.regions.models import Region

    timeline = apps.get_model("orders", "OrderEvent")  # never written: both moves are refused
    machine = StateMachine({"county": {"town"}}, labels={"county": "县级", "town": "乡镇"})
    region = Region.objects.get(code="321003001001")
    with pytest.raises(IllegalTransition) as illegal:
        transition(obj=region, to="province", machine=machine, field="level", timeline=timeline, actor=None)
    assert illegal.value.extra["current_status"] == "village"
    stale = Region.objects.get(code="321003000000")
    Region.objects.filter(code=stale.code).update(level="town")  # someone else moved it first
    with pytest.raises(LostRace) as lost:
        transition(obj=stale, to="town", machine=machine, field="level", timeline=timeline, actor=None)
    assert lost.value.status == 409 and lost.value.extra["current_status"] == "town"
    assert not timeline.objects.exists()


def test_every_job_run_is_recorded():
    job = JOBS["yiyang.core.tasks.clear_expired_sessions"]
    job.task.apply_async(kwargs={"_trigger": "manual"})
    run = JobRun.objects.get()
    assert run.status == "succeeded" and run.trigger == "manual" and run.result == {"removed": 0}
    assert run.finished_at is not None and run.duration_ms is not None


def test_failed_job_is_recorded_with_the_error_scrubbed():
    from yiyang.core.jobs import recorded_job

    @recorded_job("tests.failing", "测试失败任务")
    def failing() -> None:
        raise ValueError("bad row for 11010519491231002X")

    try:
        with pytest.raises(ValueError):
            failing.apply_async()
        run = JobRun.objects.get(name="tests.failing")
        assert (
            run.status == "failed"
            and "11010519491231002X" not in run.error
            and "110105********002X" in run.error
        )
    finally:
        JOBS.pop("tests.failing", None)


def test_jobs_page_runs_a_job_now_and_audits_it(cast, django_capture_on_commit_callbacks):
    from yiyang.audit.models import AuditEvent

    url = "/jobs/yiyang.core.tasks.clear_expired_sessions/run/"
    # A county admin holds jobs.run for the county, but a city-wide job is not theirs to start.
    county = Client()
    county.force_login(cast.county_admin_a)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        county.post(url)
    assert not queued and not JobRun.objects.exists() and not AuditEvent.objects.filter(event="jobs.run")
    # A system administrator starts it: queued after the commit and audited with the city's code.
    admin = cast.city_admin
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(url)
    assert response.status_code == 302 and len(queued) == 1  # queued for after the commit
    assert JobRun.objects.filter(trigger="manual").count() == 1
    rows = list(AuditEvent.objects.filter(event="jobs.run"))
    assert len(rows) == 1
    assert rows[0].actor_id == admin.pk
    assert rows[0].data == {"job": "yiyang.core.tasks.clear_expired_sessions"}
    assert rows[0].region_id == cast.city.code
    assert "清理过期登录会话" in client.get("/jobs/").content.decode()


def test_logs_carry_no_id_numbers_or_phones():
    assert scrub("id 11010519491231002X phone 13812345678") == "id 110105********002X phone 138****5678"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s", ("13812345678",), None)
    PersonalDataFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "call 138****5678"


def test_navigation_follows_role(cast):
    caregiver, admin = Client(), Client()
    caregiver.force_login(cast.caregiver)
    admin.force_login(cast.county_admin_a)
    assert "审计日志" in admin.get("/").content.decode()
    assert "审计日志" not in caregiver.get("/").content.decode()


def test_nul_characters_are_refused_with_400_not_500(cast, api_as):
    client = api_as(cast.county_admin_a)
    query = client.get("/api/v1/audit/events/?event=a%00b")
    assert query.status_code == 400 and query.json()["code"] == "validation_error"
    body = client.post("/api/v1/auth/token/", {"username": "a\x00", "password": "x"}, format="json")
    assert body.status_code == 400


def test_family_pages_use_the_elder_friendly_layout(cast):
    family, admin = Client(), Client()
    family.force_login(cast.family)
    admin.force_login(cast.county_admin_a)
    assert 'class="elder-mode"' in family.get("/", follow=True).content.decode()
    assert 'class="elder-mode"' not in admin.get("/").content.decode()
