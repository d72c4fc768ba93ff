"""Forms of the alert page (one per step and per disposition) and of the key-monitoring list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from minzheng.assistance.choices import RequestedProgramme
from minzheng.monitoring.choices import Finding, SpecialAssistance, VerifyMethod
from minzheng.services.models import ServiceItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _on(label: str = "办理日期") -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DATE, help_text="不填为今天")


def _text(label: str, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": rows}))


class StepForm(forms.Form):
    """签收, 开始核查, 销号: a date and an optional note."""

    on = _on()
    note = _text("备注", required=False, rows=2)


class JudgeForm(forms.Form):
    finding = forms.ChoiceField(label="研判结论", choices=Finding.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(label="核查方式", choices=VerifyMethod.choices, initial=VerifyMethod.HOME_VISIT)
    verified_on = forms.DateField(label="核查日期", required=False, widget=DATE, help_text="不填为今天")
    note = _text("核查情况")
    on = _on("研判日期")


class ApplicationForm(forms.Form):
    programmes = forms.MultipleChoiceField(label="申请事项", choices=RequestedProgramme.choices,
                                           initial=list(RequestedProgramme.values),
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text="一次申请、分类审核认定：默认四项都申请")
    authorisation_signed = forms.BooleanField(label="申请人已签署家庭经济状况核对授权书（即受理）", required=False)
    note = _text("补充说明", required=False, rows=2)
    on = _on("申请日期")


class TemporaryForm(forms.Form):
    amount = forms.DecimalField(label="救助金额（元）", min_value=1, max_digits=12, decimal_places=2)
    urgent = forms.BooleanField(label="急难型：先行救助，事后补办手续", required=False, initial=True)
    circumstances = _text("困难情形", required=False)
    on = _on("救助日期")


class StopForm(forms.Form):
    death_date = forms.DateField(label="死亡日期", required=False, widget=DATE,
                                 help_text="不填则取预警依据或人员档案中的死亡日期")
    note = _text("说明", required=False, rows=2)
    on = _on()


class SpecialForm(forms.Form):
    special = forms.ChoiceField(label="专项救助", choices=SpecialAssistance.choices)
    note = _text("转介说明")
    on = _on()


class ServiceForm(forms.Form):
    item_code = forms.ChoiceField(label="服务项目", choices=())
    note = _text("说明", required=False, rows=2)
    on = _on()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(i.code, f"{i.name}（{i.code}）") for i in ServiceItem.objects.order_by("order", "code")]


class NoActionForm(forms.Form):
    reason = _text("不予处置的理由")
    on = _on()


DISPOSITION_FORMS: dict[str, type[forms.Form]] = {
    "application": ApplicationForm,
    "temporary": TemporaryForm,
    "stop_payments": StopForm,
    "refer_special": SpecialForm,
    "refer_service": ServiceForm,
    "no_action": NoActionForm,
}


class WatchForm(forms.Form):
    reason = _text("纳入重点监测的原因")
    interval_months = forms.IntegerField(label="回访周期（月）", min_value=1, max_value=24, required=False,
                                         help_text="不填按默认周期")


class RevisitForm(forms.Form):
    visited_on = forms.DateField(label="回访日期", required=False, widget=DATE, help_text="不填为今天")
    note = _text("回访情况")
    next_revisit = forms.DateField(label="下次回访日期", required=False, widget=DATE, help_text="不填按回访周期顺延")


class EndWatchForm(forms.Form):
    reason = _text("移出原因", rows=2)
    on = _on("移出日期")


class PeriodForm(forms.Form):
    start = forms.DateField(label="起始日期", required=False, widget=DATE)
    end = forms.DateField(label="截止日期", required=False, widget=DATE)

    def period(self) -> tuple[Any, Any]:
        today = timezone.localdate()
        first = today.replace(day=1)
        data = self.cleaned_data if self.is_valid() else {}
        start, end = data.get("start") or first, data.get("end") or today
        return (start, end) if start <= end else (end, start)
