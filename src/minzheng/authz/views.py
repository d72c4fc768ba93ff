"""User management for city administrators: list, create, edit role and jurisdiction, reset password,
unlock, issue an API token. Every write goes through ``authz.actions.users``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from minzheng.audit.selectors import object_events
from minzheng.authz import forms as f
from minzheng.authz.actions.users import create_user, issue_token, set_password, unlock_user, update_user
from minzheng.authz.choices import MANAGES_USERS
from minzheng.authz.models import User
from minzheng.authz.scope import area_prefix
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.models import Area
from minzheng.web.http import acting_user, no_store, role_required

PAGE_SIZE = 30
admins = role_required(MANAGES_USERS)


def managed_users(actor: Any) -> QuerySet[User]:
    """Users whose jurisdiction lies inside the administrator's."""
    prefix = area_prefix(actor, roles=MANAGES_USERS)
    if prefix is None:
        return User.objects.none()
    return User.objects.filter(jurisdiction__code__startswith=prefix).select_related("jurisdiction")


def _admin_area(request: HttpRequest) -> Area:
    area = acting_user(request).jurisdiction
    if area is None:
        raise PermissionDenied
    return area


def _get(actor: Any, pk: int) -> User:
    try:
        return managed_users(actor).get(pk=pk)
    except User.DoesNotExist:
        raise NotFound("未找到该用户") from None


@admins
def user_list(request: HttpRequest) -> HttpResponse:
    form = f.UserFilterForm(request.GET or None)
    qs = managed_users(request.user)
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(Q(username__icontains=d["q"]) | Q(full_name__icontains=d["q"]))
        if d["role"]:
            qs = qs.filter(role=d["role"])
        if d["state"] == "active":
            qs = qs.filter(is_active=True)
        elif d["state"] == "inactive":
            qs = qs.filter(is_active=False)
        elif d["state"] == "locked":
            qs = qs.filter(locked_until__gt=timezone.now())
    page = Paginator(qs.order_by("username"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "authz/user_list.html", {"form": form, "page": page, "now": timezone.now()})


@sensitive_post_parameters("password1", "password2")
@admins
def user_create(request: HttpRequest) -> HttpResponse:
    jurisdiction = _admin_area(request)
    form = f.UserCreateForm(request.POST or None, prefix_code=jurisdiction.prefix,
                            initial={"jurisdiction": jurisdiction.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = create_user(actor=request.user, username=d["username"], password=d["password1"], role=d["role"],
                               jurisdiction_code=d["jurisdiction"], full_name=d["full_name"], phone=d["phone"])
        except InvalidChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已新建用户 %(username)s。") % {"username": user.username})
            return redirect("web:authz:user_detail", pk=user.pk)
    return render(request, "authz/user_form.html", {"form": form, "title": _("新建用户")})


@admins
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get(request.user, pk)
    context = {
        "subject": user,
        "locked": bool(user.locked_until and user.locked_until > timezone.now()),
        "tokens": user.api_tokens.order_by("-created_at"),
        "events": object_events("authz.user", user.pk).order_by("-at", "-id")[:50],
        "now": timezone.now(),
    }
    return render(request, "authz/user_detail.html", context)


@admins
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get(request.user, pk)
    initial = {"full_name": user.full_name, "phone": user.phone, "role": user.role,
               "jurisdiction": user.jurisdiction_id, "is_active": user.is_active}
    form = f.UserEditForm(request.POST or None, prefix_code=_admin_area(request).prefix, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {"full_name": d["full_name"], "phone": d["phone"], "role": d["role"],
                   "jurisdiction_id": d["jurisdiction"], "is_active": d["is_active"]}
        if user.pk == request.user.pk and (d["role"] != user.role or not d["is_active"]
                                           or d["jurisdiction"] != user.jurisdiction_id):
            form.add_error(None, _("不能停用自己的账户，也不能修改自己的角色或管辖范围。"))
        else:
            try:
                update_user(actor=request.user, user=user, reason=d["reason"], **changes)
            except InvalidChange as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("用户信息已保存。"))
                return redirect("web:authz:user_detail", pk=user.pk)
    return render(request, "authz/user_form.html",
                  {"form": form, "subject": user, "title": _("修改用户 %(username)s") % {"username": user.username}})


@sensitive_post_parameters("password1", "password2")
@admins
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get(request.user, pk)
    form = f.PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_password(actor=request.user, user=user, password=form.cleaned_data["password1"])
        except InvalidChange as exc:
            form.add_error("password1", str(exc))
        else:
            messages.success(request, _("已重置 %(username)s 的密码。") % {"username": user.username})
            return redirect("web:authz:user_detail", pk=user.pk)
    return render(request, "authz/user_form.html",
                  {"form": form, "subject": user, "title": _("重置密码：%(username)s") % {"username": user.username}})


@require_POST
@admins
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = unlock_user(actor=request.user, user=_get(request.user, pk))
    messages.success(request, _("已解锁 %(username)s。") % {"username": user.username})
    return redirect("web:authz:user_detail", pk=user.pk)


@admins
def user_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue an API token; the raw value is on this response only (never stored, never shown again)."""
    user = _get(request.user, pk)
    form = f.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = issue_token(actor=request.user, user=user, name=form.cleaned_data["name"],
                                 days=form.cleaned_data["days"])
        return no_store(render(request, "authz/token_issued.html", {"subject": user, "token": token, "raw": raw}))
    title = _("签发 API 令牌：%(username)s") % {"username": user.username}
    return render(request, "authz/user_form.html", {"form": form, "subject": user, "title": title})
