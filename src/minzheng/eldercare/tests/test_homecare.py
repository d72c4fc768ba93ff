"""Government-bought home care: entitlement hours by capability level × hardship category, the order workflow
(public and caseworker orders, dispatch, assignment, check-in/out, rating), and the monthly settlement with
each anomaly (overlapping visits by one worker, visits after death, hours over the entitlement)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.models import Person
from minzheng.eldercare import selectors as sel
from minzheng.eldercare.actions.assessments import record_assessment
from minzheng.eldercare.actions.orders import (
    assign_worker,
    cancel_order,
    check_in,
    check_out,
    identify_elder,
    place_order,
    rate_order,
)
from minzheng.eldercare.actions.providers import add_worker, link_manager, register_family_contact, save_enterprise
from minzheng.eldercare.actions.settlement import confirm_settlement, settle_month
from minzheng.eldercare.models import Order
from minzheng.eldercare.tests import support as s
from minzheng.eldercare.tests.test_assessment import answers_for
from minzheng.testing import factories as f

D = dt.date
TZ = timezone.get_fixed_timezone(8 * 60)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 8, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def care(tree, users) -> dict[str, Any]:
    """An enterprise serving 和平区 with two workers; elders: 低保 at level 2, 特困 at level 4, one without an
    assessment, and one who will die in August."""
    city = users["city"]
    ent = save_enterprise(user=city, name="和平颐养家政服务有限公司", area_code=f.DISTRICT_A,
                          category_codes=["cleaning", "bathing", "home_nursing", "companionship"])
    link_manager(user=city, member=users["provider"], enterprise=ent)
    w1 = add_worker(user=users["provider"], enterprise=ent, name="张秀云", phone="13600000001",
                    account=f.make_user("service_provider", f.COMMUNITY_A, "worker_zhang"))
    w2 = add_worker(user=users["provider"], enterprise=ent, name="刘桂芳", phone="13600000002",
                    account=f.make_user("service_provider", f.COMMUNITY_A, "worker_liu"))
    elders = {}
    for key, birth, programme, total in (("dibao", D(1940, 1, 1), "dibao", 55), ("tekun", D(1935, 1, 1), "tekun", 20),
                                         ("plain", D(1942, 1, 1), None, None), ("dying", D(1930, 1, 1), "dibao", 40)):
        p = s.person(s.pid(birth), f"老人{key}", birth)
        s.household_in_care([p], programme, person_level=p if programme == "tekun" else None)
        if total is not None:
            record_assessment(user=users["caseworker_a"], person=p, reason="first", assessed_on=D(2025, 7, 1),
                              assessor_1="甲", assessor_2="乙", answers=answers_for(total))
        elders[key] = p
    return {"ent": ent, "w1": w1, "w2": w2, "elders": elders, "users": users}


def visit(care: dict[str, Any], elder: str, worker: str, start: dt.datetime, minutes: int, *, hours: str = "2",
          category: str = "cleaning") -> Order:
    users = care["users"]
    order = place_order(user=users["caseworker_a"], person=care["elders"][elder], category_code=category,
                        scheduled_at=start, hours=Decimal(hours), address="和平区集贤街8号", contact_name="王女士",
                        contact_phone="13900002222")
    assert order.status == "dispatched" and order.enterprise == care["ent"]
    assign_worker(user=users["provider"], order=order, worker_id=care[worker].pk)
    check_in(user=care[worker].user, order=order, lat=Decimal("41.78"), lng=Decimal("123.40"), at=start)
    check_out(user=care[worker].user, order=order, record_text="打扫卧室和厨房", place="和平区集贤街8号",
              at=start + dt.timedelta(minutes=minutes))
    return order


def test_entitlement_hours_by_level_and_category(care) -> None:
    day = D(2025, 8, 31)
    assert sel.entitlement_hours(4, "tekun", day) == Decimal("30")
    assert sel.entitlement_hours(0, "tekun", day) == Decimal("4")
    assert sel.entitlement_hours(2, "dibao", day) == Decimal("10")
    assert sel.entitlement_hours(3, "dibao_edge", day) == Decimal("12")
    assert sel.entitlement_hours(0, "dibao_edge", day) == Decimal("0")
    assert sel.entitlement_hours(4, "none", day) == Decimal("0")
    assert sel.entitlement_hours(None, "tekun", day) == Decimal("0")
    assert sel.entitlement_hours(4, "tekun", D(2024, 12, 31)) == Decimal("0")  # before the rules' first date
    e = care["elders"]
    assert sel.person_entitlement(e["dibao"], day) == (2, "dibao", Decimal("10"))
    assert sel.person_entitlement(e["tekun"], day) == (4, "tekun", Decimal("30"))
    assert sel.person_entitlement(e["plain"], day) == (None, "none", Decimal("0"))


def test_settlement_with_each_anomaly(care) -> None:
    # 低保 elder, 10 hours a month: 2 + 4 + 3 = 9 paid in full, then 1 of 2, then nothing.
    visit(care, "dibao", "w1", at(4, 9), 120)
    visit(care, "dibao", "w1", at(6, 9), 250, hours="4")  # 4 h 10 min, ordered 4 → 4
    visit(care, "dibao", "w1", at(8, 9), 185, hours="3")  # 3 h 05 min → 3
    visit(care, "dibao", "w2", at(10, 9), 120)  # crosses the 10 hours: 1 paid
    visit(care, "dibao", "w2", at(11, 9), 60, hours="1")  # nothing left
    # 特困 elder (30 h): worker 1 overlaps with themself on the 12th; bathing at 60 yuan an hour.
    visit(care, "tekun", "w1", at(12, 9), 120, category="bathing")
    visit(care, "tekun", "w1", at(12, 10, 30), 90, category="bathing")
    visit(care, "tekun", "w2", at(13, 14), 95, category="bathing")  # 1 h 35 → 1.5
    # The elder who dies on 15 August: a visit on the 14th is paid, one on the 16th is not.
    visit(care, "dying", "w2", at(14, 9), 60, hours="1")
    late = place_order(user=care["users"]["caseworker_a"], person=care["elders"]["dying"], category_code="cleaning",
                       scheduled_at=at(16, 9), hours=Decimal("1"), address="和平区", contact_name="王",
                       contact_phone="13900002222")
    assign_worker(user=care["users"]["provider"], order=late, worker_id=care["w2"].pk)
    Person.objects.filter(pk=care["elders"]["dying"].pk).update(death_date=D(2025, 8, 15))
    check_in(user=care["w2"].user, order=late, place="和平区", at=at(16, 9))
    check_out(user=care["w2"].user, order=late, record_text="保洁", place="和平区", at=at(16, 10))
    # A visit checked in in September belongs to September.
    visit(care, "tekun", "w2", dt.datetime(2025, 9, 1, 0, 30, tzinfo=TZ), 60, hours="1")

    settlement = settle_month(user=care["users"]["district"], month="2025-08", enterprise=care["ent"])
    lines = {(ln.visit.order.person.name, timezone.localtime(ln.visit.check_in_at).strftime("%d %H:%M")):
             (ln.hours_claimed, ln.hours_paid, ln.amount, ln.flags, ln.decision) for ln in settlement.lines.all()}
    paid, held, out = "paid", "held", "excluded"
    over, partial = ["over_entitlement"], "partial"
    assert lines == {
        ("老人dibao", "04 09:00"): (Decimal("2.00"), Decimal("2.00"), Decimal("80.00"), [], paid),
        ("老人dibao", "06 09:00"): (Decimal("4.17"), Decimal("4.00"), Decimal("160.00"), [], paid),
        ("老人dibao", "08 09:00"): (Decimal("3.08"), Decimal("3.00"), Decimal("120.00"), [], paid),
        ("老人dibao", "10 09:00"): (Decimal("2.00"), Decimal("1.00"), Decimal("40.00"), over, partial),
        ("老人dibao", "11 09:00"): (Decimal("1.00"), Decimal("0.00"), Decimal("0.00"), over, out),
        ("老人tekun", "12 09:00"): (Decimal("2.00"), Decimal("0.00"), Decimal("0.00"), ["overlap"], held),
        ("老人tekun", "12 10:30"): (Decimal("1.50"), Decimal("0.00"), Decimal("0.00"), ["overlap"], held),
        ("老人tekun", "13 14:00"): (Decimal("1.58"), Decimal("1.50"), Decimal("90.00"), [], paid),
        ("老人dying", "14 09:00"): (Decimal("1.00"), Decimal("1.00"), Decimal("40.00"), [], paid),
        ("老人dying", "16 09:00"): (Decimal("1.00"), Decimal("0.00"), Decimal("0.00"), ["after_death"], out),
    }
    assert (settlement.visits, settlement.hours_paid, settlement.amount) == (10, Decimal("12.50"), Decimal("530.00"))
    assert settlement.flags == {"overlap": 2, "after_death": 1, "over_entitlement": 2}
    # Regenerating a draft gives the same result; once confirmed it is final.
    again = settle_month(user=care["users"]["district"], month="2025-08", enterprise=care["ent"])
    assert (again.pk, again.amount, again.lines.count()) == (settlement.pk, Decimal("530.00"), 10)
    confirm_settlement(user=care["users"]["district"], settlement=again)
    with pytest.raises(InvalidChange, match="已确认"):
        settle_month(user=care["users"]["district"], month="2025-08", enterprise=care["ent"])
    with pytest.raises(NotFound):
        settle_month(user=care["users"]["other_district"], month="2025-08", enterprise=care["ent"])


def test_entitlement_is_counted_over_all_enterprises(care, users) -> None:
    other = save_enterprise(user=users["city"], name="沈河乐龄服务中心", area_code=f.CITY,
                            category_codes=["companionship"])
    worker = add_worker(user=users["city"], enterprise=other, name="赵敏")
    visit(care, "dibao", "w1", at(4, 9), 480, hours="8", category="companionship")  # first 8 of the 10 hours
    order = place_order(user=users["caseworker_a"], person=care["elders"]["dibao"], category_code="companionship",
                        scheduled_at=at(5, 9), hours=Decimal("4"), address="和平区", contact_name="王",
                        contact_phone="13900002222", dispatch=False)
    from minzheng.eldercare.actions.orders import dispatch_order

    dispatch_order(user=users["caseworker_a"], order=order, enterprise=other)
    order.refresh_from_db()
    order.status, order.worker = "assigned", worker  # the other enterprise has no dispatcher account in this test
    order.save()
    check_in(user=None, order=order, place="和平区", at=at(5, 9))
    check_out(user=None, order=order, record_text="陪伴", place="和平区", at=at(5, 13))
    s2 = settle_month(user=None, month="2025-08", enterprise=other)
    line = s2.lines.get()
    assert (line.hours_paid, line.decision, line.amount) == (Decimal("2.0"), "partial", Decimal("70.00"))


def test_order_workflow_and_permissions(care, users) -> None:
    elder = care["elders"]["plain"]
    elder.phone = "13711112222"
    elder.save()
    with pytest.raises(NotFound):
        identify_elder(elder.id_number, "13500000000")
    register_family_contact(user=users["caseworker_a"], person=elder, name="王儿子", relation="子",
                            phone="135 0000 0000")
    person, channel, contact = identify_elder(elder.id_number.lower(), "13500000000")
    assert (person, channel, contact.name) == (elder, "relative", "王儿子")
    assert identify_elder(elder.id_number, "13711112222")[1] == "elder"
    order = place_order(user="亲属 135****0000", person=elder, category_code="companionship", channel="relative",
                        scheduled_at=at(20, 15), hours=Decimal("1"), address="和平区", contact_name="王儿子",
                        contact_phone="13500000000")
    assert (order.status, order.channel, order.enterprise) == ("dispatched", "relative", care["ent"])
    with pytest.raises(InvalidChange, match="不能变为"):  # not assigned yet
        check_in(user=None, order=order, place="x")
    with pytest.raises(NotFound):  # the worker of nobody's order
        check_in(user=care["w2"].user, order=order, place="x")
    assign_worker(user=users["provider"], order=order, worker_id=care["w1"].pk)
    with pytest.raises(NotFound):
        check_in(user=care["w2"].user, order=Order.objects.get(pk=order.pk), place="x")
    with pytest.raises(InvalidChange, match="所在地点"):
        check_in(user=care["w1"].user, order=order)
    check_in(user=care["w1"].user, order=order, place="和平区集贤街", at=at(20, 15))
    with pytest.raises(InvalidChange, match="不能变为"):
        cancel_order(user=users["caseworker_a"], order=order, reason="不需要了")
    check_out(user=care["w1"].user, order=order, record_text="聊天散步", place="和平区集贤街", at=at(20, 16))
    rate_order(user=None, order=order, score=5, comment="很满意", channel="relative")
    order.refresh_from_db()
    assert order.status == "rated" and order.rating.score == 5
    assert [e.to_status for e in order.events.all()] == ["ordered", "dispatched", "assigned", "checked_in",
                                                         "checked_out", "rated"]
    # Who sees the order.
    assert sel.visible_orders(users["caseworker_a"]).filter(pk=order.pk).exists()
    assert not sel.visible_orders(users["caseworker_b"]).filter(pk=order.pk).exists()
    assert sel.visible_orders(users["provider"]).filter(pk=order.pk).exists()
    assert sel.visible_orders(care["w1"].user).filter(pk=order.pk).exists()
    assert not sel.visible_orders(care["w2"].user).filter(pk=order.pk).exists()
    with pytest.raises(NotFound):
        place_order(user=users["caseworker_b"], person=elder, category_code="cleaning", scheduled_at=at(21, 9),
                    hours=Decimal("1"), address="x", contact_name="x", contact_phone="x")
