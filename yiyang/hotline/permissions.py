"""Permissions of the 12349 hotline and emergency centre, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "hotline.console": "使用热线坐席台",
    "calls.view": "查看通话记录",
    "calls.add": "登记来电与去电",
    "incidents.view": "查看紧急呼援事件",
    "incidents.open": "发起紧急呼援",
    "incidents.handle": "处置紧急呼援（确认、派员、到达、结案）",
    "workorders.view": "查看热线工单",
    "workorders.handle": "办理热线工单（派单、处置、办结、回访、转办）",
    "workorders.supervise": "督办热线工单",
    "hotline.integrations": "管理 12345 对接密钥",
    "duty.view": "查看值班表",
    "duty.manage": "排班",
    "hotline.reports": "查看热线报表",
}
