from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from minzheng.audit.choices import AuditAction


class AppendOnlyError(RuntimeError):
    pass


class AuditEvent(models.Model):
    """One audited event: a write (with before/after), a view of sensitive data, a sign-in, an export.

    Rows are append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses
    them in the database too (migration 0002).
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=32, blank=True)
    action = models.CharField("动作", max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    area_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    summary = models.CharField("摘要", max_length=255, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit events are never deleted")
