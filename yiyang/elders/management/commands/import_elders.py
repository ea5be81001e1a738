from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiyang.accounts.models import User
from yiyang.elders.importing import run_job
from yiyang.elders.models import ImportJob


class Command(BaseCommand):
    help = "导入老年人名册（.xlsx 或 .csv，中文表头，见页面上的模板）；报告列出有误的行、列与原因。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mode", choices=[m.value for m in ImportJob.Mode], default=ImportJob.Mode.GOOD_ROWS
        )
        parser.add_argument("--user", required=True, help="以该账户的身份与管辖范围导入（审计记录此人）")
        parser.add_argument("--report", type=Path, help="把报告另存为 .xlsx")
        parser.add_argument(
            "--strategy",
            choices=["auto", "bulk", "general"],
            default="auto",
            help="bulk：整库首次导入（PostgreSQL）——在一个事务中先移开索引、导入后重建；导入期间名册的读写需等待",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        user = User.objects.filter(username=opts["user"]).first()
        if user is None or not user.has_perm("elders.import"):
            raise CommandError("账户不存在或没有批量导入权限")
        grant = user.primary_grant()
        job = ImportJob.objects.create(
            created_by=user,
            region_id=grant.region_id if grant else None,
            filename=path.name[:200],
            mode=opts["mode"],
        )
        started = time.perf_counter()
        report = run_job(job, path, strategy=opts["strategy"])
        if report is None:
            raise CommandError(job.message)
        seconds = time.perf_counter() - started
        for e in report.errors:
            self.stdout.write(f"第 {e.row} 行 [{e.column}] {e.message}")
        if opts["report"]:
            from yiyang.elders.importing import report_xlsx

            opts["report"].write_bytes(report_xlsx([e.as_dict() for e in report.errors]))
        summary = (
            f"共 {report.processed} 行：新增 {report.created}，更新 {report.updated}，有误 {report.failed}，"
            f"提示 {report.warned}；用时 {seconds:.1f} 秒"
        )
        if report.rejected:
            self.stdout.write(self.style.ERROR("有误，按“全部正确才导入”模式未写入任何行。" + summary))
        else:
            self.stdout.write(self.style.SUCCESS(summary))
