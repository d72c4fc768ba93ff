"""Home adaptation (居家适老化改造): the recommended list of items (7 basic + 23 optional, configurable),
the subsidy policy, cases, their plan lines and events."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.eldercare.choices import AdaptationKind, AdaptationStatus, Hardship


class AdaptationItem(models.Model):
    """One item of the recommended list (民发〔2020〕86号 7类30项). ``basic`` items are the government-funded
    ones; ``subsidy_cap`` is the most the subsidy pays per unit."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类别", max_length=16, choices=AdaptationKind.choices)
    basic = models.BooleanField("基础类", default=False)
    unit = models.CharField("单位", max_length=8, default="项")
    subsidy_cap = models.DecimalField("单位补贴上限（元）", max_digits=9, decimal_places=2)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = "适老化改造项目"

    def __str__(self) -> str:
        return self.name


class AdaptationPolicy(models.Model):
    """The subsidy in force from ``valid_from``: the share of each line's cost paid (basic / optional items),
    each line capped at quantity × the item's cap, and the whole case capped at ``case_cap``."""

    valid_from = models.DateField("起始日期", unique=True)
    basic_ratio = models.DecimalField("基础类补贴比例", max_digits=4, decimal_places=2)
    optional_ratio = models.DecimalField("可选类补贴比例", max_digits=4, decimal_places=2)
    case_cap = models.DecimalField("每户补贴上限（元）", max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "适老化改造补贴政策"

    def __str__(self) -> str:
        return f"{self.valid_from} {self.basic_ratio}/{self.optional_ratio}"


class AdaptationCase(models.Model):
    number = models.CharField("编号", max_length=24, unique=True)
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    hardship = models.CharField("困难类别", max_length=16, choices=Hardship.choices)
    address = models.CharField("改造地址", max_length=255)
    applied_on = models.DateField("申请日期")
    status = models.CharField("状态", max_length=16, choices=AdaptationStatus.choices,
                              default=AdaptationStatus.APPLIED)
    needs = models.TextField("评估意见", blank=True)
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    contractor = models.CharField("施工单位", max_length=128, blank=True)
    works_started_on = models.DateField("开工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    acceptance_note = models.CharField("验收意见", max_length=255, blank=True)
    policy = models.ForeignKey(AdaptationPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cost = models.DecimalField("改造费用（元）", max_digits=10, decimal_places=2, default=0)
    subsidy = models.DecimalField("补贴金额（元）", max_digits=10, decimal_places=2, default=0)
    subsidised_on = models.DateField("拨付日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = "适老化改造"

    def __str__(self) -> str:
        return self.number


class AdaptationLine(models.Model):
    case = models.ForeignKey(AdaptationCase, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(AdaptationItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField("数量", default=1)
    unit_cost = models.DecimalField("单价（元）", max_digits=9, decimal_places=2)
    cost = models.DecimalField("费用（元）", max_digits=10, decimal_places=2)
    subsidy = models.DecimalField("补贴（元）", max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["case_id", "item__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="adaptation_line_case_item")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.item_id}×{self.quantity}"


class AdaptationEvent(models.Model):
    case = models.ForeignKey(AdaptationCase, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=AdaptationStatus.choices)
    to_status = models.CharField(max_length=16, choices=AdaptationStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_status}→{self.to_status}"
