"""Forms and the list filter of the institutions pages. The rating and inspection forms are built from the
standard and checklist version they use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from minzheng.core.errors import NotFound
from minzheng.core.forms import DateInput
from minzheng.core.models import Area
from minzheng.institutions.choices import (
    DEFAULT_DEADLINE_DAYS,
    FindingState,
    InstitutionKind,
    InstitutionStatus,
    ItemOutcome,
    Severity,
)
from minzheng.institutions.grading import fmt
from minzheng.institutions.models import ChecklistVersion, InspectionCampaign, RatingStandard

STAR_CHOICES = [("5", "五星"), ("4", "四星"), ("3", "三星"), ("2", "二星"), ("1", "一星"), ("0", "未评级")]
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/heic"


def areas_in(prefix: str, *, levels: tuple[str, ...] = ("district", "street", "community")) -> list[tuple[str, str]]:
    """(code, "区 / 街道 / 社区") for the nodes under ``prefix`` (names from one query)."""
    nodes = list(Area.objects.filter(code__startswith=prefix, level__in=levels).order_by("code"))
    names = {a.code: a.name for a in Area.objects.filter(code__startswith=prefix[:6] if len(prefix) >= 6 else prefix,
                                                          level__in=("district", "street"))}
    out = []
    for a in nodes:
        parts = [names.get(a.code[:6] + "000000", "")]
        if a.level != "district":
            parts.append(names.get(a.code[:9] + "000", ""))
        if a.level == "community":
            parts.append(a.name)
        out.append((a.code, " / ".join(p for p in parts if p)))
    return out


@dataclass
class InstitutionFilter:
    q: str = ""
    district: str = ""
    kind: str = ""
    status: str = ""
    stars: str = ""
    hazard: bool = False
    districts: tuple[tuple[str, str], ...] = ()

    KINDS = InstitutionKind.choices
    STATUSES = InstitutionStatus.choices
    STARS = STAR_CHOICES

    @classmethod
    def from_query(cls, user: Any, params: QueryDict) -> InstitutionFilter:
        node = getattr(user, "jurisdiction", None)
        districts: tuple[tuple[str, str], ...] = ()
        if node is not None and node.level in ("city", "district") and user.role != "service_provider":
            districts = tuple(Area.objects.filter(code__startswith=node.prefix, level="district")
                              .order_by("code").values_list("code", "name"))
        district = params.get("district", "").strip()
        if district and district not in dict(districts):
            raise NotFound("未找到该区划")
        return cls(
            q=params.get("q", "").strip()[:64], district=district,
            kind=params.get("kind", "") if params.get("kind") in InstitutionKind.values else "",
            status=params.get("status", "") if params.get("status") in InstitutionStatus.values else "",
            stars=params.get("stars", "") if params.get("stars") in dict(STAR_CHOICES) else "",
            hazard=params.get("hazard") == "1", districts=districts,
        )

    def as_dict(self) -> dict[str, Any]:
        data = {"q": self.q, "district": self.district, "kind": self.kind, "status": self.status,
                "stars": self.stars, "hazard": self.hazard}
        return {k: v for k, v in data.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_dict())


class InstitutionForm(forms.Form):
    name = forms.CharField(label="机构名称", max_length=128)
    kind = forms.ChoiceField(label="性质", choices=InstitutionKind.choices)
    area = forms.ChoiceField(label="所在区划")
    address = forms.CharField(label="地址", max_length=255, required=False)
    beds = forms.IntegerField(label="床位数", min_value=0, initial=0)
    filing_no = forms.CharField(label="许可证/备案号", max_length=64, required=False)
    operator = forms.CharField(label="运营方", max_length=128, required=False)
    contact_name = forms.CharField(label="联系人", max_length=64, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    status = forms.ChoiceField(label="状态", choices=InstitutionStatus.choices, initial=InstitutionStatus.ACTIVE)
    opened_on = forms.DateField(label="开业日期", required=False, widget=DateInput())

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas_in(prefix_code)  # type: ignore[attr-defined]

    def fields_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["area_id"] = data.pop("area")
        return data


class MemberForm(forms.Form):
    username = forms.CharField(label="机构人员账号（用户名）", max_length=150)
    title = forms.CharField(label="岗位", max_length=64, required=False)


class RatingForm(forms.Form):
    """One score per part of the standard (with its maximum), the assessors, the date, an optional veto."""

    assessors = forms.CharField(label="评定人员", max_length=255, help_text="姓名，多人用顿号分隔")
    assessed_on = forms.DateField(label="评定日期", widget=DateInput(), initial=timezone.localdate)
    veto_reason = forms.CharField(label="单项否决理由（如有）", required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="填写后不予评定等级，例如评定周期内发生重大安全责任事故")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, standard: RatingStandard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.part_names = []
        for part in standard.parts.order_by("order"):
            name = f"score_{part.code}"
            self.fields[name] = forms.DecimalField(label=f"{part.name}（满分 {fmt(part.max_points)}）", min_value=0,
                                                   max_value=part.max_points, decimal_places=1, max_digits=6)
            self.part_names.append((part.code, name))
        self.order_fields([n for _, n in self.part_names] + ["assessors", "assessed_on", "veto_reason", "note"])

    def scores(self) -> dict[str, Any]:
        return {code: self.cleaned_data[name] for code, name in self.part_names}


class InspectionForm(forms.Form):
    """The checklist on a phone: one outcome per item (all required), a note and a photo for failed items."""

    inspected_on = forms.DateField(label="检查日期", widget=DateInput(), initial=timezone.localdate)
    inspectors = forms.CharField(label="检查人员", max_length=255, help_text="至少两人，姓名用顿号分隔")
    campaign = forms.TypedChoiceField(label="所属检查行动", required=False, coerce=int, empty_value=None)
    summary = forms.CharField(label="检查意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner_name = forms.CharField(label="整改责任人", max_length=64, required=False,
                                 help_text="填写后隐患即下达整改；不填则隐患为“待整改”")
    owner_phone = forms.CharField(label="责任人电话", max_length=20, required=False)
    deadline_major = forms.DateField(label="重大隐患整改期限", required=False, widget=DateInput())
    deadline_general = forms.DateField(label="一般隐患整改期限", required=False, widget=DateInput())

    def __init__(self, *args: Any, checklist: ChecklistVersion, campaigns: list[InspectionCampaign],
                 owner: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["campaign"].choices = [("", "（不属于检查行动）")] + [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in campaigns]
        if campaigns:
            self.fields["campaign"].initial = campaigns[0].pk
        self.fields["owner_name"].initial = owner
        self.fields["deadline_major"].initial = today + dt.timedelta(days=DEFAULT_DEADLINE_DAYS[Severity.MAJOR])
        self.fields["deadline_general"].initial = today + dt.timedelta(days=DEFAULT_DEADLINE_DAYS[Severity.GENERAL])
        self.items = list(checklist.items.all())
        for item in self.items:
            self.fields[f"outcome_{item.code}"] = forms.ChoiceField(
                label=item.text, choices=ItemOutcome.choices, widget=forms.RadioSelect)
            self.fields[f"note_{item.code}"] = forms.CharField(
                label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 1}))
            self.fields[f"photo_{item.code}"] = forms.FileField(
                label="照片", required=False,
                widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "environment"}))

    def head(self) -> list[Any]:
        return [self[n] for n in ("inspected_on", "inspectors", "campaign", "summary")]

    def tail(self) -> list[Any]:
        return [self[n] for n in ("owner_name", "owner_phone", "deadline_major", "deadline_general")]

    def rows(self) -> list[dict[str, Any]]:
        """The items with their three fields, for the template (grouped by category there)."""
        return [{"item": item, "outcome": self[f"outcome_{item.code}"], "note": self[f"note_{item.code}"],
                 "photo": self[f"photo_{item.code}"]} for item in self.items]

    def results(self) -> dict[str, tuple[str, str]]:
        return {item.code: (self.cleaned_data[f"outcome_{item.code}"], self.cleaned_data[f"note_{item.code}"])
                for item in self.items}

    def photos(self) -> dict[str, Any]:
        return {item.code: self.cleaned_data.get(f"photo_{item.code}") for item in self.items
                if self.cleaned_data.get(f"photo_{item.code}")}

    def deadlines(self) -> dict[str, dt.date]:
        out = {}
        if self.cleaned_data.get("deadline_major"):
            out[Severity.MAJOR.value] = self.cleaned_data["deadline_major"]
        if self.cleaned_data.get("deadline_general"):
            out[Severity.GENERAL.value] = self.cleaned_data["deadline_general"]
        return out


class AssignForm(forms.Form):
    owner_name = forms.CharField(label="整改责任人", max_length=64)
    owner_phone = forms.CharField(label="责任人电话", max_length=20, required=False)
    deadline = forms.DateField(label="整改期限", widget=DateInput())
    note = forms.CharField(label="整改要求", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(forms.Form):
    note = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label="整改后照片", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "environment"}))


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CampaignForm(forms.Form):
    name = forms.CharField(label="行动名称", max_length=128, initial="2025 下半年养老机构安全隐患排查整治")
    area = forms.ChoiceField(label="范围")
    starts_on = forms.DateField(label="开始日期", widget=DateInput(), initial=timezone.localdate)
    ends_on = forms.DateField(label="截止日期", widget=DateInput())

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            (a.code, a.name) for a in Area.objects.filter(code__startswith=prefix_code, level__in=("city", "district"))
            .order_by("code")]


class FindingFilter(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *FindingState.choices])
    severity = forms.ChoiceField(label="隐患等级", required=False, choices=[("", "全部"), *Severity.choices])
    overdue = forms.BooleanField(label="仅逾期", required=False)
    escalated = forms.BooleanField(label="仅已上报", required=False)
    open_only = forms.BooleanField(label="仅未销号", required=False)
