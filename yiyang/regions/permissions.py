"""Permissions of administrative regions, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "regions.view": "查看行政区划",
    "regions.import": "导入行政区划",
}
