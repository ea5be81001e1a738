from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiyang.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from yiyang.core import (  # tasks: registers the jobs listed on the jobs page
            channels,
            checks,
            nav,
            outbox,
            tasks,
        )

        assert checks.check_secrets  # registered with the system checks (check --deploy)
        from yiyang.core import strictinput

        strictinput.install()  # API text fields refuse numbers and other JSON types

        assert tasks.clear_expired_sessions and tasks.deliver_outbox
        outbox.register_channel(
            "notifications", channels.deliver_notification, label="站内通知", in_database=True
        )
        outbox.register_channel("sms", channels.deliver_sms, label="短信")
        from yiyang.audit.events import register  # audit is a platform app the kernel may call lazily

        register("outbox.redeliver", "重新投递消息")

        nav.register(nav.NavItem("首页", "core:home", None, section="工作台", order=0))
        nav.register(
            nav.NavItem("后台任务", "core:jobs", "jobs.view", section="系统", order=90, superuser=True)
        )
        nav.register(nav.NavItem("投递失败的消息", "core:outbox-dead", "jobs.run", section="系统", order=91))
        nav.register(nav.NavItem("政策参数", "core:policy", "policy.view", section="系统", order=92))
