"""Forms of the payments pages (validation of input only; the actions decide)."""

from __future__ import annotations

from django import forms

from minzheng.core.shenyang import DISTRICTS
from minzheng.payments.reports import DIMENSION_LABELS

MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


class MonthField(forms.RegexField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=MONTH,
                         error_messages={"invalid": "请按 YYYY-MM 填写月份"}, **kwargs)  # type: ignore[arg-type]


class StartPayrollForm(forms.Form):
    month = MonthField(label="发放月份")
    district = forms.ChoiceField(label="区县", choices=[(code, name) for code, name in DISTRICTS])


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", required=False, max_length=500, widget=forms.TextInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=255, widget=forms.TextInput)


class ReturnFileForm(forms.Form):
    file = forms.FileField(label="银行回盘文件（CSV 或 Excel）")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 20 MB")
        return upload


class AccountForm(forms.Form):
    holder_name = forms.CharField(label="户名", max_length=64)
    bank_name = forms.CharField(label="开户银行", max_length=64)
    account_no = forms.CharField(label="账号", max_length=40)


class RepaymentForm(forms.Form):
    amount = forms.DecimalField(label="退还金额（元）", max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(label="说明", required=False, max_length=255)


class ReportForm(forms.Form):
    start = MonthField(label="起始月份")
    end = MonthField(label="截止月份")
    by = forms.MultipleChoiceField(label="分组", required=False, widget=forms.CheckboxSelectMultiple,
                                   choices=list(DIMENSION_LABELS.items()))
