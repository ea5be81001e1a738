"""Permissions of the platform kernel (background jobs), with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "jobs.view": "查看后台任务",
    "jobs.run": "手动运行后台任务",
}
