"""JSON API for households and people (mounted at ``/api/v1/`` by :mod:`minzheng.api.v1`).

Reads go through the scoped selectors, so a record outside the caller's jurisdiction is a 404 exactly
like a missing one, and roles that read no personal data see empty lists. ID numbers and phones are
masked everywhere; the full value comes only from ``POST /people/{person_id}/reveal``, which the
``reveal_person_field`` action writes to the audit log.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from minzheng.api.auth import api_user
from minzheng.api.pagination import Page
from minzheng.api.schemas import ERRORS, ErrorOut
from minzheng.core import selectors
from minzheng.core.actions.people import reveal_person_field
from minzheng.core.choices import HouseholdStatus
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.core.masking import mask_id, mask_phone
from minzheng.core.models import Area, Household, HouseholdMember, Person
from minzheng.registry.choices import CATEGORY_PROGRAMMES, Programme
from minzheng.registry.models import Enrollment
from minzheng.registry.selectors import (
    active_enrollments,
    household_categories,
    household_enrollments,
    person_programmes,
)

households_router = Router(tags=["households 家庭"])
people_router = Router(tags=["people 人员"])

NOT_FOUND: dict[int, type[Schema]] = {404: ErrorOut}
CENT = Decimal("0.01")


# --- schemas -------------------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str = Field(description="12-digit statistical code")
    name: str


class DisabilityOut(Schema):
    type: str = Field(description="残疾类别, e.g. 肢体")
    grade: int | None = Field(description="残疾等级 1–4")


class HouseholdItem(Schema):
    """A household in a list: contact data masked, members counted, the head named."""

    id: int
    household_no: str
    area: AreaOut
    address: str
    phone: str = Field(description="Masked: 138****1234")
    status: HouseholdStatus
    members: int = Field(description="Current members")
    head: str | None = Field(description="The current head's name")
    categories: list[Programme] = Field(description="Low-income categories today, highest first")

    @staticmethod
    def resolve_phone(obj: Household) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_members(obj: Household) -> int:
        return len(obj.current_memberships)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_head(obj: Household) -> str | None:
        heads = [m.person.name for m in obj.current_memberships if m.relation == "户主"]  # type: ignore[attr-defined]
        return heads[0] if heads else None

    @staticmethod
    def resolve_categories(obj: Household) -> list[str]:
        return [p.value for p in CATEGORY_PROGRAMMES if getattr(obj, f"category_{p.value}", False)]


class MemberOut(Schema):
    person_id: int
    name: str
    sex: Literal["M", "F"]
    birth_date: dt.date
    relation: str = Field(description="与户主关系")
    start_date: dt.date
    id_number: str = Field(description="Masked: 2101**********123X")
    disability: DisabilityOut | None
    monthly_income: str = Field(description="月可计收入（元）, a decimal string such as 1234.50")


class PersonRef(Schema):
    id: int
    name: str


class EnrollmentOut(Schema):
    id: int
    programme: Programme
    person: PersonRef | None = Field(description="Empty for a household-level enrollment")
    start_date: dt.date
    end_date: dt.date | None = Field(description="Inclusive; empty while open")
    monthly_amount: str = Field(description="月发放金额（元）, a decimal string")
    source: str


class HouseholdDetail(Schema):
    id: int
    household_no: str
    area: AreaOut
    address: str
    phone: str = Field(description="Masked: 138****1234")
    status: HouseholdStatus
    registered_date: dt.date | None
    members: list[MemberOut] = Field(description="Current members, head first")
    categories: list[Programme] = Field(description="Low-income categories today, highest first")
    enrollments: list[EnrollmentOut] = Field(
        description="Every enrollment of the household or of a member, newest first"
    )


class PersonItem(Schema):
    id: int
    name: str
    sex: Literal["M", "F"]
    birth_date: dt.date
    id_number: str = Field(description="Masked: 2101**********123X")
    phone: str = Field(description="Masked: 138****1234")
    area: AreaOut | None = Field(description="户籍地")

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return mask_id(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return mask_phone(obj.phone)


class MembershipOut(Schema):
    household_id: int
    household_no: str
    relation: str


class PersonDetail(Schema):
    id: int
    name: str
    sex: Literal["M", "F"]
    birth_date: dt.date
    death_date: dt.date | None
    id_number: str = Field(description="Masked: 2101**********123X")
    phone: str = Field(description="Masked: 138****1234")
    area: AreaOut | None = Field(description="户籍地")
    household: MembershipOut | None = Field(description="Current household, when it is in the caller's scope")
    disability: DisabilityOut | None
    serious_illness: bool
    self_care: str
    monthly_income: str = Field(description="月可计收入（元）, a decimal string")
    programmes: list[Programme] = Field(description="Programmes the person is enrolled in today")


class RevealIn(Schema):
    field: Literal["id_number", "phone"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="Why the full value is needed (kept in the audit log)"
    )


class RevealOut(Schema):
    person_id: int
    field: Literal["id_number", "phone"]
    value: str = Field(description="The full, unmasked value")


# --- helpers ---------------------------------------------------------------------------------------------


def _money(value: Decimal | int | None) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def _area(area: Area | None) -> dict[str, str] | None:
    return {"code": area.code, "name": area.name} if area is not None else None


def _disability(person: Person) -> dict[str, Any] | None:
    if not person.disability_type:
        return None
    return {"type": person.disability_type, "grade": person.disability_grade}


def _with_categories(qs: QuerySet[Household], day: dt.date) -> QuerySet[Household]:
    """Annotate ``category_<programme>`` for each low-income category, inside the list query itself.

    The same rule as ``registry.selectors.household_categories`` (an active enrollment of the household,
    or of a person who is its member on ``day``), without one query per row; a test pins the agreement.
    """
    member_on_day = HouseholdMember.objects.filter(
        household=OuterRef(OuterRef("pk")), person=OuterRef("person"), start_date__lte=day
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    return qs.annotate(
        **{
            f"category_{p.value}": Exists(
                active_enrollments(day)
                .filter(programme=p.value)
                .filter(Q(household=OuterRef("pk")) | Exists(member_on_day))
            )
            for p in CATEGORY_PROGRAMMES
        }
    )


def _member(m: HouseholdMember) -> dict[str, Any]:
    p = m.person
    return {
        "person_id": p.pk,
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date,
        "relation": m.relation,
        "start_date": m.start_date,
        "id_number": mask_id(p.id_number),
        "disability": _disability(p),
        "monthly_income": _money(p.monthly_income),
    }


def _enrollment(e: Enrollment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "programme": e.programme,
        "person": {"id": e.person.pk, "name": e.person.name} if e.person is not None else None,
        "start_date": e.start_date,
        "end_date": e.end_date,
        "monthly_amount": _money(e.monthly_amount),
        "source": e.source,
    }


# --- households ------------------------------------------------------------------------------------------


@households_router.get(
    "",
    response={200: list[HouseholdItem], **ERRORS},
    summary="Search households in the caller's jurisdiction",
    operation_id="list_households",
)
@paginate(Page)
def list_households(
    request: HttpRequest,
    q: Annotated[str, Query(max_length=100, description="Member name or ID, archive no., address")] = "",
    area_code: Annotated[str, Query(max_length=12, description="Any node of the area tree")] = "",
    status: Annotated[HouseholdStatus | None, Query(description="active or closed")] = None,
    programme: Annotated[Programme | None, Query(description="Enrolled today (household or member)")] = None,
) -> QuerySet[Household]:
    user = api_user(request)
    qs = selectors.search_households(
        user,
        q=q,
        area_code=area_code,
        status=status.value if status else "",
        programme=programme.value if programme else "",
    )
    return _with_categories(qs, timezone.localdate())


@households_router.get(
    "/{household_id}",
    response={200: HouseholdDetail, **NOT_FOUND, **ERRORS},
    summary="One household with its current members, categories and enrollments",
    operation_id="get_household",
)
def get_household(request: HttpRequest, household_id: int) -> dict[str, Any]:
    user = api_user(request)
    household = selectors.get_household(user, household_id)
    today = timezone.localdate()
    return {
        "id": household.pk,
        "household_no": household.household_no,
        "area": _area(household.area),
        "address": household.address,
        "phone": mask_phone(household.phone),
        "status": household.status,
        "registered_date": household.registered_date,
        "members": [_member(m) for m in selectors.current_members(household)],
        "categories": household_categories(household, today),
        "enrollments": [_enrollment(e) for e in household_enrollments(household)],
    }


# --- people ------------------------------------------------------------------------------------------------


@people_router.get(
    "",
    response={200: list[PersonItem], **ERRORS},
    summary="Find people in the caller's jurisdiction by exact ID number or exact name",
    operation_id="list_people",
)
@paginate(Page)
def list_people(
    request: HttpRequest,
    q: Annotated[
        str, Query(max_length=64, description="An ID number (15 or 18 characters) or a full name; empty: all")
    ] = "",
) -> QuerySet[Person]:
    user = api_user(request)
    qs = selectors.visible_people(user).select_related("area").order_by("id")
    q = q.strip()
    if q:
        try:
            qs = qs.filter(id_number=normalise(q))
        except InvalidIDNumber:
            qs = qs.filter(name=q)
    return qs


@people_router.get(
    "/{person_id}",
    response={200: PersonDetail, **NOT_FOUND, **ERRORS},
    summary="One person, masked",
    operation_id="get_person",
)
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    user = api_user(request)
    person = selectors.get_person(user, person_id)
    membership = (
        person.memberships.filter(end_date__isnull=True, household__in=selectors.visible_households(user))
        .select_related("household")
        .first()
    )
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "death_date": person.death_date,
        "id_number": mask_id(person.id_number),
        "phone": mask_phone(person.phone),
        "area": _area(person.area),
        "household": (
            {
                "household_id": membership.household.pk,
                "household_no": membership.household.household_no,
                "relation": membership.relation,
            }
            if membership is not None
            else None
        ),
        "disability": _disability(person),
        "serious_illness": person.serious_illness,
        "self_care": person.self_care,
        "monthly_income": _money(person.monthly_income),
        "programmes": person_programmes(person, timezone.localdate()),
    }


@people_router.post(
    "/{person_id}/reveal",
    response={200: RevealOut, **NOT_FOUND, **ERRORS},
    summary="The full ID number or phone of one person; the view is written to the audit log",
    operation_id="reveal_person_field",
)
def reveal(request: HttpRequest, person_id: int, payload: RevealIn) -> dict[str, Any]:
    user = api_user(request)
    person = selectors.get_person(user, person_id)
    ip = request.META.get("REMOTE_ADDR")
    value = reveal_person_field(user=user, person=person, field=payload.field, reason=payload.reason, ip=ip)
    return {"person_id": person.pk, "field": payload.field, "value": value}
