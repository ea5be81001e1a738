from typing import Any

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "yiyang.providers"
    label = "providers"
    verbose_name = "服务商与服务目录"

    def ready(self) -> None:
        from yiyang.accounts.services import ME_EXTENSIONS
        from yiyang.audit import events
        from yiyang.core import nav

        if _staff_id not in ME_EXTENSIONS:
            ME_EXTENSIONS.append(_staff_id)
        events.register("providers.organisation_create", "登记服务机构")
        events.register("providers.staff_create", "登记服务人员")
        nav.register(nav.NavItem("服务机构", "orders:providers", "providers.view", section="服务", order=40))
        nav.register(nav.NavItem("服务目录", "orders:catalog", "providers.view", section="服务", order=41))


def _staff_id(user: Any) -> dict[str, Any]:
    from yiyang.providers.models import Staff

    staff = Staff.objects.filter(user=user).values_list("public_id", flat=True).first()
    return {"staff_id": str(staff) if staff else None}
