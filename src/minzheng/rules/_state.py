"""Working state of one evaluation, shared by the rule families (``evaluate`` and ``means``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from minzheng.rules.explain import MEMBER_AMOUNTS, Step, UsedParameter
from minzheng.rules.model import ZERO, Household, Member, Month
from minzheng.rules.parameters import ParameterSet, ParamValue

LOW_INCOME_CATEGORIES = ("tekun", "dibao", "dibao_edge")


def round_half_up(amount: Decimal) -> Decimal:
    """Half-up to the whole yuan (``1378.5`` → ``1379``; never banker's rounding)."""
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


class State:
    """Everything the rule families read and write while evaluating one household for one month."""

    def __init__(self, household: Household, month: Month, params: ParameterSet) -> None:
        self.household = household
        self.month = month
        self.on = month.first_day
        self.params = params
        self.steps: list[Step] = []
        self.present: list[Member] = [m for m in household.members if m.present(month)]
        self.orphans: set[str] = set()
        self.tekun: set[str] = set()
        self.single_cover: set[str] = set()
        self.base: list[Member] = []  # members left for dibao and below: not orphans, not tekun
        self.base_status = "none"  # dibao, dibao_edge, rigid_hardship or none, judged on ``base``
        self.category = "none"
        self.assets_ok: dict[str, bool | None] = {"dibao": None, "edge": None}
        self.dibao_difference = ZERO  # the base's rounded difference (单人保 amounts kept per member)
        self.amounts: dict[str, dict[str, Decimal]] = {
            m.id: dict.fromkeys(MEMBER_AMOUNTS, ZERO) for m in household.members
        }

    def step(self, rule: str, title: str) -> Step:
        step = Step(rule=rule, title=title)
        self.steps.append(step)
        return step

    def param(self, step: Step, name: str) -> ParamValue | None:
        """The value in force on the month's first day, recorded on ``step`` (``None`` = not in force)."""
        return self.param_on(step, name, self.month)

    def param_on(self, step: Step, name: str, month: Month) -> ParamValue | None:
        found = self.params.get(name, month.first_day)
        key = (name, found.since if found else None)
        if all((u.name, u.value.since if u.value else None) != key for u in step.parameters):
            step.parameters.append(UsedParameter(name, found, self.params.first_date(name)))
        return found

    def number(self, step: Step, name: str) -> Decimal | None:
        found = self.param(step, name)
        return None if found is None else found.number

    def years(self, step: Step, name: str) -> int | None:
        found = self.number(step, name)
        return None if found is None else int(found)

    def severe(self, member: Member, max_grade: int | None) -> bool:
        """Holds a severe certificate (grade 1..``max_grade``, any type)."""
        grade = member.disability_grade
        return max_grade is not None and grade is not None and grade <= max_grade
