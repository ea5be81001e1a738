"""The database holds no plaintext ID number or phone of any elder (acceptance criterion)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client

from yiyang.elders.tests.factories import id_number
from yiyang.elders.tests.test_import_export import row, write_csv


def _all_text(cursor: Any) -> str:
    chunks: list[str] = []
    for table in connection.introspection.table_names(cursor):
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608 (table names from introspection)
        for values in cursor.fetchall():
            chunks.extend(str(v) for v in values if v is not None)
    return "\n".join(chunks)


def test_no_plaintext_id_or_phone_anywhere_in_the_database(
    cast: Any, api_as: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    via_api = id_number(address="321027")
    bad_number = "321002194803070010"  # refused rows must not leak into reports either
    phones = ["13912345670", "13912345671", "13912345672", "13912345673"]
    client = api_as(cast.county_admin_a)
    r = client.post(
        "/api/v1/elders/",
        {
            "name": "孙凤英",
            "id_number": via_api,
            "phone": phones[0],
            "region_code": cast.community_a1.code,
            "address": "文昌中路 1 号",
            "contacts": [{"name": "孙伟", "phone": phones[1]}],
        },
        format="json",
    )
    assert r.status_code == 201
    client.post(f"/api/v1/elders/{r.json()['id']}/reveal/", {"field": "id_number"}, format="json")
    client.post(
        "/api/v1/elders/",
        {
            "name": "重复",
            "id_number": via_api,
            "phone": phones[0],
            "region_code": cast.community_a1.code,
            "address": "x",
        },
        format="json",
    )
    via_import = id_number()
    path = write_csv(
        tmp_path / "名册.csv",
        [
            row(cast, 身份证号=via_import, 联系电话=phones[2]),
            row(cast, 身份证号=bad_number, 联系电话=phones[3]),
        ],
    )
    page = Client()
    page.force_login(cast.county_admin_a)
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        assert page.post("/elders/import/", {"file": fh, "mode": "good-rows"}).status_code == 302
    page.get("/elders/export.xlsx", {"reveal": "1"})
    page.post("/elders/validate-id/", {"id_number": via_import})
    with connection.cursor() as cursor:
        text = _all_text(cursor)
    assert "孙凤英" in text and "赵淑珍" in text  # the scan does see the elders' rows
    for secret in [via_api, via_import, bad_number, via_api[:17], *phones]:
        assert secret not in text, "plaintext personal identifier stored in the database"
