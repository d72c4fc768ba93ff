"""Reads of the payments app, scoped to the user's jurisdiction (out of scope → :class:`NotFound`).

A payroll is a district's: district and city staff see it, and street and community staff see it too
(its figures are totals) but only the entries, lines and recoveries of their own area.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from minzheng.authz.scope import area_prefix
from minzheng.core.errors import NotFound
from minzheng.core.models import Household
from minzheng.payments.models import (
    BankAccount,
    Disbursement,
    DisbursementLine,
    LedgerEntry,
    Payroll,
    Recovery,
)


def visible_payrolls(user: Any) -> QuerySet[Payroll]:
    prefix = area_prefix(user)
    if prefix is None:
        return Payroll.objects.none()
    return Payroll.objects.filter(Q(district__startswith=prefix) | Q(district=prefix[:6])).select_related("area")


def get_payroll(user: Any, pk: int | str) -> Payroll:
    try:
        return visible_payrolls(user).select_related(
            "prepared_by", "checked_by", "approved_by", "released_by", "rule_version").get(pk=int(pk))
    except (Payroll.DoesNotExist, ValueError):
        raise NotFound("未找到该工资单") from None


def visible_entries(user: Any) -> QuerySet[LedgerEntry]:
    prefix = area_prefix(user)
    if prefix is None:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(area_code__startswith=prefix)


def get_entry(user: Any, pk: int | str) -> LedgerEntry:
    try:
        return visible_entries(user).select_related(
            "payroll", "household", "person", "basis", "rule_version", "enrollment", "reversed_entry", "recovery",
            "created_by").get(pk=int(pk))
    except (LedgerEntry.DoesNotExist, ValueError):
        raise NotFound("未找到该明细") from None


def key_entries(user: Any, entry: LedgerEntry) -> QuerySet[LedgerEntry]:
    """Every entry of the same beneficiary, programme and month (what nets to what was given)."""
    return visible_entries(user).filter(beneficiary_type=entry.beneficiary_type, beneficiary_id=entry.beneficiary_id,
                                        programme=entry.programme, benefit_month=entry.benefit_month
                                        ).select_related("payroll").order_by("id")


def visible_lines(user: Any) -> QuerySet[DisbursementLine]:
    prefix = area_prefix(user)
    if prefix is None:
        return DisbursementLine.objects.none()
    return DisbursementLine.objects.filter(area_code__startswith=prefix)


def get_disbursement(user: Any, pk: int | str) -> Disbursement:
    try:
        disbursement = Disbursement.objects.select_related("payroll__area").get(pk=int(pk))
    except (Disbursement.DoesNotExist, ValueError):
        raise NotFound("未找到该代发批次") from None
    if not visible_payrolls(user).filter(pk=disbursement.payroll_id).exists():
        raise NotFound("未找到该代发批次")
    return disbursement


def get_line(user: Any, pk: int | str) -> DisbursementLine:
    try:
        return visible_lines(user).select_related("disbursement__payroll", "account", "household", "person",
                                                  "reissue_of").get(pk=int(pk))
    except (DisbursementLine.DoesNotExist, ValueError):
        raise NotFound("未找到该代发明细") from None


def visible_recoveries(user: Any) -> QuerySet[Recovery]:
    prefix = area_prefix(user)
    if prefix is None:
        return Recovery.objects.none()
    return Recovery.objects.filter(area_code__startswith=prefix).select_related("household", "person", "payroll")


def get_recovery(user: Any, pk: int | str) -> Recovery:
    try:
        return visible_recoveries(user).get(pk=int(pk))
    except (Recovery.DoesNotExist, ValueError):
        raise NotFound("未找到该追回记录") from None


def household_entries(user: Any, household: Household) -> QuerySet[LedgerEntry]:
    """The household's payment history (its own and its members' programmes), newest month first."""
    return visible_entries(user).filter(household=household).select_related("person", "payroll").order_by(
        "-benefit_month", "programme", "-id")


def household_lines(user: Any, household: Household) -> QuerySet[DisbursementLine]:
    return visible_lines(user).filter(household=household).select_related(
        "disbursement__payroll", "account").order_by("-id")


def household_accounts(household: Household) -> QuerySet[BankAccount]:
    members = household.memberships.filter(end_date__isnull=True).values("person_id")
    return BankAccount.objects.filter(Q(household=household) | Q(person_id__in=members)).select_related("person")
