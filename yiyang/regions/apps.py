from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yiyang.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from yiyang.core import nav

        nav.register(nav.NavItem("行政区划", "regions:browse", "regions.view", section="系统", order=80))
