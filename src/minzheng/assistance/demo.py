"""Demo data for the assistance workflow: ``seed_demo()`` after the demo city is imported.

In the community with the most archived households (where the demo accounts work: ``shequ``, ``jiedao``,
``quxian``), it walks applications into every state through the real actions with dates in the past:
one rejected with reasons, one 一事一议 before the committee and one approved by it, one overdue, a
published notice, an approval whose yearly review is due, a reported change, and temporary assistance
(urgent help given first, one above the street's limit, one approved). Idempotent: a second call does
nothing. Accounts missing at that point are created without a usable password; ``minzheng demo`` sets
the demo password when it creates the accounts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from minzheng.assistance import actions as a
from minzheng.assistance.actions._common import add_months
from minzheng.assistance.choices import AppState
from minzheng.assistance.models import Application
from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.models import Area, Household, HouseholdMember
from minzheng.core.selectors import current_members
from minzheng.registry.models import Enrollment

DEMO_MARK = "【演示】"
SUPERSEDE = "演示：按本次申请重新认定"


def _user(username: str, role: str, area: Area) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, jurisdiction=area, full_name=f"演示{Role(role).label}")
        user.set_unusable_password()
        user.save()
    return user


def _declare(household: Household, head_income: str) -> dict[int, dict[str, Any]]:
    out = {}
    for m in current_members(household):
        p = m.person
        out[m.person_id] = {
            "monthly_income": head_income if m.relation == "户主" else "0",
            "disability_type": p.disability_type if p.disability_grade else "",
            "disability_grade": p.disability_grade if p.disability_type else None,
            "serious_illness": p.serious_illness, "self_care": p.self_care,
        }
    return out


class _Walk:
    """Walk one household's application to a state, each step on its own date."""

    def __init__(self, users: dict[str, User], household: Household, start: dt.date, income: str = "600") -> None:
        self.u, self.h, self.day, self.income = users, household, start, income
        self.app: Application | None = None

    def next(self, days: int = 1) -> dt.date:
        self.day += dt.timedelta(days=days)
        return self.day

    def submit(self, authorised: bool = True) -> Application:
        self.app = a.submit_application(user=self.u["cw"], household=self.h, channel="resident",
                                        reason=f"{DEMO_MARK}家庭收入低，生活困难", on=self.day,
                                        authorisation_signed=authorised)
        return self.app

    def investigate(self) -> None:
        assert self.app is not None
        a.assign_investigators(self.app, user=self.u["cw"], investigator_1=self.u["cw"],
                               investigator_2=self.u["street"], on=self.next())
        visited = self.next(2)
        a.record_investigation(self.app, user=self.u["cw"], visit_date=visited, on=visited,
                               visit_record="两名调查人员入户核实，家中陈设简单。",
                               members=_declare(self.h, self.income), household_data={"residential_properties": 1})

    def evaluate(self) -> None:
        assert self.app is not None
        a.evaluate_application(self.app, user=self.u["cw"], on=self.next())

    def notice(self) -> None:
        assert self.app is not None
        a.street_approve(self.app, user=self.u["street"], opinion="经审核符合条件", on=self.next())
        a.publish_notice(self.app, user=self.u["street"], on=self.next())

    def close(self) -> None:
        assert self.app is not None
        a.close_notice(self.app, user=self.u["street"], on=self.next(8))

    def upto(self, state: str) -> Application:
        """Submit and go as far as ``state`` (at most evaluated)."""
        self.submit(authorised=state != AppState.SUBMITTED)
        assert self.app is not None
        if state == AppState.INVESTIGATING:
            a.assign_investigators(self.app, user=self.u["cw"], investigator_1=self.u["cw"],
                                   investigator_2=self.u["street"], on=self.next())
        elif state not in (AppState.SUBMITTED, AppState.ACCEPTED):
            self.investigate()
            if state != AppState.INVESTIGATED:
                self.evaluate()
        return self.app


def _households(community: Area, n: int) -> list[Household]:
    """Active households of the community with a head, no application yet and no child in an orphan
    programme (those could not be approved for 低保)."""
    busy = Application.objects.values("household_id")
    orphans = Enrollment.objects.filter(programme__in=["orphan", "unsupported_child"]).values("person_id")
    heads = HouseholdMember.objects.filter(end_date__isnull=True, relation="户主").values("household_id")
    return list(
        Household.objects.filter(area=community, status="active", pk__in=heads).exclude(pk__in=busy)
        .exclude(memberships__person_id__in=orphans).distinct().order_by("household_no")[:n]
    )


@transaction.atomic
def seed_demo(today: dt.date | None = None) -> dict[str, int]:
    """Seed the demo cases; returns how many of each were made (nothing when already seeded)."""
    if Application.objects.filter(reason__startswith=DEMO_MARK).exists():
        return {}
    today = today or timezone.localdate()
    community = (Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code")
                 .first())
    if community is None or community.parent is None or community.parent.parent is None:
        return {}
    street, district = community.parent, community.parent.parent
    users = {"cw": _user("shequ", Role.COMMUNITY_WORKER, community),
             "street": _user("jiedao", Role.STREET_REVIEWER, street),
             "district": _user("quxian", Role.DISTRICT_APPROVER, district)}
    homes = _households(community, 19)
    if len(homes) < 19:
        return {}
    made: dict[str, int] = {}

    def walk(household: Household, start: dt.date, income: str = "600") -> _Walk:
        return _Walk(users, household, start, income)

    base = today - dt.timedelta(days=40)
    simple = [AppState.SUBMITTED, AppState.ACCEPTED, AppState.INVESTIGATING, AppState.INVESTIGATED,
              AppState.EVALUATED]
    for state, household in zip(simple, homes[:5], strict=True):
        walk(household, base).upto(state)
        made[state] = 1
    # A case still being investigated 45 working days after acceptance: overdue.
    walk(homes[5], today - dt.timedelta(days=75)).upto(AppState.INVESTIGATING)
    made["overdue"] = 1
    # Street approved, in notice (published three days ago), waiting for the district.
    w = walk(homes[6], base)
    app = w.upto(AppState.EVALUATED)
    a.street_approve(app, user=users["street"], opinion="经审核符合条件", on=w.next())
    made[AppState.STREET_APPROVED] = 1
    w = walk(homes[7], today - dt.timedelta(days=10))
    app = w.upto(AppState.EVALUATED)
    a.street_approve(app, user=users["street"], opinion="经审核符合条件", on=w.next())
    a.publish_notice(app, user=users["street"], on=today - dt.timedelta(days=3))
    made[AppState.IN_NOTICE] = 1
    w = walk(homes[8], base)
    w.upto(AppState.EVALUATED)
    w.notice()
    w.close()
    made[AppState.DISTRICT_REVIEW] = 1
    # Approved: paid from the month after; one approved eleven-odd months ago so its yearly review is due.
    due = (today + dt.timedelta(days=15)).replace(day=1)
    for household, decided in ((homes[9], today - dt.timedelta(days=5)),
                               (homes[10], add_months(due, -12) - dt.timedelta(days=12))):
        w = walk(household, decided - dt.timedelta(days=20))
        app = w.upto(AppState.EVALUATED)
        w.notice()
        w.close()
        a.district_approve(app, user=users["district"], opinion="同意", supersede_reason=SUPERSEDE,
                           on=max(decided, w.next()))
    made[AppState.APPROVED] = 2
    made["review_tasks"] = len(a.schedule_reviews(on=today))
    a.report_change(user=users["cw"], household=homes[9], description=f"{DEMO_MARK}户主已找到工作，收入增加", on=today)
    # Rejected with written reasons (not yet notified), and one notified; one withdrawn.
    w = walk(homes[11], base, income="6000")
    app = w.upto(AppState.EVALUATED)
    a.street_reject(app, user=users["street"], on=w.next(),
                    reasons="经入户调查和信息核对，家庭人均月收入高于低保标准的 1.5 倍，不符合低保、低保边缘条件。")
    made[AppState.REJECTED] = 1
    w = walk(homes[12], base, income="6000")
    app = w.upto(AppState.EVALUATED)
    a.street_reject(app, user=users["street"], reasons="家庭人均收入高于认定标准。", on=w.next())
    a.notify_rejection(app, user=users["cw"], on=w.next())
    made[AppState.NOTIFIED] = 1
    w = walk(homes[13], base)
    app = w.upto(AppState.INVESTIGATED)
    a.withdraw_application(app, user=users["cw"], reason="申请人外出务工，自愿撤回", on=w.next())
    made[AppState.WITHDRAWN] = 1
    # 一事一议: one before the committee, one approved by it (now in its notice).
    w = walk(homes[14], base, income="5000")
    app = w.upto(AppState.EVALUATED)
    a.propose_exception(app, user=users["street"], on=w.next(), programme="dibao", amount=Decimal("800"),
                        months=6, circumstances="户主收入超标，但配偶瘫痪在床、长期护理支出大，常规规则无法覆盖。")
    made[AppState.EXCEPTION] = 1
    w = walk(homes[15], today - dt.timedelta(days=12), income="5000")
    app = w.upto(AppState.EVALUATED)
    a.propose_exception(app, user=users["street"], on=w.next(), programme="dibao", amount=Decimal("900"),
                        months=12, circumstances="家中两名子女先后罹患重病，收入虽超标但实际生活极度困难。")
    a.decide_exception(app, user=users["district"], approve=True, on=w.next(),
                       committee_members=["区民政局局长", "社会救助科科长", "街道分管主任"],
                       reasons="经集体研究，同意按低保给予救助，期限 12 个月。")
    a.publish_notice(app, user=users["street"], on=w.next())
    made["exception_approved"] = 1
    # Temporary assistance: urgent help first, one above the street's limit, one approved by the street.
    a.help_first(user=users["cw"], household=homes[16], amount=Decimal("2000"), on=today - dt.timedelta(days=2),
                 circumstances=f"{DEMO_MARK}家中失火，生活用品损毁")
    a.request_temporary(user=users["cw"], household=homes[17], amount=Decimal("5000"), on=today - dt.timedelta(days=4),
                        circumstances=f"{DEMO_MARK}子女突发重病住院，自付医疗费用大")
    case = a.request_temporary(user=users["cw"], household=homes[18], amount=Decimal("1200"),
                               on=today - dt.timedelta(days=8), circumstances=f"{DEMO_MARK}冬季取暖费支出突增")
    a.approve_temporary(case, user=users["street"], reasons="小额救助，街道审批", on=today - dt.timedelta(days=6))
    made["temporary"] = 3
    a.run_sweep(today)
    return {str(k): v for k, v in made.items()}
