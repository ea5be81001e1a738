"""What assessors read is plain Chinese (issue 11): no sub-codes or flag names in the item help, the
standard by its name, assessors by display name."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from yiyang.assessments.scoring import STANDARDS, describe
from yiyang.assessments.tests.factories import make_assessment


def _shown(standard: str) -> list[str]:
    """What the form, the detail page and the PDF show: item names, definitions, option texts and
    notes, and the texts of the change rules."""
    d = describe(standard)
    out: list[str] = []
    for group in d.get("groups", []):
        for item in group.get("items", []):
            out += [str(item.get(k, "")) for k in ("name", "definition", "note")]
            out += [str(o.get("text", "")) for o in item.get("options", [])]
            out += [str(s.get("text", "")) for s in item.get("subcodes", []) or []]
    out += [str(r.get("text", "")) for r in d.get("rules", [])]
    return out


def test_item_help_has_no_developer_words() -> None:
    for standard in STANDARDS:
        texts = _shown(standard)
        assert len([t for t in texts if t]) > 10, standard
        for text in texts:
            assert not re.search(r"flags\.|[a-z_]+=\d|=true|INTERPRETATION|drowsy|stupor", text), (
                standard,
                text,
            )


def test_assessment_pages_show_the_standard_name_and_assessors_by_name(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="assigned")
    client = Client()
    client.force_login(cast.county_admin_a)
    html = client.get(f"/assessments/{a.public_id}/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert "GB/T 42195-2022 老年人能力评估规范" in text or "已指派" in text
    assert "评估员：评估员as1a、评估员as2a" in text
    assert "指派：指派" not in text and "as1a、" not in text.replace("评估员as1a、", "")
    tasks = re.sub(r"<[^>]+>", " ", client.get("/assessments/").content.decode())
    assert "gbt42195" not in tasks
