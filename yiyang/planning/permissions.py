"""Permissions of the elderly-care map, the 15-minute service circle and siting, with their Chinese
labels. Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "planning.view": "查看养老地图、15 分钟服务圈与设施选址",
}
