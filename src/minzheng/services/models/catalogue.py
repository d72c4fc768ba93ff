"""The supply catalogue (供给清单): service items, providers, their coverage and offerings, provider users."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from minzheng.services.choices import WORKDAYS, ItemKind, OfferingStatus, Payer, Period, ProviderKind

# Stable UUIDs for taxonomy terms and nested HSDS objects (uuid5 of a name in this namespace).
UUID_NAMESPACE = uuid.UUID("6f1d2a4e-8c37-5b0e-9d5a-2101000006a1")


def stable_uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(UUID_NAMESPACE, "/".join(str(p) for p in parts))


class ServiceItem(models.Model):
    """A term of the service taxonomy (``taxonomy.ITEMS``): need tags and offerings point at it."""

    code = models.CharField("代码", max_length=32, unique=True)
    group = models.CharField("类别", max_length=16)
    name = models.CharField("名称", max_length=32)
    kind = models.CharField("类型", max_length=16, choices=ItemKind.choices, default=ItemKind.SERVICE)
    uid = models.UUIDField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "服务项目"

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    name = models.CharField("机构名称", max_length=128)
    kind = models.CharField("机构类型", max_length=16, choices=ProviderKind.choices)
    description = models.TextField("简介", blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    website = models.URLField("网址", blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    rating = models.DecimalField("评分", max_digits=2, decimal_places=1, default=Decimal("4.0"))
    active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "服务机构"
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=0, rating__lte=5), name="provider_rating_0_5"),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderArea(models.Model):
    """A node of the administrative tree the provider serves (district, street or community)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["provider_id", "area_id"]
        verbose_name = "服务范围"
        constraints = [models.UniqueConstraint(fields=["provider", "area"], name="provider_area_unique")]

    def __str__(self) -> str:
        return f"{self.provider_id}@{self.area_id}"


class Offering(models.Model):
    """What a provider offers of one item: places per period, days, cost and who pays, eligibility."""

    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offerings")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="offerings")
    name = models.CharField("服务名称", max_length=128)
    description = models.TextField("服务内容", blank=True)
    capacity = models.PositiveIntegerField("服务名额", help_text="同时服务的对象数（每周期）")
    period = models.CharField("周期", max_length=8, choices=Period.choices, default=Period.MONTH)
    weekdays = models.PositiveSmallIntegerField("服务日", default=WORKDAYS)
    opens_at = models.TimeField("开始时间", null=True, blank=True)
    closes_at = models.TimeField("结束时间", null=True, blank=True)
    cost = models.DecimalField("单次成本（元）", max_digits=10, decimal_places=2, default=Decimal("0"))
    payer = models.CharField("付费方", max_length=24, choices=Payer.choices, default=Payer.GOVERNMENT_PURCHASE)
    # Programme codes (registry.Programme) whose households may be served; empty = everyone.
    eligible_categories = models.JSONField("适用类别", default=list, blank=True)
    min_age = models.PositiveSmallIntegerField("最低年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最高年龄", null=True, blank=True)
    requires_disability = models.BooleanField("仅限残疾人", default=False)
    eligibility_description = models.TextField("服务条件说明", blank=True)
    status = models.CharField("状态", max_length=16, choices=OfferingStatus.choices, default=OfferingStatus.ACTIVE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider_id", "item__order", "id"]
        verbose_name = "服务供给"
        constraints = [models.UniqueConstraint(fields=["provider", "item"], name="offering_provider_item_unique")]

    def __str__(self) -> str:
        return self.name


class ProviderMembership(models.Model):
    """A user of a provider (role 服务机构人员): sees and answers only that provider's referrals."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_membership")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "机构用户"

    def __str__(self) -> str:
        return f"{self.user_id}@{self.provider_id}"
