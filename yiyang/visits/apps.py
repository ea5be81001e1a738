from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "yiyang.visits"
    label = "visits"
    verbose_name = "探访关爱"

    def ready(self) -> None:
        from celery.schedules import crontab

        from config.celery import app
        from yiyang.audit import events
        from yiyang.core import home, nav
        from yiyang.core.hooks import on_elder_registered, on_elder_status_changed, register_effect_labels
        from yiyang.core.jobs import RESULT_LABELS
        from yiyang.core.policy import POLICIES, Policy
        from yiyang.core.tabs import register_tab
        from yiyang.visits import tasks  # noqa: F401  (registers the recorded job)
        from yiyang.visits.services import on_elder_registered as classify_registered
        from yiyang.visits.services import on_elder_status

        for policy in POLICY_DEFAULTS:
            POLICIES.setdefault(policy[0], Policy(*policy, maximum=92))
        on_elder_registered(classify_registered)  # an elder created or edited has a class at once
        on_elder_status_changed(on_elder_status)  # death / moving out ends the visits due
        register_effect_labels({"visits_cancelled": "已取消待探访"})
        RESULT_LABELS.update(
            {
                "classified": "已分类老人",
                "changed": "分类有变化",
                "A": "A类",
                "B": "B类",
                "C": "C类",
                "none": "不分类",
            }
        )
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            # after the register's day and before the workers' morning: 02:30
            "visits-reclassify": {
                "task": "yiyang.visits.tasks.visits_reclassify",
                "schedule": crontab(minute=30, hour=2),
            },
        }
        for code, label in [
            ("visits.reclassified", "重新计算风险分类"),
            ("visits.rules_published", "发布风险分类规则"),
            ("visits.risk_overridden", "调整老人风险分类"),
            ("visits.override_revoked", "撤销风险分类调整"),
            ("visits.recorded", "登记探访记录"),
            ("visits.photo", "上传探访照片"),
            ("visits.hazard_closed", "探访隐患已消除"),
            ("visits.plan_generated", "生成探访计划"),
            ("visits.reassigned", "改派探访"),
            ("visits.campaign_started", "发起专项探访"),
        ]:
            events.register(code, label)
        for item in [
            nav.NavItem("今日探访", "visits:today", "visits.record", section="服务", order=20),
            nav.NavItem("探访覆盖", "visits:overview", "visits.view", section="监管", order=20),
            nav.NavItem("专项探访", "visits:campaigns", "visits.view", section="服务", order=21),
            nav.NavItem("风险分类规则", "visits:rules", "visits.view", section="监管", order=21),
        ]:
            nav.register(item)
        register_tab("visits", "探访关爱", "visits.view", "visits/_elder_tab.html", _elder_tab, order=75)
        home.register(
            home.HomeCard("visits_today", "今日待探访", "visits.record", _due_today, "visits:today", order=8)
        )


POLICY_DEFAULTS = [
    (
        "visits.interval_a",
        "A类老人探访间隔",
        "天",
        7,
        "探访关爱服务（000 §6）：A类老年人每周至少探访一次",
        "探访计划、覆盖率",
    ),
    (
        "visits.interval_b",
        "B类老人探访间隔",
        "天",
        14,
        "探访关爱服务（000 §6）：B类老年人每两周至少探访一次",
        "探访计划、覆盖率",
    ),
    (
        "visits.interval_c",
        "C类老人探访间隔",
        "天",
        30,
        "探访关爱服务（000 §6）：C类老年人每月至少探访一次",
        "探访计划、覆盖率",
    ),
    (
        "visits.interval_tekun",
        "特困老人探访间隔（上限）",
        "天",
        30,
        "汕尾 001 §三(三)4、004 §三3(1)：特困老年人每月至少探访一次，月探访率 100%",
        "探访计划、覆盖率",
    ),
]


def _due_today(user: Any) -> int:
    from yiyang.visits.selectors import my_today

    return len(my_today(user=user))


def _elder_tab(elder: Any, user: Any) -> dict[str, Any]:
    from yiyang.visits.selectors import active_override, risk_of, visit_list

    return {
        "risk": risk_of(elder),
        "override": active_override(elder),
        "visits": list(visit_list(user=user).filter(elder=elder)[:10]),
        "can_override": user.has_perm("visits.override"),
        "can_record": user.has_perm("visits.record"),
    }
