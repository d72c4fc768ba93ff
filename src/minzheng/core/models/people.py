from __future__ import annotations

import datetime as dt

from django.db import models

from minzheng.core.choices import DisabilityType, SelfCare, Sex


class Person(models.Model):
    """A natural person known to the operational store (an archive member, an applicant, an alert's subject).

    ``id_number`` is always the normalised 18-character 公民身份号码; sex and birth date are derived from it
    and cross-checked against any other source by the actions that create people.
    """

    id_number = models.CharField("公民身份号码", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=64)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    area = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="户籍地"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    monthly_income = models.DecimalField("月可计收入（元）", max_digits=12, decimal_places=2, default=0)
    disability_type = models.CharField("残疾类别", max_length=8, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True)
    serious_illness = models.BooleanField("重特大疾病", default=False)
    self_care = models.CharField("自理能力", max_length=8, choices=SelfCare.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "人员"
        indexes = [models.Index(fields=["name"]), models.Index(fields=["area"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disability_grade__isnull=True)
                | models.Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_1_4",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years
