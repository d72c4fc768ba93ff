"""重点监测: people kept under watch with a revisit schedule, and the visits made (never edited)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from minzheng.monitoring.models.alerts import Alert, AppendOnly


class KeyMonitoring(models.Model):
    """A person on the key-monitoring list since ``since``, revisited every ``interval_months``.

    ``next_revisit`` moves forward with each recorded visit; ``ended_on`` takes the person off the list.
    One entry on the list per person at a time (a database constraint)."""

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="key_monitoring",
                               verbose_name="对象")
    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="家庭")
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="watch_entries",
                              verbose_name="来源预警")
    reason = models.TextField("纳入原因")
    since = models.DateField("纳入日期")
    interval_months = models.PositiveSmallIntegerField("回访周期（月）")
    next_revisit = models.DateField("下次回访日期")
    last_visit = models.DateField("最近回访日期", null=True, blank=True)
    visits = models.PositiveIntegerField("回访次数", default=0)
    ended_on = models.DateField("移出日期", null=True, blank=True)
    end_reason = models.TextField("移出原因", blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_revisit", "id"]
        verbose_name = "重点监测对象"
        indexes = [models.Index(fields=["area", "ended_on", "next_revisit"])]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=models.Q(ended_on__isnull=True),
                                    name="one_active_key_monitoring_per_person"),
            models.CheckConstraint(condition=models.Q(interval_months__gte=1), name="key_monitoring_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} since {self.since}"

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def due_on(self, day: dt.date) -> bool:
        return self.active and self.next_revisit <= day


class Revisit(AppendOnly):
    """回访: one visit to a person under key monitoring, and the date of the next one it set."""

    entry = models.ForeignKey(KeyMonitoring, on_delete=models.PROTECT, related_name="revisits")
    visited_on = models.DateField("回访日期")
    note = models.TextField("回访情况")
    next_revisit = models.DateField("下次回访日期")
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_id", "visited_on", "id"]
        verbose_name = "重点监测回访"

    def __str__(self) -> str:
        return f"{self.entry_id} {self.visited_on}"
