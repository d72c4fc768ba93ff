"""Home care's supply side: the service catalogue, enterprises, their workers and users, entitlement rules
and the registered family phones of elderly people."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.eldercare.choices import CapabilityLevel, CategoryGroup, Hardship, MemberRole


class ServiceCategory(models.Model):
    """One kind of home-care service the government buys; ``hourly_subsidy`` is what an hour of it is
    settled at (a configurable list, seeded by migration 0002)."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    group = models.CharField("类别", max_length=16, choices=CategoryGroup.choices)
    hourly_subsidy = models.DecimalField("补贴标准（元/小时）", max_digits=8, decimal_places=2)
    description = models.CharField("说明", max_length=255, blank=True)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = "居家服务类别"

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """A company on the basic elderly-care platform that serves an area (a code prefix: district or street)."""

    name = models.CharField("企业名称", max_length=128, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="服务区域")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    categories = models.ManyToManyField(ServiceCategory, related_name="enterprises", verbose_name="服务类别")
    active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "服务企业"

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """A worker of an enterprise; ``user`` when they sign in on a phone to check in and out."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="workers")
    name = models.CharField("姓名", max_length=64)
    phone = models.CharField("手机号", max_length=20, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="eldercare_worker")
    active = models.BooleanField("在岗", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = "服务人员"

    def __str__(self) -> str:
        return self.name


class EnterpriseMembership(models.Model):
    """A platform user acting for an enterprise: its dispatcher (manager) or one of its workers."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="eldercare_membership")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="members")
    role = models.CharField("身份", max_length=16, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "企业账号"

    def __str__(self) -> str:
        return f"{self.user_id}@{self.enterprise_id}"


class EntitlementRule(models.Model):
    """Hours of government-bought home care per month for a capability level and a hardship category,
    valid over ``[valid_from, valid_to)`` (configurable data, seeded by migration 0002)."""

    level = models.PositiveSmallIntegerField("能力等级", choices=CapabilityLevel.choices)
    hardship = models.CharField("困难类别", max_length=16, choices=Hardship.choices)
    hours = models.DecimalField("每月服务时长（小时）", max_digits=5, decimal_places=1)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期（不含）", null=True, blank=True)

    class Meta:
        ordering = ["hardship", "level", "valid_from"]
        verbose_name = "服务时长额度"
        constraints = [
            models.UniqueConstraint(fields=["level", "hardship", "valid_from"], name="entitlement_rule_key"),
        ]

    def __str__(self) -> str:
        return f"{self.hardship}/{self.level}: {self.hours}h"


class FamilyContact(models.Model):
    """A family member's phone registered for an elderly person by a caseworker: with the elder's ID number it
    identifies the elder on the public ordering page."""

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=64)
    relation = models.CharField("关系", max_length=16)
    phone = models.CharField("手机号", max_length=20)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "家属联系人"
        constraints = [models.UniqueConstraint(fields=["person", "phone"], name="family_contact_person_phone")]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"
