"""register_people: the bulk form of register_person writes the same people and audit events."""

from __future__ import annotations

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.actions.people import NewPerson, register_people, register_person
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.models import Person
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db

PERSON_FIELDS = ("name", "sex", "birth_date", "area_id", "phone", "monthly_income", "death_date")
AUDIT_FIELDS = ("actor_id", "actor_username", "actor_role", "action", "object_type", "area_code", "summary",
                "reason", "ip")


def _rows(person: Person) -> tuple[object, ...]:
    person.refresh_from_db()
    audit = AuditEvent.objects.get(object_type="core.person", object_id=str(person.pk))
    after = dict(audit.after)
    assert (after.pop("id"), after.pop("id_number")) == (person.pk, person.id_number)
    return (tuple(getattr(person, k) for k in PERSON_FIELDS), tuple(getattr(audit, k) for k in AUDIT_FIELDS),
            after, audit.before)


def test_register_people_writes_what_register_person_writes(users, tree) -> None:
    one = register_person(user=None, id_number="210102195003041239", name=" 孙立 ", area_code=f.COMMUNITY_A,
                          reason="监测预警发现的对象")
    many = register_people(user=None, people=[
        NewPerson("210102195003041255", " 孙立 ", f.COMMUNITY_A, "监测预警发现的对象"),
        NewPerson("210102194001010012", "钱老", f.COMMUNITY_B, "监测预警发现的对象"),
    ])
    assert [p.id_number for p in many] == ["210102195003041255", "210102194001010012"]
    assert many[0].pk is not None and _rows(many[0])[:3] == _rows(one)[:3]
    assert (many[1].sex, str(many[1].birth_date), many[1].area_id) == ("M", "1940-01-01", f.COMMUNITY_B)
    # Collected instead of written: the caller writes them in its order.
    collected: list[dict[str, object]] = []
    before = AuditEvent.objects.count()
    made = register_people(user=None, people=[NewPerson("210102196001010011", "赵", f.COMMUNITY_A, "x")],
                           audit=collected)
    assert AuditEvent.objects.count() == before
    assert [(c["object_id"], c["summary"]) for c in collected] == [(str(made[0].pk), "登记人员 赵")]


def test_register_people_refuses_as_register_person_does(users, tree) -> None:
    register_person(user=None, id_number="210102195003041239", name="孙立", area_code=f.COMMUNITY_A)
    cases = [
        ([NewPerson("210102195003041239", "孙立", f.COMMUNITY_A)], "已登记"),
        ([NewPerson("210102194001010012", "钱", f.COMMUNITY_A)] * 2, "已登记"),
        ([NewPerson("210102195003041236", "孙丽", f.COMMUNITY_A)], "校验码"),
        ([NewPerson("210102194001010012", " ", f.COMMUNITY_A)], "姓名"),
        ([NewPerson("210102194001010012", "钱", "210102001999")], "区划"),
    ]
    for people, message in cases:
        with pytest.raises(InvalidChange, match=message):
            register_people(user=None, people=people)
    with pytest.raises(NotFound):
        register_people(user=users["caseworker_b"],
                        people=[NewPerson("210102194001010012", "钱", f.COMMUNITY_OTHER_DISTRICT)])
    assert not Person.objects.filter(id_number="210102194001010012").exists()
