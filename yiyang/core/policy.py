"""Policy as data: the thresholds the rules use (check-in distance, short service, deadlines,
re-assessment interval) are versioned, region-level values with their source, not constants.

- :data:`POLICIES` declares each key once: its Chinese label, unit, default and the standard or
  document it comes from. The defaults are seeded as platform-wide rows (``region_code=""``) by the
  core data migration ``0003_seed_policy_values``.
- :func:`policy_value` picks, for a region and a moment, the row of the **finest** region on the
  region's path (county over city over the platform default), then the **latest** version valid then.
- :func:`policy_value_set` never edits a row: it appends a new version, checked against the acting
  user's scope and audited in the same transaction. Only the city administrator holds
  ``policy.manage`` (a county override is set by the city for one of its counties).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yiyang.core.errors import DomainError, Forbidden, OutOfScope
from yiyang.core.policy_models import PolicyValue
from yiyang.core.regioncodes import ancestor_codes, normalize_region_code, scope_prefix

MANAGE = "policy.manage"


@dataclass(frozen=True)
class Policy:
    key: str
    label: str
    unit: str
    default: int
    source: str
    applies: str  # where people see it
    minimum: int = 1
    maximum: int = 100000


POLICIES: dict[str, Policy] = {
    p.key: p
    for p in [
        Policy(
            "orders.check_in_max_distance",
            "签到位置距老人住址上限",
            "米",
            300,
            "本平台上门服务监管规则：签到定位与老人登记住址的距离超过此值，工单标记「签到位置距老人住址过远」待核查",
            "服务人员签到页",
        ),
        Policy(
            "orders.short_service_percent",
            "服务时长下限（占标准时长）",
            "%",
            50,
            "本平台上门服务监管规则：实际服务时长不足服务项目标准时长的该比例（默认一半），工单标记「服务时长不足」待核查",
            "服务人员签退页、异常核查",
            maximum=100,
        ),
        Policy(
            "orders.check_in_time_window",
            "签到时间与预约时间允许相差",
            "分钟",
            60,
            "本平台上门服务监管规则：签到时间早于或晚于预约上门时间超过此值，工单标记「签到时间与预约时间相差过大」待核查",
            "服务人员签到页、异常核查",
            maximum=1440,
        ),
        Policy(
            "orders.accept_deadline",
            "派单后接单时限",
            "分钟",
            30,
            "本平台调度规则：派单后超过此时限未接单，收回并自动改派",
            "派单与工单详情",
        ),
        Policy(
            "complaints.resolve_deadline",
            "投诉办结时限",
            "小时",
            72,
            "本平台投诉处理规则（默认 72 小时，按地方 12345 热线与民政部门办理时限文件调整）",
            "投诉登记页、投诉列表",
        ),
        Policy(
            "assessments.routine_interval",
            "常规复评间隔",
            "个月",
            6,
            "MZ/T 039-2013《老年人能力评估》4.3.5：接受服务后若无特殊变化，每 6 个月定期评估一次",
            "评估结果、待复评列表",
            maximum=60,
        ),
        Policy(
            "assessments.result_valid",
            "评估结果有效期",
            "个月",
            12,
            "本平台默认值（按地方评估管理办法调整）",
            "评估结果",
            maximum=60,
        ),
    ]
}


def _policy(key: str) -> Policy:
    try:
        return POLICIES[key]
    except KeyError:
        raise DomainError(f"未知的政策参数：{key}", errors={"key": ["未知的政策参数"]}) from None


def _region_path(region_code: str | None) -> list[str]:
    """The region and its ancestors, finest first, then the platform default ``""``."""
    if not region_code:
        return [""]
    code = normalize_region_code(str(region_code))
    return [code, *reversed(ancestor_codes(code)), ""]


def _day(at: datetime | date | None) -> date:
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime):
        return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    return at


def policy_row(
    key: str, region_code: str | None = None, at: datetime | date | None = None
) -> PolicyValue | None:
    """The row in force for ``key`` in the region at ``at``: finest region first, then latest version."""
    _policy(key)
    path = _region_path(region_code)
    day = _day(at)
    rows = PolicyValue.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), key=key, region_code__in=path, valid_from__lte=day
    ).order_by("-valid_from", "-pk")
    best: PolicyValue | None = None
    for row in rows:
        if best is None or path.index(row.region_code) < path.index(best.region_code):
            best = row
    return best


def policy_value(key: str, region_code: str | None = None, at: datetime | date | None = None) -> int:
    """The value of ``key`` for the region at ``at`` (now by default); the declared default when no
    row applies. Values are whole numbers in the policy's unit."""
    row = policy_row(key, region_code, at)
    return int(row.value) if row is not None else _policy(key).default


def policy_values(
    keys: list[str], region_code: str | None = None, at: datetime | date | None = None
) -> dict[str, int]:
    """``policy_value`` of several keys for the same region and moment, read in one query."""
    return policy_pick(policy_rows(keys, region_code, at), keys, region_code)


def policy_rows(
    keys: list[str], region_code: str | None = None, at: datetime | date | None = None
) -> QuerySet[PolicyValue, Any]:
    """The candidate rows of ``keys`` for the region at ``at``, as values (for ``policy_pick``): a caller
    may read them together with other rows (``yiyang.core.reads.read_together``)."""
    for key in keys:
        _policy(key)
    day = _day(at)
    return PolicyValue.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        key__in=keys,
        region_code__in=_region_path(region_code),
        valid_from__lte=day,
    ).values("pk", "key", "region_code", "value", "valid_from")


def policy_pick(
    rows: Iterable[dict[str, Any]], keys: list[str], region_code: str | None = None
) -> dict[str, int]:
    """From ``policy_rows``: per key the finest region's row, of those the latest version; else the
    declared default."""
    path = _region_path(region_code)
    best: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["valid_from"], r["pk"]), reverse=True):
        held = best.get(row["key"])
        if held is None or path.index(row["region_code"]) < path.index(held["region_code"]):
            best[row["key"]] = row
    return {key: int(best[key]["value"]) if key in best else _policy(key).default for key in keys}


def policy_minimum(key: str, at: datetime | date | None = None) -> int:
    """The smallest value of ``key`` in force anywhere at ``at`` (for sweeps over all regions)."""
    day = _day(at)
    values = [
        int(v)
        for v in PolicyValue.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day), key=key, valid_from__lte=day
        ).values_list("value", flat=True)
    ]
    return min([*values, _policy(key).default])


def policy_value_set(
    *,
    key: str,
    region_code: str,
    value: Any,
    valid_from: date,
    source: str,
    actor: Any,
    valid_to: date | None = None,
) -> PolicyValue:
    """Append a new version of ``key`` for a region the actor manages (never an edit in place)."""
    from yiyang.audit.services import audit_record  # audit is a platform app the kernel calls lazily

    policy = _policy(key)
    errors: dict[str, list[str]] = {}
    try:
        number = Decimal(str(value))
        if number != number.to_integral_value() or not policy.minimum <= number <= policy.maximum:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = [f"{policy.label}应为 {policy.minimum}–{policy.maximum} 的整数（{policy.unit}）"]
    if not source.strip():
        errors["source"] = ["请填写依据（标准或文件名称、文号）"]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = ["失效日期不能早于生效日期"]
    if not region_code:
        errors["region_code"] = ["请选择适用区域"]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="validation_error", errors=errors)
    try:
        code = normalize_region_code(region_code)
    except ValueError as exc:
        raise DomainError(str(exc), code="validation_error", errors={"region_code": [str(exc)]}) from None
    if actor is None or not actor.holds(MANAGE):
        raise Forbidden("无权修改政策参数")
    with transaction.atomic():
        if not actor.is_superuser and not any(
            scope_prefix(code).startswith(p) for p in actor.scope_prefixes(MANAGE)
        ):
            raise OutOfScope("该区域不在管辖范围内")
        previous = policy_value(key, code, valid_from)
        row = PolicyValue.objects.create(
            key=key,
            region_code=code,
            value=number,
            unit=policy.unit,
            valid_from=valid_from,
            valid_to=valid_to,
            source=source.strip(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            region=code,
            event="policy.set",
            obj=row,
            data={
                "key": key,
                "value": int(number),
                "previous": previous,
                "unit": policy.unit,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            },
            summary=f"{policy.label}：{previous} → {int(number)} {policy.unit}",
        )
    return row


def policy_history(key: str, region_codes: list[str] | None = None) -> list[PolicyValue]:
    """Every version of ``key`` (optionally only for some regions), newest first."""
    rows = PolicyValue.objects.filter(key=key).select_related("created_by")
    if region_codes is not None:
        rows = rows.filter(region_code__in=region_codes)
    return list(rows.order_by("-valid_from", "-pk"))
