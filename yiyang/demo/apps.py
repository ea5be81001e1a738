from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Composition of the demo city. The only package allowed to reach into every app (for seeding)."""

    name = "yiyang.demo"
    label = "demo"
    verbose_name = "演示数据"
