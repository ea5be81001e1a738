from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "yiyang.dispatch"
    label = "dispatch"
    verbose_name = "派单与路线"
