"""低保 dibao, 低保边缘 with 单人保, 刚性支出困难 and the household's category (policy-rules.md 2–5).

Members counted: present, not an orphan under 18, not tekun. Income tests compare the per-capita
income with the line, as the policy text reads (OpenFisca's float32).
"""

from openfisca_core.indexed_enums import Enum
from openfisca_core.model_api import max_, select, where
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable
from openfisca_country.entities import Household, Person
from openfisca_country.enums import Category
from openfisca_country.helpers import round_half_up


class counted_for_dibao(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "计入低保 counted in the household for dibao, dibao_edge and rigid_hardship"

    def formula(person, period):
        return person("is_present", period) & ~person("is_counted_orphan", period) & ~person("is_tekun", period)


class dibao_members(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "低保计入人数 members counted for dibao"

    def formula(household, period):
        return household.sum(household.members("counted_for_dibao", period))


class dibao_income(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "低保计入月收入 total monthly income of the members counted"

    def formula(household, period):
        income = household.members("monthly_income", period)
        return household.sum(where(household.members("counted_for_dibao", period), income, 0))


class dibao_per_capita_income(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "人均月收入 per-capita monthly income of the members counted"

    def formula(household, period):
        members = household("dibao_members", period)
        return where(members > 0, household("dibao_income", period) / max_(members, 1), 0)


class dibao_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均月收入低于低保标准 per-capita monthly income below the dibao standard"

    def formula(household, period, parameters):
        return household("dibao_per_capita_income", period) < parameters(period).dibao.standard


class dibao_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "低保 per-capita income below the standard, dibao assets"

    def formula(household, period):
        return (
            (household("dibao_members", period) > 0)
            & household("dibao_income_test", period)
            & household("assets_ok_dibao", period)
        )


class dibao_difference(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "低保差额 standard × members − income, rounded half-up to the yuan"

    def formula(household, period, parameters):
        standard = parameters(period).dibao.standard
        difference = standard * household("dibao_members", period) - household("dibao_income", period)
        return where(household("dibao_eligible", period), round_half_up(max_(difference, 0)), 0)


class dibao_edge_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均月收入低于边缘线 per-capita monthly income below edge_multiplier × the standard"

    def formula(household, period, parameters):
        dibao = parameters(period).dibao
        return household("dibao_per_capita_income", period) < dibao.edge_multiplier * dibao.standard


class dibao_edge(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "低保边缘 not dibao, per-capita income below 1.5 × the standard, edge assets"

    def formula(household, period):
        return (
            ~household("dibao_eligible", period)
            & (household("dibao_members", period) > 0)
            & household("dibao_edge_income_test", period)
            & household("assets_ok_edge", period)
        )


class is_single_cover(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "单人保 a counted member of a dibao_edge household, grade 1-2 or seriously ill, application recorded"

    def formula(person, period):
        return (
            person("counted_for_dibao", period)
            & person.household("dibao_edge", period)
            & person("single_cover", period)
            & (person("serious_illness", period) | person("has_severe_disability", period))
        )


class single_cover_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "CNY"
    label = "单人保差额 standard − own income (0 if negative), rounded half-up"

    def formula(person, period, parameters):
        standard = parameters(period).dibao.standard
        difference = max_(standard - person("monthly_income", period), 0)
        return where(person("is_single_cover", period), round_half_up(difference), 0)


class dibao_monthly(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "低保金 the household's difference plus 单人保 amounts (add-ons not included)"

    def formula(household, period):
        single = household.sum(household.members("single_cover_amount", period))
        return household("dibao_difference", period) + single


class rigid_hardship_income_12m(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "近12个月收入 income_12m when recorded, else 12 × the monthly income of the members counted"

    def formula(household, period):
        monthly = household("dibao_income", period)
        return where(household("income_12m_given", period), household("income_12m", period), 12 * monthly)


class rigid_hardship_expenditure(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "刚性支出 living at the standard of each of the last 12 months × members, plus medical etc."

    def formula(household, period, parameters):
        living = sum(parameters(period.offset(-k, "month")).dibao.standard for k in range(1, 13))
        return living * household("dibao_members", period) + household("rigid_expenses_12m", period)


class rigid_hardship_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均年收入低于上年人均可支配收入 annual per-capita income below the previous-year figure"

    def formula_2025_01_01(household, period, parameters):
        # From the first date of previous_year_income; before it, not reached.
        members = household("dibao_members", period)
        per_capita = household("rigid_hardship_income_12m", period) / max_(members, 1)
        return (members > 0) & (per_capita < parameters(period).rigid_hardship.previous_year_income)


class rigid_hardship_expense_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "刚性支出不低于收入的规定比例 rigid expenditure at least expense_ratio × the 12-month income"

    def formula_2024_11_01(household, period, parameters):
        # From the first date of expense_ratio; before it, not reached.
        ratio = parameters(period).rigid_hardship.expense_ratio
        return household("rigid_hardship_expenditure", period) >= ratio * household("rigid_hardship_income_12m", period)


class rigid_hardship(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "刚性支出困难 none of the above, annual income and rigid expenditure tests, edge assets"

    def formula(household, period):
        return (
            ~household("has_tekun_member", period)
            & ~household("dibao_eligible", period)
            & ~household("dibao_edge", period)
            & household("assets_ok_edge", period)
            & household("rigid_hardship_income_test", period)
            & household("rigid_hardship_expense_test", period)
        )


class category(Variable):
    value_type = Enum
    possible_values = Category
    default_value = Category.none
    entity = Household
    definition_period = MONTH
    label = "家庭类别 the household's highest category: tekun > dibao > dibao_edge > rigid_hardship > none"

    def formula(household, period):
        return select(
            [
                household("has_tekun_member", period),
                household("dibao_eligible", period),
                household("dibao_edge", period),
                household("rigid_hardship", period),
            ],
            [Category.tekun.index, Category.dibao.index, Category.dibao_edge.index, Category.rigid_hardship.index],
            default=Category.none.index,
        )
