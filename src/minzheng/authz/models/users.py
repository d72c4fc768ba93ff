from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from minzheng.authz.choices import Role


class User(AbstractUser):
    """A person who signs in: one role and one jurisdiction (a node of the administrative tree)."""

    role = models.CharField("角色", max_length=32, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="管辖范围"
    )
    full_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""
