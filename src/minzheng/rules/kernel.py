"""The compiled loop behind :func:`minzheng.rules.bulk.evaluate_bulk`: one pass per household.

The rules of ``policy-rules.md`` for one benefit month, over members sorted by household, compiled by
Numba to machine code. Every figure is an int64 (fen, month numbers, counts, rational numerators); no
float is involved anywhere. The households are split into contiguous blocks evaluated in parallel
(``prange``); each household depends only on its own rows, so the result does not depend on the number
of threads or blocks.

The parameters in force come in as one int64 vector, indexed by the constants below, with
:data:`ABSENT` where a parameter is not in force that month; :func:`minzheng.rules.bulk.evaluate_bulk`
fills it, and its module docstring documents the columns.
"""

from __future__ import annotations

from typing import Any

from numba import njit, prange

ABSENT = -1

# The parameter vector. Ratios are two entries (numerator, denominator).
PM = 0  # the benefit month's index (year * 12 + month - 1)
STD = 1  # dibao.standard, fen
ADULT = 2  # person.adult_age, years
ORPHAN_STD = 3  # orphan.standard, fen
VEHICLES = 4  # assets.prohibited_vehicles, bit mask
ROLES = 5  # assets.prohibited_business_roles, bit mask
MAX_RES = 6
MAX_COM = 7
FIN_DIBAO_NUM, FIN_DIBAO_DEN = 8, 9  # assets.financial_multiple.dibao
FIN_EDGE_NUM, FIN_EDGE_DEN = 10, 11  # assets.financial_multiple.edge
BASIC = 12  # tekun.basic_living, fen
ELDERLY = 13  # tekun.elderly_age, years
CARE = 14  # 14..17: the tekun care standard by self_care code (0 = not recorded), fen
MAX_GRADE = 18  # 18..24: the highest grade that means "cannot work", by disability type code 1..7
SEVERE_MAX = 25  # disability.severe_max_grade
ADDON = 26  # 26..29: add-on numerators over ADDON_DEN: serious illness, severe disability, elderly, minor
ADDON_DEN = 30
ADDON_ELDERLY_AGE = 31
EDGE_NUM, EDGE_DEN = 32, 33  # dibao.edge_multiplier
RIGID_ON = 34  # 1 when every rigid-hardship parameter (and the 12 standards before the month) is in force
RIGID_PREVIOUS = 35  # rigid_hardship.previous_year_income, fen
RIGID_WINDOW = 36  # the sum of the dibao standards of the 12 months before, fen
RIGID_NUM, RIGID_DEN = 37, 38  # rigid_hardship.expense_ratio
AGE_80, AGE_90, AGE_100 = 39, 40, 41
RATE_100, RATE_90, RATE_80_LOW, RATE_80 = 42, 43, 44, 45
LIVING = 46  # disability.living, fen (0 when absent)
CARE_SUBSIDY = 47  # disability.care, fen (0 when absent)
LOW_INCOME_BITS = 48  # enrollment bits that make a household low-income for the high-age rate
SIZE = 49

# Member statuses, in explain.MEMBER_STATUSES order.
S_ABSENT, S_ORPHAN, S_TEKUN, S_SINGLE, S_DIBAO, S_EDGE, S_RIGID, S_NONE = range(8)
# Household amounts: rows of ``hh_out``, in explain.HOUSEHOLD_OUTPUTS order.
H_DIBAO, H_ADDON, H_TEKUN, H_HIGH_AGE, H_ORPHAN, H_LIVING, H_CARE, H_TOTAL = range(8)
# Member amounts: rows of ``m_out``, in explain.MEMBER_AMOUNTS order.
M_TEKUN, M_ORPHAN, M_SINGLE, M_ADDON, M_HIGH_AGE, M_LIVING, M_CARE = range(7)


@njit(cache=True, inline="always")
def _round_yuan(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` fen (≥ 0) rounded half-up to whole yuan, in fen."""
    d = denominator * 100
    return ((2 * numerator + d) // (2 * d)) * 100


@njit(cache=True, inline="always")
def _present(p: Any, birth: int, death: int) -> bool:
    return birth <= p[PM] and death >= p[PM]


@njit(cache=True, inline="always")
def _minor(p: Any, months: int) -> bool:
    return p[ADULT] != ABSENT and months < 12 * p[ADULT]


@njit(cache=True, inline="always")
def _severe(p: Any, grade: int) -> bool:
    return p[SEVERE_MAX] != ABSENT and grade >= 1 and grade <= p[SEVERE_MAX]


@njit(cache=True, inline="always")
def _tekun_candidate(p: Any, months: int, minor: bool, no_supporter: bool, income: int, disability_type: int,
                     grade: int, self_care: int) -> bool:
    """Tekun for a present member who is not an orphan, but for the household's asset test: cannot
    work (age, minor, disability grade of a listed type), own income below the standard, no supporter,
    and a care standard for their self-care level."""
    if not no_supporter or income >= p[STD] or p[CARE + self_care] < 0:
        return False
    if months >= 12 * p[ELDERLY] or minor:
        return True
    if disability_type >= 1 and grade >= 1:
        limit = p[MAX_GRADE + disability_type - 1]
        return limit != ABSENT and grade <= limit
    return False


@njit(cache=True, parallel=True)
def evaluate(
    p: Any,
    household_blocks: Any,
    member_blocks: Any,
    household: Any,
    birth_month: Any,
    death_month: Any,
    income: Any,
    disability_type: Any,
    disability_grade: Any,
    serious_illness: Any,
    self_care: Any,
    no_supporter: Any,
    orphan: Any,
    single_cover: Any,
    financial_assets: Any,
    vehicles: Any,
    residential: Any,
    commercial: Any,
    business_roles: Any,
    rigid_expenses: Any,
    income_12m: Any,
    income_12m_given: Any,
    enrollments: Any,
    category: Any,
    hh_out: Any,
    status: Any,
    m_out: Any,
    member_amounts: bool,
) -> None:
    """Fill ``category`` (int8), ``hh_out`` (8 × households, int64), ``status`` (int8) and, when
    ``member_amounts``, ``m_out`` (7 × members, int64). Block ``b`` is households
    ``household_blocks[b]:household_blocks[b+1]`` and their members ``member_blocks[b]:member_blocks[b+1]``."""
    pm, std = p[PM], p[STD]
    assets_on = std != ABSENT and p[VEHICLES] != ABSENT and p[ROLES] != ABSENT
    assets_on = assets_on and p[MAX_RES] != ABSENT and p[MAX_COM] != ABSENT
    tekun_on = std != ABSENT and p[BASIC] != ABSENT and p[ELDERLY] != ABSENT and p[ADULT] != ABSENT
    orphan_on = p[ORPHAN_STD] != ABSENT and p[ADULT] != ABSENT
    edge_on = std != ABSENT and p[EDGE_NUM] != ABSENT
    high_age_on = p[AGE_80] != ABSENT and p[AGE_90] != ABSENT and p[AGE_100] != ABSENT
    for b in prange(len(household_blocks) - 1):
        m = member_blocks[b]
        for h in range(household_blocks[b], household_blocks[b + 1]):
            first = m
            while m < member_blocks[b + 1] and household[m] == h:
                m += 1
            last = m
            # pass 1: who is present, who would be tekun if the household passes the asset test, and
            # the counts and incomes of the others either way
            n_present = 0
            n_counted = 0  # present and not an orphan
            income_counted = 0
            n_tekun = 0  # of those, the tekun candidates
            income_tekun = 0
            for i in range(first, last):
                months = pm - birth_month[i]
                present = _present(p, birth_month[i], death_month[i])
                minor = _minor(p, months)
                if present:
                    n_present += 1
                    if not (orphan_on and orphan[i] and minor):
                        n_counted += 1
                        income_counted += income[i]
                        if tekun_on and _tekun_candidate(p, months, minor, no_supporter[i], income[i],
                                                         disability_type[i], disability_grade[i], self_care[i]):
                            n_tekun += 1
                            income_tekun += income[i]
            ok_dibao = False
            ok_edge = False
            if assets_on:
                common = (
                    n_present > 0
                    and (vehicles[h] & p[VEHICLES]) == 0
                    and (business_roles[h] & p[ROLES]) == 0
                    and residential[h] <= p[MAX_RES]
                    and commercial[h] <= p[MAX_COM]
                )
                if common and p[FIN_DIBAO_NUM] != ABSENT:
                    ok_dibao = financial_assets[h] * p[FIN_DIBAO_DEN] <= p[FIN_DIBAO_NUM] * std * n_present
                if common and p[FIN_EDGE_NUM] != ABSENT:
                    ok_edge = financial_assets[h] * p[FIN_EDGE_DEN] <= p[FIN_EDGE_NUM] * std * n_present
            # tekun needs the household's assets test; the others are the base counted for dibao
            tekun_any = ok_dibao and n_tekun > 0
            n_base = n_counted - n_tekun if ok_dibao else n_counted
            income_base = income_counted - income_tekun if ok_dibao else income_counted
            dibao_ok = False
            dibao_amount = 0
            if std != ABSENT and n_base > 0 and income_base < std * n_base and ok_dibao:
                dibao_ok = True
                dibao_amount = _round_yuan(std * n_base - income_base, 1)
            edge_ok = (
                edge_on
                and not dibao_ok
                and n_base > 0
                and income_base * p[EDGE_DEN] < p[EDGE_NUM] * std * n_base
                and ok_edge
            )
            rigid_ok = False
            if p[RIGID_ON] == 1 and not tekun_any and not dibao_ok and not edge_ok and ok_edge and n_base > 0:
                year_income = income_12m[h] if income_12m_given[h] else 12 * income_base
                rigid = p[RIGID_WINDOW] * n_base + rigid_expenses[h]
                rigid_ok = (
                    year_income < p[RIGID_PREVIOUS] * n_base
                    and rigid * p[RIGID_DEN] >= p[RIGID_NUM] * year_income
                )
            if tekun_any:
                cat = 4
            elif dibao_ok:
                cat = 3
            elif edge_ok:
                cat = 2
            elif rigid_ok:
                cat = 1
            else:
                cat = 0
            category[h] = cat
            if dibao_ok:
                base_status = S_DIBAO
            elif edge_ok:
                base_status = S_EDGE
            elif rigid_ok:
                base_status = S_RIGID
            else:
                base_status = S_NONE
            low_income = cat >= 2 or (enrollments[h] & p[LOW_INCOME_BITS]) != 0
            # pass 2: each member's status and amounts, summed into the household's
            s_single = s_addon = s_tekun = s_high_age = s_orphan = s_living = s_care = 0
            for i in range(first, last):
                months = pm - birth_month[i]
                present = _present(p, birth_month[i], death_month[i])
                minor = _minor(p, months)
                is_orphan = orphan_on and present and orphan[i] and minor
                g = disability_grade[i]
                severe = _severe(p, g)
                tekun = (
                    tekun_on and ok_dibao and present and not is_orphan
                    and _tekun_candidate(p, months, minor, no_supporter[i], income[i], disability_type[i], g,
                                         self_care[i])
                )
                tekun_amount = p[BASIC] + p[CARE + self_care[i]] if tekun else 0
                base = present and not is_orphan and not tekun
                single = base and edge_ok and single_cover[i] and (serious_illness[i] or severe)
                single_amount = 0
                if single:
                    single_amount = _round_yuan(max((std if std != ABSENT else 0) - income[i], 0), 1)
                addon = 0
                if std != ABSENT and ((base and dibao_ok) or single):
                    best = 0
                    if serious_illness[i] and p[ADDON] > best:
                        best = p[ADDON]
                    if severe and p[ADDON + 1] > best:
                        best = p[ADDON + 1]
                    if (
                        p[ADDON_ELDERLY_AGE] != ABSENT
                        and months >= 12 * p[ADDON_ELDERLY_AGE]
                        and p[ADDON + 2] > best
                    ):
                        best = p[ADDON + 2]
                    if minor and p[ADDON + 3] > best:
                        best = p[ADDON + 3]
                    addon = _round_yuan(best * std, p[ADDON_DEN])
                high_age = 0
                if high_age_on and present:
                    if months >= 12 * p[AGE_100]:
                        high_age = p[RATE_100]
                    elif months >= 12 * p[AGE_90]:
                        high_age = p[RATE_90]
                    elif months >= 12 * p[AGE_80]:
                        high_age = p[RATE_80_LOW] if low_income else p[RATE_80]
                living = p[LIVING] if present and g >= 1 and ((base and dibao_ok) or single) else 0
                care_subsidy = p[CARE_SUBSIDY] if present and severe else 0
                orphan_amount = p[ORPHAN_STD] if is_orphan else 0
                if not present:
                    st = S_ABSENT
                elif is_orphan:
                    st = S_ORPHAN
                elif tekun:
                    st = S_TEKUN
                elif single:
                    st = S_SINGLE
                else:
                    st = base_status
                status[i] = st
                if member_amounts:
                    m_out[M_TEKUN, i] = tekun_amount
                    m_out[M_ORPHAN, i] = orphan_amount
                    m_out[M_SINGLE, i] = single_amount
                    m_out[M_ADDON, i] = addon
                    m_out[M_HIGH_AGE, i] = high_age
                    m_out[M_LIVING, i] = living
                    m_out[M_CARE, i] = care_subsidy
                s_single += single_amount
                s_addon += addon
                s_tekun += tekun_amount
                s_high_age += high_age
                s_orphan += orphan_amount
                s_living += living
                s_care += care_subsidy
            hh_out[H_DIBAO, h] = dibao_amount + s_single
            hh_out[H_ADDON, h] = s_addon
            hh_out[H_TEKUN, h] = s_tekun
            hh_out[H_HIGH_AGE, h] = s_high_age
            hh_out[H_ORPHAN, h] = s_orphan
            hh_out[H_LIVING, h] = s_living
            hh_out[H_CARE, h] = s_care
            hh_out[H_TOTAL, h] = dibao_amount + s_single + s_addon + s_tekun + s_high_age + s_orphan + s_living + s_care
