from __future__ import annotations

from django.db import models

from minzheng.registry.choices import EnrollmentSource, Programme


class Enrollment(models.Model):
    """Who receives what over ``[start_date, end_date]`` (end inclusive, as in the archive files).

    A household-level enrollment (``person`` empty) covers every member; a person-level one covers that
    person. The low-income categories of a household are its active enrollments in
    ``CATEGORY_PROGRAMMES``.
    """

    household = models.ForeignKey(
        "core.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    programme = models.CharField("项目", max_length=32, choices=Programme.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)
    monthly_amount = models.DecimalField("月发放金额（元）", max_digits=12, decimal_places=2, default=0)
    source = models.CharField(max_length=16, choices=EnrollmentSource.choices, default=EnrollmentSource.ARCHIVE)
    # Natural key of an imported row (household, person, programme, start): makes re-imports idempotent.
    source_key = models.CharField(max_length=96, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "programme", "start_date"]
        verbose_name = "救助享受记录"
        indexes = [models.Index(fields=["programme", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False) | models.Q(person__isnull=False),
                name="enrollment_has_beneficiary",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="enrollment_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.start_date}"
