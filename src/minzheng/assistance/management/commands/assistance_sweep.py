"""``minzheng manage assistance_sweep [--date YYYY-MM-DD]``: the daily sweep, by hand or from cron."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from minzheng.assistance.actions.sweep import run_sweep


class Command(BaseCommand):
    help = "社会救助每日巡检：逾期标记、定期核查任务、刚性支出困难有效期"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_sweep(options["date"] or timezone.localdate())
        self.stdout.write(json.dumps(report, ensure_ascii=False))
