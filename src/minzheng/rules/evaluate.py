"""Evaluate one household for one benefit month: ``evaluate(household, "2023-08") -> Result``.

The order follows policy-rules.md ("一次申请, 分类审核认定"): members present this month and their
ages by month; orphans (left out of everything else); the asset tests; tekun per person; dibao on
the remaining members with add-ons; dibao_edge and 单人保; rigid_hardship; the household's category
(its highest); then the person-level allowances and the total. Every step records the parameters it
used (value, date, status, reference) and its intermediate figures.
"""

from __future__ import annotations

from decimal import Decimal

from minzheng.rules import means
from minzheng.rules._state import LOW_INCOME_CATEGORIES, State
from minzheng.rules.explain import HOUSEHOLD_OUTPUTS, MEMBER_AMOUNTS, Result, Step, passed, yes, yuan
from minzheng.rules.model import ZERO, Household, Member, Month, aged, months_old
from minzheng.rules.parameters import ParameterSet, default_parameters

_NO_WORK_GRADES = {  # certificate type → parameter with the highest grade that means no work ability
    "智力": "tekun.max_grade.intellectual",
    "精神": "tekun.max_grade.mental",
    "肢体": "tekun.max_grade.physical",
    "视力": "tekun.max_grade.visual",
    "多重": "tekun.max_grade.multiple",
}
SELF_CARE_PARAMS = {"全自理": "tekun.care.self", "半自理": "tekun.care.partial", "全护理": "tekun.care.full"}
DEFAULT_SELF_CARE = "全自理"


def evaluate(household: Household, period: str | Month, params: ParameterSet | None = None) -> Result:
    """Category, every output of policy-tests.md and the explanation, for ``period`` (YYYY-MM)."""
    month = Month.parse(period)
    state = State(household, month, params or default_parameters())
    _members(state)
    _orphans(state)
    means.assets(state)
    _tekun(state)
    state.base = [m for m in state.present if m.id not in state.orphans and m.id not in state.tekun]
    means.dibao(state)
    means.dibao_edge(state)
    means.rigid_hardship(state)
    _category(state)
    _high_age(state)
    _disability(state)
    return _result(state)


def _members(state: State) -> None:
    step = state.step("members", "人员与年龄 members and ages（按月计龄 ages by month）")
    for member in state.household.members:
        age = months_old(member.birth_date, state.month)
        text = f"出生 born {member.birth_date.isoformat()}，{age // 12} 岁（按月 by month）"
        if member.present(state.month):
            text += f"，月收入 monthly income {yuan(member.monthly_income)}"
            if member.death_date is not None:
                text += f"，{member.death_date.isoformat()} 去世：本月仍计入 counts for the month of death"
        elif member.death_date is not None and Month.of(member.death_date) < state.month:
            text += f"，{member.death_date.isoformat()} 去世 died → 本月不计入 not counted"
        else:
            text += "，本月尚未出生 not yet born → 不计入 not counted"
        step.fig(f"{member.id}（{member.relation or '成员'}）", text)
    step.outcome = f"本月计入 {len(state.present)} 人 members present this month"


def _orphans(state: State) -> None:
    flagged = [m for m in state.present if m.orphan]
    if not flagged:
        return
    step = state.step("orphan", "孤儿 orphan（及事实无人抚养儿童）")
    standard = state.number(step, "orphan.standard")
    adult = state.years(step, "person.adult_age")
    if standard is None or adult is None:
        step.outcome = "参数未生效 not in force → 孤儿规则不适用, 按普通成员计 treated as ordinary members"
        return
    for member in flagged:
        if aged(member.birth_date, adult, state.month):
            step.fig(
                member.id, f"已满 {adult} 周岁（生日月起）aged {adult} → 孤儿标记不再适用 orphan flag ignored"
            )
            continue
        state.orphans.add(member.id)
        state.amounts[member.id]["orphan_monthly"] = standard
        step.fig(
            member.id, f"未满 {adult} 周岁 under {adult} → {yuan(standard)}，不计入家庭人口和收入 left out"
        )
    total = sum((state.amounts[i]["orphan_monthly"] for i in state.orphans), ZERO)
    step.outcome = (
        f"孤儿 orphans: {', '.join(sorted(state.orphans)) or '无 none'}；orphan_monthly {yuan(total)}"
    )


def _no_work_ability(state: State, step: Step, member: Member, elderly: int, adult: int) -> list[str]:
    reasons = []
    if aged(member.birth_date, elderly, state.month):
        reasons.append(f"{elderly} 周岁以上 aged {elderly}+")
    if not aged(member.birth_date, adult, state.month):
        reasons.append(f"未满 {adult} 周岁 under {adult}")
    if member.disability_type in _NO_WORK_GRADES and member.disability_grade is not None:
        max_grade = state.years(step, _NO_WORK_GRADES[member.disability_type])
        if max_grade is not None and member.disability_grade <= max_grade:
            reasons.append(f"{member.disability_type}{member.disability_grade}级 certificate (≤ {max_grade})")
    return reasons


def _tekun(state: State) -> None:
    candidates = [m for m in state.present if m.id not in state.orphans]
    if not candidates:
        return
    step = state.step("tekun", "特困 tekun（按人认定 per person）")
    std = state.number(step, "dibao.standard")
    basic = state.number(step, "tekun.basic_living")
    elderly = state.years(step, "tekun.elderly_age")
    adult = state.years(step, "person.adult_age")
    if std is None or basic is None or elderly is None or adult is None:
        step.outcome = "参数未生效 a parameter is not in force → 特困不适用 n/a"
        return
    asset_ok = state.assets_ok["dibao"]
    step.fig(
        "财产（低保限额）assets within dibao limits", "不适用 n/a" if asset_ok is None else passed(asset_ok)
    )
    for member in candidates:
        reasons = _no_work_ability(state, step, member, elderly, adult)
        income_ok = member.monthly_income < std
        checks = [
            f"无劳动能力 no work ability: {'; '.join(reasons) if reasons else '否 no'}",
            f"本人收入 own income {yuan(member.monthly_income)} < {yuan(std)}: {yes(income_ok)}",
            f"无赡养扶养人 no_supporter: {yes(member.no_supporter)}",
        ]
        ok = bool(reasons) and income_ok and member.no_supporter and bool(asset_ok)
        if ok:
            level = member.self_care or DEFAULT_SELF_CARE
            care = state.number(step, SELF_CARE_PARAMS[level])
            if care is None:
                checks.append(f"照料护理标准 {level} 未生效 not in force")
                ok = False
            else:
                default = "" if member.self_care else "（未记录, 按全自理 not recorded → 全自理）"
                amount = basic + care
                state.tekun.add(member.id)
                state.amounts[member.id]["tekun_monthly"] = amount
                checks.append(f"{yuan(basic)} + 照料护理 {level}{default} {yuan(care)} = {yuan(amount)}")
        step.fig(member.id, "；".join(checks) + (" → 特困 tekun" if ok else " → 否 not tekun"))
    total = sum((state.amounts[i]["tekun_monthly"] for i in state.tekun), ZERO)
    step.outcome = (
        f"特困 tekun: {', '.join(sorted(state.tekun)) or '无 none'}；tekun_monthly {yuan(total)}"
        "（特困成员不计入低保人口和收入 left out of dibao）"
    )


def _category(state: State) -> None:
    step = state.step(
        "category", "家庭类别 category（取最高 highest: tekun > dibao > dibao_edge > rigid_hardship > none）"
    )
    state.category = "tekun" if state.tekun else state.base_status
    if state.tekun:
        step.fig("特困成员 tekun members", ", ".join(sorted(state.tekun)))
    step.fig(
        "其余成员 other members", f"{', '.join(m.id for m in state.base) or '无 none'} → {state.base_status}"
    )
    step.outcome = state.category


def _high_age(state: State) -> None:
    step = state.step("high_age", "高龄津贴 high_age")
    a80, a90, a100 = (state.years(step, f"high_age.age_{band}") for band in (80, 90, 100))
    if a80 is None or a90 is None or a100 is None:
        step.outcome = "参数未生效 not in force → 不适用 n/a"
        return
    low_income_by = []
    if state.category in LOW_INCOME_CATEGORIES:
        low_income_by.append(f"本月类别 this month's category {state.category}")
    enrolled = [p for p in state.household.enrollments if p in LOW_INCOME_CATEGORIES]
    if enrolled:
        low_income_by.append(f"已在册 enrolled {', '.join(enrolled)}")
    total = ZERO
    for member in state.present:
        age = months_old(member.birth_date, state.month) // 12
        if aged(member.birth_date, a100, state.month):
            name, band = "high_age.rate_100", f"{a100} 周岁以上"
        elif aged(member.birth_date, a90, state.month):
            name, band = "high_age.rate_90", f"{a90}–{a100 - 1} 周岁"
        elif aged(member.birth_date, a80, state.month):
            low = bool(low_income_by)
            name = "high_age.rate_80_low_income" if low else "high_age.rate_80_general"
            why = "; ".join(low_income_by) if low else "非特困、低保、低保边缘 not tekun/dibao/dibao_edge"
            band = f"{a80}–{a90 - 1} 周岁（{why}）"
        else:
            continue
        rate = state.number(step, name)
        amount = rate if rate is not None else ZERO
        note = "" if rate is not None else "（参数未生效 not in force → 0）"
        state.amounts[member.id]["high_age_monthly"] = amount
        total += amount
        step.fig(member.id, f"{age} 岁 {band}: {name} → {yuan(amount)}{note}")
    step.outcome = f"high_age_monthly {yuan(total)}"


def _disability(state: State) -> None:
    holders = [m for m in state.present if m.has_certificate]
    if not holders:
        return
    living_step = state.step(
        "disability_living",
        "困难残疾人生活补贴 disability_living（低保家庭持证人, 含单人保; 不含特困、孤儿）",
    )
    living = state.number(living_step, "disability.living")
    total = ZERO
    for member in holders:
        in_dibao = (state.base_status == "dibao" and member in state.base) or member.id in state.single_cover
        why = "低保成员 dibao member" if member.id not in state.single_cover else "单人保 single_cover"
        if not in_dibao:
            living_step.fig(member.id, "非低保成员（或特困、孤儿）not in dibao → 0")
            continue
        amount = living if living is not None else ZERO
        state.amounts[member.id]["disability_living_monthly"] = amount
        total += amount
        living_step.fig(
            member.id, f"{why}，持证 {member.disability_type}{member.disability_grade}级 → {yuan(amount)}"
        )
    living_step.outcome = f"disability_living_monthly {yuan(total)}"
    care_step = state.step(
        "disability_care", "重度残疾人护理补贴 disability_care（一、二级, 任何类别, 含特困、孤儿）"
    )
    care = state.number(care_step, "disability.care")
    severe_max = state.years(care_step, "disability.severe_max_grade")
    total = ZERO
    for member in holders:
        if not state.severe(member, severe_max):
            care_step.fig(member.id, f"{member.disability_grade}级 非重度 not grade 1–{severe_max} → 0")
            continue
        amount = care if care is not None else ZERO
        state.amounts[member.id]["disability_care_monthly"] = amount
        total += amount
        care_step.fig(member.id, f"{member.disability_type}{member.disability_grade}级 → {yuan(amount)}")
    care_step.outcome = f"disability_care_monthly {yuan(total)}"


def _member_status(state: State, member: Member) -> str:
    if member not in state.present:
        return "absent"
    for status, ids in (
        ("orphan", state.orphans),
        ("tekun", state.tekun),
        ("single_cover", state.single_cover),
    ):
        if member.id in ids:
            return status
    return state.base_status


def _result(state: State) -> Result:
    def household_sum(name: str) -> Decimal:
        return sum((amounts[name] for amounts in state.amounts.values()), ZERO)

    amounts = {
        "dibao_monthly": state.dibao_difference + household_sum("single_cover_monthly"),
        "dibao_addon_monthly": household_sum("dibao_addon_monthly"),
        "tekun_monthly": household_sum("tekun_monthly"),
        "high_age_monthly": household_sum("high_age_monthly"),
        "orphan_monthly": household_sum("orphan_monthly"),
        "disability_living_monthly": household_sum("disability_living_monthly"),
        "disability_care_monthly": household_sum("disability_care_monthly"),
    }
    amounts["total_monthly"] = sum(amounts.values(), ZERO)
    step = state.step("total", "合计 total（家庭本月应得 everything the household receives this month）")
    step.fig("组成 parts", " + ".join(f"{name} {yuan(amounts[name])}" for name in HOUSEHOLD_OUTPUTS[:-1]))
    step.outcome = f"total_monthly {yuan(amounts['total_monthly'])}"
    members: dict[str, dict[str, Decimal | str]] = {}
    for member in state.household.members:
        outputs: dict[str, Decimal | str] = {"status": _member_status(state, member)}
        outputs.update({name: state.amounts[member.id][name] for name in MEMBER_AMOUNTS})
        members[member.id] = outputs
    return Result(
        period=str(state.month),
        category=state.category,
        amounts=amounts,
        members=members,
        steps=state.steps,
    )
