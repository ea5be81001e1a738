"""The .xlsx exports of the service lists a bureau files: the order list, the supervision (异常) list and
the complaint list, each as filtered on its page.

Every cell goes through ``yiyang.core.xlsx`` (no formula injection); people read labels, short numbers
(GD…, TS…), money in yuan as numbers formatted 0.00 and dates as dates — never a code or a UUID. The rows
are checked against the actor's scope (a queryset naming a row the actor may not see is refused, so a
view that forgot its selector cannot leak), and each export is audited as the register's export is."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.errors import Forbidden, OutOfScope
from yiyang.core.money import xlsx_append
from yiyang.core.xlsx import append_row
from yiyang.orders.choices import FlagStatus
from yiyang.orders.models import Complaint, Order, OrderFlag
from yiyang.regions.scope import require_actor

MAX_ROWS = 50_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ORDER_HEADERS = [
    "序号",
    "工单号",
    "老人",
    "所属社区",
    "服务项目",
    "预约上门时间",
    "状态",
    "来源",
    "服务机构",
    "服务人员",
    "单价(元)",
    "签到时间",
    "签退时间",
    "签到距离(米)",
    "评分",
    "待核查异常",
    "需求说明",
]
FLAG_HEADERS = [
    "序号",
    "工单号",
    "老人",
    "所属社区",
    "服务项目",
    "预约上门时间",
    "服务机构",
    "服务人员",
    "异常类型",
    "异常说明",
    "发现时间",
    "核查状态",
]
COMPLAINT_HEADERS = [
    "序号",
    "投诉编号",
    "工单号",
    "老人",
    "所属社区",
    "服务项目",
    "服务机构",
    "投诉类别",
    "投诉渠道",
    "投诉内容",
    "状态",
    "投诉时间",
    "办结时限",
    "是否超期",
    "处理结论",
    "办理结果",
    "办结时间",
]


def complaint_number(complaint: Complaint) -> str:
    """The complaint's short number (as on its printed disposition sheet)."""
    return f"TS{complaint.pk:08d}"


def _local(value: datetime | None) -> datetime | None:
    """An aware time as the local wall-clock time without a zone (what a spreadsheet can hold)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _check_scope(actor: Any, perm: str, queryset: QuerySet[Any]) -> None:
    """Refuse an export holding a row outside the actor's scope for ``perm``."""
    require_actor(actor)
    if not actor.has_perm(perm):
        raise Forbidden("您没有导出该清单的权限")
    model = queryset.model
    visible = model.objects.restrict(actor, perm).values("pk")
    if queryset.order_by().exclude(pk__in=visible).exists():
        raise OutOfScope("清单中有不在您管辖范围内的记录")


def _workbook(
    *,
    title: str,
    subtitle: str,
    actor: Any,
    headers: Sequence[str],
    rows: Callable[[Any], int],
    widths: Sequence[int],
    date_columns: Sequence[int] = (),
) -> bytes:
    """A titled sheet: the title, the filters in words, who exported when, the header (frozen below it),
    the rows (``rows(ws)`` appends them and returns how many) and a count line."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws: Any = wb.create_sheet(title[:31], 0)
    wb.remove(wb.worksheets[1])
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [f"筛选条件：{subtitle}"])
    who = getattr(actor, "display_name", "") or "系统"
    append_row(ws, [f"导出人：{who}　导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    append_row(ws, list(headers))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = f"A{header_row + 1}"  # a coordinate: ws.cell() would create the row
    count = rows(ws)
    for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + count):
        for col in date_columns:
            row[col].number_format = "yyyy-mm-dd hh:mm"
    append_row(ws, [f"共 {count} 条"])
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _audit(actor: Any, event: str, count: int, subtitle: str) -> None:
    grant = actor.primary_grant() if hasattr(actor, "primary_grant") else None
    with transaction.atomic():
        audit_record(
            actor=actor,
            region=grant.region_id if grant else None,
            event=event,
            data={"rows": count, "filters": subtitle[:300]},
        )


def orders_export_xlsx(*, actor: Any, queryset: QuerySet[Order], subtitle: str = "全部") -> bytes:
    """服务工单 .xlsx: one row per order of ``queryset`` (the page's filtered list)."""
    _check_scope(actor, "orders.view", queryset)
    qs = queryset.select_related(
        "elder", "elder__region", "service_item", "provider", "caregiver"
    ).prefetch_related("flags")[:MAX_ROWS]
    counted: list[int] = []

    def rows(ws: Any) -> int:
        n = 0
        for o in qs:
            n += 1
            open_flags = [f.get_code_display() for f in o.flags.all() if f.status == FlagStatus.OPEN]
            xlsx_append(
                ws,
                [
                    n,
                    o.number,
                    o.elder.name,
                    o.elder.region.name,
                    o.service_item.name,
                    _local(o.scheduled_start),
                    o.get_status_display(),
                    o.get_channel_display(),
                    o.provider.name if o.provider else "未派单",
                    o.caregiver.name if o.caregiver else "",
                    o.price_fen,
                    _local(o.checked_in_at),
                    _local(o.checked_out_at),
                    o.check_in_distance_m,
                    o.rating,
                    "、".join(open_flags),
                    o.note,
                ],
                money=[10],
            )
        counted.append(n)
        return n

    data = _workbook(
        title="居家养老服务工单",
        subtitle=subtitle,
        actor=actor,
        headers=ORDER_HEADERS,
        rows=rows,
        widths=[6, 12, 10, 14, 12, 17, 8, 14, 22, 10, 10, 17, 17, 10, 6, 22, 30],
        date_columns=[5, 11, 12],
    )
    _audit(actor, "orders.export", counted[0], subtitle)
    return data


def flags_export_xlsx(*, actor: Any, queryset: QuerySet[OrderFlag], subtitle: str = "全部") -> bytes:
    """异常工单 .xlsx: one row per flag of ``queryset`` (the supervision tab as filtered)."""
    _check_scope(actor, "orders.supervise", queryset)
    qs = queryset.select_related(
        "order",
        "order__elder",
        "order__elder__region",
        "order__service_item",
        "order__provider",
        "order__caregiver",
    )[:MAX_ROWS]
    counted: list[int] = []

    def rows(ws: Any) -> int:
        n = 0
        for f in qs:
            n += 1
            o = f.order
            append_row(
                ws,
                [
                    n,
                    o.number,
                    o.elder.name,
                    o.elder.region.name,
                    o.service_item.name,
                    _local(o.scheduled_start),
                    o.provider.name if o.provider else "未派单",
                    o.caregiver.name if o.caregiver else "",
                    f.get_code_display(),
                    f.message,
                    _local(f.raised_at),
                    f.get_status_display(),
                ],
            )
        counted.append(n)
        return n

    data = _workbook(
        title="异常工单监管清单",
        subtitle=subtitle,
        actor=actor,
        headers=FLAG_HEADERS,
        rows=rows,
        widths=[6, 12, 10, 14, 12, 17, 22, 10, 24, 36, 17, 10],
        date_columns=[5, 10],
    )
    _audit(actor, "orders.flags_export", counted[0], subtitle)
    return data


def complaints_export_xlsx(*, actor: Any, queryset: QuerySet[Complaint], subtitle: str = "全部") -> bytes:
    """服务投诉 .xlsx: one row per complaint of ``queryset`` (the list as filtered). The person who
    raised it is not exported (the bureau files the case, not the complainant's identity)."""
    _check_scope(actor, "complaints.view", queryset)
    qs = queryset.select_related(
        "order", "order__elder", "order__elder__region", "order__service_item", "order__provider"
    )[:MAX_ROWS]
    now = timezone.now()
    counted: list[int] = []

    def rows(ws: Any) -> int:
        n = 0
        for c in qs:
            n += 1
            o = c.order
            if c.resolved_at:
                overdue = "超期办结" if c.resolved_at > c.sla_due_at else "否"
            else:
                overdue = "已超期" if now > c.sla_due_at else "否"
            append_row(
                ws,
                [
                    n,
                    complaint_number(c),
                    o.number,
                    o.elder.name,
                    o.elder.region.name,
                    o.service_item.name,
                    o.provider.name if o.provider else "未派单",
                    c.get_category_display(),
                    c.get_channel_display(),
                    c.description,
                    c.get_status_display(),
                    _local(c.created_at),
                    _local(c.sla_due_at),
                    overdue,
                    c.get_outcome_display() if c.outcome else "",
                    c.resolution,
                    _local(c.resolved_at),
                ],
            )
        counted.append(n)
        return n

    data = _workbook(
        title="服务投诉清单",
        subtitle=subtitle,
        actor=actor,
        headers=COMPLAINT_HEADERS,
        rows=rows,
        widths=[6, 12, 12, 10, 14, 12, 22, 14, 10, 36, 8, 17, 17, 8, 8, 30, 17],
        date_columns=[11, 12, 16],
    )
    _audit(actor, "complaints.export", counted[0], subtitle)
    return data
