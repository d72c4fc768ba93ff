"""Helpers shared by the payments actions: the district lock, months, money and the audit area."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

from django.db import connection

from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.models import Area
from minzheng.rules.model import InputError, Month

FEN = Decimal("0.01")


def lock_district(district: str) -> None:
    """Serialise the payroll writers of one district for the rest of the transaction.

    PostgreSQL: a transaction-level advisory lock; SQLite: the IMMEDIATE transactions of the settings
    already take the database's write lock when they begin."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"minzheng.payroll:{district}".encode())])


def parse_month(text: object) -> Month:
    try:
        return Month.parse(text)
    except InputError:
        raise InvalidChange(f"月份须为 YYYY-MM：{text!r}") from None


def district_area(code: str) -> Area:
    code = (code or "").strip()[:6]
    area = Area.objects.filter(code=f"{code}000000", level="district").first() if len(code) == 6 else None
    if area is None:
        raise NotFound(f"未找到区县 {code}")
    return area


def district_code(district: str) -> str:
    return f"{district}000000"


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def month_day(month_index: int) -> dt.date:
    return Month.from_index(month_index).first_day
