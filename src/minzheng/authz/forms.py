"""User management forms (a city administrator's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minzheng.authz.choices import Role
from minzheng.core.choices import AreaLevel
from minzheng.core.models import Area
from minzheng.web.http import set_choices
from minzheng.web.labels import translated

INDENT = {AreaLevel.CITY: 0, AreaLevel.DISTRICT: 1, AreaLevel.STREET: 2, AreaLevel.COMMUNITY: 3}


def area_choices(prefix: str) -> list[tuple[str, str]]:
    """Every node of the tree under ``prefix``, in tree order, indented by level."""
    rows = Area.objects.filter(code__startswith=prefix).order_by("code").values_list("code", "name", "level")
    return [(code, "\u3000" * INDENT.get(AreaLevel(level), 0) + f"{name}（{code}）") for code, name, level in rows]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *translated(Role.choices)])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部")), ("active", _("启用")), ("inactive", _("停用")), ("locked", _("已锁定"))])


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(label=_("初始密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("至少 10 位，包含小写字母、大写字母、数字、符号中的三类。"))
    password2 = forms.CharField(label=_("确认密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class UserCreateForm(PasswordPairMixin):
    username = forms.RegexField(label=_("用户名"), max_length=150, regex=r"^[\w.@+-]+\Z",
                                error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _")})
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=translated(Role.choices))
    jurisdiction = forms.ChoiceField(label=_("管辖范围"))
    field_order = ["username", "full_name", "phone", "role", "jurisdiction", "password1", "password2"]

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["jurisdiction"], area_choices(prefix_code))


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=translated(Role.choices))
    jurisdiction = forms.ChoiceField(label=_("管辖范围"))
    is_active = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["jurisdiction"], area_choices(prefix_code))


class PasswordResetForm(PasswordPairMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("新密码")


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=64)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=730, initial=365)
