"""Payment reports over the ledger of released payrolls, scoped to the user's area.

"Paid" (发放) counts payments, arrears and reversals of released payrolls, by the month they were paid
(``posting_month``: June's arrears paid in September count in September); recoveries are shown apart.
``cumulative_paid`` is the bureau's "累计发放保障资金" for a period: one aggregate query.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from minzheng.core.shenyang import DISTRICTS
from minzheng.payments.choices import PAID_KINDS, PROGRAMME_LABELS, EntryKind, PayrollState
from minzheng.payments.models import LedgerEntry
from minzheng.payments.selectors import visible_entries
from minzheng.rules.explain import CATEGORY_ZH

FEN = Decimal("0.01")
DIMENSIONS = {"month": "posting_month", "district": "district", "programme": "programme", "category": "category"}
DIMENSION_LABELS = {"month": "发放月份", "district": "区县", "programme": "项目", "category": "家庭类别"}
DISTRICT_NAMES = dict(DISTRICTS)


def released_entries(user: Any, start: dt.date, end: dt.date) -> QuerySet[LedgerEntry]:
    """Entries of released payrolls paid in ``[start, end]`` (first days of months) the user may see."""
    return visible_entries(user).filter(payroll__state=PayrollState.RELEASED, posting_month__gte=start,
                                        posting_month__lte=end)


def cumulative_paid(user: Any, start: dt.date, end: dt.date) -> Decimal:
    """累计发放: everything paid from ``start`` to ``end`` (months, both included) in one query."""
    total = released_entries(user, start, end).filter(kind__in=PAID_KINDS).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(FEN)


def paid_table(user: Any, start: dt.date, end: dt.date, by: list[str]) -> list[dict[str, Any]]:
    """Paid and recovered by the chosen dimensions (``month``, ``district``, ``programme``, ``category``)."""
    fields = [DIMENSIONS[d] for d in by if d in DIMENSIONS] or ["posting_month"]
    qs = released_entries(user, start, end).values(*fields).annotate(
        paid=Sum("amount", filter=Q(kind__in=PAID_KINDS)),
        recovered=Sum("amount", filter=Q(kind=EntryKind.RECOVERY)), entries=Count("id"),
    ).order_by(*fields)
    rows = []
    for row in qs:
        rows.append({
            **row,
            "paid": Decimal(row["paid"] or 0).quantize(FEN), "recovered": Decimal(row["recovered"] or 0).quantize(FEN),
            "labels": [_label(f, row[f]) for f in fields],
        })
    return rows


def _label(field: str, value: Any) -> str:
    if field == "posting_month":
        return f"{value:%Y-%m}"
    if field == "district":
        return DISTRICT_NAMES.get(value, value)
    if field == "programme":
        return PROGRAMME_LABELS.get(value, value)
    if field == "category":
        return CATEGORY_ZH.get(value, value or "—").split("（")[0]
    return str(value)


def column_labels(by: list[str]) -> list[str]:
    return [DIMENSION_LABELS[d] for d in by if d in DIMENSIONS] or [DIMENSION_LABELS["month"]]
