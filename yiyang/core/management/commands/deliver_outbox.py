"""``manage.py deliver_outbox [--once] [--interval SECONDS]``: deliver due outbox messages, for deployments
without Celery beat (a loop, one sweep every ``--interval`` seconds) or from cron (``--once``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiyang.core.outbox import deliver_due


class Command(BaseCommand):
    help = "投递到期的待发消息（站内通知、短信等）；--once 只运行一轮"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="只投递一轮后退出")
        parser.add_argument("--interval", type=float, default=5.0, help="两轮之间的秒数（默认 5）")
        parser.add_argument("--limit", type=int, default=500, help="每轮最多投递的消息数")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = deliver_due(limit=options["limit"])
            if options["once"] or result["claimed"] or options["verbosity"] > 1:
                self.stdout.write(
                    f"claimed={result['claimed']} sent={result['sent']} failed={result['failed']}"
                )
            if options["once"]:
                return
            if result["claimed"] < options["limit"]:
                time.sleep(options["interval"])
