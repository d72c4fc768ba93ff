"""The menu and the signed-in user's place in the tree, for every page (a context processor)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minzheng.authz.choices import MANAGES_USERS, READS_AUDIT, READS_PERSONAL_DATA
from minzheng.authz.scope import has_role


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user
    section: str  # the URL namespace (or view name) that marks the entry as current
    icon: str = ""


MENU: tuple[MenuItem, ...] = (
    MenuItem(_("首页"), "web:home", None, "web:home", "⌂"),
    MenuItem(_("家庭档案"), "web:core:household_list", READS_PERSONAL_DATA, "web:core", "▤"),
    MenuItem(_("审计日志"), "web:audit:event_list", READS_AUDIT, "web:audit", "◷"),
    MenuItem(_("用户管理"), "web:authz:user_list", MANAGES_USERS, "web:authz", "☰"),
)


def _app_menus() -> list[list[tuple[str, str, frozenset[str]]]]:
    """Each installed Minzheng app may declare ``NAV = [(label, url_name, roles), …]`` in ``<app>/nav.py``."""
    from django.apps import apps

    menus = []
    for config in apps.get_app_configs():
        if not config.name.startswith("minzheng."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        menus.append(list(module.NAV))
    return menus


def menu_for(user: Any) -> list[MenuItem]:
    """The shell's entries, then one entry per app: the first of its NAV entries this role may use
    (the app's own pages link to the rest)."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [item for item in MENU if item.roles is None or has_role(user, item.roles)]
    for nav in _app_menus():
        for label, url_name, roles in nav:
            if has_role(user, roles):
                items.append(MenuItem(_(label), url_name, frozenset(roles), url_name.split(":")[0]))
                break
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_items`` (label, url, active) for the signed-in user's role."""
    user = getattr(request, "user", None)
    items = menu_for(user)
    if not items:
        return {"nav_items": []}
    match = getattr(request, "resolver_match", None)
    current_ns = match.namespace if match else ""
    current_view = match.view_name if match else ""
    entries = []
    for item in items:
        active = current_view == item.section or (
            item.section != "web:home" and (current_ns == item.section or current_ns.startswith(item.section + ":"))
        )
        entries.append({"label": item.label, "url": reverse(item.url_name), "active": active, "icon": item.icon})
    return {"nav_items": entries}
