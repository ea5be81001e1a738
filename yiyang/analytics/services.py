"""Writes of the KPIs: a department's entered value (with evidence and its files, audited, scoped), a new
version of a target (``kpi_target_set``), an audited evidence download, and the monthly snapshots (the
recorded job ``analytics.kpi_snapshots`` calls ``snapshots_refresh`` as the system)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, overload

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yiyang.analytics import evidence as evidence_files
from yiyang.analytics.choices import Direction, Source
from yiyang.analytics.models import Kpi, KpiEntry, KpiEvidence, KpiSnapshot, KpiTarget
from yiyang.analytics.selectors import applies, city_code, compute
from yiyang.audit.services import audit_record
from yiyang.core.errors import DomainError
from yiyang.core.regioncodes import normalize_region_code, scope_prefix
from yiyang.core.validators import as_domain_error, check_date, check_text, parse_int
from yiyang.regions.models import Region
from yiyang.regions.scope import require_actor, require_scope

MAX_VALUE = Decimal("9999999999999999")


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={field: [message]})


def kpi_entry_create(
    *,
    actor: Any,
    kpi_code: str,
    region_code: str,
    value: Any,
    as_of: date,
    department: str,
    evidence: str,
    files: list[Any] | tuple[Any, ...] = (),
) -> KpiEntry:
    """A department enters the value of an ``entered`` KPI for a region (city or county), as of a date,
    naming its evidence (document title and number) and attaching its files (PDF, images, .xlsx, checked
    by content in ``analytics.evidence``). Scoped to the actor's regions; audited."""
    require_actor(actor)
    kpi = Kpi.objects.filter(code=str(kpi_code)[:60], is_active=True).first()
    if kpi is None or kpi.source != Source.ENTERED:
        raise _invalid("kpi", "请选择需要部门填报的指标")
    try:
        code = normalize_region_code(str(region_code))
    except (ValueError, TypeError) as exc:
        raise _invalid("region", "区域代码无效") from exc
    number = _decimal(value, "value", "填报值")
    if not isinstance(as_of, date):
        raise _invalid("as_of", "请填写数据日期")
    with as_domain_error("as_of"):
        check_date(as_of, label="数据日期")
    if as_of > timezone.localdate():
        raise _invalid("as_of", "数据日期不能晚于今天")
    with as_domain_error("department"):
        department = check_text(str(department or ""), label="填报部门", max_length=60)
    with as_domain_error("evidence"):
        evidence = check_text(str(evidence or ""), label="佐证材料", max_length=300)
    if not department:
        raise _invalid("department", "请填写填报部门")
    if not evidence:
        raise _invalid("evidence", "请填写佐证材料（文件名称、文号）")
    checked = evidence_files.check_files(list(files))
    with transaction.atomic():
        require_scope(actor, "kpis.enter", code)
        region = Region.objects.filter(code=code).first()
        if region is None or not applies(kpi, region):
            raise _invalid("region", "该指标不适用于所选区域")
        entry = KpiEntry.objects.create(
            kpi=kpi,
            region_code=code,
            value=number,
            as_of=as_of,
            department=department,
            evidence=evidence,
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for item in checked:
            _store_evidence(actor, entry, item)
        audit_record(
            actor=actor,
            region=code,
            event="kpis.entered",
            obj=entry,
            data={
                "kpi": kpi.code,
                "value": str(number),
                "as_of": as_of.isoformat(),
                "files": [c.sha256 for c in checked],
            },
            summary=f"{region.name} {kpi.name} {number}{kpi.unit}（{as_of:%Y-%m-%d}）",
        )
    return entry


def _store_evidence(actor: Any, entry: KpiEntry, item: evidence_files.Checked) -> KpiEvidence:
    import uuid

    record = KpiEvidence(
        entry=entry,
        region_code=entry.region_code,
        kind=item.kind,
        name=item.name,
        size=len(item.content),
        sha256=item.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record.file.save(f"{uuid.uuid4().hex}.{item.kind}", ContentFile(item.content), save=False)
    record.save()
    return record


def kpi_evidence_download(*, actor: Any, evidence: KpiEvidence) -> KpiEvidence:
    """Record that ``actor`` downloads an evidence file (every download is audited: a scanned document
    may list people — a roll of certified caregivers — and the platform cannot tell which do)."""
    require_actor(actor)
    with transaction.atomic():
        require_scope(actor, "kpis.view", evidence.region_code)
        audit_record(
            actor=actor,
            region=evidence.region_code,
            event="kpis.evidence_downloaded",
            obj=evidence.entry,
            data={"file": str(evidence.public_id), "sha256": evidence.sha256},
            summary=f"下载佐证文件 {evidence.name}",
        )
    return evidence


@overload
def _decimal(raw: Any, field: str, label: str, *, required: Literal[True] = True) -> Decimal: ...


@overload
def _decimal(raw: Any, field: str, label: str, *, required: bool) -> Decimal | None: ...


def _decimal(raw: Any, field: str, label: str, *, required: bool = True) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise _invalid(field, f"请填写{label}")
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise _invalid(field, f"{label}应为数字") from exc
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise _invalid(field, f"{label}应为不小于 0 的数字")
    return number.quantize(Decimal("0.01"))


def _year(raw: Any, field: str, label: str, *, required: bool = True) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise _invalid(field, f"请填写{label}")
        return None
    with as_domain_error(field):
        return parse_int(text, label=label, min_value=2000, max_value=2100)


def kpi_target_set(
    *,
    actor: Any,
    kpi_code: str,
    region_code: str,
    year: Any,
    value: Any,
    valid_from: date | None,
    reason: str,
    valid_to: date | None = None,
    baseline_year: Any = None,
    baseline_value: Any = None,
    source: str = "",
) -> KpiTarget:
    """Set the target of a KPI for a region (city or county) and year, as a new version in force from
    ``valid_from`` (to ``valid_to``, inclusive, or open-ended). The version it replaces keeps its value and
    has its validity closed the day before; nothing is overwritten. A first target for the region and year
    is a version of its own (replacing nothing). Scoped (``kpis.targets``), with a reason, audited."""
    require_actor(actor)
    kpi = Kpi.objects.filter(code=str(kpi_code)[:60], is_active=True).first()
    if kpi is None:
        raise _invalid("kpi", "请选择指标")
    if kpi.direction == Direction.NONE:
        raise _invalid("kpi", "该指标为统计量，不设目标值")
    try:
        code = normalize_region_code(str(region_code))
    except (ValueError, TypeError) as exc:
        raise _invalid("region", "区域代码无效") from exc
    target_year = _year(year, "year", "目标年份")
    number = _decimal(value, "value", "目标值")
    if target_year is None or number is None:  # required: _year and _decimal have said which
        raise _invalid("value", "请填写目标年份与目标值")
    if kpi.unit == "%" and number > 100:
        raise _invalid("value", "目标值是百分比，不能超过 100")
    base_year = _year(baseline_year, "baseline_year", "基期年份", required=False)
    base_value = _decimal(baseline_value, "baseline_value", "基期值", required=False)
    if (base_year is None) != (base_value is None):
        field = "baseline_value" if base_value is None else "baseline_year"
        raise _invalid(field, "基期年份与基期值须同时填写或同时不填")
    if base_year is not None and base_year >= target_year:
        raise _invalid("baseline_year", "基期年份应早于目标年份")
    if not isinstance(valid_from, date):
        raise _invalid("valid_from", "请填写生效日期")
    with as_domain_error("valid_from"):
        check_date(valid_from, label="生效日期")
    if valid_to is not None:
        if not isinstance(valid_to, date):
            raise _invalid("valid_to", "失效日期格式不正确")
        with as_domain_error("valid_to"):
            check_date(valid_to, label="失效日期")
        if valid_to < valid_from:
            raise _invalid("valid_to", "失效日期不能早于生效日期")
    with as_domain_error("reason"):
        reason = check_text(str(reason or ""), label="调整理由", max_length=300)
    if not reason:
        raise _invalid("reason", "请填写设定或调整的理由")
    with as_domain_error("source"):
        source = check_text(str(source or ""), label="目标出处", max_length=200)
    with transaction.atomic():
        require_scope(actor, "kpis.targets", code)
        region = Region.objects.filter(code=code).first()
        if region is None or region.level not in ("city", "county") or not applies(kpi, region):
            raise _invalid("region", "目标值按市、县（区）设定，且该指标须适用于所选区域")
        versions = list(
            KpiTarget.objects.select_for_update()
            .filter(kpi=kpi, region_code=code, year=target_year)
            .order_by("pk")
        )
        latest = max(versions, key=lambda t: (t.valid_from or date.min, t.pk), default=None)
        if latest is not None and latest.valid_from is not None and valid_from <= latest.valid_from:
            message = f"生效日期应晚于现行版本的生效日期（{latest.valid_from:%Y-%m-%d}）"
            raise _invalid("valid_from", message)
        closed_to = None
        if latest is not None and (latest.valid_to is None or latest.valid_to >= valid_from):
            closed_to = valid_from - timedelta(days=1)
            KpiTarget.objects.filter(pk=latest.pk).update(valid_to=closed_to)
        target = KpiTarget.objects.create(
            kpi=kpi,
            region_code=code,
            year=target_year,
            value=number,
            comparator="≤" if kpi.direction == Direction.DOWN else "≥",
            baseline_year=base_year,
            baseline_value=base_value,
            is_demo=False,
            source=source,
            valid_from=valid_from,
            valid_to=valid_to,
            replaces=latest,
            reason=reason,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=timezone.now(),
        )
        previous = f"（原 {latest.value}{kpi.unit}）" if latest is not None else ""
        audit_record(
            actor=actor,
            region=code,
            event="kpis.target_set",
            obj=target,
            data={
                "kpi": kpi.code,
                "year": target_year,
                "value": str(number),
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
                "replaces": latest.pk if latest is not None else None,
                "previous_valid_to": closed_to.isoformat() if closed_to else None,
                "reason": reason,
            },
            summary=f"{region.name} {kpi.name} {target_year} 年目标 {number}{kpi.unit}{previous}",
        )
    return target


def month_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_of(day: date) -> str:
    return f"{day:%Y-%m}"


def months_back(day: date, n: int) -> list[str]:
    """The ``n`` months before ``day``'s month and that month itself, oldest first."""
    y, m = day.year, day.month
    out = []
    for _ in range(n + 1):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


def snapshots_refresh(
    *, actor: Any, period: str | None = None, root_code: str | None = None, backfilled: bool | None = None
) -> dict[str, Any]:
    """Compute every KPI for every region under the city (city, counties, streets, communities) for one
    month and store them (replacing that month's rows). The current month is computed as of today; a past
    month as of its last day, and marked ``backfilled`` (computed afterwards from the data as it now
    stands, with ages and statuses taken at that date)."""
    require_actor(actor)
    today = timezone.localdate()
    period = period or period_of(today)
    as_of = min(month_end(period), today)
    if backfilled is None:
        backfilled = period < period_of(today)
    root = normalize_region_code(root_code or city_code())
    require_scope(actor, "kpis.enter", root)
    prefix = scope_prefix(root)
    regions = list(Region.objects.filter(code__startswith=prefix).only("code", "level"))
    kpis = list(Kpi.objects.filter(is_active=True))
    started = time.perf_counter()
    by_prefix = {scope_prefix(r.code): r for r in regions}
    values = compute(kpis, list(by_prefix), as_of, prefix)
    rows = []
    for (_code, p), item in values.items():
        region = by_prefix[p]
        kpi = item.kpi
        if not applies(kpi, region):
            continue
        rows.append(
            KpiSnapshot(
                kpi=kpi,
                region_code=region.code,
                period=period,
                as_of=item.as_of,
                value=item.value,
                numerator=item.numerator,
                denominator=item.denominator,
                reason=item.reason[:200],
                backfilled=backfilled,
            )
        )
    with transaction.atomic():
        KpiSnapshot.objects.filter(period=period, region_code__startswith=prefix).delete()
        KpiSnapshot.objects.bulk_create(rows, batch_size=2000)
        audit_record(
            actor=actor,
            region=root,
            event="kpis.snapshots",
            data={"period": period, "rows": len(rows), "backfilled": backfilled},
            summary=f"计算 {period} 指标快照 {len(rows)} 条",
        )
    return {
        "period": period,
        "processed": len(rows),
        "regions": len(regions),
        "seconds": round(time.perf_counter() - started, 2),
    }


def snapshots_backfill(*, actor: Any, months: int = 12, root_code: str | None = None) -> dict[str, Any]:
    """The current month and the ``months`` before it (used by the demo and after installing)."""
    total = 0
    periods = months_back(timezone.localdate(), months)
    for period in periods:
        total += snapshots_refresh(actor=actor, period=period, root_code=root_code)["processed"]
    return {"processed": total, "months": len(periods)}
