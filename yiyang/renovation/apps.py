from typing import Any

from django.apps import AppConfig


class RenovationConfig(AppConfig):
    name = "yiyang.renovation"
    label = "renovation"
    verbose_name = "居家适老化改造"

    def ready(self) -> None:
        from yiyang.audit import events
        from yiyang.core import nav
        from yiyang.core.tabs import register_tab

        register_tab(
            key="renovation",
            title="适老化改造",
            perm="renovation.view",
            template="renovation/_elder_tab.html",
            context_fn=_elder_applications,
            order=60,
        )

        for code, label in [
            ("renovation.programme_create", "创建适老化改造项目"),
            ("renovation.programme_update", "修改适老化改造项目"),
            ("renovation.programme_copy", "复制适老化改造项目"),
            ("renovation.programme_activate", "启用适老化改造项目"),
            ("renovation.quota_set", "设置区县改造任务"),
            ("renovation.grant_record", "登记他部门改造补贴"),
            ("renovation.apply", "受理适老化改造申请"),
            ("renovation.transition", "适老化改造申请状态变更"),
            ("renovation.objection", "登记公示异议"),
            ("renovation.plan", "制定改造方案"),
            ("renovation.photo", "上传改造照片"),
            ("renovation.warranty_claim", "登记保修"),
            ("renovation.warranty_repair", "保修维修完成"),
        ]:
            events.register(code, label)
        for item in [
            nav.NavItem("适老化改造", "renovation:list", "renovation.view", section="服务", order=40),
            nav.NavItem("改造项目", "renovation:programmes", "renovation.view", section="服务", order=41),
            nav.NavItem("改造进度", "renovation:progress", "renovation.approve", section="监管", order=40),
        ]:
            nav.register(item)


def _elder_applications(elder: Any, user: Any) -> dict[str, Any]:
    """The elder page's 适老化改造 tab: this elder's applications the user may see."""
    from yiyang.renovation.selectors import application_list

    return {"applications": list(application_list(user=user).filter(elder=elder)[:20]), "elder": elder}
