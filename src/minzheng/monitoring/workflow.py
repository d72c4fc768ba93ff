"""The transition table of an alert: state × action → next state, and who may take the action.

Staff act by level: the community worker of the alert's community always; once the overdue sweep has
escalated an alert, the street reviewer of its street (level street or district) and the district
approver of its district (level district) may act on it too. Generating, pushing, reopening, evidence
updates and escalation are the system's (``user=None``) or a data operator's running the scenarios.

:func:`authorise` is the one gate: out of the user's jurisdiction → :class:`NotFound` (the alert looks
missing), a move the table does not have → :class:`IllegalTransition`, the wrong role or level →
:class:`Forbidden`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from minzheng.authz.choices import RUNS_IMPORTS, Role
from minzheng.authz.scope import has_role, in_scope
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.monitoring.choices import LEVEL_RANK, AlertAction, AlertState, Level

NEW = "new"  # the pseudo-state before an alert exists
SYSTEM = "system"
C, S, D = Level.COMMUNITY, Level.STREET, Level.DISTRICT
STAFF = (C, S, D)
LEVEL_ROLE = {C: Role.COMMUNITY_WORKER, S: Role.STREET_REVIEWER, D: Role.DISTRICT_APPROVER}
AREA_LEVEL = {"community": C, "street": S, "district": D}


class IllegalTransition(InvalidChange):
    """The alert's state does not allow this action."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    actors: tuple[str, ...]

    @property
    def label(self) -> str:
        return AlertAction(self.action).label

    @property
    def by_system(self) -> bool:
        return self.actors == (SYSTEM,)


A, St = AlertAction, AlertState
_OPEN = (St.GENERATED, St.PUSHED, St.SIGNED, St.VERIFYING, St.JUDGED, St.DISPOSED)
_CLOCK = (St.PUSHED, St.SIGNED, St.VERIFYING)

ALERT_FLOW: tuple[Transition, ...] = (
    Transition(NEW, A.GENERATE, St.GENERATED, (SYSTEM,)),
    Transition(St.GENERATED, A.PUSH, St.PUSHED, (SYSTEM,)),
    Transition(St.PUSHED, A.SIGN_FOR, St.SIGNED, STAFF),
    Transition(St.SIGNED, A.START_VERIFICATION, St.VERIFYING, STAFF),
    Transition(St.VERIFYING, A.JUDGE, St.JUDGED, STAFF),
    Transition(St.JUDGED, A.DISPOSE, St.DISPOSED, STAFF),
    # A second measure on the same alert (temporary help first, then an application).
    Transition(St.DISPOSED, A.DISPOSE, St.DISPOSED, STAFF),
    Transition(St.DISPOSED, A.CLOSE, St.CLOSED, STAFF),
    # Newer evidence after the close: the alert starts a new episode and is pushed again.
    Transition(St.CLOSED, A.REOPEN, St.GENERATED, (SYSTEM,)),
    *(Transition(state, A.UPDATE_EVIDENCE, state, (SYSTEM,)) for state in _OPEN),
    *(Transition(state, A.ESCALATE, state, (SYSTEM,)) for state in _CLOCK),
)


def _index(table: Iterable[Transition]) -> dict[tuple[str, str], Transition]:
    index: dict[tuple[str, str], Transition] = {}
    for row in table:
        key = (str(row.source), str(row.action))
        if key in index:
            raise RuntimeError(f"two transitions for {key}")
        index[key] = row
    return index


_TABLE = _index(ALERT_FLOW)
SYSTEM_ACTIONS = frozenset(row.action for row in ALERT_FLOW if row.by_system)


def transition(state: str, action: str) -> Transition:
    """The row for ``(state, action)`` or :class:`IllegalTransition`."""
    row = _TABLE.get((str(state), str(action)))
    if row is None:
        label = AlertState(state).label if state in AlertState.values else state
        what = AlertAction(action).label if action in AlertAction.values else action
        raise IllegalTransition(f"预警当前状态（{label}）不能执行“{what}”")
    return row


def actions_from(state: str) -> list[Transition]:
    return [row for (source, _), row in _TABLE.items() if source == str(state)]


def acting_level(user: Any) -> str | None:
    """The level the user acts at: their role must be the role of their jurisdiction's level."""
    jurisdiction = getattr(user, "jurisdiction", None)
    if jurisdiction is None or not getattr(user, "is_authenticated", False):
        return None
    level = AREA_LEVEL.get(jurisdiction.level)
    return level if level is not None and LEVEL_ROLE[level] == getattr(user, "role", None) else None


def may(user: Any, row: Transition, alert_level: str) -> bool:
    """Staff: the user's level is in the row and the alert has reached it (the community always has)."""
    if row.by_system:
        return user is None or has_role(user, RUNS_IMPORTS)
    level = acting_level(user)
    return level is not None and level in row.actors and LEVEL_RANK[level] <= LEVEL_RANK[alert_level]


def authorise(user: Any, state: str, action: str, *, area_code: str, level: str = C) -> Transition:
    """The one gate of every alert action (see the module docstring for the order of the checks)."""
    if action not in SYSTEM_ACTIONS and not in_scope(user, area_code):
        raise NotFound("未找到该预警")
    row = transition(state, action)
    if not may(user, row, level):
        if row.by_system:
            raise Forbidden(f"“{row.label}”由系统或数据管理员执行")
        raise Forbidden(f"“{row.label}”须由社区工作人员（逾期升级后街道、区县）办理")
    return row


def available(user: Any, state: str, area_code: str, level: str) -> list[Transition]:
    """The staff actions ``user`` may take on an alert now (for the buttons on its page)."""
    if not in_scope(user, area_code):
        return []
    return [row for row in actions_from(state) if not row.by_system and may(user, row, level)]
