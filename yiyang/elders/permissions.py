"""Permissions of the elder register, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "elders.view": "查看老年人信息",
    "elders.add": "登记老年人",
    "elders.change": "修改老年人信息",
    "elders.status": "变更老年人状态（迁出/死亡）",
    "elders.reveal": "查看完整身份证号/电话",
    "elders.import": "批量导入老年人",
    "elders.export": "导出老年人名册",
}
