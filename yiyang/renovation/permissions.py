"""Permissions of the home aging-renovation programme (居家适老化改造), with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "renovation.view": "查看适老化改造",
    "renovation.programme": "管理适老化改造项目",
    "renovation.apply": "受理适老化改造申请",
    "renovation.review": "街道审核、公示与验收",
    "renovation.approve": "区县审批与拨付",
    "renovation.assess": "入户评估与改造方案",
    "renovation.build": "改造施工",
    "renovation.supervise": "改造监理",
}
