"""What a payment was computed from: the basis snapshot of a household (or a lone person) and the
parameter values in force for the benefit month. Both are written once and never edited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from minzheng.payments.choices import BasisSource


class AppendOnly(models.Model):
    """A row written once: the model refuses edits and deletes (the ledger also has a DB trigger)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError(f"{self._meta.label} rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError(f"{self._meta.label} rows are never deleted")


class BasisSnapshot(AppendOnly):
    """The rules' input household (policy-tests.md keys, member ids = person ids) a payment rests on.

    ``application``: the household as investigated and approved (the evaluation's input); ``review``: the
    registry when a change decided after a review took effect; ``registry``: an archive household without
    an application, taken from the registry at its first payroll and frozen. A snapshot governs the
    months from ``valid_from`` until the next snapshot of the same household (or person); later edits of
    the registry change nothing until a new snapshot is recorded. Deaths are the one live input (a death
    stops payment from the next month whatever the snapshot says).
    """

    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="a person outside any household (one-person basis)")
    source = models.CharField("来源", max_length=16, choices=BasisSource.choices)
    evaluation = models.ForeignKey("assistance.Evaluation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision = models.ForeignKey("assistance.Decision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    inputs = models.JSONField("核定依据（规则输入）")
    inputs_hash = models.CharField(max_length=64)
    packed = models.TextField(blank=True, help_text="the inputs as bulk-path columns (basis.pack), derived")
    valid_from = models.DateField("适用起始月")
    taken_on = models.DateField("采集日期")
    note = models.CharField("说明", max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "person_id", "valid_from", "id"]
        verbose_name = "核定依据快照"
        indexes = [models.Index(fields=["household", "valid_from"]), models.Index(fields=["person", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False, person__isnull=True)
                | models.Q(household__isnull=True, person__isnull=False),
                name="basis_household_or_person",
            ),
            models.UniqueConstraint(fields=["decision"], condition=models.Q(decision__isnull=False),
                                    name="one_basis_per_decision"),
            models.UniqueConstraint(fields=["household", "source", "valid_from"],
                                    condition=models.Q(household__isnull=False) & ~models.Q(source="application"),
                                    name="one_household_basis_per_source_and_month"),
            models.UniqueConstraint(fields=["person", "source", "valid_from"],
                                    condition=models.Q(person__isnull=False) & ~models.Q(source="application"),
                                    name="one_person_basis_per_source_and_month"),
        ]

    def __str__(self) -> str:
        owner = f"家庭 {self.household_id}" if self.household_id else f"人员 {self.person_id}"
        return f"{owner} {self.get_source_display()} {self.valid_from:%Y-%m}"


class RuleVersion(AppendOnly):
    """The parameter values a benefit month was computed with (``values``: name → unit and the dated
    values in force on the first day of the month and of the 12 months before), keyed by their digest.
    A late change of a parameter gives the month a new digest: the next payroll pays the difference."""

    digest = models.CharField(max_length=64, unique=True)
    month = models.DateField("首次使用的月份")
    values = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = "参数版本"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.digest[:12]}"

    @property
    def assumed(self) -> list[str]:
        """Parameters whose value for the month has status ``assumed``."""
        return sorted(name for name, data in self.values.items() if data["values"][-1][2] == "assumed")
