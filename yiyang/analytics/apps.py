from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "yiyang.analytics"
    label = "analytics"
    verbose_name = "统计监测"

    def ready(self) -> None:
        from celery.schedules import crontab

        from config.celery import app
        from yiyang.analytics import queries, tasks  # noqa: F401  (registers the queries and the job)
        from yiyang.audit import events
        from yiyang.core import nav

        nav.register(nav.NavItem("统计监测看板", "analytics:dashboard", "kpis.view", section="监管", order=5))
        nav.register(nav.NavItem("部门指标填报", "analytics:entries", "kpis.enter", section="监管", order=6))
        nav.register(nav.NavItem("指标目标值", "analytics:targets", "kpis.targets", section="监管", order=7))
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            # this month's snapshot refreshed every night; on the 1st it closes the month before
            "analytics-kpi-snapshots": {
                "task": "yiyang.analytics.tasks.kpi_snapshots",
                "schedule": crontab(minute=30, hour=2),
            },
        }
        events.register("kpis.entered", "填报部门指标")
        events.register("kpis.snapshots", "计算指标月度快照")
        events.register("kpis.target_set", "设定指标目标值（新版本）")
        events.register("kpis.evidence_downloaded", "下载指标佐证文件")
