"""High-age allowance: the monthly runs of the automatic enrolment and residents' applications.

The allowance itself is a ``registry.Enrollment`` of programme ``high_age`` (person-level); these tables
record how each came about. The payments app pays the enrollments month by month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.eldercare.choices import RunStatus


class AllowanceRun(models.Model):
    """One execution of the monthly enrolment for benefit month ``month`` (``YYYY-MM``); a re-run of the
    same month is a new attempt that finds nothing left to do unless the data changed."""

    month = models.CharField("津贴月份", max_length=7)
    attempt = models.PositiveIntegerField("次序", default=1)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    seconds = models.DecimalField("用时（秒）", max_digits=9, decimal_places=2, default=0)
    population_rows = models.BigIntegerField("读取人口记录", default=0)
    deaths_read = models.IntegerField("读取死亡记录", default=0)
    eligible = models.IntegerField("本月应享受人数", default=0)
    by_band = models.JSONField("分档人数", default=dict)
    created = models.IntegerField("新纳入", default=0)
    rate_changes = models.IntegerField("调整标准", default=0)
    stopped_death = models.IntegerField("死亡停发", default=0)
    stopped_ineligible = models.IntegerField("不再符合停发", default=0)
    unchanged = models.IntegerField("未变化", default=0)
    persons_created = models.IntegerField("新建人员", default=0)
    outside_population = models.IntegerField("在册但不在户籍人口中", default=0)
    skipped = models.IntegerField("冲突未处理", default=0)
    monthly_total = models.DecimalField("本月应发总额（元）", max_digits=14, decimal_places=2, default=0)
    parameters = models.JSONField("所用参数", default=dict)
    error = models.TextField("错误", blank=True)

    class Meta:
        ordering = ["-month", "-attempt"]
        verbose_name = "高龄津贴月度运行"
        constraints = [models.UniqueConstraint(fields=["month", "attempt"], name="allowance_run_month_attempt")]

    def __str__(self) -> str:
        return f"{self.month}#{self.attempt}"


class HighAgeApplication(models.Model):
    """A resident's application at any community (全市通办), recorded when it created the enrollment.

    An application for someone already enrolled is refused by the action and leaves no row."""

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="受理社区")
    applied_on = models.DateField("申请日期")
    month = models.CharField("起始月份", max_length=7)
    enrollment = models.OneToOneField("registry.Enrollment", on_delete=models.PROTECT, related_name="+")
    proxy_name = models.CharField("代办人", max_length=64, blank=True)
    proxy_phone = models.CharField("代办人电话", max_length=20, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = "高龄津贴申请"

    def __str__(self) -> str:
        return f"{self.person_id} {self.month}"
