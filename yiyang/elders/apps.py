from django.apps import AppConfig


class EldersConfig(AppConfig):
    name = "yiyang.elders"
    label = "elders"
    verbose_name = "老年人信息库"

    def ready(self) -> None:
        from yiyang.audit import events
        from yiyang.core import home, labels, nav
        from yiyang.elders import tasks  # noqa: F401  (registers the import job)
        from yiyang.elders.choices import Category, ElderStatus, LivingSituation, Relation
        from yiyang.elders.tabs import register_builtin_tabs

        labels.register("elder_category", Category)
        labels.register("elder_category", {"advanced_age": "高龄（80 岁以上）"})
        labels.register("living_situation", LivingSituation)
        labels.register("elder_status", ElderStatus)
        labels.register("relation", Relation)

        nav.register(nav.NavItem("老年人信息库", "elders:list", "elders.view", section="老年人", order=10))
        nav.register(nav.NavItem("登记老年人", "elders:create", "elders.add", section="老年人", order=11))
        nav.register(nav.NavItem("批量导入", "elders:import", "elders.import", section="老年人", order=12))
        for code, label in [
            ("elders.create", "登记老年人"),
            ("elders.update", "修改老年人信息"),
            ("elders.transfer", "老年人转移（常住地变更）"),
            ("elders.status", "老年人状态变更"),
            ("elders.capability", "更新能力等级"),
            ("elders.reveal", "查看完整个人信息"),
            ("elders.import", "批量导入老年人"),
            ("elders.export", "导出老年人名册"),
        ]:
            events.register(code, label)
        home.register(
            home.HomeCard("elders", "在册老人", "elders.view", _active_count, "elders:list", order=10)
        )
        register_builtin_tabs()


def _active_count(user: object) -> int:
    from yiyang.elders.models import Elder

    return Elder.objects.restrict(user, "elders.view").filter(status="active").count()
