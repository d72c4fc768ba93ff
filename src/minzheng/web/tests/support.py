"""Helpers for the view tests of every app (plain functions, so any test package can import them)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from minzheng.core.models import Household
from minzheng.registry.models import Enrollment


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def enroll(household: Household, programme: str, *, person: Any = None, start: dt.date = dt.date(2024, 1, 1),
           end: dt.date | None = None) -> Enrollment:
    return Enrollment.objects.create(household=None if person else household, person=person, programme=programme,
                                     start_date=start, end_date=end, monthly_amount="780.00")


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def head_of(household: Household) -> Any:
    return household.memberships.get(relation="户主", end_date__isnull=True).person
