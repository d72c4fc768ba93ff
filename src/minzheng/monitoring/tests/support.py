"""Builders for the monitoring tests: engine rows as ``record_run`` receives them, and alerts walked to a state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.core.models import Household, Person
from minzheng.monitoring import actions as m
from minzheng.monitoring.choices import AlertState, Finding
from minzheng.monitoring.models import Alert, MonitoringRun
from minzheng.testing import factories as f

AS_OF = dt.date(2025, 7, 31)
PUSH = dt.date(2025, 8, 4)  # a Monday without holidays around it
EVIDENCE_DAY = dt.date(2025, 7, 20)


def row(person: Person | None = None, *, scenario: str = "MON_HARDSHIP_RISK", area: str = f.COMMUNITY_A,
        as_of: dt.date = AS_OF, evidence: dict[str, Any] | None = None, evidence_date: dt.date | None = EVIDENCE_DAY,
        household: Household | None = None, amount: Decimal | None = None, id_number: str = "",
        name: str = "") -> dict[str, Any]:
    """One alert as the scenario engine hands it over."""
    return {
        "scenario": scenario,
        "id_number": id_number or (person.id_number if person else ""),
        "name": name or (person.name if person else "赵新人"),
        "household_id": household.household_no if household else "",
        "area_code": area,
        "as_of": as_of,
        "evidence": evidence if evidence is not None else {
            "triggers": ["medical"], "self_paid_12m": "23500.00",
            "rows": [{"feed": "medical_claims", "claim_id": "C1", "settled_on": "2025-07-20", "self_paid": "23500.00"}],
        },
        "suggested_action": "入户核查，评估临时救助或纳入重点监测",
        "monthly_amount": amount,
        "evidence_date": evidence_date,
    }


def run(rows: list[dict[str, Any]], *, as_of: dt.date = AS_OF, on: dt.date = PUSH,
        engine: str = "test") -> MonitoringRun:
    return m.record_run(user=None, as_of=as_of, engine=engine, alerts=rows, feed_stats={"population": {"read": 10}},
                        on=on)


def member(household: Household, relation: str = "户主") -> Person:
    return household.memberships.get(relation=relation, end_date__isnull=True).person


def pushed(person: Person, *, household: Household | None = None, scenario: str = "MON_HARDSHIP_RISK",
           on: dt.date = PUSH, **kwargs: Any) -> Alert:
    run([row(person, scenario=scenario, household=household, **kwargs)], on=on)
    return Alert.objects.get(person=person, scenario=scenario)


def walk(alert: Alert, user: Any, upto: str, *, finding: str = Finding.REAL_HARDSHIP,
         day: dt.date = PUSH) -> Alert:
    """Take a pushed alert as far as ``upto`` (judged at most), one step a day from ``day``."""
    order = [AlertState.SIGNED, AlertState.VERIFYING, AlertState.JUDGED]
    steps = order[: order.index(AlertState(upto)) + 1]
    if AlertState.SIGNED in steps:
        m.sign_for(alert, user=user, on=day)
    if AlertState.VERIFYING in steps:
        m.start_verification(alert, user=user, on=day + dt.timedelta(days=1))
    if AlertState.JUDGED in steps:
        m.judge(alert, user=user, finding=finding, method="home_visit", note="入户核实，情况属实",
                on=day + dt.timedelta(days=2))
    alert.refresh_from_db()
    return alert
