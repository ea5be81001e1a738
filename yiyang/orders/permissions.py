"""Permissions of home-care orders, their complaints and the monthly settlements, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "orders.view": "查看服务工单",
    "orders.add": "创建服务工单",
    "orders.order_for": "查找辖区老人并代为下单",
    "orders.dispatch": "派单",
    "orders.serve": "接单与上门服务",
    "orders.confirm": "确认与评价服务",
    "orders.supervise": "处理异常工单",
    "orders.complain": "登记服务投诉",
    "complaints.view": "查看服务投诉",
    "complaints.handle": "受理与办结服务投诉",
    "settlements.view": "查看结算",
    "settlements.manage": "生成结算单",
}
