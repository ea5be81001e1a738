"""Demo data for assessments: one agency in 广陵区 with the two demo assessors, the region policy (with a
6-month street override), recognition policies, ~40 completed assessments with varied levels, a few
requested/assigned ones waiting for the demo assessor and a couple of 医保 long-term-care results.
Runs after the elders step and uses the elders it finds; creates no elders itself. Idempotent: skips when
the demo agency exists."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from yiyang.assessments import services
from yiyang.assessments.models import Assessment, AssessmentAgency, Reason, Status
from yiyang.core.identifiers import uscc_check_char
from yiyang.demo.city import COUNTY_A
from yiyang.regions.models import Region

AGENCY_USCC_BODY = "52321002MJ5800017"  # 社会服务机构 (5 2) in 321002, synthetic
COMPLETED = 40
WAITING = 4


def _answers(rng: random.Random, ability: float) -> dict[str, int]:
    """Scores around ``ability`` (0 = none, 1 = full) for every GB/T 42195 item."""
    answers: dict[str, int] = {}
    for code, item in services.item_bank("gbt42195").items():
        allowed = sorted(item["allowed"])
        target = ability * item["max"] + rng.gauss(0, 0.6)
        answers[code] = min(allowed, key=lambda v: abs(v - target))
    return answers


def seed(ctx: Any) -> str:
    from yiyang.elders.models import Elder

    uscc = AGENCY_USCC_BODY + uscc_check_char(AGENCY_USCC_BODY)
    if AssessmentAgency.objects.filter(uscc=uscc).exists():
        return "评估机构已存在，跳过"
    county = Region.objects.get(code=COUNTY_A)
    assessor, assessor_2 = ctx.user("assessor"), ctx.user("assessor_2")
    admin = ctx.user("county_admin")
    agency = services.agency_create(
        name="广陵区颐康老年人能力评估中心",
        uscc=uscc,
        region=county,
        assessors=[assessor, assessor_2],
        actor=admin,
    )
    services.policy_set(
        region=county,
        actor=admin,
        standard="gbt42195",
        assessors_required=2,
    )
    towns = ctx.city.towns.get(COUNTY_A, [])
    if towns:
        services.policy_set(
            region=towns[0],
            actor=admin,
            standard="gbt42195",
            assessors_required=2,
        )
    services.recognition_policy_set(
        region=county,
        programme="subsidy.care",
        accepted_sources=["医保局长期护理失能评估"],
        accepted_standards=[],
        actor=admin,
    )
    services.recognition_policy_set(
        region=county,
        programme="beds.admission",
        accepted_sources=[],
        accepted_standards=["gbt42195"],
        actor=admin,
    )

    elders = list(
        Elder.objects.filter(region__code__startswith=COUNTY_A[:6], status="active").order_by("id")[
            : COMPLETED + WAITING
        ]
    )
    if not elders:
        return "评估机构与政策已建；没有广陵区的演示老人（老人步骤未生成），未建评估"
    rng = random.Random(ctx.seed * 4241)
    today = timezone.localdate()
    done = 0
    waiting_n = min(WAITING, max(1, len(elders) // 6))
    waiting, to_complete = elders[:waiting_n], elders[waiting_n : waiting_n + COMPLETED]

    def complete(elder: Any, ability: float, reason: str, days_ago: int, record: dict[str, Any]) -> None:
        a = services.assessment_request(elder=elder, reason=reason, actor=admin)
        services.assessment_assign(assessment=a, agency=agency, assessors=[assessor, assessor_2], actor=admin)
        services.assessment_save_answers(assessment=a, answers=_answers(rng, ability), actor=assessor)
        services.assessment_save_record(assessment=a, actor=assessor, **record)
        for person in (assessor, assessor_2):
            services.assessment_sign(assessment=a, role="assessor", actor=person)
        services.assessment_sign(assessment=a, role="informant", name="家属", actor=assessor)
        services.assessment_submit(assessment=a, actor=assessor, assessed_on=today - timedelta(days=days_ago))
        services.assessment_complete(assessment=a, actor=assessor)

    for n, elder in enumerate(to_complete):
        ability = rng.choice([1.0, 0.95, 0.85, 0.75, 0.6, 0.45, 0.3, 0.15])
        if n < 6:  # an earlier, better result a year before: the history shows the decline
            complete(
                elder,
                min(1.0, ability + 0.2),
                Reason.FIRST,
                rng.randint(380, 420),
                {"informant_name": "家属", "informant_relation": "子女"},
            )
        roll = rng.random()
        record: dict[str, Any] = {"informant_name": "家属", "informant_relation": "子女"}
        if roll < 0.15:
            record["diagnoses"] = [{"code": "dementia", "icd10": "F03"}]
        elif roll < 0.25:
            record["risk_events"] = {"fall": 2, "wander": rng.choice([0, 1])}
        elif roll < 0.3:
            record["diagnoses"] = ["dementia", "hypertension"]
            record["risk_events"] = {"fall": 1, "choke": 1}
        complete(elder, ability, Reason.ROUTINE if n < 6 else Reason.FIRST, rng.randint(5, 330), record)
        done += 1
    for n, elder in enumerate(waiting):
        reason = Reason.IMMEDIATE if n == 0 else Reason.FIRST
        a = services.assessment_request(elder=elder, reason=reason, note="演示：待评估", actor=admin)
        if n % 2 == 0:
            services.assessment_assign(
                assessment=a, agency=agency, assessors=[assessor, assessor_2], actor=admin
            )
    external = 0
    for elder in to_complete[-2:]:
        services.external_result_record(
            elder=elder,
            source="医保局长期护理失能评估",
            standard="ltc2021",
            level=rng.choice([2, 3]),
            label="",
            assessed_on=today - timedelta(days=60),
            valid_until=today + timedelta(days=305),
            document_ref=f"YB-LTC-{ctx.seed:02d}{external + 1:04d}",
            actor=admin,
        )
        external += 1
    open_count = Assessment.objects.filter(status__in=[Status.REQUESTED, Status.ASSIGNED]).count()
    return f"评估机构 1 个，已完成评估 {done} 份，待办 {open_count} 份，医保失能评估结果 {external} 份"
