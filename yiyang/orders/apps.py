from typing import Any

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "yiyang.orders"
    label = "orders"
    verbose_name = "居家上门服务工单"

    def ready(self) -> None:
        from celery.schedules import crontab

        from config.celery import app
        from yiyang.audit import events
        from yiyang.core import home, nav
        from yiyang.core.hooks import on_elder_status_changed, register_effect_labels
        from yiyang.core.tabs import register_tab

        register_tab(
            key="orders",
            title="上门服务",
            perm="orders.view",
            template="orders/_elder_tab.html",
            context_fn=_elder_orders,
            order=50,
        )
        from yiyang.orders import tasks  # noqa: F401  (registers the recorded job)
        from yiyang.orders.services import on_elder_status

        on_elder_status_changed(on_elder_status)
        register_effect_labels({"orders_cancelled": "已取消工单", "orders_flagged": "已标记异常工单"})
        from yiyang.core import labels
        from yiyang.orders.choices import ComplaintCategory, ComplaintStatus, FlagCode, OrderStatus

        labels.register("flag_code", FlagCode)
        labels.register("complaint_category", ComplaintCategory)
        labels.register("order_status", OrderStatus)
        labels.register("complaint_status", ComplaintStatus)
        labels.register(
            "model",
            {
                "orders.orderflag": "异常标记",
                "orders.orderphoto": "服务照片",
                "orders.settlement": "结算单",
                "orders.settlementline": "结算明细",
                "orders.pendingreversal": "待冲销",
            },
        )
        from yiyang.elders.services import TRANSFER_HANDLERS
        from yiyang.orders.services import on_elder_transfer

        if on_elder_transfer not in TRANSFER_HANDLERS:
            TRANSFER_HANDLERS.append(on_elder_transfer)
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "orders-recurring-generate": {
                "task": "yiyang.orders.tasks.orders_recurring_generate",
                "schedule": crontab(minute=10, hour="*/6"),
            },
            "orders-sla-sweep": {
                "task": "yiyang.orders.tasks.orders_sla_sweep",
                "schedule": crontab(minute="*/5"),
            },
        }
        for code, label in [
            ("orders.create", "创建服务工单"),
            ("orders.transition", "工单状态变更"),
            ("orders.flag_raised", "工单异常预警"),
            ("orders.flag_resolved", "核查工单异常"),
            ("orders.escalated", "工单超时升级"),
            ("orders.photo", "上传服务照片"),
            ("orders.plan_created", "设立周期服务"),
            ("orders.plan_status", "周期服务状态变更"),
            ("settlements.generate", "生成结算单"),
            ("settlements.reverse", "结算冲正"),
            ("complaints.raised", "收到服务投诉"),
            ("complaints.handling", "受理服务投诉"),
            ("complaints.resolved", "办结服务投诉"),
            ("complaints.reopened", "投诉重新处理"),
        ]:
            events.register(code, label)
        for item in [
            nav.NavItem("为老人下单", "orders:order", "orders.order_for", section="服务", order=19),
            nav.NavItem("周期服务", "orders:plans", "orders.order_for", section="服务", order=24),
            nav.NavItem("调度派单", "orders:dispatch", "orders.dispatch", section="服务", order=20),
            nav.NavItem("服务工单", "orders:list", "orders.view", section="服务", order=21),
            nav.NavItem("我的工单", "orders:mine", "orders.serve", section="服务", order=22),
            nav.NavItem("我的家人", "orders:family", "orders.confirm", section="服务", order=23),
            nav.NavItem("异常工单监管", "orders:supervision", "orders.supervise", section="监管", order=30),
            nav.NavItem("服务结算", "orders:settlements", "settlements.view", section="监管", order=31),
            nav.NavItem("服务投诉", "orders:complaints", "complaints.view", section="监管", order=32),
        ]:
            nav.register(item)
        nav.register_family("orders:family", order=10)
        nav.register_family("orders:complaints", order=30)
        home.register(
            home.HomeCard(
                "orders_open_flags",
                "待核查异常工单",
                "orders.supervise",
                _open_flags,
                "orders:supervision",
                order=30,
            )
        )
        home.register(
            home.HomeCard(
                "orders_pending_complaints",
                "待办结投诉",
                "complaints.handle",
                _pending_complaints,
                "orders:complaints",
                order=31,
            )
        )


def _open_flags(user: object) -> int:
    from yiyang.orders.selectors import open_flags

    return open_flags(user=user).count()


def _pending_complaints(user: object) -> int:
    from yiyang.orders.selectors import pending_complaints

    return pending_complaints(user=user).count()


def _elder_orders(elder: Any, user: Any) -> dict[str, Any]:
    """The elder page's 上门服务 tab: this elder's orders the user may see, newest first."""
    from yiyang.orders.selectors import order_list

    orders = order_list(user=user).filter(elder=elder).select_related("service_item", "caregiver")[:50]
    can_order = elder.status == "active" and user.has_perm("orders.add")
    return {"orders": list(orders), "elder": elder, "can_order": can_order}
