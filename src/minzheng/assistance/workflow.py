"""The transition tables: state × action → next state, and which level of the tree acts.

Each row names the levels (社区 community, 街道 street, 区县 district) whose staff may take the action. A
level acts through its role (community → ``community_worker``, street → ``street_reviewer``, district →
``district_approver``) and the acting user's jurisdiction must be a node of that level containing the
case's community. :func:`authorise` is the one gate every action goes through: out of the user's
jurisdiction → :class:`NotFound` (the case looks missing), an action the state does not allow →
:class:`IllegalTransition`, the wrong role or level → :class:`Forbidden`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from minzheng.assistance.choices import AppAction, AppState, TempAction, TempState
from minzheng.authz.choices import Role
from minzheng.authz.scope import in_scope
from minzheng.core.choices import AreaLevel
from minzheng.core.errors import Forbidden, InvalidChange, NotFound

C, S, D = AreaLevel.COMMUNITY, AreaLevel.STREET, AreaLevel.DISTRICT
LEVEL_ROLE = {C: Role.COMMUNITY_WORKER, S: Role.STREET_REVIEWER, D: Role.DISTRICT_APPROVER}
LEVEL_LABEL = {C: "社区", S: "街道", D: "区县"}
NEW = "new"  # the pseudo-state before a case exists


class IllegalTransition(InvalidChange):
    """The case's state does not allow this action."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    levels: tuple[AreaLevel, ...]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(LEVEL_ROLE[level] for level in self.levels)

    @property
    def who(self) -> str:
        return "/".join(LEVEL_LABEL[level] for level in self.levels)


A, St = AppAction, AppState
_OPEN_BEFORE_REVIEW = (St.SUBMITTED, St.ACCEPTED, St.INVESTIGATING, St.INVESTIGATED, St.EVALUATED)
_EXTENDABLE = (*_OPEN_BEFORE_REVIEW, St.EXCEPTION, St.STREET_APPROVED, St.IN_NOTICE, St.DISTRICT_REVIEW)

APPLICATION_FLOW: tuple[Transition, ...] = (
    Transition(NEW, A.SUBMIT, St.SUBMITTED, (C, S)),
    Transition(St.SUBMITTED, A.RECORD_AUTHORISATION, St.ACCEPTED, (C, S)),
    Transition(St.ACCEPTED, A.ASSIGN_INVESTIGATORS, St.INVESTIGATING, (C, S)),
    Transition(St.INVESTIGATING, A.RECORD_INVESTIGATION, St.INVESTIGATED, (C, S)),
    Transition(St.INVESTIGATED, A.EVALUATE, St.EVALUATED, (C, S)),
    Transition(St.EVALUATED, A.EVALUATE, St.EVALUATED, (C, S)),
    Transition(St.EVALUATED, A.STREET_APPROVE, St.STREET_APPROVED, (S,)),
    Transition(St.EVALUATED, A.STREET_REJECT, St.REJECTED, (S,)),
    Transition(St.EVALUATED, A.PROPOSE_EXCEPTION, St.EXCEPTION, (S,)),
    Transition(St.EXCEPTION, A.APPROVE_EXCEPTION, St.STREET_APPROVED, (D,)),
    Transition(St.EXCEPTION, A.DECLINE_EXCEPTION, St.EVALUATED, (D,)),
    Transition(St.STREET_APPROVED, A.PUBLISH_NOTICE, St.IN_NOTICE, (S,)),
    Transition(St.IN_NOTICE, A.CLOSE_NOTICE, St.DISTRICT_REVIEW, (S,)),
    Transition(St.IN_NOTICE, A.UPHOLD_OBJECTION, St.ACCEPTED, (S,)),
    Transition(St.DISTRICT_REVIEW, A.DISTRICT_APPROVE, St.APPROVED, (D,)),
    Transition(St.DISTRICT_REVIEW, A.DISTRICT_REJECT, St.REJECTED, (D,)),
    Transition(St.REJECTED, A.NOTIFY_REJECTION, St.NOTIFIED, (C, S)),
    *(Transition(state, A.EXTEND_DEADLINE, state, (S, D)) for state in _EXTENDABLE),
    *(Transition(state, A.WITHDRAW, St.WITHDRAWN, (C, S)) for state in _OPEN_BEFORE_REVIEW),
)

T, Ts = TempAction, TempState
TEMPORARY_FLOW: tuple[Transition, ...] = (
    Transition(NEW, T.HELP_FIRST, Ts.HELPED, (C, S)),
    Transition(NEW, T.REQUEST, Ts.PENDING, (C, S)),
    Transition(Ts.HELPED, T.COMPLETE_PAPERWORK, Ts.PENDING, (C, S)),
    # The amount decides between the two levels (street up to the threshold): see actions.temporary.
    Transition(Ts.PENDING, T.APPROVE, Ts.APPROVED, (S, D)),
    Transition(Ts.PENDING, T.REJECT, Ts.REJECTED, (S, D)),
)


def _index(table: Iterable[Transition]) -> dict[tuple[str, str], Transition]:
    index: dict[tuple[str, str], Transition] = {}
    for row in table:
        key = (str(row.source), str(row.action))
        if key in index:
            raise RuntimeError(f"two transitions for {key}")
        index[key] = row
    return index


_TABLES = {"application": _index(APPLICATION_FLOW), "temporary": _index(TEMPORARY_FLOW)}


def transition(flow: str, state: str, action: str) -> Transition:
    """The row for ``(state, action)`` or :class:`IllegalTransition`."""
    row = _TABLES[flow].get((str(state), str(action)))
    if row is None:
        raise IllegalTransition(f"当前状态（{state}）不能执行“{action}”")
    return row


def actions_from(flow: str, state: str) -> list[Transition]:
    return [row for (source, _), row in _TABLES[flow].items() if source == str(state)]


def acting_level(user: Any) -> AreaLevel | None:
    jurisdiction = getattr(user, "jurisdiction", None)
    if jurisdiction is None:
        return None
    level = AreaLevel(jurisdiction.level)
    return level if LEVEL_ROLE.get(level) == getattr(user, "role", None) else None


def may(user: Any, row: Transition) -> bool:
    """The user's role and jurisdiction level are among the row's levels (scope is checked apart)."""
    return acting_level(user) in row.levels


def authorise(user: Any, flow: str, state: str, action: str, area_code: str) -> Transition:
    """The one gate of every workflow action (see the module docstring for the order of the checks)."""
    if not in_scope(user, area_code):
        raise NotFound("未找到该案件")
    row = transition(flow, state, action)
    if not may(user, row):
        raise Forbidden(f"“{action}”须由{row.who}工作人员办理")
    return row


# Actions on running enrollments, review tasks and assessments: no state machine, but the same rule of
# who acts at which level (乡镇/街道 核查, 县级民政 决定增发、减发、停发).
LIFE_ACTIONS: dict[str, tuple[AreaLevel, ...]] = {
    "report_change": (C, S),
    "complete_review": (C, S),
    "tekun_assessment": (C, S, D),
    "reduce": (D,),
    "increase": (D,),
    "suspend": (D,),
    "resume": (D,),
    "exit": (D,),
    "gradual_exit": (D,),
}


def authorise_life(user: Any, action: str, area_code: str) -> None:
    """Scope first (:class:`NotFound`), then the level that acts (:class:`Forbidden`)."""
    if not in_scope(user, area_code):
        raise NotFound("未找到该记录")
    levels = LIFE_ACTIONS[action]
    if acting_level(user) not in levels:
        raise Forbidden("须由" + "/".join(LEVEL_LABEL[level] for level in levels) + "工作人员办理")
