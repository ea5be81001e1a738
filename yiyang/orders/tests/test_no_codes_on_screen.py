"""No machine code on any screen (issue 11): the main list, detail and print pages of each role are
rendered server-side and their visible text (what a person reads: text nodes and the title, placeholder,
aria-label and alt attributes — not option values, URLs or scripts) is searched for the codes in use:
every status, category, standard, role and flag code the platform knows (``core.labels.all_codes``:
model choices and registered kinds), the cast's login names, and UUIDs. A complement to the browser
tests, which look at the same pages in chromium."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from yiyang.assessments.tests.factories import make_assessment
from yiyang.audit.models import AuditEvent
from yiyang.core import labels
from yiyang.elders.models import ElderContact
from yiyang.elders.services import elder_change_status
from yiyang.orders.complaints import complaint_handle, complaint_raise, complaint_resolve
from yiyang.orders.settlement import settlement_generate
from yiyang.orders.tests.factories import make_world
from yiyang.orders.tests.test_flags_and_settlement import MONTH, accepted, serve

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
NAMES = {
    "county_admin_a": "周建华",
    "county_admin_b": "吴丽",
    "street_worker_a1": "孙志强",
    "community_worker_a1": "郑美玲",
    "auditor": "冯国平",
    "caregiver": "陈桂芳",
    "family": "李明",
    "city_admin": "王海涛",
}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        self.parts.extend(v for k, v in attrs if k in {"title", "placeholder", "aria-label", "alt"} and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def machine_codes(cast: Any) -> re.Pattern[str]:
    codes = {c for c in labels.all_codes() if len(c) >= 4 and re.search(r"[a-z]", c)}
    logins = {getattr(cast, k).username for k in NAMES}
    words = sorted(codes | logins, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z0-9_])")


@pytest.fixture
def scene(cast: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """One of everything the pages show: an elder with a contact, a served, confirmed and settled order
    (its timeline), a resolved complaint, a completed assessment with named assessors, audit events."""
    for key, name in NAMES.items():
        user = getattr(cast, key)
        user.display_name = name
        user.save(update_fields=["display_name"])
    world = make_world(cast)
    elder = world["elder"]
    ElderContact.objects.create(
        elder=elder, name="李明", relation="son", is_emergency=True, phone_masked="139****5678"
    )
    order = serve(cast, accepted(world))
    complaint = complaint_raise(order=order, actor=cast.family, category="late", description="迟到半小时")
    complaint_handle(complaint=complaint, actor=cast.county_admin_a)
    complaint_resolve(
        complaint=complaint, actor=cast.county_admin_a, outcome="dismissed", resolution="核实准时"
    )
    other = accepted(world)
    settlement, _ = settlement_generate(provider=world["org"], month=MONTH, actor=cast.county_admin_a)
    assessment = make_assessment(cast, cast.community_a1, status="completed", elder=elder)
    second = make_assessment(cast, cast.community_a1, status="requested")
    elder_change_status(
        elder=second.elder,
        status="moved_out",
        actor=cast.county_admin_a,
        reason="随子女迁居",
        effective_date=date.today(),
    )
    return {
        "elder": elder,
        "order": order,
        "open_order": other,
        "complaint": complaint,
        "settlement": settlement,
        "assessment": assessment,
        "audit": AuditEvent.objects.order_by("-id")[:5],
    }


def _pages(scene: dict[str, Any]) -> dict[str, list[str]]:
    e, o, c, s, a = (scene[k] for k in ("elder", "order", "complaint", "settlement", "assessment"))
    elder_pages = [
        f"/elders/{e.public_id}/",
        *[
            f"/elders/{e.public_id}/?tab={t}"
            for t in ("overview", "categories", "contacts", "assessments", "orders", "status")
        ],
        f"/elders/{e.public_id}/print/",
    ]
    order_pages = [
        "/services/orders/",
        f"/services/orders/{o.public_id}/",
        f"/services/orders/{o.public_id}/print/",
        f"/services/orders/{o.public_id}/card/",
        f"/services/orders/cards/?caregiver={o.caregiver.public_id}&date={o.scheduled_start:%Y-%m-%d}",
    ]
    complaint_pages = [
        "/services/complaints/",
        f"/services/complaints/{c.public_id}/",
        f"/services/complaints/{c.public_id}/print/",
    ]
    assessment_pages = ["/assessments/", f"/assessments/{a.public_id}/", f"/assessments/elder/{e.public_id}/"]
    audit_pages = ["/audit/", *[f"/audit/{ev.public_id}/" for ev in scene["audit"]]]
    settlement_pages = ["/services/settlements/", f"/services/settlements/{s.public_id}/"]
    return {
        "county_admin_a": [
            "/",
            "/elders/",
            *elder_pages,
            *order_pages,
            *complaint_pages,
            *assessment_pages,
            *audit_pages,
            *settlement_pages,
            "/services/supervision/",
            "/elders/import/",
            "/elders/import/history/",
        ],
        "auditor": [
            "/",
            "/elders/",
            *elder_pages,
            *order_pages,
            *assessment_pages,
            *audit_pages,
            *settlement_pages,
        ],
        "street_worker_a1": ["/", "/elders/", *elder_pages, *order_pages, "/elders/import/history/"],
        "community_worker_a1": ["/", "/elders/", *elder_pages, *order_pages, *complaint_pages],
        "caregiver": ["/", "/services/m/", *order_pages],
        "family": ["/", "/services/family/", *order_pages, f"/elders/{e.public_id}/"],
        "city_admin": ["/", "/elders/", *audit_pages, *settlement_pages],
    }


ROLES = [
    "county_admin_a",
    "auditor",
    "street_worker_a1",
    "community_worker_a1",
    "caregiver",
    "family",
    "city_admin",
]


@pytest.mark.parametrize("role", ROLES)
def test_no_machine_code_on_the_main_pages_of_each_role(cast: Any, scene: dict[str, Any], role: str) -> None:
    pattern = machine_codes(cast)
    client = Client()
    client.force_login(getattr(cast, role))
    seen = 0
    found: list[tuple[str, str]] = []
    for url in _pages(scene)[role]:
        r = client.get(url, follow=True)  # a family's home redirects to 我的家人
        if r.status_code != 200:
            assert r.status_code in (403, 404), (url, r.status_code)
            continue
        seen += 1
        text = visible_text(r.content.decode())
        found += [(url, m) for m in pattern.findall(text)]
        found += [(url, m) for m in UUID.findall(text)]
    assert seen >= 4, "the role's main pages should render"
    assert found == []


def test_the_check_itself_finds_codes_usernames_and_uuids(cast: Any) -> None:
    """The pattern is not empty: a status code, a category code, a standard code, a role code, a login
    name and a UUID in visible text are found; the same words inside attributes or scripts are not."""
    pattern = machine_codes(cast)
    html = (
        f"<p>created → dispatched</p><p>disabled</p><p>gbt42195</p><p>county_admin</p>"
        f"<p>指派：{cast.caregiver.username}</p><p>elders.elder · {cast.city.code}</p>"
        '<option value="checked_in">服务中</option><script>var s="rated";</script>'
        "<p>7a4bacc5-1111-4222-8333-944455556666</p>"
    )
    text = visible_text(html)
    assert set(pattern.findall(text)) >= {
        "created",
        "dispatched",
        "disabled",
        "gbt42195",
        "county_admin",
        cast.caregiver.username,
    }
    assert "checked_in" not in pattern.findall(text) and "rated" not in pattern.findall(text)
    assert UUID.findall(text)


def test_printable_record_service_sheet_and_complaint_disposition(cast: Any, scene: dict[str, Any]) -> None:
    """A bureau files them: the A4 sheets carry the short numbers, labels in words, masked identifiers,
    the timeline and the signature and seal lines, and a print button (print.js, no inline script)."""
    e, o, c = scene["elder"], scene["order"], scene["complaint"]
    client = Client()
    client.force_login(cast.county_admin_a)
    record = visible_text(client.get(f"/elders/{e.public_id}/print/").content.decode())
    assert "老年人基本信息档案" in record and e.id_number_masked in record and e.name in record
    assert "儿子" in record and "139****5678" in record and "经办人（签字）" in record
    sheet_html = client.get(f"/services/orders/{o.public_id}/print/").content.decode()
    sheet = visible_text(sheet_html)
    assert o.number in sheet and "居家养老上门服务记录单" in sheet
    assert "服务中 → 待确认" in sheet and "服务人员（签字）" in sheet and "服务机构（盖章）" in sheet
    assert "js/print.js" in sheet_html and "data-print" in sheet_html
    disposition = visible_text(client.get(f"/services/complaints/{c.public_id}/print/").content.decode())
    assert "养老服务投诉处理单" in disposition and f"TS{c.pk:08d}" in disposition
    assert "超时/迟到" in disposition and "不属实" in disposition and "核实准时" in disposition
    assert o.number in disposition and "审核人（签字）" in disposition and "民政部门（盖章）" in disposition
    other = Client()
    other.force_login(cast.county_admin_b)
    for url in (f"/elders/{e.public_id}/print/", f"/services/orders/{o.public_id}/print/"):
        assert other.get(url).status_code == 404


EXPORTS = [
    "/services/orders/export.xlsx",
    "/services/supervision/export.xlsx",
    "/services/complaints/export.xlsx",
]


def test_no_machine_code_in_the_exports(cast: Any, scene: dict[str, Any]) -> None:
    """The .xlsx exports a bureau files (lists and the settlement statement): every cell read back."""
    import io

    from openpyxl import load_workbook

    pattern = machine_codes(cast)
    client = Client()
    client.force_login(cast.county_admin_a)
    found: list[tuple[str, str]] = []
    rows = 0
    for url in [*EXPORTS, f"/services/settlements/{scene['settlement'].public_id}/export/"]:
        r = client.get(url)
        assert r.status_code == 200, url
        book = load_workbook(io.BytesIO(r.content), read_only=True)
        cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
        rows += len(cells)
        text = "\n".join(cells)
        found += [(url, m) for m in pattern.findall(text)]
        found += [(url, m) for m in UUID.findall(text)]
    assert rows > 40, "the exports should hold the scene's rows"
    assert found == []
