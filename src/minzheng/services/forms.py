"""Forms of the service-assistance pages (the assessment form is built from the instrument version)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from minzheng.services.choices import ALL_WEEKDAYS, WEEKDAY_LABELS, DeclineReason
from minzheng.services.models import InstrumentVersion

WEEKDAY_CHOICES = [(str(i), f"周{label}") for i, label in enumerate(WEEKDAY_LABELS)]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def weekdays_mask(values: list[str]) -> int:
    return sum(1 << int(v) for v in values if v.isdigit() and 0 <= int(v) < 7)


def weekdays_list(mask: int) -> list[str]:
    return [str(i) for i in range(7) if mask >> i & 1]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT, **kwargs)


class AssessmentForm(forms.Form):
    """One radio group per indicator, grouped by dimension in the template; pre-filled answers marked."""

    weekdays = forms.MultipleChoiceField(label="可上门服务的日子", choices=WEEKDAY_CHOICES, required=False,
                                         widget=forms.CheckboxSelectMultiple, initial=weekdays_list(ALL_WEEKDAYS))
    note = forms.CharField(label="入户情况记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lat"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lng"}))

    def __init__(self, *args: Any, version: InstrumentVersion, prefilled: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.prefilled = prefilled
        self.item_fields: list[tuple[Any, str]] = []
        for item in version.items.all():
            name = f"item_{item.code}"
            self.fields[name] = forms.TypedChoiceField(
                label=item.question, help_text=item.help_text, coerce=int, widget=forms.RadioSelect,
                choices=[(int(o["score"]), f"{o['label']}（{o['score']}分）") for o in item.options],
                initial=prefilled.get(item.code),
            )
            self.item_fields.append((item, name))

    def clean_weekdays(self) -> int:
        mask = weekdays_mask(self.cleaned_data["weekdays"])
        if not mask:
            raise forms.ValidationError("请至少选择一天")
        return mask

    def answers(self) -> dict[str, int]:
        """What the worker answered; pre-filled items left as the data gave them count as 数据预填."""
        out = {}
        for item, name in self.item_fields:
            value = self.cleaned_data[name]
            if item.code in self.prefilled and value == self.prefilled[item.code]:
                continue
            out[item.code] = value
        return out

    def groups(self) -> list[tuple[str, list[tuple[Any, Any]]]]:
        """(dimension label, [(item, bound field)]) in instrument order."""
        out: dict[str, list[tuple[Any, Any]]] = {}
        for item, name in self.item_fields:
            out.setdefault(item.get_dimension_display(), []).append((item, self[name]))
        return list(out.items())


class AcceptForm(forms.Form):
    worker_name = forms.CharField(label="上门服务人员", max_length=64)
    worker_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    planned_at = forms.DateTimeField(label="预约上门时间", required=False, widget=LocalDateTimeInput(),
                                     input_formats=[LOCAL_INPUT])


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label="拒绝原因", choices=DeclineReason.choices)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class VisitForm(forms.Form):
    worker_name = forms.CharField(label="服务人员", max_length=64)
    started_at = forms.DateTimeField(label="服务开始时间", widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT])
    duration_minutes = forms.IntegerField(label="服务时长（分钟）", min_value=1, max_value=1440, initial=60)
    content = forms.CharField(label="服务内容", widget=forms.Textarea(attrs={"rows": 3}))
    beneficiary_confirmed = forms.BooleanField(label="服务对象已确认", required=False)
    confirmed_by = forms.CharField(label="确认人（服务对象或家属）", max_length=64, required=False)
    photos = MultipleFileField(label="现场照片", required=False)
    complete = forms.BooleanField(label="服务已全部完成，结束转介", required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lat"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lng"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["started_at"].initial = now


class CancelForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label="满意度", coerce=int, widget=forms.RadioSelect,
                                          choices=[(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"),
                                                   (1, "很不满意")])
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="服务名额", min_value=0, max_value=100000)
    reason = forms.CharField(label="调整原因", max_length=200, required=False)
