"""Person-level facts the rules share: age by month, presence, minors, orphans, work ability, severity."""

import numpy
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable
from openfisca_country.entities import Person
from openfisca_country.enums import DisabilityType
from openfisca_country.helpers import date_month_number, month_number


class age_in_months(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "按月计龄 age in whole months counted by calendar month (0 in the month of birth)"

    def formula(person, period):
        return month_number(period) - date_month_number(person("birth", period))


class is_present(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "本月计入 born by this month and not dead before it (death counts in its month)"

    def formula(person, period):
        born = person("birth", period) <= numpy.datetime64(period.stop.date)
        alive = person("death_date", period) >= numpy.datetime64(period.start.date)
        return born & alive


class is_minor(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "未成年 under the age of majority (the birthday falls in a later month)"

    def formula(person, period, parameters):
        return person("age_in_months", period) < 12 * parameters(period).person.adult_age


class is_counted_orphan(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "孤儿 an orphan under 18 this month: left out of the household's members and income"

    def formula(person, period):
        return person("is_present", period) & person("orphan", period) & person("is_minor", period)


class has_severe_disability(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "重度残疾 a certificate of grade 1..severe_max_grade"

    def formula(person, period, parameters):
        grade = person("disability_grade", period)
        return (grade >= 1) & (grade <= parameters(period).disability.severe_max_grade)


class has_no_work_ability(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "无劳动能力 no work ability (tekun): aged 60+, under 18, or a qualifying certificate"

    def formula(person, period, parameters):
        tekun = parameters(period).tekun
        age = person("age_in_months", period)
        kind = person("disability_type", period)
        grade = person("disability_grade", period)
        max_grade = tekun.max_grade
        by_certificate = (grade >= 1) & (
            ((kind == DisabilityType.intellectual) & (grade <= max_grade.intellectual))
            | ((kind == DisabilityType.mental) & (grade <= max_grade.mental))
            | ((kind == DisabilityType.physical) & (grade <= max_grade.physical))
            | ((kind == DisabilityType.visual) & (grade <= max_grade.visual))
            | ((kind == DisabilityType.multiple) & (grade <= max_grade.multiple))
        )
        return (age >= 12 * tekun.elderly_age) | person("is_minor", period) | by_certificate
