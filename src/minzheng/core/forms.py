"""Forms of the household pages: the search filter and the changes a caseworker makes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minzheng.core.choices import AreaLevel, HouseholdStatus, Relation
from minzheng.core.errors import NotFound
from minzheng.core.models import Area, HouseholdMember
from minzheng.registry.choices import Programme
from minzheng.web.http import set_choices
from minzheng.web.labels import translated

LEVEL_ORDER = [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY]
AREA_SELECTS = (
    ("district", AreaLevel.DISTRICT, _("区县")),
    ("street", AreaLevel.STREET, _("街道/乡镇")),
    ("community", AreaLevel.COMMUNITY, _("社区/村")),
)
NON_HEAD_RELATIONS = translated([(v, label) for v, label in Relation.choices if v != Relation.HEAD])
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _today() -> Any:
    return timezone.localdate()


@dataclass
class AreaSelect:
    name: str
    label: Any
    options: list[Area]
    selected: str = ""


@dataclass
class HouseholdFilter:
    """The search filter of the household list and its export, read from the query string.

    The district → street → community selects cascade on the server: each offers the children of the choice
    above it (the user's own jurisdiction fixes the levels above it). A code outside the user's jurisdiction,
    or one that does not exist, is a :class:`NotFound` (404), like any out-of-scope record.
    """

    q: str = ""
    programme: str = ""
    status: str = ""
    area_code: str = ""
    selects: list[AreaSelect] = field(default_factory=list)

    PROGRAMMES = Programme.choices
    STATUSES = HouseholdStatus.choices

    @classmethod
    def from_query(cls, user: Any, params: QueryDict) -> HouseholdFilter:
        node = user.jurisdiction
        flt = cls(
            q=params.get("q", "").strip()[:64],
            programme=params.get("programme", "") if params.get("programme") in Programme.values else "",
            status=params.get("status", "") if params.get("status") in HouseholdStatus.values else "",
        )
        submitted = {name: params.get(name, "").strip() for name, _level, _label in AREA_SELECTS}
        codes = [c for c in submitted.values() if c]
        if codes:
            known = set(Area.objects.filter(code__in=codes).values_list("code", flat=True))
            if any(c not in known or not c.startswith(node.prefix) for c in codes):
                raise NotFound("未找到该区划")
        parent: Area | None = node
        mine = LEVEL_ORDER.index(AreaLevel(node.level))
        for name, level, label in AREA_SELECTS:
            if LEVEL_ORDER.index(level) <= mine:
                continue
            options = list(Area.objects.filter(parent=parent, level=level).order_by("code")) if parent else []
            chosen = next((a for a in options if a.code == submitted[name]), None)
            flt.selects.append(AreaSelect(name, label, options, chosen.code if chosen else ""))
            parent = chosen
            if chosen is not None:
                flt.area_code = chosen.code
        return flt

    def as_dict(self) -> dict[str, str]:
        """The filter as recorded in the export's audit row."""
        data = {"q": self.q, "area_code": self.area_code, "programme": self.programme, "status": self.status}
        return {k: v for k, v in data.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_dict())


class ReasonMixin(forms.Form):
    reason = forms.CharField(label=_("变更原因"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class HouseholdEditForm(ReasonMixin):
    address = forms.CharField(label=_("住址"), max_length=255, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            help_text=_("不修改请留空；当前号码已脱敏显示。"))
    field_order = ["address", "phone", "reason"]

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("电话号码格式不正确"))
        return phone


class AddMemberForm(ReasonMixin):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=32)
    name = forms.CharField(label=_("姓名"), max_length=64, required=False,
                           help_text=_("已登记人员可不填；未登记人员必填，将按身份证号登记。"))
    relation = forms.ChoiceField(label=_("与户主关系"), choices=NON_HEAD_RELATIONS)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    start_date = forms.DateField(label=_("起始日期"), initial=_today, widget=DateInput())
    field_order = ["id_number", "name", "relation", "phone", "start_date", "reason"]

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("电话号码格式不正确"))
        return phone


def _member_choices(members: list[HouseholdMember], *, heads: bool = False) -> list[tuple[str, str]]:
    return [(str(m.person_id), f"{m.person.name}（{m.relation}）") for m in members
            if heads or m.relation != Relation.HEAD]


class RemoveMemberForm(ReasonMixin):
    person = forms.ChoiceField(label=_("减少的成员"))
    end_date = forms.DateField(label=_("终止日期"), initial=_today, widget=DateInput())
    field_order = ["person", "end_date", "reason"]

    def __init__(self, *args: Any, members: list[HouseholdMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["person"], _member_choices(members))


class ChangeHeadForm(ReasonMixin):
    new_head = forms.ChoiceField(label=_("新户主"))
    former_head_relation = forms.ChoiceField(label=_("原户主与新户主关系"), choices=NON_HEAD_RELATIONS)
    effective_date = forms.DateField(label=_("生效日期"), initial=_today, widget=DateInput())

    def __init__(self, *args: Any, members: list[HouseholdMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["new_head"], _member_choices(members))
        self.others = [m for m in members if m.relation != Relation.HEAD]
        for m in self.others:
            self.fields[f"rel_{m.person_id}"] = forms.ChoiceField(
                label=_("%(name)s 与新户主关系") % {"name": m.person.name}, choices=NON_HEAD_RELATIONS,
                initial=m.relation, required=False,
                help_text=_("新户主本人此项不用填写。"),
            )
        self.order_fields(["new_head", "former_head_relation", *[f"rel_{m.person_id}" for m in self.others],
                           "effective_date", "reason"])

    def relations(self, new_head_id: int) -> dict[int, str]:
        out = {}
        for m in self.others:
            value = self.cleaned_data.get(f"rel_{m.person_id}")
            if m.person_id != new_head_id and value:
                out[m.person_id] = value
        return out


class SplitForm(ReasonMixin):
    new_household_no = forms.CharField(label=_("新户档案编号"), max_length=32)
    new_head = forms.ChoiceField(label=_("新户户主"))
    address = forms.CharField(label=_("新户住址"), max_length=255, required=False,
                              help_text=_("留空则沿用原住址。"))
    phone = forms.CharField(label=_("新户联系电话"), max_length=20, required=False)
    effective_date = forms.DateField(label=_("生效日期"), initial=_today, widget=DateInput())

    def __init__(self, *args: Any, members: list[HouseholdMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["new_head"], _member_choices(members))
        self.others = [m for m in members if m.relation != Relation.HEAD]
        names = []
        for m in self.others:
            self.fields[f"move_{m.person_id}"] = forms.BooleanField(
                label=_("%(name)s 一同分出") % {"name": m.person.name}, required=False)
            self.fields[f"rel_{m.person_id}"] = forms.ChoiceField(
                label=_("%(name)s 与新户户主关系") % {"name": m.person.name}, choices=NON_HEAD_RELATIONS,
                initial=m.relation, required=False)
            names += [f"move_{m.person_id}", f"rel_{m.person_id}"]
        self.order_fields(["new_household_no", "new_head", *names, "address", "phone", "effective_date", "reason"])

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("电话号码格式不正确"))
        return phone

    def others_moving(self, new_head_id: int) -> dict[int, str]:
        return {
            m.person_id: self.cleaned_data.get(f"rel_{m.person_id}") or Relation.OTHER.value
            for m in self.others
            if m.person_id != new_head_id and self.cleaned_data.get(f"move_{m.person_id}")
        }


class MergeSourceForm(forms.Form):
    source_no = forms.CharField(label=_("被合并家庭的档案编号"), max_length=32)


class MergeForm(ReasonMixin):
    source_no = forms.CharField(widget=forms.HiddenInput)
    effective_date = forms.DateField(label=_("生效日期"), initial=_today, widget=DateInput())

    def __init__(self, *args: Any, source_members: list[HouseholdMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source_members = source_members
        for m in source_members:
            self.fields[f"rel_{m.person_id}"] = forms.ChoiceField(
                label=_("%(name)s（原%(relation)s）与本户户主关系") % {"name": m.person.name, "relation": m.relation},
                choices=NON_HEAD_RELATIONS, initial=Relation.OTHER.value)
        self.order_fields(["source_no", *[f"rel_{m.person_id}" for m in source_members], "effective_date",
                           "reason"])

    def relations(self) -> dict[int, str]:
        return {m.person_id: self.cleaned_data[f"rel_{m.person_id}"] for m in self.source_members}
