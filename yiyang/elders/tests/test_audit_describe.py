"""The audit list and detail read as people read them (issue 11): the object by its type and masked
name, the person by display name, a summary of what changed in words, the reason; never a code, a
UUID or a Python dict."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from yiyang.audit.services import audit_record
from yiyang.elders.tests.factories import make_elder


def _page(client: Client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200
    return r.content.decode()


def test_audit_list_names_the_object_masked_and_summarises_the_change(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1, name="王秀英")
    cast.county_admin_a.display_name = "周建华"
    cast.county_admin_a.save(update_fields=["display_name"])
    actor = cast.county_admin_a
    audit_record(
        actor=actor,
        region=elder.region_id,
        event="elders.status",
        obj=elder,
        data={
            "from": "active",
            "to": "deceased",
            "reason": "家属报告去世",
            "effects": {"orders_cancelled": 2},
        },
    )
    audit_record(
        actor=actor, region=elder.region_id, event="elders.export", data={"rows": 21, "clear_values": True}
    )
    audit_record(
        actor=actor,
        region=elder.region_id,
        event="elders.update",
        obj=elder,
        data={"fields": ["phone_enc", "living_situation", "id_number_hash"], "reason": "电话变更"},
    )
    from yiyang.elders.services import elder_update

    elder_update(actor=actor, elder=elder, living_situation="empty_nest")
    client = Client()
    client.force_login(cast.auditor)
    html = _page(client, "/audit/")
    table = html.split('data-testid="audit-table"')[1]
    assert "老年人 · 王**" in table and "王秀英" not in table
    assert "周建华" in table and actor.username not in table
    assert "变更：在册 → 已故" in table and "同时处理：已取消工单 2" in table and "家属报告去世" in table
    assert "行数：21" in table and "含完整身份证号等：是" in table
    assert "修改的项目：电话、居住情况、身份证号" in table and "电话变更" in table
    assert re.search(r"修改前后：居住情况：[^<；]+ → 空巢", table)
    assert "empty_nest" not in table
    for code in ("elders.elder", "active", "deceased", str(elder.public_id)[:8], "{'", "phone_enc"):
        assert code not in table, code
    from yiyang.audit.models import AuditEvent

    event = AuditEvent.objects.get(event="elders.export")
    detail = _page(client, f"/audit/{event.public_id}/")
    assert "行数" in detail and "21" in detail and "{'rows'" not in detail and "elders.export" not in detail


def test_audit_filter_finds_a_person_by_display_name(cast: Any) -> None:
    cast.county_admin_a.display_name = "周建华"
    cast.county_admin_a.save(update_fields=["display_name"])
    audit_record(
        actor=cast.county_admin_a, region=cast.community_a1, event="auth.login", obj=cast.county_admin_a
    )
    audit_record(
        actor=cast.county_admin_b, region=cast.community_b1, event="auth.login", obj=cast.county_admin_b
    )
    cast.city_admin.is_superuser = True
    cast.city_admin.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(cast.auditor)
    table = _page(client, "/audit/?actor=周建华").split('data-testid="audit-table"')[1]
    assert table.count("<tr>") == 2  # the header and one event
    assert "用户 · 周**" in table
