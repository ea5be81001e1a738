"""Permissions of allowances and subsidies, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "benefits.view": "查看津贴补贴",
    "benefits.confirm": "确认津贴补贴对象",
    "benefits.run": "生成津贴补贴发放名单",
    "benefits.approve": "复核津贴补贴发放名单",
    "benefits.bank_file": "导出银行代发文件",
    "benefits.death_import": "导入死亡名单",
    "benefits.programmes": "发布津贴补贴政策（项目与标准）",
}
