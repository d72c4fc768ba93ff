from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.core.choices import ChangeKind, HouseholdStatus, Relation


class Household(models.Model):
    """A household of the low-income archive (建档立卡), identified by its archive number."""

    household_no = models.CharField("档案编号", max_length=32, unique=True)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="households", verbose_name="所在社区")
    address = models.CharField("住址", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    registered_date = models.DateField("建档日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household_no"]
        verbose_name = "家庭"
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.household_no


class HouseholdMember(models.Model):
    """Dated membership: a person belongs to a household over ``[start_date, end_date)``."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField("与户主关系", max_length=8, choices=Relation.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        ordering = ["household_id", "start_date", "id"]
        verbose_name = "家庭成员"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(end_date__isnull=True), name="one_current_household"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(end_date__isnull=True, relation="户主"),
                name="one_current_head",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.person_id}"


class HouseholdChange(models.Model):
    """A recorded change of a household (never edited): what it was before, what it is after, and why."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    other_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("变更类型", max_length=16, choices=ChangeKind.choices)
    effective_date = models.DateField("生效日期")
    before = models.JSONField("变更前", default=dict)
    after = models.JSONField("变更后", default=dict)
    reason = models.TextField("原因", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "at", "id"]
        verbose_name = "家庭变更"

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.effective_date}"
