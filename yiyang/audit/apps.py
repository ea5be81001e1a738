from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yiyang.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from yiyang.core import nav

        nav.register(nav.NavItem("审计日志", "audit:events", "audit.view", section="监管", order=70))
