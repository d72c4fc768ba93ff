"""Demo data for monitoring: ``seed_demo()`` after the demo city is imported.

In the community with the most archived households (where the demo accounts work: ``shequ``, ``jiedao``,
``quxian``) it records two runs of a "demo" engine three weeks and two days ago, then walks the alerts
through the real actions with dates in the past: alerts in every state, some left overdue and escalated
to the street and district by the daily sweeps, a death stop, temporary help, an application, referrals,
reasoned no-actions, closures, and key-monitoring entries (one due for a revisit, one taken off).
Idempotent: a second call does nothing. Missing accounts are made without a usable password (``minzheng
demo`` creates them with the demo password first).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from minzheng.assistance import actions as assistance
from minzheng.assistance.models import Application
from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.idnumber import make
from minzheng.core.models import Area, HouseholdMember, Person
from minzheng.core.workdays import add_working_days
from minzheng.monitoring import actions as m
from minzheng.monitoring.deadlines import working_days_late
from minzheng.monitoring.models import Alert, MonitoringRun
from minzheng.registry.selectors import active_enrollments

ENGINE = "demo"


def _user(username: str, role: str, area: Area) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, jurisdiction=area, full_name=f"演示{Role(role).label}")
        user.set_unusable_password()
        user.save()
    return user


def _new_id(area6: str, birth: dt.date) -> str:
    for seq in range(101, 999, 2):
        idn = make(area6, birth, seq)
        if not Person.objects.filter(id_number=idn).exists():
            return idn
    raise RuntimeError("no free demo ID number")


def _row(scenario: str, *, person: Person | None = None, household: str = "", area: str, as_of: dt.date,
         evidence: dict[str, Any], evidence_date: dt.date, action: str, amount: str | None = None,
         id_number: str = "", name: str = "") -> dict[str, Any]:
    return {"scenario": scenario, "id_number": id_number or (person.id_number if person else ""),
            "name": name or (person.name if person else ""), "household_id": household, "area_code": area,
            "as_of": as_of, "evidence": evidence, "suggested_action": action,
            "monthly_amount": Decimal(amount) if amount is not None else None, "evidence_date": evidence_date}


def _members(community: Area) -> list[HouseholdMember]:
    """Living current members of the community's households, heads first; households without any
    application first (the application disposition needs one)."""
    busy = set(Application.objects.values_list("household_id", flat=True))
    members = list(HouseholdMember.objects.filter(household__area=community, end_date__isnull=True,
                                                  person__death_date__isnull=True)
                   .select_related("person", "household").order_by("household__household_no", "id"))
    return sorted(members, key=lambda mm: (mm.household_id in busy, mm.relation != "户主", mm.household_id))


@transaction.atomic
def seed_demo(today: dt.date | None = None) -> dict[str, int]:
    """Seed the demo alerts; returns how many of each were made (nothing when already seeded)."""
    if MonitoringRun.objects.filter(engine=ENGINE).exists():
        return {}
    today = today or timezone.localdate()
    community = (Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code")
                 .first())
    if community is None or community.parent is None or community.parent.parent is None:
        return {}
    street, district = community.parent, community.parent.parent
    cw = _user("shequ", Role.COMMUNITY_WORKER, community)
    reviewer = _user("jiedao", Role.STREET_REVIEWER, street)
    approver = _user("quxian", Role.DISTRICT_APPROVER, district)
    pool = _members(community)
    seen: set[int] = set()
    people: list[HouseholdMember] = []
    for mm in pool:  # one person per household, so every alert is about a different family
        if mm.household_id not in seen:
            seen.add(mm.household_id)
            people.append(mm)
    if len(people) < 9:
        return {}
    paid = set(active_enrollments(today).filter(person__isnull=False, programme__in=["dibao", "tekun", "high_age",
                                                                                    "disability_living"])
               .values_list("person_id", flat=True))
    deceased = next((mm for mm in people if mm.person_id in paid), people[8])
    others = [mm for mm in people if mm is not deceased]
    first = today - dt.timedelta(days=21)
    as_of = first.replace(day=1) - dt.timedelta(days=1)
    code, area6 = community.code, community.code[:6]
    old = _new_id(area6, dt.date(as_of.year - 86, 5, 3))
    child = _new_id(area6, dt.date(as_of.year - 9, 9, 1))

    def hh(mm: HouseholdMember) -> str:
        return mm.household.household_no

    death = as_of - dt.timedelta(days=45)
    claims = {"triggers": ["大额医疗自付"], "self_paid_12m": "26840.00",
              "rows": [{"feed": "medical_claims", "claim_id": "YB2025-0193", "settled_on": as_of.isoformat(),
                        "self_paid": "18620.00"},
                       {"feed": "medical_claims", "claim_id": "YB2025-0088", "settled_on": (as_of - dt.timedelta(
                           days=70)).isoformat(), "self_paid": "8220.00"}]}
    rows = [
        _row("FIND_HIGH_AGE", id_number=old, name="韩桂芝", area=code, as_of=as_of, evidence_date=as_of,
             evidence={"age": 86, "amount_due": "100", "received": "0", "rows": [{"feed": "population"}]},
             action="核实后纳入高龄津贴（免申即享）", amount="100"),
        _row("FIND_DISABILITY_CARE", person=others[0].person, household=hh(others[0]), area=code, as_of=as_of,
             evidence={"rows": [{"feed": "disability_certs", "grade": 2, "issue_date": as_of.isoformat()}]},
             evidence_date=as_of, action="核实后纳入重度残疾人护理补贴", amount="100"),
        _row("FIND_DISABILITY_LIVING", person=others[1].person, household=hh(others[1]), area=code, as_of=as_of,
             evidence={"rows": [{"feed": "disability_certs", "grade": 3, "issue_date": as_of.isoformat()}]},
             evidence_date=as_of, action="核实后纳入困难残疾人生活补贴", amount="100"),
        _row("FIND_UNSUPPORTED_CHILD", id_number=child, name="刘小雨", area=code, as_of=as_of, evidence_date=as_of,
             evidence={"kind": "unsupported_child", "father": "服刑（justice imprisoned）", "mother": "死亡"},
             action="unsupported_child：核实后按孤儿标准保障", amount="1650"),
        _row("MON_DECEASED", person=deceased.person, household=hh(deceased), area=code, as_of=as_of,
             evidence={"death_date": death.isoformat(), "sources": ["公安", "卫健"],
                       "stop_from": (death.replace(day=1) + dt.timedelta(days=32)).replace(day=1).isoformat()},
             evidence_date=death, action="次月起停发，追回多发金额", amount="0"),
        _row("MON_ASSET_INCOME", person=others[2].person, household=hh(others[2]), area=code, as_of=as_of,
             evidence={"rows": [{"feed": "vehicles", "vehicle_type": "car", "registered_on": as_of.isoformat()}]},
             evidence_date=as_of, action="复核家庭财产状况"),
        _row("MON_HARDSHIP_RISK", person=others[3].person, household=hh(others[3]), area=code, as_of=as_of,
             evidence=claims, evidence_date=as_of, action="入户核查，评估临时救助或纳入重点监测"),
        _row("MON_HARDSHIP_RISK", person=others[4].person, household=hh(others[4]), area=code, as_of=as_of,
             evidence={"triggers": ["失业登记"], "rows": [{"feed": "employment", "event": "unemployed",
                                                          "event_date": as_of.isoformat()}]},
             evidence_date=as_of, action="入户核查，评估低保、低保边缘"),
        _row("MON_HARDSHIP_RISK", person=others[5].person, household=hh(others[5]), area=code, as_of=as_of,
             evidence={"triggers": ["新增一级残疾"], "rows": [{"feed": "disability_certs", "grade": 1}]},
             evidence_date=as_of, action="评估照护服务需求"),
        _row("MON_ASSET_INCOME", person=others[6].person, household=hh(others[6]), area=code, as_of=as_of,
             evidence={"rows": [{"feed": "businesses", "role": "shareholder", "capital": "120000"}]},
             evidence_date=as_of, action="复核家庭财产状况"),
    ]
    m.record_run(user=None, as_of=as_of, engine=ENGINE, alerts=rows, on=first,
                 feed_stats={"population": {"read": 20000, "rejected": 3}, "deaths": {"read": 180, "rejected": 0}})
    alert = {a.scenario + str(a.person_id): a for a in Alert.objects.filter(first_run__engine=ENGINE)}

    def of(scenario: str, person: Person | None = None, idn: str = "") -> Alert:
        pk = person.pk if person else Person.objects.get(id_number=idn).pk
        return alert[scenario + str(pk)]

    def day(n: int) -> dt.date:
        return first + dt.timedelta(days=n)

    def judged(a: Alert, finding: str, note: str, n: int = 1) -> Alert:
        m.sign_for(a, user=cw, on=day(n))
        m.start_verification(a, user=cw, on=day(n + 1))
        m.judge(a, user=cw, finding=finding, method="home_visit", note=note, on=day(n + 2))
        return a

    made: dict[str, int] = {"alerts": len(rows) + 1}
    _found_and_approved(today, code, cw, reviewer, approver)
    m.sign_for(of("FIND_DISABILITY_CARE", others[0].person), user=cw, on=day(1))  # verification then overdue
    a = of("FIND_DISABILITY_LIVING", others[1].person)
    m.sign_for(a, user=cw, on=day(1))
    m.start_verification(a, user=cw, on=day(2))
    judged(of("FIND_UNSUPPORTED_CHILD", idn=child), "real_hardship", "父亲服刑，母亲已故，由祖母照料，情况属实")
    a = judged(of("MON_DECEASED", deceased.person), "real_hardship", "经公安、卫健数据及家属确认已死亡")
    m.stop_payments(a, user=cw, death_date=death, on=day(4))
    m.close(a, user=cw, on=day(4))
    a = judged(of("MON_ASSET_INCOME", others[2].person), "not_eligible", "车辆为其子所有并已过户，家庭财产未变化")
    m.record_no_action(a, user=cw, reason="车辆不属本户成员，维持原待遇", on=day(4))
    m.close(a, user=cw, on=day(5))
    a = judged(of("MON_HARDSHIP_RISK", others[3].person), "real_hardship", "住院治疗，自付费用高，家庭生活困难")
    m.start_temporary(a, user=cw, amount=Decimal("3000"), on=day(4))
    m.add_to_key_monitoring(user=cw, person=others[3].person, area_code=code, alert=a, interval_months=1,
                            reason="大额医疗支出，病情未稳定", since=day(4))
    a = judged(of("MON_HARDSHIP_RISK", others[4].person), "real_hardship", "户主失业，家庭收入骤降")
    m.start_application(a, user=cw, programmes=["dibao", "dibao_edge"], authorisation_signed=True, on=day(4))
    m.close(a, user=cw, on=day(5))
    a = judged(of("MON_HARDSHIP_RISK", others[5].person), "real_hardship", "新增一级肢体残疾，需上门照料")
    m.refer_service(a, user=cw, item_code="care.nursing", note="需上门看护照料", on=day(4))
    m.refer_special(a, user=cw, special="medical", note="康复治疗费用，转医疗救助", on=day(4))
    m.close(a, user=cw, on=day(6))
    a = judged(of("MON_ASSET_INCOME", others[6].person), "false_alarm", "同名同姓，工商登记人非本人")
    m.record_no_action(a, user=cw, reason="误报：身份信息不一致", on=day(4))
    m.close(a, user=cw, on=day(4))
    # Key monitoring from earlier: one due for its revisit, one taken off the list.
    entry = m.add_to_key_monitoring(user=cw, person=others[7].person, area_code=code, interval_months=1,
                                    reason="独居高龄，慢性病", since=today - dt.timedelta(days=75))
    m.record_revisit(entry, user=cw, note="上门回访，生活能自理", visited_on=today - dt.timedelta(days=40))
    gone = m.add_to_key_monitoring(user=cw, person=deceased.person, area_code=code, reason="重病",
                                   since=death - dt.timedelta(days=90))
    m.end_key_monitoring(gone, user=cw, reason="对象已死亡", on=day(4))
    made["key_monitoring"] = 3
    # A second run a few days ago: fresh alerts, one of them for a new person, not signed for in time (so
    # at the street now: at most two working days past the sign-for deadline).
    recent = today - dt.timedelta(days=2)
    while recent > first and not (add_working_days(recent, 1).date < today
                                  and working_days_late(add_working_days(recent, 1).date, today) <= 2):
        recent -= dt.timedelta(days=1)
    fresh = [
        _row("FIND_HIGH_AGE", id_number=_new_id(area6, dt.date(as_of.year - 90, 1, 20)), name="马秀兰", area=code,
             as_of=as_of, evidence_date=as_of, evidence={"age": 90, "amount_due": "200", "received": "0"},
             action="核实后纳入高龄津贴（免申即享）", amount="200"),
        _row("MON_HARDSHIP_RISK", person=people[-1].person if len(people) > 9 else others[7].person,
             household=hh(people[-1] if len(people) > 9 else others[7]), area=code, as_of=as_of, evidence=claims,
             evidence_date=as_of, action="入户核查"),
    ]
    m.record_run(user=None, as_of=as_of, engine=ENGINE, alerts=rows + fresh, on=recent, feed_stats={})
    made["alerts"] += len(fresh)
    # The daily sweeps since the first push: unsigned and unverified alerts go to the street, then the district.
    sweep = first + dt.timedelta(days=1)
    while sweep <= today:
        m.escalate_overdue(on=sweep)
        sweep += dt.timedelta(days=1)
    made["escalated"] = Alert.objects.filter(first_run__engine=ENGINE).filter(~Q(level="community")).count()
    return made


def _found_and_approved(today: dt.date, code: str, cw: User, reviewer: User, approver: User) -> None:
    """A person found last month outside the archive, whose application (started from the alert) the
    district approved on the last day of last month: in care from the first of this month."""
    approved_on = today.replace(day=1) - dt.timedelta(days=1)
    pushed_on = approved_on - dt.timedelta(days=29)
    as_of = pushed_on.replace(day=1) - dt.timedelta(days=1)
    idn = _new_id(code[:6], dt.date(as_of.year - 58, 11, 12))
    m.record_run(user=None, as_of=as_of, engine=ENGINE, on=pushed_on, feed_stats={}, alerts=[_row(
        "MON_HARDSHIP_RISK", id_number=idn, name="郑国强", area=code, as_of=as_of, evidence_date=as_of,
        evidence={"triggers": ["unemployed"], "rows": [{"source": "employment", "kind": "unemployed",
                                                        "date": as_of.isoformat()}]}, action="monitor")])
    alert = Alert.objects.get(person__id_number=idn)

    def day(n: int) -> dt.date:
        return pushed_on + dt.timedelta(days=n)

    m.sign_for(alert, user=cw, on=day(1))
    m.start_verification(alert, user=cw, on=day(1))
    m.judge(alert, user=cw, finding="real_hardship", method="home_visit", on=day(2),
            note="失业半年，独居，无收入来源，无存款")
    app = m.start_application(alert, user=cw, programmes=["dibao", "dibao_edge"], authorisation_signed=True,
                              on=day(3)).application
    assert app is not None
    m.close(alert, user=cw, note="已发起低保申请，转入审核审批", on=day(3))
    assistance.assign_investigators(app, user=cw, investigator_1=cw, investigator_2=reviewer, on=day(4))
    assistance.record_investigation(app, user=cw, visit_date=day(5), on=day(5),
                                    visit_record="两名调查人员入户：独居，失业，无收入来源",
                                    members={alert.person_id: {"monthly_income": "0", "financial_assets": "0"}})
    assistance.evaluate_application(app, user=cw, on=day(5))
    assistance.street_approve(app, user=reviewer, opinion="经审核符合低保条件", on=day(6))
    assistance.publish_notice(app, user=reviewer, on=day(6))
    assistance.close_notice(app, user=reviewer, on=day(14))
    assistance.district_approve(Application.objects.get(pk=app.pk), user=approver, opinion="同意", on=approved_on)
