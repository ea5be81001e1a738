"""Writes of the KPIs: a department's entered value (with evidence, audited, scoped) and the monthly
snapshots (the recorded job ``analytics.kpi_snapshots`` calls ``snapshots_refresh`` as the system)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiyang.analytics.choices import Source
from yiyang.analytics.models import Kpi, KpiEntry, KpiSnapshot
from yiyang.analytics.selectors import applies, city_code, compute
from yiyang.audit.services import audit_record
from yiyang.core.errors import DomainError
from yiyang.core.regioncodes import normalize_region_code, scope_prefix
from yiyang.core.validators import as_domain_error, check_date, check_text
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
) -> KpiEntry:
    """A department enters the value of an ``entered`` KPI for a region (city or county), as of a date,
    naming its evidence (document title and number). Scoped to the actor's regions; audited."""
    require_actor(actor)
    kpi = Kpi.objects.filter(code=str(kpi_code)[:60], is_active=True).first()
    if kpi is None or kpi.source != Source.ENTERED:
        raise _invalid("kpi", "请选择需要部门填报的指标")
    try:
        code = normalize_region_code(str(region_code))
    except (ValueError, TypeError) as exc:
        raise _invalid("region", "区域代码无效") from exc
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise _invalid("value", "填报值应为数字") from exc
    if not number.is_finite() or abs(number) > MAX_VALUE or number < 0:
        raise _invalid("value", "填报值应为不小于 0 的数字")
    number = number.quantize(Decimal("0.01"))
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
        audit_record(
            actor=actor,
            region=code,
            event="kpis.entered",
            obj=entry,
            data={"kpi": kpi.code, "value": str(number), "as_of": as_of.isoformat()},
            summary=f"{region.name} {kpi.name} {number}{kpi.unit}（{as_of:%Y-%m-%d}）",
        )
    return entry


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
