"""Home-care orders, their events, the visit (check-in and check-out), the rating, and the monthly
settlement of each enterprise with its lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.eldercare.choices import Channel, LineDecision, OrderStatus, SettlementStatus


class Order(models.Model):
    number = models.CharField("工单号", max_length=24, unique=True)
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+", verbose_name="服务对象")
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    category = models.ForeignKey("eldercare.ServiceCategory", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="服务类别")
    channel = models.CharField("下单渠道", max_length=16, choices=Channel.choices)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    contact_name = models.CharField("联系人", max_length=64)
    contact_phone = models.CharField("联系电话", max_length=20)
    contact_relation = models.CharField("与老人关系", max_length=16, blank=True)
    address = models.CharField("服务地址", max_length=255)
    scheduled_at = models.DateTimeField("预约时间")
    hours = models.DecimalField("预约时长（小时）", max_digits=4, decimal_places=1)
    note = models.CharField("备注", max_length=255, blank=True)
    status = models.CharField("状态", max_length=16, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    enterprise = models.ForeignKey("eldercare.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="orders")
    worker = models.ForeignKey("eldercare.Worker", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="orders")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = "居家服务工单"
        indexes = [models.Index(fields=["enterprise", "status"]), models.Index(fields=["worker", "status"])]

    def __str__(self) -> str:
        return self.number


class OrderEvent(models.Model):
    """A move of an order (append-only)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["order_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_status}→{self.to_status}"


class Visit(models.Model):
    """The visit of an order: check-in and check-out with time and place (coordinates or address text)."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="visit")
    worker = models.ForeignKey("eldercare.Worker", on_delete=models.PROTECT, related_name="visits")
    check_in_at = models.DateTimeField("签到时间")
    check_in_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_place = models.CharField("签到地点", max_length=255, blank=True)
    check_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    check_out_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_place = models.CharField("签退地点", max_length=255, blank=True)
    record = models.TextField("服务记录", blank=True)

    class Meta:
        ordering = ["check_in_at", "id"]
        verbose_name = "上门服务记录"
        constraints = [
            models.CheckConstraint(condition=models.Q(check_out_at__isnull=True)
                                   | models.Q(check_out_at__gte=models.F("check_in_at")),
                                   name="visit_out_after_in"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.check_in_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField("评分（1–5）")
    comment = models.CharField("评价", max_length=255, blank=True)
    channel = models.CharField("评价渠道", max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务评价"
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_1_5")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.score}"


class Settlement(models.Model):
    """The month's subsidy of one enterprise: visits checked in that month, settled hour by hour at the
    category's rate, with anomaly flags. A draft may be recomputed; a confirmed one is final."""

    month = models.CharField("结算月份", max_length=7)
    enterprise = models.ForeignKey("eldercare.Enterprise", on_delete=models.PROTECT, related_name="settlements")
    status = models.CharField("状态", max_length=16, choices=SettlementStatus.choices,
                              default=SettlementStatus.DRAFT)
    visits = models.IntegerField("服务次数", default=0)
    hours_claimed = models.DecimalField("服务时长（小时）", max_digits=9, decimal_places=2, default=0)
    hours_paid = models.DecimalField("结算时长（小时）", max_digits=9, decimal_places=2, default=0)
    amount = models.DecimalField("结算金额（元）", max_digits=12, decimal_places=2, default=0)
    flags = models.JSONField("异常统计", default=dict)
    generated_at = models.DateTimeField("生成时间")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-month", "enterprise_id"]
        verbose_name = "居家服务月度结算"
        constraints = [models.UniqueConstraint(fields=["month", "enterprise"], name="settlement_month_enterprise")]

    def __str__(self) -> str:
        return f"{self.month} {self.enterprise_id}"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    hours_claimed = models.DecimalField("服务时长", max_digits=6, decimal_places=2)
    hours_paid = models.DecimalField("结算时长", max_digits=6, decimal_places=2)
    rate = models.DecimalField("补贴标准（元/小时）", max_digits=8, decimal_places=2)
    amount = models.DecimalField("结算金额", max_digits=10, decimal_places=2)
    flags = models.JSONField("异常", default=list)
    decision = models.CharField("处理", max_length=16, choices=LineDecision.choices)
    note = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        ordering = ["settlement_id", "id"]
        verbose_name = "结算明细"

    def __str__(self) -> str:
        return f"{self.settlement_id}:{self.visit_id} {self.decision}"
