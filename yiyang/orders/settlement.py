"""政府购买服务支付清单: the monthly statement per provider *and county* (decision 0006: a statement
pays for the elders of one county, so it is scoped by that county like the orders it charges). An order
is charged once only (a unique charge line per order); corrections are reversal lines; every amount is
integer fen and ``amount = government + elder`` on every line, totals = sums of lines.

A generated statement is closed: nothing is added to it afterwards. A correction of a charge in a
closed statement (an upheld complaint after settlement, or a manual 冲正) waits as a
``PendingReversal`` and becomes the line 「冲销 YYYY-MM」 of the provider's next statement for the
same county.

Shares: the government share of a line is ``share_fen(price, bp)`` — floored to the fen, the elder
pays the rest (``yiyang.core.money``, decision 0007)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError
from yiyang.core.hooks import (
    ServiceCharged,
    ServiceChargeReversed,
    service_charge_reversed,
    service_charged,
)
from yiyang.core.money import share_fen, xlsx_append
from yiyang.core.statemachine import transition
from yiyang.core.validators import as_domain_error
from yiyang.core.validators import parse_month as validate_month_value
from yiyang.core.xlsx import append_row
from yiyang.orders.choices import ComplaintCategory, ComplaintOutcome, FlagStatus, LineKind
from yiyang.orders.choices import OrderStatus as S
from yiyang.orders.models import (
    Complaint,
    Order,
    OrderEvent,
    OrderFlag,
    PendingReversal,
    Settlement,
    SettlementLine,
)
from yiyang.orders.transitions import COMPLAINT_PENDING, ORDER_MACHINE, SETTLEABLE
from yiyang.providers.selectors import (
    elder_categories_on,
    government_share_bp,
    monthly_quota,
    monthly_quota_list,
    subsidy_rule_list,
)
from yiyang.regions.scope import county_code, require_scope

if TYPE_CHECKING:
    from yiyang.providers.models import Organisation

#: 0-based columns of the statement sheet that hold money (金额, 政府承担, 个人自付).
MONEY_COLUMNS = (7, 8, 9)


def parse_month(value: str) -> tuple[datetime, datetime]:
    with as_domain_error("month"):
        year, month = validate_month_value(value)
    start = timezone.make_aware(datetime.combine(date(year, month, 1), time.min))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, timezone.make_aware(datetime.combine(nxt, time.min))


def complaint_hold_q() -> Q:
    """Complaints that hold their order: a 未上门/虚假服务 complaint not yet resolved, or any upheld one."""
    return Q(category=ComplaintCategory.NO_SHOW, status__in=COMPLAINT_PENDING) | Q(
        outcome=ComplaintOutcome.UPHELD
    )


def held_q() -> Q:
    """Orders held out of settlement: an open flag (awaiting review) or a rejected one (refused), a
    pending no-show complaint (awaiting review) or an upheld complaint (refused)."""
    return Q(
        Exists(
            OrderFlag.objects.filter(order=OuterRef("pk"), status__in=[FlagStatus.OPEN, FlagStatus.REJECTED])
        )
    ) | Q(Exists(Complaint.objects.filter(complaint_hold_q(), order=OuterRef("pk"))))


def closed_months(provider: Organisation, month: str, county: str) -> list[str]:
    """Earlier months whose statement this provider already has for the county: their late orders
    (confirmed or cleared after the statement) are carried into the next statement instead of being
    lost."""
    return list(
        Settlement.objects.filter(provider=provider, month__lt=month, region_code=county)
        .order_by("month")
        .values_list("month", flat=True)
    )


def settleable_orders(
    provider: Organisation,
    start: datetime,
    end: datetime,
    *,
    county: str = "",
    carried_from: list[str] | tuple[str, ...] = (),
) -> Any:
    """Orders to charge for the county's elders (default: the provider's county): served in [start,
    end), plus those served in an already-closed month (``carried_from``) that were not charged then;
    never one already charged."""
    county = county or county_code(provider.region_id)
    window = Q(checked_out_at__gte=start, checked_out_at__lt=end)
    for month in carried_from:
        s, e = parse_month(month)
        window |= Q(checked_out_at__gte=s, checked_out_at__lt=e)
    return (
        Order.objects.filter(
            window, provider=provider, status__in=SETTLEABLE, region_code__startswith=county[:6]
        )
        .exclude(held_q())
        .exclude(Exists(SettlementLine.objects.filter(order=OuterRef("pk"), kind=LineKind.CHARGE)))
        .select_related("elder", "service_item")
        .prefetch_related("elder__categories")
        .order_by("checked_out_at", "pk")
    )


def _month_of(when: datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m")


def _refresh_totals(settlement: Settlement) -> None:
    sums = settlement.lines.aggregate(t=Sum("amount_fen"), g=Sum("government_fen"), e=Sum("elder_fen"))
    Settlement.objects.filter(pk=settlement.pk).update(
        total_fen=sums["t"] or 0, government_fen=sums["g"] or 0, elder_fen=sums["e"] or 0
    )
    settlement.refresh_from_db(fields=["total_fen", "government_fen", "elder_fen"])


def statement_county(*, actor: Any, provider: Organisation, region: Any = None) -> str:
    """The county (12-digit code) a statement is for: ``region`` when given (any code inside the
    county); else the actor's own county when their ``settlements.manage`` scope lies inside one county;
    else the provider's county."""
    code = getattr(region, "code", region)
    if code:
        return county_code(str(code))
    prefixes = actor.scope_prefixes("settlements.manage") if hasattr(actor, "scope_prefixes") else []
    counties = {p[:6] for p in prefixes if len(p) >= 6}
    if len(counties) == 1 and len(counties) == len(prefixes):
        return county_code(counties.pop())
    return county_code(provider.region_id)


@dataclass(frozen=True)
class SubsidySplit:
    """How one service's price is shared: the government's part (``government_bp`` of the price, floored to
    the fen) while the elder has subsidised services left in the month's quota, the elder pays the rest."""

    categories: list[str]
    government_bp: int
    quota: int
    within_quota: bool
    government_fen: int
    elder_fen: int


def subsidy_split(
    *,
    elder: Any,
    price_fen: int,
    service_category: str,
    day: date,
    used: int,
    rules: list[Any] | None = None,
    quotas: list[Any] | None = None,
) -> SubsidySplit:
    """The one rule of the subsidy: the statement (``_fill``) charges by it and the cart's preview
    (``yiyang.orders.ordering.cart_quote``) shows it. ``used``: the elder's subsidised services already
    counted in the month of ``day``."""
    cats = elder_categories_on(elder, day)
    rules = rules if rules is not None else list(subsidy_rule_list())
    quotas = quotas if quotas is not None else list(monthly_quota_list())
    bp = government_share_bp(categories=cats, service_category=service_category, day=day, rules=rules)
    quota = monthly_quota(categories=cats, day=day, quotas=quotas)
    within = bp > 0 and used < quota
    if not within:
        bp = 0
    government = share_fen(price_fen, bp)
    return SubsidySplit(
        categories=cats,
        government_bp=bp,
        quota=quota,
        within_quota=within,
        government_fen=government,
        elder_fen=price_fen - government,
    )


def quota_used_settled(*, elder_id: int, month: str) -> int:
    """Subsidised services of the elder already charged for visits served in ``month`` (any provider,
    reversed charges excluded): what the statement counts against the month's quota."""
    start, end = parse_month(month)
    return SettlementLine.objects.filter(
        order__elder_id=elder_id,
        kind=LineKind.CHARGE,
        quota_used=True,
        order__checked_out_at__gte=start,
        order__checked_out_at__lt=end,
        reversed_by__isnull=True,
    ).count()


def _now() -> datetime:
    """The clock of the month-ended guard (one seam: the suite's tests settle the month they serve in,
    as if it had ended; ``test_settling_a_month_that_has_not_ended_is_refused`` keeps the real one)."""
    return timezone.now()


def settlement_generate(
    *, provider: Organisation, month: str, actor: Any, region: Any = None
) -> tuple[Settlement, bool]:
    """The provider's statement for the month and one county's elders (``statement_county``); asking
    again returns the same one and settles nothing. The actor needs ``settlements.manage`` over that
    county."""
    start, end = parse_month(month)
    if end > _now():
        # A statement is closed for good once made (a regeneration returns it): settling a month that
        # has not ended would freeze a partial month and leave its later visits to 补结.
        raise Conflict(
            f"{month} 尚未结束，不能结算；请在 {timezone.localtime(end):%Y-%m-%d} 之后生成该月支付清单",
            code="month_not_ended",
        )
    county = statement_county(actor=actor, provider=provider, region=region)
    require_scope(actor, "settlements.manage", county)
    existing = Settlement.objects.filter(provider=provider, month=month, region_code=county).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            require_scope(actor, "settlements.manage", county)
            settlement = Settlement.objects.create(
                provider=provider,
                month=month,
                region_code=county,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            _fill(settlement, provider, start, end, actor)
            reversals = _apply_pending_reversals(settlement, actor)
            _refresh_totals(settlement)
            audit_record(
                actor=actor,
                region=county,
                event="settlements.generate",
                obj=settlement,
                data={
                    "month": month,
                    "lines": settlement.lines.count(),
                    "reversals": reversals,
                    "total_fen": settlement.total_fen,
                },
            )
    except IntegrityError:
        # Someone generated the same statement at the same moment: theirs stands.
        return Settlement.objects.get(provider=provider, month=month, region_code=county), False
    return settlement, True


def _fill(settlement: Settlement, provider: Organisation, start: datetime, end: datetime, actor: Any) -> None:
    orders = list(
        settleable_orders(
            provider,
            start,
            end,
            county=settlement.region_code,
            carried_from=closed_months(provider, settlement.month, settlement.region_code),
        )
    )
    elder_ids = {o.elder_id for o in orders}
    earliest = min((o.checked_out_at for o in orders if o.checked_out_at), default=start)
    # Subsidised services each elder already used in the month each visit was served (any provider):
    # a carried visit counts against its own month's quota.
    used: Counter[tuple[int, str]] = Counter(
        (elder_id, _month_of(served))
        for elder_id, served in SettlementLine.objects.filter(
            order__elder_id__in=elder_ids,
            kind=LineKind.CHARGE,
            quota_used=True,
            order__checked_out_at__gte=parse_month(_month_of(earliest))[0],
            order__checked_out_at__lt=end,
            reversed_by__isnull=True,
        ).values_list("order__elder_id", "order__checked_out_at")
        if served is not None
    )
    rules = list(subsidy_rule_list())
    quotas = list(monthly_quota_list())
    for order in orders:
        day = timezone.localtime(order.checked_out_at).date()
        served_in = day.strftime("%Y-%m")
        split = subsidy_split(
            elder=order.elder,
            price_fen=order.price_fen,
            service_category=order.service_item.category,
            day=day,
            used=used[(order.elder_id, served_in)],
            rules=rules,
            quotas=quotas,
        )
        within, bp, government = split.within_quota, split.government_bp, split.government_fen
        cats = split.categories
        SettlementLine.objects.create(
            settlement=settlement,
            order=order,
            kind=LineKind.CHARGE,
            amount_fen=order.price_fen,
            government_fen=government,
            elder_fen=split.elder_fen,
            government_bp=bp,
            quota_used=within,
            categories=cats,
            reason=""
            if served_in == settlement.month
            else f"补结 {served_in} 服务（该月结算后才确认或核查放行）",
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            region_code=order.region_code,
        )
        if within:
            used[(order.elder_id, served_in)] += 1
        if government > 0:
            # The elder's service credit (养老服务补贴额度) funds the government share where it can.
            service_charged.emit(
                ServiceCharged(
                    elder_pk=order.elder_id,
                    region_code=order.region_code,
                    order_public_id=order.public_id,
                    government_fen=government,
                    month=served_in,
                    actor=actor,
                )
            )

        transition(
            obj=order,
            to=S.SETTLED,
            machine=ORDER_MACHINE,
            timeline=OrderEvent,
            actor=actor,
            reason=f"纳入 {settlement.month} 结算"
            + ("" if served_in == settlement.month else f"（补结 {served_in}）"),
            data={"settlement": str(settlement.public_id)},
        )


def settlement_reverse(
    *,
    settlement: Settlement,
    order: Order,
    actor: Any,
    reason: str,
    permission: str = "settlements.manage",
) -> PendingReversal:
    """Correct a charged order: queue a reversal for the provider's next statement of the same county. A
    generated statement is closed — its lines and totals never change — so the charge is neither edited
    nor reversed in it; the next ``settlement_generate`` adds the negative line 「冲销 YYYY-MM」 (the
    month of the charge). Once per charge. ``permission``: ``settlements.manage``, or
    ``complaints.handle`` when an upheld complaint reverses it."""
    if not reason.strip():
        raise DomainError("请填写冲正原因", code="validation_error", errors={"reason": ["请填写冲正原因"]})
    with transaction.atomic():
        require_scope(actor, permission, settlement.region_code)
        require_scope(actor, permission, order.region_code)
        charge = (
            SettlementLine.objects.select_for_update()
            .filter(settlement=settlement, order=order, kind=LineKind.CHARGE)
            .first()
        )
        if charge is None:
            raise DomainError(
                "该工单不在此结算单中", code="validation_error", errors={"order": ["该工单不在此结算单中"]}
            )
        if (
            SettlementLine.objects.filter(reverses=charge).exists()
            or PendingReversal.objects.filter(charge=charge).exists()
        ):
            raise Conflict("该工单已冲正", code="duplicate")
        try:
            with transaction.atomic():
                pending = PendingReversal.objects.create(
                    provider=settlement.provider,
                    charge=charge,
                    reason=reason.strip()[:300],
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            raise Conflict("该工单已冲正", code="duplicate") from exc
        # Whatever funded the government share (the elder's service credit) is given back now.
        service_charge_reversed.emit(
            ServiceChargeReversed(
                elder_pk=order.elder_id,
                region_code=order.region_code,
                order_public_id=order.public_id,
                reason=reason.strip()[:300],
                actor=actor,
            )
        )
        audit_record(
            actor=actor,
            region=order.region_code,
            event="settlements.reverse",
            obj=settlement,
            data={
                "order": str(order.public_id),
                "amount_fen": -charge.amount_fen,
                "reason": reason[:300],
                "queued": True,
            },
        )
    return pending


def _apply_pending_reversals(settlement: Settlement, actor: Any) -> int:
    """Turn the provider's queued reversals of earlier statements into 冲销 lines of this one."""
    pending = list(
        PendingReversal.objects.select_for_update()
        .filter(
            provider=settlement.provider,
            line__isnull=True,
            charge__settlement__month__lt=settlement.month,
            charge__settlement__region_code=settlement.region_code,
        )
        .select_related("charge", "charge__settlement")
    )
    for p in pending:
        charge = p.charge
        line = SettlementLine.objects.create(
            settlement=settlement,
            order_id=charge.order_id,
            kind=LineKind.REVERSAL,
            amount_fen=-charge.amount_fen,
            government_fen=-charge.government_fen,
            elder_fen=-charge.elder_fen,
            government_bp=charge.government_bp,
            categories=charge.categories,
            reverses=charge,
            reason=f"冲销 {charge.settlement.month}：{p.reason}"[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            region_code=charge.region_code,
        )
        PendingReversal.objects.filter(pk=p.pk).update(line=line)
    return len(pending)


def settlement_xlsx(settlement: Settlement) -> bytes:
    """The statement a bureau files: labels (never codes), short order numbers, money as numbers in
    yuan formatted 0.00, the government share as a percentage number, a totals row and the lines for
    the signatures and the seal (经办人 / 审核人 / 机构盖章)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    from yiyang.core import labels
    from yiyang.regions.models import Region

    wb = Workbook()
    ws = wb.create_sheet("支付清单", 0)
    wb.remove(wb.worksheets[1])
    year, mon = settlement.month.split("-")
    county = Region.objects.filter(code=settlement.region_code).values_list("name", flat=True).first() or ""
    append_row(ws, [f"政府购买居家养老服务支付清单（{year} 年 {int(mon)} 月，{settlement.month}）"])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, ["服务机构", settlement.provider.name, "", "统一社会信用代码", settlement.provider.uscc])
    append_row(
        ws,
        [
            "结算区县",
            county,
            "",
            "生成时间",
            timezone.localtime(settlement.created_at).strftime("%Y-%m-%d %H:%M"),
        ],
    )
    header = [
        "序号",
        "类型",
        "工单号",
        "老人",
        "服务项目",
        "服务日期",
        "服务人员",
        "金额(元)",
        "政府承担(元)",
        "个人自付(元)",
        "政府比例",
        "计入月度额度",
        "老人类别",
        "说明",
    ]
    append_row(ws, header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    lines = settlement.lines.select_related("order__elder", "order__service_item", "order__caregiver")
    for n, line in enumerate(lines, 1):
        o = line.order
        xlsx_append(
            ws,
            [
                n,
                line.get_kind_display(),
                o.number,
                o.elder.name,
                o.service_item.name,
                timezone.localtime(o.checked_out_at).date() if o.checked_out_at else None,
                o.caregiver.name if o.caregiver else "",
                line.amount_fen,
                line.government_fen,
                line.elder_fen,
                line.government_bp / 10000,
                "是" if line.quota_used else "否",
                labels.labels("elder_category", line.categories) if line.categories else "无",
                line.reason,
            ],
            money=MONEY_COLUMNS,
        )
        ws.cell(row=ws.max_row, column=6).number_format = "yyyy-mm-dd"
        ws.cell(row=ws.max_row, column=11).number_format = "0.00%"
    last_line = ws.max_row
    xlsx_append(
        ws,
        [
            "合计",
            f"{last_line - header_row} 行",
            "",
            "",
            "",
            "",
            "",
            settlement.total_fen,
            settlement.government_fen,
            settlement.elder_fen,
        ],
        money=MONEY_COLUMNS,
    )
    total_row = ws.max_row
    for cell in ws[total_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=header_row, max_row=total_row, max_col=len(header)):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    append_row(ws, [])
    append_row(ws, ["经办人（签字）：", "", "", "", "日期：", "", "", "审核人（签字）：", "", "", "日期："])
    append_row(ws, [])
    append_row(ws, ["服务机构（盖章）：", "", "", "", "", "", "", "民政部门（审核盖章）："])
    append_row(ws, [])
    append_row(ws, ["日期：     年   月   日", "", "", "", "", "", "", "日期：     年   月   日"])
    for col, width in zip(
        "ABCDEFGHIJKLMN", [16, 8, 13, 10, 14, 12, 10, 12, 14, 14, 10, 12, 22, 24], strict=True
    ):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
