from __future__ import annotations

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiyang.hotline"
    label = "hotline"
    verbose_name = "12349 呼叫服务中心"

    def ready(self) -> None:
        from config.celery import app
        from yiyang.audit import events
        from yiyang.core import home, nav, outbox
        from yiyang.core.policy import POLICIES, Policy
        from yiyang.hotline import tasks  # noqa: F401  (registers the recorded job)
        from yiyang.hotline.services import deliver_12345

        for policy in [
            Policy(
                "hotline.arrival_target",
                "紧急呼援到达时限",
                "分钟",
                30,
                "本平台紧急呼援规则：发起呼援后处置人员应在此时限内到达老人身边（默认 30 分钟，按地方规定调整）",
                "紧急呼援处置页、热线报表",
                maximum=240,
            ),
            Policy(
                "hotline.ack_timeout",
                "紧急呼援确认时限",
                "秒",
                60,
                "本平台值班规则：紧急呼援在此时限内无人确认，依次轮呼下一位值班话务员、值班长",
                "坐席台、值班表",
                minimum=10,
                maximum=3600,
            ),
            Policy(
                "hotline.work_order_deadline",
                "热线工单办理时限",
                "小时",
                72,
                "本平台工单规则（默认 72 小时，按地方 12345 热线办理时限文件调整）",
                "热线工单",
                maximum=720,
            ),
        ]:
            POLICIES.setdefault(policy.key, policy)
        outbox.register_channel("hotline_12345", deliver_12345, label="12345 工单回复")
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "hotline-sweep": {"task": "yiyang.hotline.tasks.hotline_sweep", "schedule": 60.0},
        }
        for code, label in [
            ("hotline.call", "登记通话"),
            ("hotline.call_finished", "通话结束"),
            ("incidents.opened", "发起紧急呼援"),
            ("incidents.joined", "合并紧急呼援"),
            ("incidents.acknowledged", "确认紧急呼援"),
            ("incidents.dispatched", "紧急呼援派员"),
            ("incidents.arrived", "处置人员到达"),
            ("incidents.closed", "紧急呼援结案"),
            ("incidents.escalated", "紧急呼援超时升级"),
            ("workorders.received", "接收 12345 转办工单"),
            ("workorders.created", "受理热线工单"),
            ("workorders.assigned", "热线工单派单"),
            ("workorders.handling", "热线工单处置"),
            ("workorders.transferred", "热线工单转办"),
            ("workorders.resolved", "热线工单办结"),
            ("workorders.rework", "热线工单退回重办"),
            ("workorders.followed_up", "热线工单回访"),
            ("workorders.supervised", "热线工单督办"),
            ("hotline.key_created", "创建对接密钥"),
            ("hotline.key_revoked", "吊销对接密钥"),
            ("hotline.shift_added", "排班"),
            ("hotline.shift_swapped", "换班"),
        ]:
            events.register(code, label)
        for item in [
            nav.NavItem("热线坐席台", "hotline:console", "hotline.console", section="工作台", order=10),
            nav.NavItem("紧急呼援", "hotline:incidents", "incidents.handle", section="服务", order=10),
            nav.NavItem("热线工单", "hotline:work_orders", "workorders.view", section="服务", order=11),
            nav.NavItem("值班表", "hotline:roster", "duty.view", section="服务", order=12),
            nav.NavItem("热线报表", "hotline:report", "hotline.reports", section="监管", order=40),
            nav.NavItem(
                "12345 对接", "hotline:integrations", "hotline.integrations", section="系统", order=40
            ),
        ]:
            nav.register(item)
        home.register(
            home.HomeCard(
                "hotline_active_incidents",
                "处置中的紧急呼援",
                "incidents.handle",
                _active_incidents,
                "hotline:incidents",
                order=5,
            )
        )


def _active_incidents(user: object) -> int:
    from yiyang.hotline.selectors import incidents_active

    return incidents_active(user=user).count()
