from typing import Any

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "yiyang.benefits"
    label = "benefits"
    verbose_name = "津贴补贴"

    def ready(self) -> None:
        from yiyang.audit import events
        from yiyang.benefits.selectors import elder_tab_context
        from yiyang.benefits.services import (
            on_elder_registered,
            on_elder_status,
            on_elder_transfer,
            on_service_charge_reversed,
            on_service_charged,
        )
        from yiyang.core import home, nav
        from yiyang.core.hooks import (
            on_elder_registered as subscribe_registered,
        )
        from yiyang.core.hooks import (
            on_elder_status_changed,
            register_effect_labels,
        )
        from yiyang.core.hooks import (
            on_service_charge_reversed as subscribe_reversed,
        )
        from yiyang.core.hooks import (
            on_service_charged as subscribe_charged,
        )
        from yiyang.core.tabs import register_tab
        from yiyang.elders.services import TRANSFER_HANDLERS

        subscribe_registered(on_elder_registered)  # 免申即享 in the register's transaction
        on_elder_status_changed(on_elder_status)  # death / moving out suspends from the next month
        subscribe_charged(on_service_charged)  # settled orders spend the service credit
        subscribe_reversed(on_service_charge_reversed)  # a 冲正 gives the credit back
        if on_elder_transfer not in TRANSFER_HANDLERS:
            TRANSFER_HANDLERS.append(on_elder_transfer)
        register_effect_labels(
            {
                "benefits_suspended": "已停发津贴补贴",
                "benefit_lines_dropped": "已移出未复核发放名单",
                "benefits_enrolled": "已纳入津贴补贴",
                "benefit_enrolments_moved": "已转移津贴补贴",
                "credit_spent_fen": "服务额度抵扣（分）",
                "credit_returned_fen": "冲正退回服务额度（分）",
            }
        )
        register_tab(
            key="benefits",
            title="津贴补贴",
            perm="benefits.view",
            template="benefits/_elder_tab.html",
            context_fn=elder_tab_context,
            order=60,
        )
        nav.register(nav.NavItem("津贴发放名单", "benefits:runs", "benefits.run", section="服务", order=70))
        nav.register(
            nav.NavItem(
                "津贴对象确认", "benefits:confirmations", "benefits.confirm", section="服务", order=71
            )
        )
        nav.register(
            nav.NavItem("死亡名单导入", "benefits:deaths", "benefits.death_import", section="服务", order=72)
        )
        home.register(
            home.HomeCard(
                "benefits.proposals",
                "待确认的津贴补贴对象",
                "benefits.confirm",
                _proposals,
                "benefits:confirmations",
                order=40,
            )
        )
        from celery.schedules import crontab

        from config.celery import app
        from yiyang.benefits import tasks  # noqa: F401  (registers the recorded job)

        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            # 免申即享 before the month's payment runs: on the 1st at 01:00
            "benefits-enrolment-sweep": {
                "task": "yiyang.benefits.tasks.benefits_enrolment_sweep",
                "schedule": crontab(minute=0, hour=1, day_of_month=1),
            },
        }
        for code, label in [
            ("benefits.sweep", "津贴补贴免申即享筛查"),
            ("benefits.enrolment_confirmed", "确认津贴补贴对象"),
            ("benefits.enrolment_rejected", "不予认定津贴补贴"),
            ("benefits.applied", "申请津贴补贴"),
            ("benefits.run_created", "生成津贴发放名单"),
            ("benefits.run_approved", "复核津贴发放名单"),
            ("benefits.run_paid", "津贴发放名单已发放"),
            ("benefits.line_returned", "津贴发放被银行退回"),
            ("benefits.bank_file", "导出银行代发文件（含完整身份证号）"),
            ("benefits.death_import", "导入死亡名单"),
            ("benefits.death_confirmed", "确认死亡名单"),
            ("benefits.programme_published", "发布津贴补贴政策"),
        ]:
            events.register(code, label)


def _proposals(user: Any) -> int:
    from yiyang.benefits.selectors import proposals

    return proposals(user=user).count()
