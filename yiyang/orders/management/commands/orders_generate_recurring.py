"""Make the orders of active 周期服务 plans for the next days (idempotent; the Celery beat job does the
same every six hours)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiyang.orders.recurring import days_ahead, plans_generate
from yiyang.regions.scope import SYSTEM


class Command(BaseCommand):
    help = "生成周期服务计划未来几天的工单（可重复运行，不会重复生成）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="提前生成的天数（1–31，默认按设置）")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and not 1 <= days <= 31:
            self.stderr.write("--days 应为 1–31")
            return
        result = plans_generate(actor=SYSTEM, days=days or days_ahead())
        self.stdout.write(
            f"周期服务计划 {result['plans']} 个：新生成工单 {result['made']} 张，跳过 {result['skipped']} 天"
        )
