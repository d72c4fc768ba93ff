"""Sign-in, sign-out, own password and the home page (a dashboard per role)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.audit.selectors import visible_events
from minzheng.authz.actions.login import LoginRefused, check_credentials, password_expired
from minzheng.authz.actions.users import set_password
from minzheng.authz.choices import MANAGES_USERS, READS_AUDIT, READS_PERSONAL_DATA, WRITES_REGISTRY
from minzheng.authz.models import User
from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.choices import LEVEL_PREFIX, AreaLevel, HouseholdStatus
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Area, HouseholdChange, HouseholdMember
from minzheng.core.selectors import visible_households
from minzheng.registry.choices import CATEGORY_PROGRAMMES
from minzheng.registry.selectors import active_enrollments
from minzheng.web.forms import LoginForm, OwnPasswordForm
from minzheng.web.http import client_ip

CHILD_LEVEL = {AreaLevel.CITY: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.STREET,
               AreaLevel.STREET: AreaLevel.COMMUNITY}


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Our own form so that every attempt goes through ``check_credentials`` (lockout, audit)."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, request.GET.get("next")))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = check_credentials(username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                                     ip=client_ip(request), request=request)
        except LoginRefused as exc:
            error = str(exc)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect(_safe_next(request, request.POST.get("next")))
    context = {
        "form": form,
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "lockout_threshold": settings.MINZHENG_LOCKOUT_THRESHOLD,
        "lockout_minutes": settings.MINZHENG_LOCKOUT_MINUTES,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "web/login.html", context)


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            with transaction.atomic():
                record(request.user, AuditAction.LOGOUT, request.user, summary="退出登录", ip=client_ip(request))
        logout(request)
        messages.info(request, _("您已安全退出。"))
        return redirect("web:login")
    if not request.user.is_authenticated:
        return redirect("web:login")
    return render(request, "web/logout.html")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    expired = password_expired(user)
    form = OwnPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            set_password(actor=user, user=user, password=form.cleaned_data["new_password1"])
        except InvalidChange as exc:
            form.add_error("new_password1", str(exc))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
    return render(request, "web/password_change.html", {"form": form, "expired": expired})


def _in_programme(programme: str) -> Exists:
    """Enrolled today through a household-level enrollment or a member's own (as ``search_households``)."""
    day = timezone.localdate()
    member_on_day = HouseholdMember.objects.filter(
        household=OuterRef(OuterRef("pk")), person=OuterRef("person"), start_date__lte=day
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    return Exists(
        active_enrollments(day).filter(programme=programme).filter(Q(household=OuterRef("pk")) | Exists(member_on_day))
    )


def category_counts(user: Any) -> dict[str, Any]:
    """In-care households of the user's scope: the total and one count per category, overall and per child area."""
    qs = visible_households(user).filter(status=HouseholdStatus.ACTIVE)
    measures = {"total": Count("pk")}
    measures.update({p.value: Count("pk", filter=Q(_in_programme(p.value))) for p in CATEGORY_PROGRAMMES})
    totals = qs.aggregate(**measures)
    rows: list[dict[str, Any]] = []
    node = user.jurisdiction
    child_level = CHILD_LEVEL.get(AreaLevel(node.level)) if node else None
    if child_level is not None:
        width = LEVEL_PREFIX[child_level]
        grouped = {
            r["part"]: r
            for r in qs.annotate(part=Substr("area_id", 1, width)).values("part").annotate(**measures).order_by("part")
        }
        for child in Area.objects.filter(parent=node).order_by("code"):
            r = grouped.get(child.code[:width])
            if r:
                rows.append({"area": child, "total": r["total"],
                             "counts": [{"label": p.label, "count": r[p.value]} for p in CATEGORY_PROGRAMMES]})
    return {
        "total": totals["total"],
        "categories": [{"code": p.value, "label": p.label, "count": totals[p.value]} for p in CATEGORY_PROGRAMMES],
        "rows": rows,
    }


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "reads_data": has_role(user, READS_PERSONAL_DATA),
        "writes": has_role(user, WRITES_REGISTRY),
        "reads_audit": has_role(user, READS_AUDIT),
        "manages_users": has_role(user, MANAGES_USERS),
    }
    if context["reads_data"]:
        context["stats"] = category_counts(user)
        context["recent_changes"] = list(
            HouseholdChange.objects.filter(household__in=visible_households(user))
            .select_related("household", "actor").order_by("-at", "-id")[:8]
        )
    if context["reads_audit"]:
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        today = visible_events(user).filter(at__gte=start)
        context["audit_today"] = today.count()
        context["sensitive_today"] = today.filter(action=AuditAction.VIEW_SENSITIVE).count()
    if context["manages_users"]:
        prefix = area_prefix(user, roles=MANAGES_USERS) or "-"
        mine = User.objects.filter(jurisdiction__code__startswith=prefix)
        context["user_count"] = mine.filter(is_active=True).count()
        context["locked_count"] = mine.filter(locked_until__gt=timezone.now()).count()
    return render(request, "web/home.html", context)
