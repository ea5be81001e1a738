"""Reads of the assessment app: scoped lists, the history of one elder with differences between two
assessments, the recognised level for a programme (mutual recognition) and the elder-page tab."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from yiyang.assessments.models import (
    Assessment,
    AssessmentAgency,
    AssessmentSignature,
    ExternalAssessmentResult,
    RecognitionPolicy,
    Status,
)
from yiyang.assessments.services import item_bank
from yiyang.elders.selectors import elder_capability

VIEW = "assessments.view"


def assessment_list(
    *, user: Any, perm: str = VIEW, mine: bool = False, elder: Any = None, status: str | None = None
) -> QuerySet[Assessment]:
    qs = (
        Assessment.objects.restrict(user, perm)
        .select_related("elder", "elder__region", "agency")
        .prefetch_related("assessors")
    )
    if mine:
        qs = qs.filter(assessors=user)
    if elder is not None:
        qs = qs.filter(elder=elder)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-pk")


#: A re-assessment shows in the 待复评 list this many days before it falls due.
DUE_SOON_DAYS = 30


def reassessments_due(
    *,
    user: Any,
    perm: str = VIEW,
    mine: bool = False,
    within_days: int = DUE_SOON_DAYS,
    today: date | None = None,
) -> QuerySet[Assessment]:
    """待复评: each active elder's latest completed assessment whose routine re-assessment
    (``next_routine_on``, from the policy interval) is due within ``within_days`` or overdue, while no
    assessment of the elder is open. ``mine``: those the user assessed. Soonest first."""
    from django.db.models import Exists, OuterRef

    from yiyang.assessments.models import OPEN_STATUSES
    from yiyang.elders.choices import ElderStatus

    limit = (today or timezone.localdate()) + timedelta(days=within_days)
    newer = Assessment.objects.filter(
        elder=OuterRef("elder"), status=Status.COMPLETED, assessed_on__gt=OuterRef("assessed_on")
    )
    open_ = Assessment.objects.filter(elder=OuterRef("elder"), status__in=OPEN_STATUSES)
    qs = (
        Assessment.objects.restrict(user, perm)
        .filter(status=Status.COMPLETED, elder__status=ElderStatus.ACTIVE, next_routine_on__lte=limit)
        .exclude(Exists(newer))
        .exclude(Exists(open_))
        .select_related("elder", "elder__region", "agency")
        .prefetch_related("assessors")
    )
    if mine:
        qs = qs.filter(assessors=user)
    return qs.order_by("next_routine_on", "pk")


def assessment_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Assessment | None:
    try:
        return (
            Assessment.objects.restrict(user, perm)
            .select_related("elder", "elder__region", "agency", "requested_by")
            .prefetch_related(
                "assessors", Prefetch("signatures", AssessmentSignature.objects.all()), "events__actor"
            )
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):
        return None


def agency_list(*, user: Any, perm: str = VIEW) -> QuerySet[AssessmentAgency]:
    return (
        AssessmentAgency.objects.restrict(user, perm).select_related("region").prefetch_related("assessors")
    )


def assessment_history(elder: Any) -> list[Assessment]:
    """Completed assessments of one elder, newest first."""
    return list(
        Assessment.objects.filter(elder=elder, status=Status.COMPLETED).order_by(
            "-assessed_on", "-completed_at"
        )
    )


def assessment_diff(old: Assessment, new: Assessment) -> dict[str, Any]:
    """Differences between two assessments: per item, per sub-total and the levels."""
    items = []
    bank = item_bank(new.standard) if new.standard == old.standard else {}
    for code, item in bank.items():
        a, b = old.answers.get(code), new.answers.get(code)
        items.append(
            {
                "code": code,
                "name": item["name"],
                "old": a,
                "new": b,
                "delta": (b - a) if isinstance(a, int) and isinstance(b, int) else None,
                "changed": a != b,
            }
        )
    old_sub = (old.result or {}).get("subtotals", {}) or {}
    new_sub = (new.result or {}).get("subtotals", {}) or {}
    subtotals = [
        {
            "code": k,
            "old": old_sub.get(k),
            "new": new_sub.get(k),
            "delta": (new_sub[k] - old_sub[k]) if k in old_sub and k in new_sub else None,
        }
        for k in sorted(set(old_sub) | set(new_sub))
    ]
    return {
        "same_standard": old.standard == new.standard,
        "old": {
            "id": str(old.public_id),
            "assessed_on": old.assessed_on,
            "standard": old.standard,
            "total": old.total,
            "final_level": old.final_level,
            "label": old.label,
        },
        "new": {
            "id": str(new.public_id),
            "assessed_on": new.assessed_on,
            "standard": new.standard,
            "total": new.total,
            "final_level": new.final_level,
            "label": new.label,
        },
        "total_delta": (new.total - old.total) if old.total is not None and new.total is not None else None,
        "level_delta": (new.final_level - old.final_level)
        if old.final_level is not None and new.final_level is not None
        else None,
        "items": items,
        "changed_items": [i for i in items if i["changed"]],
        "subtotals": subtotals,
    }


def recognition_policy_for(region: Any, programme: str) -> RecognitionPolicy | None:
    chain: list[str] = []
    node = region
    while node is not None:
        chain.append(node.code)
        node = node.parent
    found = {
        p.region_id: p for p in RecognitionPolicy.objects.filter(region_id__in=chain, programme=programme)
    }
    return next((found[c] for c in chain if c in found), None)


def recognized_level(elder: Any, programme: str, *, on: date | None = None) -> dict[str, Any] | None:
    """The latest acceptable, still valid result (own or external) for ``programme`` in the elder's region.

    Without a policy, only the platform's own completed assessments count. Returns ``{"origin":
    "own"|"external", "source", "standard", "level", "label", "assessed_on", "valid_until", "id"}``.
    """
    day = on or timezone.localdate()
    policy = recognition_policy_for(elder.region, programme)
    accept_own = policy.accept_own if policy else True
    standards = set(policy.accepted_standards) if policy and policy.accepted_standards else None
    candidates: list[dict[str, Any]] = []
    if accept_own:
        own = Assessment.objects.filter(elder=elder, status=Status.COMPLETED).order_by("-assessed_on").first()
        if (
            own is not None
            and (standards is None or own.standard in standards)
            and (own.valid_until is None or own.valid_until >= day)
        ):
            candidates.append(
                {
                    "origin": "own",
                    "source": "本平台能力评估",
                    "standard": own.standard,
                    "level": own.final_level,
                    "label": own.label,
                    "assessed_on": own.assessed_on,
                    "valid_until": own.valid_until,
                    "id": str(own.public_id),
                }
            )
    if policy is not None and policy.accepted_sources:
        for ext in ExternalAssessmentResult.objects.filter(elder=elder, source__in=policy.accepted_sources):
            if standards is not None and ext.standard not in standards:
                continue
            if ext.valid_until is not None and ext.valid_until < day:
                continue
            candidates.append(
                {
                    "origin": "external",
                    "source": ext.source,
                    "standard": ext.standard,
                    "level": ext.level,
                    "label": ext.label,
                    "assessed_on": ext.assessed_on,
                    "valid_until": ext.valid_until,
                    "id": str(ext.public_id),
                }
            )
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c["assessed_on"], c["origin"] == "own"))


def elder_tab_context(elder: Any, user: Any) -> dict[str, Any]:
    """Context of ``assessments/_elder_tab.html`` on the elder page: history, current level, links."""
    history = assessment_list(user=user, elder=elder)  # restricted by the shared scope mechanism
    externals = ExternalAssessmentResult.objects.restrict(user, VIEW).filter(elder=elder)
    return {
        "assessments": list(history[:20]),
        "external_results": list(externals[:10]),
        "capability": elder_capability(elder),
        "can_request": user.has_perm("assessments.request")
        and user.in_region_scope("assessments.request", elder.region_id),
        "history_url": reverse("assessments:history", args=[elder.public_id]),
        "request_url": reverse("assessments:request") + f"?elder={elder.public_id}",
        "external_url": reverse("assessments:external") + f"?elder={elder.public_id}",
    }
