"""The audit log filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minzheng.audit.choices import AuditAction
from minzheng.audit.models import AuditEvent
from minzheng.web.http import set_choices
from minzheng.web.labels import translated


class DateInput(forms.DateInput):
    input_type = "date"


OBJECT_TYPES = [
    ("core.household", _("家庭")),
    ("core.person", _("人员")),
    ("authz.user", _("用户")),
    ("authz.apitoken", _("API 令牌")),
    ("registry.enrollment", _("救助享受记录")),
]


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())
    user = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("动作"), required=False)
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64,
                                  widget=forms.TextInput(attrs={"list": "object-types"}))
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["action"], [("", _("全部动作")), *translated(AuditAction.choices)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期早于开始日期"))
        return data

    def apply(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow ``qs``; dates are whole days in Asia/Shanghai."""
        if not self.is_bound or not self.is_valid():
            return qs
        d = self.cleaned_data
        tz = timezone.get_current_timezone()
        if d.get("date_from"):
            qs = qs.filter(at__gte=dt.datetime.combine(d["date_from"], dt.time.min, tzinfo=tz))
        if d.get("date_to"):
            qs = qs.filter(at__lt=dt.datetime.combine(d["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        if d.get("user"):
            qs = qs.filter(actor_username=d["user"].strip())
        if d.get("action"):
            qs = qs.filter(action=d["action"])
        if d.get("object_type"):
            qs = qs.filter(object_type=d["object_type"].strip())
        if d.get("object_id"):
            qs = qs.filter(object_id=d["object_id"].strip())
        return qs

    def as_dict(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v}
