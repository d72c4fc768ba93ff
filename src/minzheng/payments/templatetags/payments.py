"""``{% household_payments %}``: the payment history panel of the core household page (scoped; renders
nothing for a user who may not read personal data or when the household has nothing to show)."""

from __future__ import annotations

from typing import Any

from django import template

from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.authz.scope import has_role
from minzheng.payments import selectors as sel
from minzheng.payments.choices import PROGRAMME_LABELS
from minzheng.payments.workflow import PREPARERS, acts_on_district

register = template.Library()
LIMIT = 60


@register.inclusion_tag("payments/_household_payments.html", takes_context=True)
def household_payments(context: Any) -> dict[str, Any]:
    user, household = context.get("user"), context.get("household")
    if household is None or not has_role(user, READS_PERSONAL_DATA):
        return {"show": False}
    entries = list(sel.household_entries(user, household)[:LIMIT])
    for e in entries:
        e.programme_label = PROGRAMME_LABELS.get(e.programme, e.programme)  # type: ignore[attr-defined]
    lines = list(sel.household_lines(user, household)[:24])
    staff = user.role in PREPARERS and acts_on_district(user, household.area_id[:6])
    return {"show": bool(entries or lines or staff), "entries": entries, "lines": lines, "staff": staff,
            "household": household, "csrf_token": context.get("csrf_token")}
