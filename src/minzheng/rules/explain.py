"""The result of an evaluation and its explanation (steps, parameters used, intermediate figures).

:func:`render_text` prints a result the way ``minzheng policy explain`` shows it: Chinese labels with
the English codes, every parameter with its date and status, assumed values marked
"（假定值 assumed）" so a caseworker sees which figures rest on an assumption.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from minzheng.rules.parameters import ParamValue

CATEGORIES = ("tekun", "dibao", "dibao_edge", "rigid_hardship", "none")  # highest first
CATEGORY_ZH = {
    "tekun": "特困",
    "dibao": "低保",
    "dibao_edge": "低保边缘",
    "rigid_hardship": "刚性支出困难",
    "none": "无（可另行申请专项或临时救助）",
}
HOUSEHOLD_OUTPUTS = (
    "dibao_monthly",
    "dibao_addon_monthly",
    "tekun_monthly",
    "high_age_monthly",
    "orphan_monthly",
    "disability_living_monthly",
    "disability_care_monthly",
    "total_monthly",
)
MEMBER_AMOUNTS = (
    "tekun_monthly",
    "orphan_monthly",
    "single_cover_monthly",
    "dibao_addon_monthly",
    "high_age_monthly",
    "disability_living_monthly",
    "disability_care_monthly",
)
MEMBER_OUTPUTS = ("status", *MEMBER_AMOUNTS)
MEMBER_STATUSES = (
    "absent",
    "orphan",
    "tekun",
    "single_cover",
    "dibao",
    "dibao_edge",
    "rigid_hardship",
    "none",
)
OUTPUT_ZH = {
    "category": "家庭类别",
    "status": "成员状态",
    "dibao_monthly": "低保金（差额，含单人保）",
    "dibao_addon_monthly": "分类施保增发",
    "tekun_monthly": "特困供养金",
    "high_age_monthly": "高龄津贴",
    "orphan_monthly": "孤儿基本生活费",
    "disability_living_monthly": "困难残疾人生活补贴",
    "disability_care_monthly": "重度残疾人护理补贴",
    "single_cover_monthly": "单人保低保金",
    "total_monthly": "合计",
}
STATUS_ZH = {
    "absent": "不计入（未出生或已去世）",
    "orphan": "孤儿",
    "tekun": "特困",
    "single_cover": "单人保",
    "dibao": "低保",
    "dibao_edge": "低保边缘",
    "rigid_hardship": "刚性支出困难",
    "none": "无",
}
ASSUMED_MARK = "（假定值 assumed）"


@dataclass(frozen=True)
class UsedParameter:
    """A parameter consulted by a step: its value (``None`` when not in force) and first date."""

    name: str
    value: ParamValue | None
    first_date: dt.date | None

    def text(self) -> str:
        if self.value is None:
            first = f"（首个值 first value {self.first_date.isoformat()} 起）" if self.first_date else ""
            return f"{self.name}: 未生效 not in force{first} → 需要它的规则不适用 the rule does not apply"
        pv = self.value
        status = ASSUMED_MARK if pv.assumed else "（正式 official）"
        return (
            f"{self.name} = {param_text(pv)}，{pv.since.isoformat()} 起 since{status}"
            f"；依据 reference: {pv.reference}"
        )


@dataclass
class Step:
    """One rule applied: its code, title, the parameters it used, figures and outcome."""

    rule: str
    title: str
    parameters: list[UsedParameter] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    outcome: str = ""

    def fig(self, label: str, text: object) -> None:
        self.figures.append((label, str(text)))


@dataclass
class Result:
    """Category, household outputs, per-member outputs and the steps that led to them."""

    period: str
    category: str
    amounts: dict[str, Decimal]
    members: dict[str, dict[str, Decimal | str]]
    steps: list[Step]

    def output(self, name: str) -> Decimal | str:
        return self.category if name == "category" else self.amounts[name]

    def parameters_used(self) -> list[UsedParameter]:
        seen: dict[tuple[str, dt.date | None], UsedParameter] = {}
        for step in self.steps:
            for used in step.parameters:
                seen.setdefault((used.name, used.value.since if used.value else None), used)
        return list(seen.values())


def yuan(amount: Decimal | Fraction | int) -> str:
    """An exact amount without trailing zeros (``1378.5``, ``793``)."""
    if isinstance(amount, Fraction):
        if (amount * 100).denominator == 1:
            return yuan(Decimal(amount.numerator) / Decimal(amount.denominator))
        return f"≈{Decimal(amount.numerator) / Decimal(amount.denominator):.2f}"
    value = Decimal(amount)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def param_text(pv: ParamValue) -> str:
    if isinstance(pv.value, tuple):
        return "[" + ", ".join(pv.value) + "]"
    return yuan(pv.value)


def yes(flag: bool) -> str:
    return "是 yes" if flag else "否 no"


def passed(flag: bool) -> str:
    return "通过 pass" if flag else "未通过 fail"


def render_text(result: Result, title: str | None = None) -> str:
    """The human explanation printed by ``minzheng policy explain``."""
    lines: list[str] = []
    if title:
        lines.append(f"案例 case: {title}")
    lines.append(f"期间 period: {result.period}")
    lines.append(f"家庭类别 category: {result.category}（{CATEGORY_ZH[result.category]}）")
    lines.append("金额 amounts（元/月 yuan per month）:")
    for name in HOUSEHOLD_OUTPUTS:
        lines.append(f"  {OUTPUT_ZH[name]} {name}: {yuan(result.amounts[name])}")
    lines.append("成员 members:")
    for member_id, outputs in result.members.items():
        status = str(outputs["status"])
        paid = [f"{name} {yuan(v)}" for name, v in outputs.items() if isinstance(v, Decimal) and v]
        amounts = "；".join(paid) if paid else "无个人金额 no person-level amounts"
        lines.append(f"  {member_id}: {status}（{STATUS_ZH[status]}）— {amounts}")
    assumed = [u for u in result.parameters_used() if u.value is not None and u.value.assumed]
    if assumed:
        names = ", ".join(sorted({u.name for u in assumed}))
        lines.append(f"注意 note: 本结果使用了假定值 this result rests on assumed values: {names}")
    lines.append("计算步骤 steps:")
    for number, step in enumerate(result.steps, start=1):
        lines.append(f"{number:2d}. {step.title} [{step.rule}]")
        if step.parameters:
            lines.append("    参数 parameters:")
            lines.extend(f"      - {used.text()}" for used in step.parameters)
        if step.figures:
            lines.append("    计算 figures:")
            lines.extend(f"      - {label}: {text}" for label, text in step.figures)
        if step.outcome:
            lines.append(f"    结论 outcome: {step.outcome}")
    return "\n".join(lines) + "\n"
