"""Export the current search to .xlsx: masked by default; clear values only for a user holding
``elders.reveal`` who asks for them — audited either way."""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from yiyang.audit.services import audit_record
from yiyang.core.errors import Forbidden
from yiyang.core.pii import decrypt
from yiyang.core.xlsx import append_row
from yiyang.elders.models import Elder

HEADERS = [
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "年龄",
    "联系电话",
    "所属社区代码",
    "所属社区",
    "户籍地代码",
    "居住地址",
    "经度",
    "纬度",
    "居住情况",
    "类别",
    "能力等级",
    "状态",
    "备注",
]


def elder_export_xlsx(
    *, actor: Any, queryset: QuerySet[Elder], reveal: bool = False, limit: int = 200_000
) -> bytes:
    from openpyxl import Workbook

    if reveal and not actor.has_perm("elders.reveal"):
        raise Forbidden("您没有导出完整信息的权限")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("老年人名册")
    append_row(ws, HEADERS)
    count = 0
    exported: list[str] = []  # with clear values, the audit records whose data left, not only how many
    qs = queryset.select_related("region").prefetch_related("categories")[:limit]
    for e in qs.iterator(chunk_size=2000):
        if reveal:
            exported.append(str(e.public_id))
        append_row(
            ws,
            [
                e.name,
                decrypt(e.id_number_enc) if reveal else e.id_number_masked,
                e.get_sex_display(),
                e.birth_date.isoformat(),
                e.age(),
                (decrypt(e.phone_enc) if reveal else e.phone_masked) or "",
                e.region_id,
                e.region.name,
                e.hukou_region_id or "",
                (decrypt(e.address_enc) if reveal else e.address_masked) or "",
                e.lng,
                e.lat,
                e.get_living_situation_display(),
                "、".join(
                    [c.get_category_display() for c in e.categories.all()]
                    + (["高龄（80 岁以上）"] if e.age() >= 80 else [])
                ),
                ""
                if e.capability_level is None
                else f"{e.capability_level} 级 · {e.capability_label}".rstrip(" ·"),
                e.get_status_display(),
                e.notes,
            ],
        )
        count += 1
    grant = actor.primary_grant() if hasattr(actor, "primary_grant") else None
    with transaction.atomic():
        audit_record(
            actor=actor,
            region=grant.region_id if grant else None,
            event="elders.export",
            data={"rows": count, "clear_values": reveal, **({"elders": exported} if reveal else {})},
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
