"""Runs of the monitoring scenarios, the alerts they raise, and the rows of an alert's life (events,
judgements, dispositions), which are written once and never edited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from minzheng.monitoring.choices import (
    OPEN_STATES,
    SIGN_CLOCK,
    VERIFY_CLOCK,
    AlertAction,
    AlertState,
    DispositionKind,
    Finding,
    Level,
    OverdueKind,
    Scenario,
    SpecialAssistance,
    VerifyMethod,
)
from minzheng.monitoring.evidence import suggestion


class AppendOnly(models.Model):
    """A row that is written once and never edited or deleted (events, decisions, runs)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError(f"{self._meta.label} rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError(f"{self._meta.label} rows are never deleted")


class MonitoringRun(AppendOnly):
    """One recorded run of the scenario engine as of a date: what it read per feed and what it changed.

    The same (as_of, engine, alerts) recorded twice is the same run (``digest`` is the alerts' hash)."""

    as_of = models.DateField("监测基准日")
    engine = models.CharField("引擎", max_length=64)
    digest = models.CharField("预警集摘要", max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    feed_stats = models.JSONField("数据读取情况", default=dict)
    counts = models.JSONField("预警变化统计", default=dict)
    rejects = models.JSONField("拒收的预警行", default=list)
    rows = models.PositiveIntegerField("预警行数", default=0)
    recorded_on = models.DateField("登记日期")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = "监测运行"
        constraints = [models.UniqueConstraint(fields=["as_of", "engine", "digest"], name="one_run_per_alert_set")]

    def __str__(self) -> str:
        return f"{self.engine} {self.as_of}"


class Alert(models.Model):
    """One finding of one scenario about one person, moved by ``workflow.ALERT_FLOW``.

    ``area`` is the community it was pushed to (every scoped read filters on it); ``level`` who answers
    for it (raised by the overdue sweep). One open alert per (scenario, person): a database constraint.
    ``opened_at`` is the start of the current episode (a reopened alert starts a new one).
    """

    number = models.CharField("预警编号", max_length=24, unique=True, null=True, blank=True)
    scenario = models.CharField("预警场景", max_length=32, choices=Scenario.choices)
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="monitoring_alerts",
                               verbose_name="对象")
    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="monitoring_alerts", verbose_name="家庭")
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    state = models.CharField("状态", max_length=16, choices=AlertState.choices, default=AlertState.GENERATED)
    level = models.CharField("督办层级", max_length=16, choices=Level.choices, default=Level.COMMUNITY)
    as_of = models.DateField("监测基准日")
    evidence = models.JSONField("预警依据", default=dict)
    evidence_date = models.DateField("最新触发数据日期", null=True, blank=True)
    monthly_amount = models.DecimalField("涉及月金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    suggested_action = models.TextField("建议措施", blank=True)
    first_run = models.ForeignKey(MonitoringRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(MonitoringRun, on_delete=models.PROTECT, related_name="+")
    pushed_on = models.DateField("推送日期", null=True, blank=True)
    sign_by = models.DateField("签收期限", null=True, blank=True)
    signed_on = models.DateField("签收日期", null=True, blank=True)
    verify_by = models.DateField("核查期限", null=True, blank=True)
    calendar_complete = models.BooleanField("工作日日历完整", default=True)
    escalated_on = models.DateField("最近升级日期", null=True, blank=True)
    overdue_kind = models.CharField("逾期事项", max_length=8, choices=OverdueKind.choices, blank=True)
    finding = models.CharField("研判结论", max_length=16, choices=Finding.choices, blank=True)
    judged_on = models.DateField("研判日期", null=True, blank=True)
    disposed_on = models.DateField("处置日期", null=True, blank=True)
    first_opened_at = models.DateTimeField("首次生成时间")
    opened_at = models.DateTimeField("本次开启时间")
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新开启次数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "预警"
        indexes = [
            models.Index(fields=["area", "state"]),
            models.Index(fields=["scenario", "state"]),
            models.Index(fields=["state", "sign_by"]),
            models.Index(fields=["state", "verify_by"]),
            models.Index(fields=["closed_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "person"], condition=~models.Q(state="closed"),
                                    name="one_open_alert_per_scenario_person"),
        ]

    def __str__(self) -> str:
        return self.number or f"alert {self.pk}"

    @property
    def suggestion(self) -> str:
        return suggestion(self.suggested_action)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def deadline(self) -> tuple[str, dt.date | None]:
        """The running deadline: ('sign', sign_by) while pushed, ('verify', verify_by) until judged."""
        if self.state in SIGN_CLOCK:
            return OverdueKind.SIGN, self.sign_by
        if self.state in VERIFY_CLOCK:
            return OverdueKind.VERIFY, self.verify_by
        return "", None

    def overdue_on(self, day: dt.date) -> bool:
        _, due = self.deadline()
        return due is not None and day > due


class AlertEvent(AppendOnly):
    """One move of the table (or an evidence update, an escalation): who, when, from → to, and why."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("事项", max_length=24, choices=AlertAction.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    from_level = models.CharField(max_length=16, blank=True)
    to_level = models.CharField(max_length=16, blank=True)
    on = models.DateField("办理日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    run = models.ForeignKey(MonitoringRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert_id", "at", "id"]
        verbose_name = "预警处理记录"

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action} {self.on}"

    @property
    def from_state_label(self) -> str:
        return AlertState(self.from_state).label if self.from_state in AlertState.values else ""

    @property
    def to_state_label(self) -> str:
        return AlertState(self.to_state).label if self.to_state in AlertState.values else self.to_state

    @property
    def from_level_label(self) -> str:
        return Level(self.from_level).label if self.from_level in Level.values else self.from_level

    @property
    def to_level_label(self) -> str:
        return Level(self.to_level).label if self.to_level in Level.values else self.to_level


class Judgement(AppendOnly):
    """研判: what the verification found, how it was verified, by whom (a new episode judges again)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="judgements")
    finding = models.CharField("研判结论", max_length=16, choices=Finding.choices)
    method = models.CharField("核查方式", max_length=16, choices=VerifyMethod.choices)
    verified_on = models.DateField("核查日期")
    note = models.TextField("核查情况")
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert_id", "at", "id"]
        verbose_name = "研判"

    def __str__(self) -> str:
        return f"{self.alert_id} {self.finding}"


class Disposition(AppendOnly):
    """处置: one measure taken on a judged alert, with links to what it started in other apps.

    ``ended_enrollments`` lists the enrollments a death stop ended (id, programme, amount, end date);
    ``stop_from`` is the first month no longer paid (the month after death)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="dispositions")
    kind = models.CharField("处置方式", max_length=16, choices=DispositionKind.choices)
    disposed_on = models.DateField("处置日期")
    note = models.TextField("处置说明（理由）", blank=True)
    application = models.ForeignKey("assistance.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="救助申请")
    temporary = models.ForeignKey("assistance.TemporaryAssistance", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", verbose_name="临时救助")
    need = models.ForeignKey("services.Need", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="服务需求")
    review_task = models.ForeignKey("assistance.ReviewTask", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="家庭复核任务")
    special = models.CharField("专项救助", max_length=16, choices=SpecialAssistance.choices, blank=True)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    stop_from = models.DateField("停发起始月", null=True, blank=True)
    ended_enrollments = models.JSONField("终止的享受记录", default=list, blank=True)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert_id", "at", "id"]
        verbose_name = "处置"

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"


class MonitoringSweep(AppendOnly):
    """The overdue sweep ran for ``day`` (one row per date: the sweep is idempotent per day)."""

    day = models.DateField(unique=True)
    report = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "逾期巡检"

    def __str__(self) -> str:
        return self.day.isoformat()
