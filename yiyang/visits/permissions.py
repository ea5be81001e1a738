"""Permissions of 探访关爱 (risk classes, visit plans, visit records, campaigns), with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "visits.view": "查看探访关爱（风险分类、探访计划、探访记录、覆盖率）",
    "visits.record": "登记探访记录",
    "visits.plan": "生成与调整探访计划",
    "visits.override": "调整老人风险分类（须说明理由）",
    "visits.rules": "维护风险分类规则与探访频次",
    "visits.campaign": "发起专项探访（高温、台风、疫情、寒潮）",
    "visits.export": "导出探访台账",
}
