"""高龄津贴 high_age: 100+ → rate_100, 90–99 → rate_90, 80–89 → by category or enrollment."""

from openfisca_core.model_api import select, where
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable
from openfisca_country.entities import Household, Person
from openfisca_country.enums import Category


class low_income_household(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "特困、低保、低保边缘 by this month's category or an existing enrollment"

    def formula(household, period):
        category = household("category", period)
        return (
            (category == Category.tekun)
            | (category == Category.dibao)
            | (category == Category.dibao_edge)
            | household("enrolled_tekun", period)
            | household("enrolled_dibao", period)
            | household("enrolled_dibao_edge", period)
        )


class high_age_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "CNY"
    label = "高龄津贴 the person's high-age allowance"

    def formula_2021_07_01(person, period, parameters):
        # Before 2025-01-01 the 80-89 band is paid only in low-income households.
        p = parameters(period).high_age
        age = person("age_in_months", period)
        low_income = person.household("low_income_household", period)
        amount = select(
            [age >= 12 * p.age_100, age >= 12 * p.age_90, (age >= 12 * p.age_80) & low_income],
            [p.rate_100, p.rate_90, p.rate_80_low_income],
            default=0,
        )
        return where(person("is_present", period), amount, 0)

    def formula_2025_01_01(person, period, parameters):
        # From 2025-01-01 everyone else aged 80-89 gets rate_80_general (the low-income rate replaces it).
        p = parameters(period).high_age
        age = person("age_in_months", period)
        low_income = person.household("low_income_household", period)
        amount = select(
            [age >= 12 * p.age_100, age >= 12 * p.age_90, (age >= 12 * p.age_80) & low_income, age >= 12 * p.age_80],
            [p.rate_100, p.rate_90, p.rate_80_low_income, p.rate_80_general],
            default=0,
        )
        return where(person("is_present", period), amount, 0)


class high_age_monthly(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "高龄津贴合计 the high-age allowances of the household's members"

    def formula(household, period):
        return household.sum(household.members("high_age_amount", period))
