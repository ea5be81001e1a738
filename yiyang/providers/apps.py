from typing import Any

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "yiyang.providers"
    label = "providers"
    verbose_name = "服务商与服务目录"

    def ready(self) -> None:
        from yiyang.accounts.services import ME_EXTENSIONS
        from yiyang.audit import events
        from yiyang.core import labels, nav

        labels.register("model", {"providers.contractitem": "协议服务项目"})

        if _staff_id not in ME_EXTENSIONS:
            ME_EXTENSIONS.append(_staff_id)
        events.register("providers.organisation_create", "登记服务机构")
        for code, label in [
            ("providers.staff_create", "登记服务人员"),
            ("providers.organisation_update", "修改服务机构"),
            ("providers.facility_create", "新增服务设施"),
            ("providers.facility_update", "修改服务设施"),
            ("providers.contract_create", "签订购买服务合同"),
            ("providers.contract_update", "修改购买服务合同"),
            ("providers.staff_update", "修改服务人员"),
            ("providers.certificate_create", "添加资格证书"),
            ("providers.certificate_update", "修改资格证书"),
            ("providers.certificate_delete", "删除资格证书"),
            ("providers.service_item_create", "新增服务项目"),
            ("providers.service_item_update", "修改服务项目"),
            ("providers.service_item_deactivate", "停用服务项目"),
            ("providers.service_item_activate", "启用服务项目"),
            ("providers.subsidy_rule_create", "新增政府补贴比例"),
            ("providers.subsidy_rule_update", "修改政府补贴比例"),
            ("providers.quota_create", "新增月度补贴额度"),
            ("providers.quota_update", "修改月度补贴额度"),
        ]:
            events.register(code, label)
        nav.register(nav.NavItem("服务机构", "providers:list", "providers.view", section="服务", order=40))
        nav.register(nav.NavItem("服务目录", "providers:catalog", "providers.view", section="服务", order=41))


def _staff_id(user: Any) -> dict[str, Any]:
    from yiyang.providers.models import Staff

    staff = Staff.objects.filter(user=user).values_list("public_id", flat=True).first()
    return {"staff_id": str(staff) if staff else None}
