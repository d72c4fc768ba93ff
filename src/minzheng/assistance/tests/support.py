"""Helpers for the assistance tests: walk an application to a state with explicit dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.assistance import actions as a
from minzheng.assistance.models import Application
from minzheng.core.models import Household
from minzheng.core.selectors import current_members

D = dt.date
DAY = D(2025, 9, 26)
CLOSED = D(2025, 10, 3)


def member_inputs(household: Household, **by_relation: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Every current member with income 0, overridden per relation (户主, 配偶, 子 …)."""
    out = {}
    for m in current_members(household):
        out[m.person_id] = {"monthly_income": "0", "financial_assets": "0", **by_relation.get(m.relation, {})}
    return out


def submitted(users: dict[str, Any], household: Household, on: D = DAY, **kw: Any) -> Application:
    return a.submit_application(user=users["caseworker_a"], household=household, channel="caseworker", on=on,
                                authorisation_signed=True, **kw)


def investigated(users: dict[str, Any], household: Household, on: D = DAY,
                 members: dict[int, dict[str, Any]] | None = None, **kw: Any) -> Application:
    application = submitted(users, household, on)
    a.assign_investigators(application, user=users["caseworker_a"], investigator_1=users["caseworker_a"],
                           investigator_2=users["street"], on=on)
    a.record_investigation(
        application, user=users["caseworker_a"], visit_date=on, visit_record="入户查看，家中陈设简单。",
        members=members or member_inputs(household, 户主={"monthly_income": "1000"}), on=on, **kw,
    )
    return Application.objects.get(pk=application.pk)


def evaluated(users: dict[str, Any], household: Household, on: D = DAY, **kw: Any) -> Application:
    application = investigated(users, household, on, **kw)
    a.evaluate_application(application, user=users["caseworker_a"], on=on)
    return Application.objects.get(pk=application.pk)


def in_notice(users: dict[str, Any], household: Household, on: D = DAY, **kw: Any) -> Application:
    application = evaluated(users, household, on, **kw)
    a.street_approve(application, user=users["street"], on=on, opinion="同意")
    a.publish_notice(application, user=users["street"], on=on)
    return Application.objects.get(pk=application.pk)


def district_review(users: dict[str, Any], household: Household, on: D = DAY,
                    closed: D = CLOSED, **kw: Any) -> Application:
    application = in_notice(users, household, on, **kw)
    a.close_notice(application, user=users["street"], on=closed)
    return Application.objects.get(pk=application.pk)


YUAN = Decimal
