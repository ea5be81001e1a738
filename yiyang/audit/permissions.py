"""Permissions of the audit log, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "audit.view": "查看审计日志",
}
