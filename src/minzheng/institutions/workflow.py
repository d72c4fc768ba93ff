"""The transition tables of the app: state × action → next state(s), and the roles that may act.

:func:`authorise` is the one gate of every workflow action, in this order: the institution outside what the
user may see → :class:`NotFound` (it looks missing); an action the state does not allow →
:class:`IllegalTransition`; a role that may not take it → :class:`Forbidden`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.institutions.choices import (
    APPLIES_FOR_RATING,
    INSPECTS,
    RATES,
    SUBMITS_RECTIFICATION,
    VERIFIES,
    FindingAction,
    FindingState,
    RatingAction,
    RatingState,
)

NEW = "new"  # the pseudo-state before the record exists


class IllegalTransition(InvalidChange):
    """The record's state does not allow this action."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    targets: tuple[str, ...]
    roles: frozenset[str]

    @property
    def target(self) -> str:
        return self.targets[0]


F, FS = FindingAction, FindingState
FINDING_FLOW: tuple[Transition, ...] = (
    Transition(NEW, F.FIND, (FS.OPEN,), INSPECTS),
    Transition(FS.OPEN, F.ASSIGN, (FS.RECTIFYING,), INSPECTS),
    Transition(FS.REOPENED, F.ASSIGN, (FS.RECTIFYING,), INSPECTS),
    Transition(FS.RECTIFYING, F.ASSIGN, (FS.RECTIFYING,), VERIFIES),  # a new owner or deadline (延期)
    Transition(FS.OPEN, F.SUBMIT, (FS.SUBMITTED,), SUBMITS_RECTIFICATION),  # 立查立改
    Transition(FS.RECTIFYING, F.SUBMIT, (FS.SUBMITTED,), SUBMITS_RECTIFICATION),
    Transition(FS.REOPENED, F.SUBMIT, (FS.SUBMITTED,), SUBMITS_RECTIFICATION),
    Transition(FS.SUBMITTED, F.VERIFY, (FS.VERIFIED,), VERIFIES),
    Transition(FS.SUBMITTED, F.REJECT, (FS.REOPENED,), VERIFIES),
    Transition(FS.VERIFIED, F.CLOSE, (FS.CLOSED,), VERIFIES),
    Transition(FS.VERIFIED, F.REOPEN, (FS.REOPENED,), VERIFIES),
    Transition(FS.CLOSED, F.REOPEN, (FS.REOPENED,), VERIFIES),
)

R, RS = RatingAction, RatingState
RATING_FLOW: tuple[Transition, ...] = (
    Transition(NEW, R.APPLY, (RS.APPLIED,), APPLIES_FOR_RATING),
    Transition(RS.APPLIED, R.RATE, (RS.RATED, RS.NOT_RATED), RATES),
    Transition(RS.APPLIED, R.WITHDRAW, (RS.WITHDRAWN,), APPLIES_FOR_RATING),
)


def label(value: str) -> str:
    """The Chinese label of a state or action code (the code itself if unknown)."""
    for choices in (FindingState, FindingAction, RatingState, RatingAction):
        if str(value) in choices.values:
            return str(choices(str(value)).label)
    return str(value)


def _index(table: Iterable[Transition]) -> dict[tuple[str, str], Transition]:
    index: dict[tuple[str, str], Transition] = {}
    for row in table:
        key = (str(row.source), str(row.action))
        if key in index:
            raise RuntimeError(f"two transitions for {key}")
        index[key] = row
    return index


_TABLES = {"finding": _index(FINDING_FLOW), "rating": _index(RATING_FLOW)}


def transition(flow: str, state: str, action: str) -> Transition:
    """The row for ``(state, action)`` or :class:`IllegalTransition`."""
    row = _TABLES[flow].get((str(state), str(action)))
    if row is None:
        raise IllegalTransition(f"当前状态（{label(state)}）不能办理“{label(action)}”")
    return row


def actions_from(flow: str, state: str, user: Any = None) -> list[Transition]:
    """The rows leaving ``state`` (only those the user's role may take, when a user is given)."""
    rows = [row for (source, _), row in _TABLES[flow].items() if source == str(state)]
    if user is not None:
        rows = [row for row in rows if getattr(user, "role", None) in row.roles]
    return rows


def authorise(user: Any, flow: str, state: str, action: str, institution: Any) -> Transition:
    """Scope, then the table, then the role (see the module docstring). ``None`` is the system."""
    from minzheng.institutions.selectors import can_see

    if user is not None and not can_see(user, institution):
        raise NotFound("未找到该机构")
    row = transition(flow, state, action)
    if user is not None and user.role not in row.roles:
        raise Forbidden(f"当前角色不能办理“{label(action)}”")
    return row
