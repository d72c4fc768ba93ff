"""What each ``minzheng import`` run read, took and rejected (shown later in the UI)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.intake.choices import FileStatus, RunStatus


class ImportRun(models.Model):
    """One run over a delivery directory; its report and rejects live under
    ``MINZHENG_DATA_DIR/imports/<run_id>/``."""

    run_id = models.CharField("批次号", max_length=40, unique=True)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="操作人",
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    directory = models.CharField("导入目录", max_length=500)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    report_path = models.CharField("报告", max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "导入批次"

    def __str__(self) -> str:
        return self.run_id


class ImportFile(models.Model):
    """One delivered file of a run, with its counts (``rows_taken = created + changed + unchanged``)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    name = models.CharField("文件名", max_length=255)
    kind = models.CharField("类别", max_length=32, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField("结果", max_length=16, choices=FileStatus.choices)
    message = models.TextField("说明", blank=True)
    rows_read = models.PositiveIntegerField("读取行数", default=0)
    rows_taken = models.PositiveIntegerField("接收行数", default=0)
    rows_created = models.PositiveIntegerField("新增", default=0)
    rows_changed = models.PositiveIntegerField("更新", default=0)
    rows_unchanged = models.PositiveIntegerField("未变", default=0)
    rows_rejected = models.PositiveIntegerField("拒绝行数", default=0)
    ids_repaired = models.PositiveIntegerField("修正身份证号", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)
    report_path = models.CharField("拒绝明细", max_length=500, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = "导入文件"

    def __str__(self) -> str:
        return self.name
