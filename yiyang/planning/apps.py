from __future__ import annotations

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "yiyang.planning"
    label = "planning"
    verbose_name = "养老地图与规划"

    def ready(self) -> None:
        from yiyang.core import nav
        from yiyang.core.policy import POLICIES
        from yiyang.planning.policies import PLANNING_POLICIES

        for policy in PLANNING_POLICIES:
            POLICIES.setdefault(policy.key, policy)
        for item in [
            nav.NavItem("养老地图", "planning:map", "planning.view", section="监管", order=45),
            nav.NavItem("15 分钟服务圈", "planning:coverage_home", "planning.view", section="监管", order=46),
            nav.NavItem("设施选址", "planning:siting_home", "planning.view", section="监管", order=47),
        ]:
            nav.register(item)
