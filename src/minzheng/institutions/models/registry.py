"""The registry of elderly-care institutions (养老机构) and the staff accounts linked to each."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from minzheng.institutions.choices import InstitutionKind, InstitutionStatus


class Institution(models.Model):
    """One institution, placed in the administrative tree by its area (a district, street or community node):
    the code prefix of a user's jurisdiction decides whether they see it."""

    name = models.CharField("机构名称", max_length=128)
    kind = models.CharField("性质", max_length=16, choices=InstitutionKind.choices)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    address = models.CharField("地址", max_length=255, blank=True)
    beds = models.PositiveIntegerField("床位数", default=0)
    filing_no = models.CharField("许可证/备案号", max_length=64, blank=True)
    operator = models.CharField("运营方", max_length=128, blank=True)
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=16, choices=InstitutionStatus.choices,
                              default=InstitutionStatus.ACTIVE)
    opened_on = models.DateField("开业日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area_id", "name", "id"]
        verbose_name = "养老机构"
        constraints = [
            models.UniqueConstraint(fields=["filing_no"], condition=~models.Q(filing_no=""),
                                    name="institution_filing_no_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=InstitutionKind.values), name="institution_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    # The level in force and the open-major-hazard flag, on rows annotated by ``selectors.with_current_stars``.
    @property
    def current_stars(self) -> int | None:
        return self.__dict__.get("stars_now")

    @property
    def current_valid_to(self) -> dt.date | None:
        return self.__dict__.get("stars_valid_to")

    @property
    def open_major(self) -> bool:
        return bool(self.__dict__.get("has_open_major"))

    @property
    def district_code(self) -> str:
        return self.area_id[:6] + "000000"


class InstitutionMembership(models.Model):
    """A staff account (role ``service_provider``) of one institution: it sees that institution only."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="institution_memberships")
    title = models.CharField("岗位", max_length=64, blank=True)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        ordering = ["institution_id", "started_at", "id"]
        verbose_name = "机构工作人员账号"
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], condition=models.Q(ended_at__isnull=True),
                                    name="institution_membership_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.institution_id}"
