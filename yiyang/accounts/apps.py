from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yiyang.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from yiyang.accounts.roles import Role
        from yiyang.core import labels

        labels.register("role", Role)
