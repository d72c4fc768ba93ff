"""Forms of the assistance pages. They validate input only; the actions decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from minzheng.assistance.choices import (
    BusinessRole,
    Channel,
    DocumentKind,
    RequestedProgramme,
    ReviewOutcome,
    SupportMode,
    TempKind,
    Vehicle,
)
from minzheng.assistance.models import SIX_ITEMS
from minzheng.authz.models import User
from minzheng.core.choices import DisabilityType, SelfCare


def _money(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _text(label: str, rows: int = 3, required: bool = True, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kw)


class StepForm(forms.Form):
    """Every step carries the date it was done (today by default; a paper step may be entered later)."""

    on = forms.DateField(label="办理日期", widget=DateInput(), required=False,
                         help_text="默认今天；补录纸质材料时填写实际办理日期")

    def clean_on(self) -> dt.date:
        on = self.cleaned_data.get("on") or timezone.localdate()
        if on > timezone.localdate():
            raise forms.ValidationError("办理日期不能晚于今天")
        return on


class SubmitForm(StepForm):
    household_no = forms.CharField(label="家庭档案编号", max_length=32)
    channel = forms.ChoiceField(label="申请方式", choices=Channel.choices, initial=Channel.CASEWORKER,
                                widget=forms.RadioSelect)
    programmes = forms.MultipleChoiceField(label="申请事项（一次申请、分类审核认定）",
                                           choices=RequestedProgramme.choices, initial=RequestedProgramme.values,
                                           widget=forms.CheckboxSelectMultiple)
    reason = _text("申请理由", required=False)
    authorisation_signed = forms.BooleanField(label="申请人及家庭成员已签署家庭经济状况核对授权书", required=False)
    authorisation_file = forms.FileField(label="授权书扫描件（可选）", required=False)


class AuthorisationForm(StepForm):
    signed = forms.BooleanField(label="已签署核对授权书", required=False)
    file = forms.FileField(label="授权书扫描件", required=False)


class InvestigatorsForm(StepForm):
    investigator_1: forms.ModelChoiceField[User] = forms.ModelChoiceField(label="调查人员一",
                                                                          queryset=User.objects.none())
    investigator_2: forms.ModelChoiceField[User] = forms.ModelChoiceField(label="调查人员二",
                                                                          queryset=User.objects.none())

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("investigator_1", "investigator_2"):
            self.fields[name].queryset = staff  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.role_label}）"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("investigator_1") and data.get("investigator_1") == data.get("investigator_2"):
            raise forms.ValidationError("入户调查须由两名不同的工作人员进行")
        return data


class OpinionForm(StepForm):
    opinion = _text("审核意见", required=False, rows=2)


class ReasonsForm(StepForm):
    reasons = _text("不予批准的理由（将写入书面告知）")


class ObjectionsForm(StepForm):
    objections = _text("异议情况及核实结论（无异议可留空）", required=False, rows=2)


class UpholdForm(StepForm):
    objections = _text("异议内容及核实情况")


class NoticeForm(StepForm):
    phone = forms.CharField(label="监督举报电话", max_length=32, required=False, help_text="留空则使用默认电话")


class DistrictApproveForm(StepForm):
    opinion = _text("审批意见", required=False, rows=2)
    supersede_reason = _text("取代原因（家庭或成员已在享受特困、低保时必填）", required=False, rows=2)


class ExtendForm(StepForm):
    reason = _text("延期原因（特殊情况）", rows=2)


class WithdrawForm(StepForm):
    reason = _text("撤回原因", rows=2)


class ExceptionProposalForm(StepForm):
    circumstances = _text("特殊困难情形（为何常规规则不能覆盖）")
    programme = forms.ChoiceField(label="拟给予的救助", choices=RequestedProgramme.choices)
    person = forms.TypedChoiceField(label="对象（特困按人认定时选择）", coerce=int, required=False, empty_value=None)
    amount = _money("拟给予金额（元/月）")
    months = forms.IntegerField(label="期限（月）", min_value=1, max_value=36, initial=12)

    def __init__(self, *args: Any, members: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—（全户）"), *(members or [])]  # type: ignore[attr-defined]


class ExceptionDecisionForm(StepForm):
    approve = forms.TypedChoiceField(label="研究结果", choices=[("1", "同意"), ("0", "不同意")],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)
    committee_members = _text("参会人员（每行一人，姓名及职务）", rows=3)
    reasons = _text("研究意见和理由")
    amount = _money("核定金额（元/月，留空=按提请）", required=False)
    months = forms.IntegerField(label="核定期限（月，留空=按提请）", min_value=1, max_value=36, required=False)

    def clean_committee_members(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["committee_members"].splitlines() if line.strip()]


class InvestigationForm(StepForm):
    visit_date = forms.DateField(label="入户日期", widget=DateInput())
    visit_record = _text("入户调查记录（居住、生活、健康、就业情况）", rows=4)
    neighbour_visits = _text("邻里访问情况", required=False, rows=2)
    vehicles = forms.MultipleChoiceField(label="车辆", choices=Vehicle.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    residential_properties = forms.IntegerField(label="居住用房（套）", min_value=0, initial=1)
    commercial_properties = forms.IntegerField(label="商业用房（套）", min_value=0, initial=0)
    business_roles = forms.MultipleChoiceField(label="市场主体登记", choices=BusinessRole.choices, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    rigid_expenses_12m = _money("近12个月自付医疗、教育、康复支出（元）", initial=0)
    income_12m = _money("近12个月家庭收入（元，留空=按月收入×12）", required=False)
    irregular_income = forms.BooleanField(label="收入来源不固定（每半年核查）", required=False)
    doc_kind = forms.ChoiceField(label="证明材料类型", choices=DocumentKind.choices, initial=DocumentKind.VISIT_PHOTO)


class MemberForm(forms.Form):
    """One member at the home visit (prefix ``m<person id>``)."""

    monthly_income = _money("月可计收入（元）", initial=0)
    income_note = forms.CharField(label="收入来源", max_length=255, required=False)
    financial_assets = _money("存款等金融资产（元）", initial=0)
    disability_type = forms.ChoiceField(label="残疾类别", choices=[("", "无"), *DisabilityType.choices],
                                        required=False)
    disability_grade = forms.TypedChoiceField(label="残疾等级", choices=[("", "—"), (1, "一级"), (2, "二级"),
                                                                      (3, "三级"), (4, "四级")],
                                              coerce=int, required=False, empty_value=None)
    self_care = forms.ChoiceField(label="自理能力", choices=[("", "—"), *SelfCare.choices], required=False)
    serious_illness = forms.BooleanField(label="重特大疾病", required=False)
    no_supporter = forms.BooleanField(label="无赡养扶养抚养义务人（或无能力）", required=False)
    orphan = forms.BooleanField(label="孤儿或事实无人抚养儿童", required=False)
    single_cover = forms.BooleanField(label="申请单人保", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("disability_type")) != bool(data.get("disability_grade")):
            raise forms.ValidationError("残疾类别与等级须同时填写")
        return data


class TekunAssessmentForm(StepForm):
    support_mode = forms.ChoiceField(label="供养方式", choices=SupportMode.choices, widget=forms.RadioSelect,
                                     initial=SupportMode.DISPERSED)
    institution = forms.CharField(label="供养服务机构（集中供养时填写）", max_length=128, required=False)
    assessors = forms.CharField(label="评估人员", max_length=128)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SIX_ITEMS:
            self.fields[key] = forms.BooleanField(label=f"能{label}", required=False)

    def items(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(key)) for key, _ in SIX_ITEMS}


class ChangeReportForm(StepForm):
    description = _text("变化情况（收入、人口、财产等）")


class ReviewForm(StepForm):
    outcome = forms.ChoiceField(label="核查结论", choices=ReviewOutcome.choices)
    notes = _text("核查记录")
    irregular_income = forms.TypedChoiceField(
        label="收入情况", choices=[("", "不变"), ("0", "收入稳定（每年核查）"), ("1", "收入来源不固定（每半年核查）")],
        coerce=lambda v: v == "1", required=False, empty_value=None)


class AmountForm(StepForm):
    new_amount = _money("新金额（元/月，自下月起）")
    reason = _text("原因", rows=2)


class ChangeReasonForm(StepForm):
    reason = _text("原因", rows=2)


class GradualExitForm(StepForm):
    reason = _text("原因（因就业收入增加超过标准）", rows=2)
    months = forms.IntegerField(label="渐退期（月，留空=默认）", min_value=1, max_value=24, required=False)


class TemporaryForm(StepForm):
    household_no = forms.CharField(label="家庭档案编号", max_length=32)
    kind = forms.ChoiceField(label="类型", choices=TempKind.choices, widget=forms.RadioSelect, initial=TempKind.EXPENSE)
    help_first = forms.BooleanField(label="急难情况：先行救助，事后补办手续", required=False)
    amount = forms.DecimalField(label="救助金额（元）", max_digits=12, decimal_places=2, min_value=0.01)
    circumstances = _text("困难情形")


class TempDecisionForm(StepForm):
    reasons = _text("审批意见（不予批准时必填）", required=False, rows=2)


class StatusLookupForm(forms.Form):
    number = forms.CharField(label="申请编号", max_length=24)
    id_number = forms.CharField(label="申请人公民身份号码", max_length=20)
