"""Issue 10: clear ID numbers never reach a URL or a log; another county learns only that a number is
registered elsewhere (never where), a few times an hour; a clear-value export records whose data left."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client, override_settings

from yiyang.audit.models import AuditEvent
from yiyang.elders.tests.factories import id_number, make_elder

pytestmark = pytest.mark.django_db


def _page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_access_log_lines_never_carry_a_clear_id_number_or_phone() -> None:
    """runserver's 4xx access lines used to bypass the scrubbing handler (logging.lastResort)."""
    number = "321002194001019018"
    line = f'"GET /api/v1/elders/?id_number={number}&phone=13912345678&status=bogus HTTP/1.1" 400 192'
    handlers = logging.getLogger("django.server").handlers
    assert handlers, "django.server must log through the scrubbing handler"
    for handler in handlers:
        record = logging.makeLogRecord(
            {"name": "django.server", "levelno": logging.WARNING, "msg": "%s", "args": (line,)}
        )
        assert handler.filter(record)
        text = handler.format(record)
        assert number not in text and "13912345678" not in text
        assert "status=bogus" in text  # the rest of the line stays useful


def test_the_list_page_id_search_is_posted_and_the_url_carries_only_a_token(cast: Any) -> None:
    number = id_number()
    elder = make_elder(cast, cast.community_a1, id_number=number, name="查找对象")
    make_elder(cast, cast.community_a1, name="其他老人")
    page = _page(cast.county_admin_a)
    form = page.get("/elders/").content.decode()
    assert 'method="post"' in form and "hx-post" in form
    posted = page.post("/elders/", {"id_number": number, "q": ""})
    assert posted.status_code == 302
    url = posted["Location"]
    assert number not in url and url.startswith("/elders/?s=")
    listed = page.get(url).content.decode()
    assert "查找对象" in listed and "其他老人" not in listed
    # HTMX: the table comes back with the URL to push, still without the number
    partial = page.post("/elders/", {"id_number": number}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and number not in partial["HX-Push-Url"]
    assert "查找对象" in partial.content.decode()
    # the export of that search follows the token, not a number in the URL
    export = page.get(f"/elders/export.xlsx?{url.split('?', 1)[1]}")
    assert export.status_code == 200
    data = AuditEvent.objects.filter(event="elders.export").latest("pk").data
    assert data["rows"] == 1
    # an old bookmark with the number in the URL is moved into the session at once
    old = page.get(f"/elders/?id_number={number}")
    assert old.status_code == 302 and number not in old["Location"]
    assert elder.public_id


def test_the_session_keeps_the_searched_number_encrypted(cast: Any) -> None:
    number = id_number()
    page = _page(cast.county_admin_a)
    page.post("/elders/", {"id_number": number})
    saved = page.session["elder_searches"]
    assert saved and number not in str(saved)


def test_another_county_learns_only_that_a_number_is_registered_elsewhere(cast: Any, api_as: Any) -> None:
    number = id_number()
    make_elder(cast, cast.community_a1, id_number=number)
    page = _page(cast.county_admin_b).post("/elders/validate-id/", {"id_number": number}).content.decode()
    assert "该身份证号已在其他地区登记，请联系上级民政部门" in page
    assert "区域" not in page.replace("其他地区", "") and "广陵" not in page
    r = api_as(cast.county_admin_b).post(
        "/api/v1/elders/",
        {"name": "重复", "id_number": number, "region_code": cast.county_b.code + "001001"},
        format="json",
    )
    assert r.status_code in {400, 409}
    if r.status_code == 409:
        assert r.json()["message"] == "该身份证号已在其他地区登记，请联系上级民政部门"
        assert "existing_id" not in r.json()


@override_settings(ELDERS_ID_CHECKS_PER_HOUR=3)
def test_id_checks_are_rate_limited_per_user(cast: Any) -> None:
    page = _page(cast.county_admin_b)
    answers = [
        page.post("/elders/validate-id/", {"id_number": id_number()}).content.decode() for _ in range(4)
    ]
    assert all("号码有效" in a for a in answers[:3])
    assert "查询过于频繁" in answers[3] and "号码有效" not in answers[3]
    # another user has their own allowance
    assert (
        "号码有效"
        in _page(cast.county_admin_a)
        .post("/elders/validate-id/", {"id_number": id_number()})
        .content.decode()
    )


def test_a_clear_value_export_records_which_elders_left(cast: Any) -> None:
    a = make_elder(cast, cast.community_a1, name="甲")
    b = make_elder(cast, cast.community_a1, name="乙")
    page = _page(cast.county_admin_a)
    assert page.get("/elders/export.xlsx", {"reveal": "1"}).status_code == 200
    data = AuditEvent.objects.filter(event="elders.export").latest("pk").data
    assert data["clear_values"] is True
    assert set(data["elders"]) == {str(a.public_id), str(b.public_id)}


def test_a_second_import_in_the_same_county_while_one_runs_fails_clearly(
    cast: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.cache import cache

    from yiyang.elders.importlock import BUSY_MESSAGE
    from yiyang.elders.models import Elder, ImportJob
    from yiyang.elders.tests.test_import_export import row, write_csv

    path = write_csv(tmp_path / "名册.csv", [row(cast, 身份证号=id_number())])
    page = _page(cast.county_admin_a)
    cache.set("elders-import-lock:321002", "another-running-job", 60)  # an import of county A is running
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        assert page.post("/elders/import/", {"file": fh, "mode": "good-rows"}).status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.message == BUSY_MESSAGE
    assert not Elder.objects.exists()
    cache.delete("elders-import-lock:321002")
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        page.post("/elders/import/", {"file": fh, "mode": "good-rows"})
    assert ImportJob.objects.latest("pk").status == "done" and Elder.objects.count() == 1
    assert cache.get("elders-import-lock:321002") is None  # released after the run
