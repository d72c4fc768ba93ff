"""From application to investigation: submit, authorisation (受理), investigators, the home visit, the
deadline extension and withdrawal. Each function is one transaction, audited, moved by the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minzheng.assistance.actions._common import lock, move, number, required, today
from minzheng.assistance.choices import (
    OPEN_STATES,
    AppAction,
    BusinessRole,
    Channel,
    DecisionKind,
    DocumentKind,
    Outcome,
    RequestedProgramme,
    Vehicle,
)
from minzheng.assistance.models import (
    Application,
    Decision,
    InvestigatedMember,
    Investigation,
    SupportingDocument,
)
from minzheng.assistance.procedure import procedure_int
from minzheng.assistance.workflow import NEW, authorise
from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.authz.scope import in_scope
from minzheng.core.choices import DisabilityType, HouseholdStatus, SelfCare
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.core.models import Household, Person
from minzheng.core.selectors import current_members
from minzheng.core.workdays import add_working_days

INVESTIGATOR_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER})
# Scans and photos only (served back inline, so nothing a browser would run), at most 20 MB each.
UPLOAD_SUFFIXES = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "pdf"})
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def check_upload(upload: UploadedFile) -> None:
    name = upload.name or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in UPLOAD_SUFFIXES:
        raise InvalidChange(f"只能上传图片或 PDF 文件（{name}）")
    if (upload.size or 0) > UPLOAD_MAX_BYTES:
        raise InvalidChange(f"文件过大（{name}），每个文件不超过 20 MB")


@transaction.atomic
def submit_application(*, user: Any, household: Household, channel: str, applicant: Person | None = None,
                       programmes: Sequence[str] | None = None, reason: str = "", on: dt.date | None = None,
                       authorisation_signed: bool = False, authorisation_file: UploadedFile | None = None,
                       ) -> Application:
    """A resident's application (or one made for them by a caseworker) for the household.

    With the signed authorisation (or its scan) the application is accepted at once and the clock starts.
    """
    on = today(on)
    authorise(user, "application", NEW, AppAction.SUBMIT, household.area_id)
    if household.status != HouseholdStatus.ACTIVE:
        raise InvalidChange("该家庭档案已注销")
    if channel not in Channel.values:
        raise InvalidChange(f"未知的申请方式 {channel}")
    wanted = list(programmes or RequestedProgramme.values)
    if not wanted or any(p not in RequestedProgramme.values for p in wanted):
        raise InvalidChange("申请事项须为低保、特困、低保边缘、刚性支出困难之一或多项")
    members = {m.person_id: m for m in current_members(household)}
    if applicant is None:
        head = next((m for m in members.values() if m.relation == "户主"), None)
        if head is None:
            raise InvalidChange("该家庭没有户主，请指定申请人")
        applicant = head.person
    if applicant.pk not in members:
        raise InvalidChange("申请人须为该家庭的现有成员")
    if Application.objects.filter(household=household, state__in=OPEN_STATES).exists():
        raise InvalidChange("该家庭已有在办的申请")
    application = Application.objects.create(
        household=household, applicant=applicant, area_id=household.area_id,
        programmes=[p for p in RequestedProgramme.values if p in wanted], channel=channel, reason=reason.strip(),
        state=NEW, submitted_on=on, last_step_on=on, submitted_by=user,
    )
    application.number = number("SQ", on, application.pk)
    move(application, AppAction.SUBMIT, user=user, on=on, note=Channel(channel).label)
    if authorisation_signed or authorisation_file is not None:
        _accept(application, user=user, on=on, signed=authorisation_signed, file=authorisation_file)
    return application


def _accept(application: Application, *, user: Any, on: dt.date, signed: bool, file: UploadedFile | None) -> None:
    if not signed and file is None:
        raise InvalidChange("请上传授权书扫描件或确认申请人已签署授权书")
    move(application, AppAction.RECORD_AUTHORISATION, user=user, on=on, save=False,
         note="已上传授权书" if file is not None else "已签署授权书")
    application.authorisation_signed = True
    application.authorisation_date = on
    if file is not None:
        check_upload(file)
        application.authorisation_file.save(file.name or "authorisation.pdf", file, save=False)
    application.accepted_on = on
    deadline = add_working_days(on, procedure_int("decision_working_days", on))
    application.base_due_date = application.due_date = deadline.date
    application.calendar_complete = deadline.complete
    application.save()


@transaction.atomic
def record_authorisation(application: Application, *, user: Any, signed: bool = False,
                         file: UploadedFile | None = None, on: dt.date | None = None) -> Application:
    """核对授权: the family authorises the check of its finances; the application is accepted (受理)."""
    application = lock(application)
    _accept(application, user=user, on=today(on), signed=signed, file=file)
    return application


@transaction.atomic
def assign_investigators(application: Application, *, user: Any, investigator_1: User, investigator_2: User,
                         on: dt.date | None = None) -> Investigation:
    """Two investigators (入户调查不少于2人), both staff of the community or street of the case."""
    application = lock(application)
    on = today(on)
    if investigator_1.pk == investigator_2.pk:
        raise InvalidChange("入户调查须由两名不同的工作人员进行")
    for person in (investigator_1, investigator_2):
        if not (person.is_active and person.role in INVESTIGATOR_ROLES and in_scope(person, application.area_id)):
            raise InvalidChange(f"{person} 不是本社区或街道的工作人员")
    move(application, AppAction.ASSIGN_INVESTIGATORS, user=user, on=on,
         note=f"{investigator_1}、{investigator_2}")
    return Investigation.objects.create(application=application, investigator_1=investigator_1,
                                        investigator_2=investigator_2, assigned_on=on)


def _money(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise InvalidChange(f"{what} 不是有效金额") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidChange(f"{what} 须为不小于 0 的金额（至多两位小数）")
    return amount


def _codes(values: Iterable[str], allowed: list[str], what: str) -> list[str]:
    out = [str(v) for v in values]
    bad = [v for v in out if v not in allowed]
    if bad:
        raise InvalidChange(f"{what}：未知的值 {bad[0]}")
    return out


def _member_row(investigation: Investigation, data: Mapping[str, Any], relation: str, person: Person,
                ) -> InvestigatedMember:
    dtype = data.get("disability_type") or ""
    grade = data.get("disability_grade") or None
    if bool(dtype) != bool(grade):
        raise InvalidChange(f"{person.name}：残疾类别与等级须同时填写")
    if dtype and dtype not in DisabilityType.values:
        raise InvalidChange(f"{person.name}：未知的残疾类别 {dtype}")
    if grade is not None and int(grade) not in (1, 2, 3, 4):
        raise InvalidChange(f"{person.name}：残疾等级须为 1–4")
    self_care = data.get("self_care") or ""
    if self_care and self_care not in SelfCare.values:
        raise InvalidChange(f"{person.name}：未知的自理能力 {self_care}")
    return InvestigatedMember(
        investigation=investigation, person=person, relation=relation,
        monthly_income=_money(data.get("monthly_income"), f"{person.name} 月收入"),
        income_note=str(data.get("income_note") or "")[:255],
        financial_assets=_money(data.get("financial_assets"), f"{person.name} 金融资产"),
        disability_type=dtype, disability_grade=int(grade) if grade else None,
        serious_illness=bool(data.get("serious_illness")), self_care=self_care,
        no_supporter=bool(data.get("no_supporter")), orphan=bool(data.get("orphan")),
        single_cover=bool(data.get("single_cover")),
    )


@transaction.atomic
def record_investigation(application: Application, *, user: Any, visit_date: dt.date, visit_record: str,
                         members: Mapping[int, Mapping[str, Any]], household_data: Mapping[str, Any] | None = None,
                         neighbour_visits: str = "", irregular_income: bool = False,
                         documents: Sequence[tuple[str, UploadedFile]] = (), on: dt.date | None = None,
                         ) -> Investigation:
    """The home visit (入户调查): what each current member declared, the household's assets, documents.

    ``members`` maps every current member's person id to their inputs (monthly_income, financial_assets,
    disability_type/grade, serious_illness, self_care, no_supporter, orphan, single_cover, income_note).
    Recorded by one of the two assigned investigators.
    """
    application = lock(application)
    on = today(on)
    move(application, AppAction.RECORD_INVESTIGATION, user=user, on=on, save=False)
    investigation = application.investigations.select_for_update().order_by("-id").first()
    assert investigation is not None  # the table only allows this after assign_investigators
    if user.pk not in (investigation.investigator_1_id, investigation.investigator_2_id):
        raise Forbidden("入户调查记录须由指派的调查人员录入")
    if visit_date > on or visit_date < investigation.assigned_on:
        raise InvalidChange("入户日期须在指派之后、录入之前")
    required(visit_record, "入户调查记录")
    current = {m.person_id: m for m in current_members(application.household)}
    declared = {int(pid): values for pid, values in members.items()}
    if set(declared) != set(current):
        raise InvalidChange("须逐一录入家庭的全部现有成员")
    data = dict(household_data or {})
    investigation.visit_date = visit_date
    investigation.visit_record = visit_record.strip()
    investigation.neighbour_visits = neighbour_visits.strip()
    investigation.vehicles = _codes(data.get("vehicles", []), Vehicle.values, "车辆")
    investigation.business_roles = _codes(data.get("business_roles", []), BusinessRole.values, "市场主体")
    investigation.residential_properties = int(data.get("residential_properties") or 0)
    investigation.commercial_properties = int(data.get("commercial_properties") or 0)
    investigation.rigid_expenses_12m = _money(data.get("rigid_expenses_12m"), "刚性支出")
    income_12m = data.get("income_12m")
    investigation.income_12m = None if income_12m in (None, "") else _money(income_12m, "近12个月收入")
    investigation.irregular_income = irregular_income
    investigation.recorded_on = on
    investigation.recorded_by = user
    investigation.save()
    rows = [_member_row(investigation, declared[pid], current[pid].relation, current[pid].person) for pid in current]
    for row in rows:
        row.save()
    for kind, upload in documents:
        attach_document(application, investigation=investigation, kind=kind, upload=upload, user=user)
    application.irregular_income = irregular_income
    application.save()
    return investigation


def attach_document(application: Application, *, kind: str, upload: UploadedFile, user: Any,
                    investigation: Investigation | None = None) -> SupportingDocument:
    """Keep one supporting document (called inside the action that receives it)."""
    if kind not in DocumentKind.values:
        raise InvalidChange(f"未知的材料类型 {kind}")
    check_upload(upload)
    doc = SupportingDocument(application=application, investigation=investigation, kind=kind,
                             original_name=(upload.name or "file")[:255], uploaded_by=user)
    doc.file.save(upload.name or "file", upload, save=False)
    doc.save()
    return doc


@transaction.atomic
def extend_deadline(application: Application, *, user: Any, reason: str, on: dt.date | None = None) -> Application:
    """特殊情况延长: 30 → 45 working days from acceptance, once, with the reason written down."""
    application = lock(application)
    on = today(on)
    reason = required(reason, "延期原因")
    if application.extended_on is not None:
        raise InvalidChange("办理时限已延长过一次")
    if application.accepted_on is None:
        raise InvalidChange("申请尚未受理，时限尚未起算")
    move(application, AppAction.EXTEND_DEADLINE, user=user, on=on, note=reason, save=False)
    deadline = add_working_days(application.accepted_on,
                                procedure_int("extended_working_days", application.accepted_on))
    application.due_date = deadline.date
    application.calendar_complete = application.calendar_complete and deadline.complete
    application.extended_on = on
    application.extension_reason = reason
    if application.overdue_since and not application.overdue_on(on):
        application.overdue_since = None
    application.save()
    Decision.objects.create(application=application, kind=DecisionKind.EXTENSION, outcome=Outcome.EXTENDED,
                            reasons=reason, decided_on=on, decided_by=user,
                            data={"due_date": deadline.date.isoformat()})
    return application


@transaction.atomic
def withdraw_application(application: Application, *, user: Any, reason: str,
                         on: dt.date | None = None) -> Application:
    """The applicant withdraws (before the street's review)."""
    application = lock(application)
    on = today(on)
    reason = required(reason, "撤回原因")
    move(application, AppAction.WITHDRAW, user=user, on=on, note=reason)
    Decision.objects.create(application=application, kind=DecisionKind.WITHDRAWAL, outcome=Outcome.WITHDRAWN,
                            reasons=reason, decided_on=on, decided_by=user)
    return application
