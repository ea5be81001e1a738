"""Permissions of smart devices and alarms, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "devices.view": "查看智能设备",
    "devices.manage": "登记、导入与维护智能设备",
    "devices.vendors": "管理设备厂商与推送密钥",
    "devices.away": "登记老人外出（暂停无活动告警）",
    "alarms.view": "查看设备告警",
    "alarms.handle": "处置设备告警（确认、处置、误报）",
}
