"""Reading a vendor's delivery list (.xlsx): a header row naming 序列号, 设备类型, 老人身份证号, 安装日期,
安装人 (in any order), then one device per row. Values are read, never evaluated."""

from __future__ import annotations

from typing import Any

from openpyxl import load_workbook

from yiyang.core.errors import DomainError
from yiyang.devices.services import IMPORT_HEADERS

MAX_ROWS = 5000


def read_delivery_list(upload: Any) -> list[dict[str, Any]]:
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:
        raise DomainError("无法读取文件，请上传厂商提供的 .xlsx 设备清单") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise DomainError("文件是空的")
    columns = {
        i: IMPORT_HEADERS[str(h).strip()]
        for i, h in enumerate(header)
        if h and str(h).strip() in IMPORT_HEADERS
    }
    missing = {"serial", "type", "id_number"} - set(columns.values())
    if missing:
        names = {v: k for k, v in IMPORT_HEADERS.items()}
        raise DomainError("表头缺少：" + "、".join(names[m] for m in sorted(missing)))
    out: list[dict[str, Any]] = []
    for row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        out.append({name: row[i] if i < len(row) else None for i, name in columns.items()})
        if len(out) > MAX_ROWS:
            raise DomainError(f"一次至多导入 {MAX_ROWS} 台设备")
    wb.close()
    return out
