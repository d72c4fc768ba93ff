"""The transition tables of the payments app: payroll, disbursement line and recovery.

Who acts (decided for issue 4, see docs/payments.md): a payroll is prepared by the system job or by a
district approver (经办) or a city administrator; checked (复核) by a district approver of that district
or a city administrator who did not prepare it; approved (审批) only by a district approver of that
district who neither prepared nor checked it; released (发放) by a district approver or a city
administrator. Street and community staff read what lies in their area and act on nothing.

:func:`authorise` is the one gate: a payroll outside the user's district → :class:`NotFound` (it looks
missing); a state that does not allow the action → :class:`IllegalTransition`; the wrong role →
:class:`Forbidden`; the same person at two steps → :class:`SegregationOfDuties`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from minzheng.authz.choices import Role
from minzheng.authz.scope import area_prefix
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.payments.choices import (
    LineAction,
    LineState,
    PayrollAction,
    PayrollState,
    RecoveryAction,
    RecoveryState,
)

DA, CA = Role.DISTRICT_APPROVER, Role.CITY_ADMIN
PREPARERS = frozenset({DA, CA})
ROLE_LABEL: dict[str, str] = {DA: "区县审批人员", CA: "市级管理员"}


class IllegalTransition(InvalidChange):
    """The record's state does not allow this action."""


class SegregationOfDuties(Forbidden):
    """Maker-checker: the same person may not take two steps of one payroll."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]

    @property
    def who(self) -> str:
        return "或".join(ROLE_LABEL.get(r, r) for r in sorted(self.roles))


P, S = PayrollAction, PayrollState
PAYROLL_FLOW: tuple[Transition, ...] = (
    Transition(S.DRAFT, P.COMPUTE, S.PREPARED, PREPARERS),
    Transition(S.PREPARED, P.RECOMPUTE, S.PREPARED, PREPARERS),
    Transition(S.PREPARED, P.CHECK, S.CHECKED, frozenset({DA, CA})),
    Transition(S.CHECKED, P.RETURN, S.PREPARED, frozenset({DA, CA})),
    Transition(S.CHECKED, P.APPROVE, S.APPROVED, frozenset({DA})),
    Transition(S.APPROVED, P.RELEASE, S.RELEASED, frozenset({DA, CA})),
)

L, LS = LineAction, LineState
LINE_FLOW: tuple[Transition, ...] = (
    Transition(LS.SENT, L.BANK_PAID, LS.PAID, PREPARERS),
    Transition(LS.SENT, L.BANK_FAILED, LS.FAILED, PREPARERS),
    Transition(LS.FAILED, L.REISSUE, LS.REISSUED, PREPARERS),
    Transition(LS.FAILED, L.HOLD, LS.HELD, PREPARERS),
    Transition(LS.HELD, L.REISSUE, LS.REISSUED, PREPARERS),
)

R, RS = RecoveryAction, RecoveryState
RECOVERY_FLOW: tuple[Transition, ...] = (
    Transition(RS.FOUND, R.NOTIFY, RS.NOTIFIED, PREPARERS),
    *(Transition(state, R.REPAY, RS.REPAYING, PREPARERS) for state in (RS.FOUND, RS.NOTIFIED, RS.REPAYING)),
    Transition(RS.REPAYING, R.COMPLETE, RS.RECOVERED, PREPARERS),
    *(Transition(state, R.WRITE_OFF, RS.WRITTEN_OFF, frozenset({DA}))
      for state in (RS.FOUND, RS.NOTIFIED, RS.REPAYING)),
)


def _index(table: Iterable[Transition]) -> dict[tuple[str, str], Transition]:
    index: dict[tuple[str, str], Transition] = {}
    for row in table:
        key = (str(row.source), str(row.action))
        if key in index:
            raise RuntimeError(f"two transitions for {key}")
        index[key] = row
    return index


_TABLES = {"payroll": _index(PAYROLL_FLOW), "line": _index(LINE_FLOW), "recovery": _index(RECOVERY_FLOW)}


def transition(flow: str, state: str, action: str) -> Transition:
    """The row for ``(state, action)`` or :class:`IllegalTransition`."""
    row = _TABLES[flow].get((str(state), str(action)))
    if row is None:
        raise IllegalTransition(f"当前状态（{state}）不能执行“{action}”")
    return row


def actions_from(flow: str, state: str) -> list[Transition]:
    return [row for (source, _), row in _TABLES[flow].items() if source == str(state)]


def sees_district(user: Any, district: str) -> bool:
    """The user's jurisdiction contains the district or lies inside it (streets read their district's
    payroll figures; their entries are filtered further by area)."""
    prefix = area_prefix(user)
    return prefix is not None and (district.startswith(prefix) or prefix.startswith(district))


def acts_on_district(user: Any, district: str) -> bool:
    """District or city staff whose jurisdiction contains the whole district."""
    prefix = area_prefix(user)
    return prefix is not None and district.startswith(prefix)


def authorise(user: Any, flow: str, state: str, action: str, district: str, *, system_ok: bool = False
              ) -> Transition:
    """The gate of every payments action (see the module docstring for the order of the checks).

    ``user=None`` is the system (the command line, a scheduled job); only ``system_ok`` actions allow it.
    """
    if user is None:
        if not system_ok:
            raise Forbidden("须由工作人员办理")
        return transition(flow, state, action)
    if not sees_district(user, district):
        raise NotFound("未找到该记录")
    row = transition(flow, state, action)
    if user.role not in row.roles or not acts_on_district(user, district):
        raise Forbidden(f"“{action}”须由{row.who}办理")
    return row


def segregate(user: Any, *earlier: Any) -> None:
    """Refuse when ``user`` already took an earlier step of the same payroll."""
    if user is None:
        return
    for other in earlier:
        if other is not None and getattr(other, "pk", other) == user.pk:
            raise SegregationOfDuties("同一人员不能既编制（或复核）又复核（或审批）同一工资单")
