from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiyang.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        # tasks: registers the recorded jobs listed on the jobs page
        from yiyang.core import checks, nav, tasks

        assert checks.check_secrets  # registered with the system checks (check --deploy)

        assert tasks.clear_expired_sessions

        nav.register(nav.NavItem("首页", "core:home", None, section="工作台", order=0))
        nav.register(nav.NavItem("后台任务", "core:jobs", "jobs.view", section="系统", order=90))
