from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import diff, event_fields, record, record_bulk, snapshot
from minzheng.audit.models import AuditEvent
from minzheng.core.actions._guard import require_reason, require_write
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.idnumber import REASON_LABELS as ID_REASONS
from minzheng.core.idnumber import InvalidIDNumber, facts, normalise
from minzheng.core.models import Area, Person

EDITABLE_PERSON_FIELDS = frozenset(
    {
        "name",
        "phone",
        "area_id",
        "death_date",
        "monthly_income",
        "disability_type",
        "disability_grade",
        "serious_illness",
        "self_care",
    }
)
SEX_BY_LABEL = {"男": "M", "女": "F", "M": "M", "F": "F"}


def checked_identity(
    raw_id: str, *, sex: str | None = None, birth_date: dt.date | None = None
) -> tuple[str, str, dt.date]:
    """Normalise the ID number and cross-check any sex and birth date given with it."""
    try:
        idn = normalise(raw_id)
    except InvalidIDNumber as exc:
        raise InvalidChange(ID_REASONS[exc.reason]) from None
    f = facts(idn)
    if sex and SEX_BY_LABEL.get(sex) != f.sex:
        raise InvalidChange("性别与身份证号不符")
    if birth_date and birth_date != f.birth_date:
        raise InvalidChange("出生日期与身份证号不符")
    return idn, f.sex, f.birth_date


@transaction.atomic
def register_person(
    *,
    user: Any,
    id_number: str,
    name: str,
    area_code: str,
    sex: str | None = None,
    birth_date: dt.date | None = None,
    phone: str = "",
    reason: str = "",
    **attributes: Any,
) -> Person:
    """Create a person; sex and birth date come from the ID number (and must agree with any given)."""
    require_write(user, area_code)
    idn, derived_sex, born = checked_identity(id_number, sex=sex, birth_date=birth_date)
    if not name.strip():
        raise InvalidChange("姓名不能为空")
    if not Area.objects.filter(code=area_code).exists():
        raise InvalidChange("区划代码不存在")
    if Person.objects.filter(id_number=idn).exists():
        raise InvalidChange("该身份证号已登记")
    unknown = set(attributes) - EDITABLE_PERSON_FIELDS
    if unknown:
        raise InvalidChange(f"未知字段: {', '.join(sorted(unknown))}")
    person = Person.objects.create(
        id_number=idn,
        name=name.strip(),
        sex=derived_sex,
        birth_date=born,
        area_id=area_code,
        phone=phone,
        **attributes,
    )
    record(
        user,
        AuditAction.CREATE,
        person,
        area_code=area_code,
        summary=f"登记人员 {person.name}",
        after=snapshot(person),
        reason=reason,
    )
    return person


@dataclass(frozen=True)
class NewPerson:
    """One person for :func:`register_people` (sex and birth date come from the ID number)."""

    id_number: str
    name: str
    area_code: str
    reason: str = ""


@transaction.atomic
def register_people(*, user: Any, people: Sequence[NewPerson],
                    audit: list[dict[str, Any]] | None = None) -> list[Person]:
    """:func:`register_person` for many people at once (a monitoring run's unknown subjects): the same checks,
    rows and audit events, with one query per check (per 500 people) and bulk inserts, in the order given.

    With ``audit`` the fields of the audit events (:func:`~minzheng.audit.log.event_fields`) are appended to
    it, in the same order, instead of written: for a caller that writes them among its own, in bulk, in this
    transaction."""
    checked: list[tuple[NewPerson, str, str, dt.date]] = []
    for p in people:
        require_write(user, p.area_code)
        idn, sex, born = checked_identity(p.id_number)
        if not p.name.strip():
            raise InvalidChange("姓名不能为空")
        checked.append((p, idn, sex, born))
    codes = sorted({p.area_code for p in people})
    ids = [idn for _, idn, _, _ in checked]
    for start in range(0, len(codes), 500):
        part = codes[start:start + 500]
        if Area.objects.filter(code__in=part).count() < len(part):
            raise InvalidChange("区划代码不存在")
    if len(set(ids)) < len(ids) or any(Person.objects.filter(id_number__in=ids[start:start + 500]).exists()
                                       for start in range(0, len(ids), 500)):
        raise InvalidChange("该身份证号已登记")
    made = [Person(id_number=idn, name=p.name.strip(), sex=sex, birth_date=born, area_id=p.area_code, phone="")
            for p, idn, sex, born in checked]
    if connections[router.db_for_write(Person)].features.can_return_rows_from_bulk_insert:
        Person.objects.bulk_create(made, batch_size=2000)
    else:  # (SQLite before 3.35: bulk_create gives no pks) one insert each
        for person in made:
            person.save(force_insert=True)
    events = [
        event_fields(user, AuditAction.CREATE, person, area_code=p.area_code, summary=f"登记人员 {person.name}",
                     after=snapshot(person), reason=p.reason)
        for (p, _, _, _), person in zip(checked, made, strict=True)
    ]
    if audit is None:
        record_bulk([AuditEvent(**e) for e in events])
    else:
        audit.extend(events)
    return made


@transaction.atomic
def update_person(*, user: Any, person: Person, reason: str, **changes: Any) -> Person:
    unknown = set(changes) - EDITABLE_PERSON_FIELDS
    if unknown:
        raise InvalidChange(f"未知字段: {', '.join(sorted(unknown))}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_write(user, _person_area(person))
    reason = require_reason(reason)
    before = snapshot(person)
    for key, value in changes.items():
        setattr(person, key, value)
    person.full_clean(exclude=["id_number"])
    person.save()
    b, a = diff(before, snapshot(person))
    if b or a:
        record(
            user,
            AuditAction.UPDATE,
            person,
            area_code=_person_area(person),
            summary=f"修改人员 {person.name}",
            before=b,
            after=a,
            reason=reason,
        )
    return person


REVEALABLE = {"id_number": "公民身份号码", "phone": "联系电话"}


@transaction.atomic
def reveal_person_field(*, user: Any, person: Person, field: str, reason: str = "", ip: str | None = None) -> str:
    """Return the full value of a masked field and log the view. ``person`` must come from a selector."""
    if field not in REVEALABLE:
        raise NotFound("未知字段")
    record(
        user,
        AuditAction.VIEW_SENSITIVE,
        person,
        area_code=_person_area(person),
        summary=f"查看 {person.name} 的完整{REVEALABLE[field]}",
        after={"field": field},
        reason=reason,
        ip=ip,
    )
    return str(getattr(person, field))


def _person_area(person: Person) -> str:
    m = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    if m:
        return str(m.household.area_id)
    return str(person.area_id or "")
