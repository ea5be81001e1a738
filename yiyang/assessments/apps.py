from typing import Any

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "yiyang.assessments"
    label = "assessments"
    verbose_name = "能力评估"

    def ready(self) -> None:
        from yiyang.assessments.selectors import elder_tab_context
        from yiyang.assessments.services import on_elder_status, on_elder_transfer
        from yiyang.audit import events
        from yiyang.core import home, nav
        from yiyang.core.hooks import on_elder_status_changed, register_effect_labels
        from yiyang.core.tabs import register_tab
        from yiyang.elders.services import TRANSFER_HANDLERS

        # A transfer moves the region anchor of the elder's open assessments with the elder.
        if on_elder_transfer not in TRANSFER_HANDLERS:
            TRANSFER_HANDLERS.append(on_elder_transfer)

        # Death or move-out closes the elder's open assessments.
        on_elder_status_changed(on_elder_status)
        register_effect_labels({"assessments_closed": "已关闭评估"})

        from yiyang.assessments.models import STANDARD_CHOICES, SignatureRole
        from yiyang.core import labels

        labels.register("assessment_standard", STANDARD_CHOICES)
        labels.register("signature_role", SignatureRole)
        labels.register("model", {"assessments.assessmentsignature": "评估签名"})
        labels.register(
            "assessment_standard_short",
            {
                "gbt42195": "国标 GB/T 42195",
                "mzt039": "民政 MZ/T 039",
                "ltc2021": "长护险失能等级",
                "tekun6": "特困自理六项",
            },
        )

        register_tab(
            key="assessments",
            title="能力评估",
            perm="assessments.view",
            template="assessments/_elder_tab.html",
            context_fn=elder_tab_context,
            order=40,
        )

        nav.register(
            nav.NavItem("评估任务", "assessments:tasks", "assessments.view", section="评估", order=10)
        )
        nav.register(
            nav.NavItem("申请评估", "assessments:request", "assessments.request", section="评估", order=20)
        )
        nav.register(
            nav.NavItem(
                "他部门评估结果", "assessments:external", "assessments.view", section="评估", order=30
            )
        )
        nav.register(
            nav.NavItem("计分试算", "assessments:playground", "assessments.score", section="评估", order=40)
        )
        home.register(
            home.HomeCard(
                "assessments.my_tasks",
                "我的待办评估",
                "assessments.perform",
                _my_open_tasks,
                "assessments:tasks",
                order=30,
            )
        )
        home.register(
            home.HomeCard(
                "assessments.waiting",
                "待指派的评估申请",
                "assessments.assign",
                _waiting,
                "assessments:tasks",
                order=31,
            )
        )
        for code, label in [
            ("assessments.requested", "申请能力评估"),
            ("assessments.assigned", "指派评估"),
            ("assessments.in_progress", "开始评估"),
            ("assessments.submitted", "提交评估"),
            ("assessments.completed", "完成评估"),
            ("assessments.cancelled", "取消评估"),
            ("assessments.signed", "评估签名"),
            ("assessments.answers", "保存评估项目得分"),
            ("assessments.record", "保存评估健康信息"),
            ("assessments.immediate_merged", "即时评估并入进行中的评估"),
            ("assessments.external_recorded", "录入他部门评估结果"),
            ("assessments.agency_created", "登记评估机构"),
            ("assessments.policy", "设置评估政策"),
            ("assessments.recognition_policy", "设置评估互认政策"),
        ]:
            events.register(code, label)


def _my_open_tasks(user: Any) -> int:
    from yiyang.assessments.models import Assessment, Status

    return Assessment.objects.filter(assessors=user, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]).count()


def _waiting(user: Any) -> int:
    from yiyang.assessments.models import Assessment, Status

    return Assessment.objects.restrict(user, "assessments.assign").filter(status=Status.REQUESTED).count()
