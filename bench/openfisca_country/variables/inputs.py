"""Input variables: what the archive records about a person and a household (policy-tests.md keys)."""

from datetime import date

from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import ETERNITY, MONTH
from openfisca_core.variables import Variable
from openfisca_country.entities import Household, Person
from openfisca_country.enums import DisabilityType, SelfCare

# Person


class birth(Variable):
    value_type = date
    entity = Person
    definition_period = ETERNITY
    label = "出生日期 date of birth"


class death_date(Variable):
    value_type = date
    entity = Person
    definition_period = ETERNITY
    default_value = date(9999, 12, 31)
    label = "死亡日期 date of death (9999-12-31 while alive)"


class monthly_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "CNY"
    label = "本人月收入 countable monthly income (after allowed deductions)"


class disability_type(Variable):
    value_type = Enum
    possible_values = DisabilityType
    default_value = DisabilityType.none
    entity = Person
    definition_period = MONTH
    label = "残疾类别 type on the disability certificate"


class disability_grade(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "残疾等级 certificate grade 1-4 (0 = no certificate)"


class serious_illness(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "重病 serious illness"


class self_care(Variable):
    value_type = Enum
    possible_values = SelfCare
    default_value = SelfCare.not_recorded
    entity = Person
    definition_period = MONTH
    label = "自理能力 self-care level"


class no_supporter(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "无赡养扶养抚养义务人或其无能力 no supporter able to support them (caseworker's finding)"


class orphan(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "孤儿或事实无人抚养儿童 orphan or de-facto unsupported child (caseworker's finding)"


class single_cover(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "单人保申请 an application to be covered alone is recorded"


# Household


class financial_assets(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "金融资产 financial assets of the household (total)"


class vehicle_car(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有小汽车 a member holds a car"


class vehicle_truck(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有货车 a member holds a truck"


class vehicle_motorcycle(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有摩托车 a member holds a motorcycle"


class vehicle_ebike(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有电动自行车 a member holds an e-bike"


class vehicle_farm_machine(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有农机 a member holds a farm machine"


class vehicle_mobility_aid(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有残疾人代步车 a member holds a mobility aid"


class residential_properties(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "住宅套数 residential properties"


class commercial_properties(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "商业用房套数 commercial properties"


class business_role_legal_rep(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有成员是法定代表人 a member is a legal representative of a business"


class business_role_shareholder(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有成员是股东 a member is a shareholder"


class business_role_sole_proprietor(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有成员是个体工商户 a member is a sole proprietor"


class rigid_expenses_12m(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "近12个月医疗教育康复支出 medical, education and rehabilitation paid over the last 12 months"


class income_12m(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "近12个月收入 income of the members counted over the last 12 months (see income_12m_given)"


class income_12m_given(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "income_12m recorded (else 12 × the monthly incomes of the members counted)"


class enrolled_tekun(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "已在册特困 already enrolled in tekun"


class enrolled_dibao(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "已在册低保 already enrolled in dibao"


class enrolled_dibao_edge(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "已在册低保边缘 already enrolled in dibao_edge"
