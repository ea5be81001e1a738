"""Permissions of capability assessments, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "assessments.view": "查看能力评估",
    "assessments.score": "评估计分",
    "assessments.request": "申请能力评估",
    "assessments.assign": "指派评估机构与评估员",
    "assessments.perform": "实施能力评估",
    "assessments.record_external": "录入他部门评估结果",
}
