"""Forms of the elderly-care pages (the assessment form is built from the active instrument version)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.eldercare.choices import AssessmentReason, Meal, MealPointKind, RiskEvent, SelfCareItem
from minzheng.eldercare.models import Enterprise, ServiceCategory

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


def _id_number(value: str) -> str:
    try:
        return normalise(value)
    except InvalidIDNumber:
        raise forms.ValidationError("身份证号格式不正确") from None


class MonthForm(forms.Form):
    month = forms.RegexField(label="津贴月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7,
                             error_messages={"invalid": "请按 YYYY-MM 填写"},
                             widget=forms.TextInput(attrs={"placeholder": "2025-08", "inputmode": "numeric"}))


class ApplicationForm(forms.Form):
    id_number = forms.CharField(label="老人身份证号", max_length=20)
    name = forms.CharField(label="姓名（非本市户籍时填写）", max_length=64, required=False)
    proxy_name = forms.CharField(label="代办人", max_length=64, required=False)
    proxy_phone = forms.CharField(label="代办人电话", max_length=20, required=False)

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data["id_number"])


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="身份证号或姓名", max_length=64)


class AssessmentForm(forms.Form):
    reason = forms.ChoiceField(label="评估原因", choices=AssessmentReason.choices)
    assessed_on = forms.DateField(label="评估日期", widget=DateInput, initial=timezone.localdate)
    assessor_1 = forms.CharField(label="评估员一", max_length=64)
    assessor_2 = forms.CharField(label="评估员二", max_length=64)
    informant = forms.CharField(label="信息提供者", max_length=64, required=False)
    informant_relation = forms.CharField(label="与老人关系", max_length=16, required=False)
    coma = forms.BooleanField(label="健康相关问题：昏迷", required=False)
    diagnoses = forms.CharField(label="疾病诊断（ICD-10，逗号分隔，如 F03, I10）", max_length=255, required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, definition: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for code, label in RiskEvent.choices:
            self.fields[f"risk_{code}"] = forms.IntegerField(label=f"近30天{label}（次）", min_value=0, max_value=30,
                                                             initial=0, required=False)
        for item in definition["items"]:
            self.fields[f"item_{item['code']}"] = forms.ChoiceField(
                label=f"{item['code']} {item['name']}", help_text=item.get("hint", ""), widget=forms.RadioSelect,
                choices=[(o["code"], f"{o['label']}（{o['score']}分）") for o in item["options"]])

    def groups(self) -> list[tuple[dict[str, Any], list[Any]]]:
        out = []
        for dim in self.definition["dimensions"]:
            out.append((dim, [self[f"item_{i['code']}"] for i in self.definition["items"]
                              if i["dimension"] == dim["code"]]))
        return out

    def risk_fields(self) -> list[Any]:
        return [self[f"risk_{code}"] for code in RiskEvent.values]

    def answers(self) -> dict[str, str]:
        return {i["code"]: self.cleaned_data[f"item_{i['code']}"] for i in self.definition["items"]}

    def facts(self) -> dict[str, Any]:
        codes = [c.strip().upper() for c in self.cleaned_data["diagnoses"].replace("，", ",").split(",") if c.strip()]
        return {"coma": self.cleaned_data["coma"], "diagnoses": codes,
                "risk_events": {c: self.cleaned_data[f"risk_{c}"] or 0 for c in RiskEvent.values
                                if self.cleaned_data.get(f"risk_{c}")}}


class SelfCareForm(forms.Form):
    assessed_on = forms.DateField(label="评估日期", widget=DateInput, initial=timezone.localdate)
    assessor_1 = forms.CharField(label="评估人一", max_length=64)
    assessor_2 = forms.CharField(label="评估人二", max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in SelfCareItem.choices:
            self.fields[f"can_{code}"] = forms.BooleanField(label=f"能{label}", required=False)

    def items(self) -> dict[str, bool]:
        return {code: self.cleaned_data[f"can_{code}"] for code in SelfCareItem.values}


def _category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in ServiceCategory.objects.filter(active=True)]


class OrderForm(forms.Form):
    """A caseworker's order, and (with the identity fields) the public order page."""

    category = forms.ChoiceField(label="服务项目")
    scheduled_at = forms.DateTimeField(label="上门时间", widget=LocalDateTimeInput, input_formats=[LOCAL_INPUT])
    hours = forms.DecimalField(label="服务时长（小时）", min_value=Decimal("0.5"), max_value=Decimal("8"),
                               decimal_places=1, initial=Decimal("2"))
    address = forms.CharField(label="服务地址", max_length=255)
    contact_name = forms.CharField(label="联系人", max_length=64)
    contact_phone = forms.CharField(label="联系电话", max_length=20)
    note = forms.CharField(label="备注", max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices()  # type: ignore[attr-defined]
        if not self.is_bound:
            start = timezone.localtime() + dt.timedelta(days=1)
            self.fields["scheduled_at"].initial = start.replace(hour=9, minute=0, second=0, microsecond=0)


class PublicOrderForm(OrderForm):
    id_number = forms.CharField(label="老人身份证号", max_length=20)
    phone = forms.CharField(label="您的手机号（老人本人或已在社区登记的家属）", max_length=20)
    field_order = ["id_number", "phone", "category", "scheduled_at", "hours", "address", "contact_name",
                   "contact_phone", "note"]

    def clean_scheduled_at(self) -> dt.datetime:
        when: dt.datetime = self.cleaned_data["scheduled_at"]
        now = timezone.now()
        if when < now - dt.timedelta(hours=1) or when > now + dt.timedelta(days=60):
            raise forms.ValidationError("请预约从现在起60天内的时间")
        return when


class DispatchForm(forms.Form):
    enterprise = forms.ModelChoiceField(label="服务企业", queryset=Enterprise.objects.filter(active=True))


class AssignForm(forms.Form):
    worker = forms.ChoiceField(label="服务人员")

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = workers  # type: ignore[attr-defined]


class CheckForm(forms.Form):
    lat = forms.DecimalField(required=False, max_digits=9, decimal_places=6,
                             widget=forms.HiddenInput(attrs={"data-geo": "lat"}))
    lng = forms.DecimalField(required=False, max_digits=10, decimal_places=6,
                             widget=forms.HiddenInput(attrs={"data-geo": "lng"}))
    place = forms.CharField(label="所在地点（无法定位时填写）", max_length=255, required=False)
    record = forms.CharField(label="服务记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label="评分", coerce=int, widget=forms.RadioSelect,
                                   choices=[(i, f"{i} 分") for i in range(5, 0, -1)])
    comment = forms.CharField(label="评价", max_length=255, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=255)


class ContactForm(forms.Form):
    name = forms.CharField(label="家属姓名", max_length=64)
    relation = forms.CharField(label="关系", max_length=16)
    phone = forms.CharField(label="手机号", max_length=20)


class SettleForm(forms.Form):
    month = MonthForm.base_fields["month"]
    enterprise = forms.ModelChoiceField(label="服务企业", queryset=Enterprise.objects.none())

    def __init__(self, *args: Any, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]


class AdaptationApplyForm(forms.Form):
    address = forms.CharField(label="改造地址", max_length=255)
    applied_on = forms.DateField(label="申请日期", widget=DateInput, initial=timezone.localdate)


class AdaptationStepForm(forms.Form):
    """One form for the next step of a case; the view reads the fields the step needs."""

    day = forms.DateField(label="日期", widget=DateInput, initial=timezone.localdate)
    text = forms.CharField(label="意见/施工单位/原因", max_length=255, required=False)


class MealForm(forms.Form):
    id_number = forms.CharField(label="就餐老人身份证号", max_length=20)
    served_on = forms.DateField(label="就餐日期", widget=DateInput, initial=timezone.localdate)
    meal = forms.ChoiceField(label="餐次", choices=Meal.choices, initial=Meal.LUNCH)
    price = forms.DecimalField(label="餐费（元）", min_value=Decimal("0"), decimal_places=2, initial=Decimal("15"))

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data["id_number"])


class MealPointForm(forms.Form):
    name = forms.CharField(label="名称", max_length=128)
    kind = forms.ChoiceField(label="类型", choices=MealPointKind.choices)
    area_code = forms.CharField(label="所在社区区划代码", max_length=12)
    address = forms.CharField(label="地址", max_length=255, required=False)
    seats = forms.IntegerField(label="日供餐能力", min_value=0, initial=50)
