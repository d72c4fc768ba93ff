from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import diff, record, snapshot
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
