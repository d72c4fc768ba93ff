"""Meal points and community canteens with the meals they serve and the subsidy per meal; accident
insurance of elderly people in hardship."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.eldercare.choices import Meal, MealPointKind, MealSubsidyCategory


class MealPoint(models.Model):
    name = models.CharField("名称", max_length=128, unique=True)
    kind = models.CharField("类型", max_length=16, choices=MealPointKind.choices)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    address = models.CharField("地址", max_length=255, blank=True)
    operator = models.CharField("运营单位", max_length=128, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)
    seats = models.PositiveIntegerField("座位/日供餐能力", default=0)
    active = models.BooleanField("运营中", default=True)
    opened_on = models.DateField("开办日期", null=True, blank=True)

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = "助餐点"

    def __str__(self) -> str:
        return self.name


class MealSubsidyRule(models.Model):
    """Subsidy per meal for a category of diner from ``valid_from`` (the highest applicable category wins)."""

    category = models.CharField("对象类别", max_length=16, choices=MealSubsidyCategory.choices)
    amount = models.DecimalField("每餐补贴（元）", max_digits=6, decimal_places=2)
    valid_from = models.DateField("起始日期")

    class Meta:
        ordering = ["category", "-valid_from"]
        verbose_name = "助餐补贴标准"
        constraints = [models.UniqueConstraint(fields=["category", "valid_from"], name="meal_rule_key")]

    def __str__(self) -> str:
        return f"{self.category} {self.amount} ({self.valid_from})"


class MealRecord(models.Model):
    """One meal served to one elderly person (at most one per person, day and meal)."""

    point = models.ForeignKey(MealPoint, on_delete=models.PROTECT, related_name="meals")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField("就餐日期")
    meal = models.CharField("餐次", max_length=16, choices=Meal.choices)
    price = models.DecimalField("餐费（元）", max_digits=6, decimal_places=2)
    category = models.CharField("补贴类别", max_length=16, choices=MealSubsidyCategory.choices, blank=True)
    subsidy = models.DecimalField("补贴（元）", max_digits=6, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-served_on", "point_id", "id"]
        verbose_name = "就餐记录"
        constraints = [
            models.UniqueConstraint(fields=["person", "served_on", "meal"], name="one_meal_per_person_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.served_on} {self.meal}"


class InsurancePolicy(models.Model):
    """The year's group accident insurance bought for elderly people in hardship."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    insurer = models.CharField("承保公司", max_length=128)
    premium = models.DecimalField("每人保费（元）", max_digits=8, decimal_places=2)
    starts_on = models.DateField("保险起期")
    ends_on = models.DateField("保险止期")

    class Meta:
        ordering = ["-year"]
        verbose_name = "老年人意外伤害保险"

    def __str__(self) -> str:
        return f"{self.year} {self.insurer}"


class InsuranceEnrollment(models.Model):
    policy = models.ForeignKey(InsurancePolicy, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("所属区划", max_length=12, db_index=True)
    enrolled_on = models.DateField("参保日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["policy_id", "area_code", "id"]
        verbose_name = "意外伤害保险参保"
        constraints = [models.UniqueConstraint(fields=["policy", "person"], name="insured_once_per_policy")]

    def __str__(self) -> str:
        return f"{self.policy_id}:{self.person_id}"
