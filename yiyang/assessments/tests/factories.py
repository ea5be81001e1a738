"""Builders for assessment tests: elders, assessors, an agency and assessments in any status."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from yiyang.accounts.services import user_create
from yiyang.assessments import services
from yiyang.assessments.models import Assessment, AssessmentAgency, Reason
from yiyang.assessments.scoring import describe
from yiyang.core.identifiers import resident_id_check_char
from yiyang.core.testing import Cast
from yiyang.regions.scope import SYSTEM

_seq = itertools.count(1)

FULL_GBT = {i["code"]: i["max"] for g in describe("gbt42195")["groups"] for i in g["items"]}


def answers_for(standard: str, pick: str = "best") -> dict[str, int]:
    """Every item answered with its best (``best``) or worst (``worst``) score."""
    d = describe(standard)
    out: dict[str, int] = {}
    for g in d["groups"]:
        hib = d["higher_is_better"]
        up = hib.get(g["code"], True) if isinstance(hib, dict) else bool(hib)
        for i in g["items"]:
            best = max(i["allowed"]) if up else min(i["allowed"])
            worst = min(i["allowed"]) if up else max(i["allowed"])
            out[i["code"]] = best if pick == "best" else worst
    return out


def resident_id(n: int, birth: str = "19450101") -> str:
    first17 = f"321002{birth}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def make_elder(cast: Cast, region: Any, name: str = "测试老人") -> Any:
    from yiyang.elders.services import elder_create

    n = next(_seq)
    actor = cast.county_admin_a if region.code.startswith("321002") else cast.county_admin_b
    elder, _ = elder_create(
        actor=actor,
        name=f"{name}{n}",
        id_number=resident_id(n),
        region=region,
        sex="1",
        birth_date=date(1945, 1, 1),
    )
    return elder


def make_assessor(cast: Cast, username: str, region: Any | None = None) -> Any:
    key = f"assessor:{username}"
    if key not in cast.extra:
        cast.extra[key] = user_create(
            username=username,
            password=cast.password,
            display_name=f"评估员{username}",
            grants=[("assessor", (region or cast.county_a).code)],
        )
    return cast.extra[key]


def make_agency(
    cast: Cast, region: Any | None = None, assessors: list[Any] | None = None
) -> AssessmentAgency:
    region = region or cast.county_a
    suffix = "a" if region.code.startswith("321002") else "b"
    people = (
        assessors
        if assessors is not None
        else [make_assessor(cast, f"as1{suffix}", region), make_assessor(cast, f"as2{suffix}", region)]
    )
    n = next(_seq)
    body = f"91321002MA{n:07d}"
    from yiyang.core.identifiers import uscc_check_char

    return services.agency_create(
        name=f"测试评估中心{n}",
        uscc=body + uscc_check_char(body),
        region=region,
        assessors=people,
        actor=SYSTEM,
    )


def make_assessment(
    cast: Cast,
    region: Any,
    *,
    status: str = "requested",
    standard: str = "gbt42195",
    answers: dict[str, int] | None = None,
    elder: Any = None,
    **record: Any,
) -> Assessment:
    """An assessment walked to ``status`` through the services."""
    elder = elder or make_elder(cast, region)
    a = services.assessment_request(elder=elder, reason=Reason.FIRST, standard=standard, actor=SYSTEM)
    if status == "requested":
        return a
    agency = make_agency(cast, cast.county_a if region.code.startswith("321002") else cast.county_b)
    people = list(agency.assessors.all())
    services.assessment_assign(assessment=a, agency=agency, assessors=people, actor=SYSTEM)
    if status == "assigned":
        return a
    services.assessment_save_answers(assessment=a, answers=answers or answers_for(standard), actor=people[0])
    if record:
        services.assessment_save_record(assessment=a, actor=people[0], **record)
    if status == "in_progress":
        return a
    for p in people:
        services.assessment_sign(assessment=a, role="assessor", actor=p)
    services.assessment_sign(assessment=a, role="informant", name="李家属", actor=people[0])
    services.assessment_submit(assessment=a, actor=people[0])
    if status == "submitted":
        return a
    services.assessment_complete(assessment=a, actor=people[0])
    return a
