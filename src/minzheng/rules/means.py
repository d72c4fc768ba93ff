"""Means-tested rule families: assets, dibao (with add-ons), dibao_edge with 单人保, rigid_hardship.

All comparisons are exact (``Decimal`` products, never a rounded per-capita figure); "below" is
strict, "at most"/"at least" include the limit (policy-rules.md, precise readings).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from minzheng.rules._state import State, round_half_up
from minzheng.rules.explain import Step, passed, yes, yuan
from minzheng.rules.model import ZERO, Member, aged

_ASSET_LEVELS = (
    ("dibao", "assets.financial_multiple.dibao", "低保、特困 dibao/tekun"),
    ("edge", "assets.financial_multiple.edge", "低保边缘、刚性支出困难 dibao_edge/rigid_hardship"),
)
_ADDON_RATES = (  # (parameter, label); the highest applicable single rate is paid
    ("dibao.addon.serious_illness", "重病 serious illness"),
    ("dibao.addon.severe_disability", "一、二级残疾 certificate grade 1–2"),
    ("dibao.addon.elderly", "老年人 elderly"),
    ("dibao.addon.minor", "未成年人 under 18"),
)


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes) or "无 none"


def per_capita(total: Decimal, members: int) -> str:
    """``total ÷ members`` shown exactly when it has at most two decimals, else approximately."""
    return f"{yuan(Fraction(total) / members)}（{yuan(total)} ÷ {members}）"


def assets(state: State) -> None:
    """Asset limits for every category; per member over all present members (tekun, orphans too)."""
    step = state.step("assets", "家庭财产 assets")
    hh = state.household
    n = len(state.present)
    std = state.number(step, "dibao.standard")
    vehicles = state.param(step, "assets.prohibited_vehicles")
    max_res = state.number(step, "assets.max_residential_properties")
    max_com = state.number(step, "assets.max_commercial_properties")
    roles = state.param(step, "assets.prohibited_business_roles")
    multiples = {level: state.number(step, name) for level, name, _ in _ASSET_LEVELS}
    if n == 0:
        step.outcome = "无计入成员 no member counted this month → 不评估 not tested"
        return
    if std is None or vehicles is None or max_res is None or max_com is None or roles is None:
        step.outcome = "参数未生效 a parameter is not in force → 财产条件无法认定, 依赖它的类别不适用"
        return
    step.fig("计入财产人数 members (all, incl. tekun and orphans)", n)
    step.fig(
        "金融资产 financial assets",
        f"{yuan(hh.financial_assets)}；人均 per member {per_capita(hh.financial_assets, n)}",
    )
    bad_vehicles = [v for v in hh.vehicles if v in vehicles.codes]
    bad_roles = [r for r in hh.business_roles if r in roles.codes]
    common = {
        "车辆 vehicles": not bad_vehicles,
        "住宅 residential": hh.residential_properties <= max_res,
        "商业用房 commercial": hh.commercial_properties <= max_com,
        "经营主体身份 business roles": not bad_roles,
    }
    step.fig(
        "车辆 vehicles",
        f"{_codes(hh.vehicles)}；禁止 prohibited {_codes(bad_vehicles)} → {passed(not bad_vehicles)}",
    )
    step.fig(
        "住宅 residential properties",
        f"{hh.residential_properties} ≤ {yuan(max_res)} → {passed(common['住宅 residential'])}",
    )
    step.fig(
        "商业用房 commercial properties",
        f"{hh.commercial_properties} ≤ {yuan(max_com)} → {passed(common['商业用房 commercial'])}",
    )
    step.fig(
        "经营主体身份 business roles",
        f"{_codes(hh.business_roles)}；禁止 prohibited {_codes(bad_roles)} → {passed(not bad_roles)}",
    )
    common_ok = all(common.values())
    outcomes = []
    for level, _name, label in _ASSET_LEVELS:
        multiple = multiples[level]
        if multiple is None:
            outcomes.append(f"{label}: 不适用 n/a")
            continue
        limit = multiple * std
        fin_ok = hh.financial_assets <= limit * n
        step.fig(
            f"人均金融资产上限 limit {label}",
            f"{yuan(multiple)} × {yuan(std)} = {yuan(limit)}；"
            f"{yuan(hh.financial_assets)} ≤ {yuan(limit)} × {n}"
            f" = {yuan(limit * n)} → {passed(fin_ok)}",
        )
        state.assets_ok[level] = fin_ok and common_ok
        outcomes.append(f"{label}: {passed(fin_ok and common_ok)}")
    step.outcome = "；".join(outcomes)


def addon(state: State, step: Step, member: Member, std: Decimal) -> Decimal:
    """The member's add-on: the highest single applicable rate × standard, rounded half-up on its own."""
    severe_max = state.years(step, "disability.severe_max_grade")
    adult = state.years(step, "person.adult_age")
    elderly_age = state.years(step, "dibao.addon.elderly_age")
    applies = {
        "dibao.addon.serious_illness": member.serious_illness,
        "dibao.addon.severe_disability": state.severe(member, severe_max),
        "dibao.addon.elderly": elderly_age is not None and aged(member.birth_date, elderly_age, state.month),
        "dibao.addon.minor": adult is not None and not aged(member.birth_date, adult, state.month),
    }
    best: tuple[Decimal, str] | None = None
    reasons = []
    for name, label in _ADDON_RATES:
        if not applies[name]:
            continue
        rate = state.number(step, name)
        if rate is None:
            continue
        reasons.append(f"{label} {yuan(rate)}")
        if best is None or rate > best[0]:
            best = (rate, label)
    if best is None:
        step.fig(f"{member.id} 增发 add-on", "无适用情形 none applies → 0")
        return ZERO
    raw = best[0] * std
    amount = round_half_up(raw)
    step.fig(
        f"{member.id} 增发 add-on",
        f"适用 applicable: {'; '.join(reasons)}；就高 highest {best[1]}: {yuan(best[0])} × {yuan(std)}"
        f" = {yuan(raw)} → 四舍五入 half-up {yuan(amount)}",
    )
    return amount


def dibao(state: State) -> None:
    """低保 on the base members (not orphans, not tekun): income strictly below the standard."""
    step = state.step("dibao", "低保 dibao（家庭差额）")
    std = state.number(step, "dibao.standard")
    base = state.base
    if not base:
        step.outcome = "除特困、孤儿外无其他成员 no other members → 不适用 n/a"
        return
    if std is None:
        step.outcome = "低保标准未生效 dibao standard not in force → 不适用 n/a"
        return
    n = len(base)
    total = sum((m.monthly_income for m in base), ZERO)
    step.fig("计入成员 members counted", f"{', '.join(m.id for m in base)}（{n} 人）")
    step.fig("月收入合计 total monthly income", yuan(total))
    income_ok = total < std * n
    step.fig(
        "人均月收入 per-capita monthly income",
        f"{per_capita(total, n)}；精确比较 exact: {yuan(total)} < {yuan(std)} × {n} = {yuan(std * n)}"
        f" → {yes(income_ok)}",
    )
    asset_ok = state.assets_ok["dibao"]
    step.fig(
        "财产（低保限额）assets within dibao limits", "不适用 n/a" if asset_ok is None else passed(asset_ok)
    )
    if not (income_ok and asset_ok):
        step.outcome = "不符合低保 not dibao"
        return
    difference = std * n - total
    state.dibao_difference = round_half_up(difference)
    step.fig(
        "差额 difference",
        f"{yuan(std)} × {n} − {yuan(total)} = {yuan(difference)}"
        f" → 四舍五入 half-up {yuan(state.dibao_difference)}",
    )
    state.base_status = "dibao"
    step.outcome = f"低保 dibao: dibao_monthly {yuan(state.dibao_difference)}"
    addon_step = state.step("dibao_addon", "分类施保增发 dibao add-ons（每人就高、各自四舍五入）")
    state.number(addon_step, "dibao.standard")
    total_addon = ZERO
    for member in base:
        amount = addon(state, addon_step, member, std)
        state.amounts[member.id]["dibao_addon_monthly"] = amount
        total_addon += amount
    addon_step.outcome = f"dibao_addon_monthly {yuan(total_addon)}"


def dibao_edge(state: State) -> None:
    """低保边缘 on the base members, then 单人保 for the recorded severe or seriously ill members."""
    base = state.base
    if not base or state.base_status == "dibao":
        return
    step = state.step("dibao_edge", "低保边缘 dibao_edge")
    std = state.number(step, "dibao.standard")
    multiplier = state.number(step, "dibao.edge_multiplier")
    if std is None or multiplier is None:
        step.outcome = "参数未生效 parameter not in force → 不适用 n/a"
        return
    n = len(base)
    total = sum((m.monthly_income for m in base), ZERO)
    line = multiplier * std
    income_ok = total < line * n
    step.fig("边缘收入线 edge line", f"{yuan(multiplier)} × {yuan(std)} = {yuan(line)}（不取整 not rounded）")
    step.fig(
        "人均月收入 per-capita monthly income",
        f"{per_capita(total, n)}；精确比较 exact: {yuan(total)} < {yuan(line)} × {n} = {yuan(line * n)}"
        f" → {yes(income_ok)}",
    )
    asset_ok = state.assets_ok["edge"]
    step.fig(
        "财产（边缘限额）assets within edge limits", "不适用 n/a" if asset_ok is None else passed(asset_ok)
    )
    if income_ok and asset_ok:
        state.base_status = "dibao_edge"
        step.outcome = "低保边缘 dibao_edge（仅身份 status only）"
    else:
        step.outcome = "不符合低保边缘 not dibao_edge"
    _single_cover(state, std)


def _single_cover(state: State, std: Decimal) -> None:
    flagged = [m for m in state.present if m.single_cover]
    edge = state.base_status == "dibao_edge"
    if not edge and not flagged:
        return
    step = state.step("single_cover", "单人保 single_cover（低保边缘家庭中的重残、重病成员）")
    severe_max = state.years(step, "disability.severe_max_grade")
    for member in flagged:
        if member.id in state.orphans or member.id in state.tekun:
            step.fig(member.id, "孤儿或特困成员 orphan/tekun member → 不适用 n/a")
    if not edge:
        step.outcome = "家庭（除特困、孤儿外）不是低保边缘 household is not dibao_edge → 不适用 n/a"
        return
    std = state.number(step, "dibao.standard") or std
    covered_total = ZERO
    for member in state.base:
        eligible = member.serious_illness or state.severe(member, severe_max)
        if not eligible:
            if member.single_cover:
                step.fig(member.id, "已申请但非一、二级残疾或重病 recorded but not eligible → 不适用 n/a")
            continue
        if not member.single_cover:
            step.fig(
                member.id, "符合条件但未申请 eligible, no application recorded (single_cover) → 不适用 n/a"
            )
            continue
        raw = std - member.monthly_income
        amount = round_half_up(max(raw, ZERO))
        step.fig(
            f"{member.id} 单人保差额 difference",
            f"{yuan(std)} − {yuan(member.monthly_income)} = {yuan(raw)}"
            f"{'（负数取 0 negative → 0）' if raw < 0 else ''} → 四舍五入 half-up {yuan(amount)}",
        )
        state.single_cover.add(member.id)
        state.amounts[member.id]["single_cover_monthly"] = amount
        state.amounts[member.id]["dibao_addon_monthly"] = addon(state, step, member, std)
        covered_total += amount
    step.outcome = (
        f"单人保 covered: {_codes(sorted(state.single_cover))}；差额合计 {yuan(covered_total)}"
        "（计入 dibao_monthly；家庭类别不变 the household keeps its category）"
    )


def rigid_hardship(state: State) -> None:
    """刚性支出困难: annual per-capita income, edge assets, rigid expenditure over the last 12 months."""
    base = state.base
    if not base or state.tekun or state.base_status != "none":
        return
    step = state.step("rigid_hardship", "刚性支出困难 rigid_hardship")
    hh = state.household
    previous = state.number(step, "rigid_hardship.previous_year_income")
    ratio = state.number(step, "rigid_hardship.expense_ratio")
    window = [state.month.shift(-k) for k in range(12, 0, -1)]
    standards = [state.param_on(step, "dibao.standard", month) for month in window]
    if previous is None or ratio is None or any(s is None for s in standards):
        step.outcome = "参数未生效 a parameter is not in force → 不适用 n/a"
        return
    n = len(base)
    if hh.income_12m is None:
        total = sum((m.monthly_income for m in base), ZERO)
        income = 12 * total
        step.fig(
            "12个月收入 income_12m", f"未提供, 按 12 × 月收入 not given: 12 × {yuan(total)} = {yuan(income)}"
        )
    else:
        income = hh.income_12m
        step.fig("12个月收入 income_12m", yuan(income))
    income_ok = income < previous * n
    step.fig(
        "人均年收入 annual per-capita income",
        f"{per_capita(income, n)}；精确比较 exact: {yuan(income)} < {yuan(previous)} × {n}"
        f" = {yuan(previous * n)}"
        f" → {yes(income_ok)}",
    )
    asset_ok = state.assets_ok["edge"]
    step.fig(
        "财产（边缘限额）assets within edge limits", "不适用 n/a" if asset_ok is None else passed(asset_ok)
    )
    per_member = ZERO
    runs: list[tuple[str, str, Decimal, int]] = []  # first month, last month, standard, months
    for month, standard in zip(window, standards, strict=True):
        assert standard is not None
        per_member += standard.number
        if runs and runs[-1][2] == standard.number:
            first, _, value, count = runs[-1]
            runs[-1] = (first, str(month), value, count + 1)
        else:
            runs.append((str(month), str(month), standard.number, 1))
    parts = "；".join(f"{a}…{b}: {yuan(v)} × {c} = {yuan(v * c)}" for a, b, v, c in runs)
    living = per_member * n
    step.fig(
        "生活支出 living part (12 months before)",
        f"{parts}；合计 {yuan(per_member)} × {n} 人 = {yuan(living)}",
    )
    rigid = living + hh.rigid_expenses_12m
    threshold = ratio * income
    expense_ok = rigid >= threshold
    step.fig(
        "刚性支出 rigid expenditure",
        f"{yuan(living)} + 医疗教育康复 {yuan(hh.rigid_expenses_12m)} = {yuan(rigid)}"
        f" ≥ {yuan(ratio)} × {yuan(income)}"
        f" = {yuan(threshold)} → {yes(expense_ok)}",
    )
    if income_ok and asset_ok and expense_ok:
        state.base_status = "rigid_hardship"
        step.outcome = "刚性支出困难 rigid_hardship（有效期最长12个月, 触发临时救助评估）"
    else:
        step.outcome = "不符合刚性支出困难 not rigid_hardship"
