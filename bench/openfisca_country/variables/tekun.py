"""特困 tekun, per person (policy-rules.md "Classification" 1): basic living + care by self-care level."""

from openfisca_core.model_api import select, where
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable
from openfisca_country.entities import Household, Person
from openfisca_country.enums import SelfCare


class tekun_income_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "本人收入低于低保标准 own monthly income below the dibao standard"

    def formula(person, period, parameters):
        return person("monthly_income", period) < parameters(period).dibao.standard


class is_tekun(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "特困 no work ability, own income below the dibao standard, no supporter, dibao assets"

    def formula_2023_07_01(person, period):
        # From the first date of the tekun basic living and care standards; before it, not reached.
        return (
            person("is_present", period)
            & ~person("is_counted_orphan", period)
            & person("has_no_work_ability", period)
            & person("tekun_income_test", period)
            & person("no_supporter", period)
            & person.household("assets_ok_dibao", period)
        )


class tekun_care(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "CNY"
    label = "照料护理标准 care standard for the self-care level (not recorded → 全自理)"

    def formula_2023_07_01(person, period, parameters):
        care = parameters(period).tekun.care
        level = person("self_care", period)
        return select(
            [level == SelfCare.partial, level == SelfCare.full],
            [care.partial, care.full],
            default=care.self,
        )


class tekun_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "CNY"
    label = "特困供养金 basic living + care, for a tekun member"

    def formula_2023_07_01(person, period, parameters):
        basic = parameters(period).tekun.basic_living
        return where(person("is_tekun", period), basic + person("tekun_care", period), 0)


class has_tekun_member(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有特困成员 the household has a tekun member"

    def formula(household, period):
        return household.any(household.members("is_tekun", period))


class tekun_monthly(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "特困供养金合计 tekun amounts of the household's members"

    def formula(household, period):
        return household.sum(household.members("tekun_amount", period))
