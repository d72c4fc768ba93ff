"""家庭财产 asset tests (policy-rules.md "Assets"), per member over every present member."""

from openfisca_core.model_api import max_, where
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable
from openfisca_country.entities import Household


class nb_present(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "本月计入人数 members present this month (tekun and orphans included)"

    def formula(household, period):
        return household.sum(household.members("is_present", period))


class holds_prohibited_vehicle(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有禁止车辆 a member holds a vehicle of a prohibited type"

    def formula(household, period, parameters):
        prohibited = parameters(period).assets.prohibited_vehicles
        return sum(household(f"vehicle_{code}", period) for code in prohibited) > 0


class holds_prohibited_business_role(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有禁止的市场主体身份 a member holds a prohibited business role"

    def formula(household, period, parameters):
        prohibited = parameters(period).assets.prohibited_business_roles
        return sum(household(f"business_role_{code}", period) for code in prohibited) > 0


class assets_common_ok(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "车辆、房产、经营主体 vehicles, properties and business roles within the limits"

    def formula(household, period, parameters):
        assets = parameters(period).assets
        return (
            (household("nb_present", period) > 0)
            & ~household("holds_prohibited_vehicle", period)
            & ~household("holds_prohibited_business_role", period)
            & (household("residential_properties", period) <= assets.max_residential_properties)
            & (household("commercial_properties", period) <= assets.max_commercial_properties)
        )


class financial_assets_per_member(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "CNY"
    label = "人均金融资产 financial assets per present member"

    def formula(household, period):
        members = household("nb_present", period)
        return where(members > 0, household("financial_assets", period) / max_(members, 1), 0)


class financial_assets_ok_dibao(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均金融资产不超过低保限额 financial assets per member at most the dibao/tekun multiple × standard"

    def formula(household, period, parameters):
        p = parameters(period)
        limit = p.assets.financial_multiple.dibao * p.dibao.standard
        return household("financial_assets_per_member", period) <= limit


class financial_assets_ok_edge(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均金融资产不超过边缘限额 financial assets per member at most the edge multiple × standard"

    def formula(household, period, parameters):
        p = parameters(period)
        limit = p.assets.financial_multiple.edge * p.dibao.standard
        return household("financial_assets_per_member", period) <= limit


class assets_ok_dibao(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "财产符合低保、特困限额 assets within the dibao/tekun limits"

    def formula(household, period):
        return household("assets_common_ok", period) & household("financial_assets_ok_dibao", period)


class assets_ok_edge(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "财产符合低保边缘、刚性支出困难限额 assets within the dibao_edge/rigid_hardship limits"

    def formula(household, period):
        return household("assets_common_ok", period) & household("financial_assets_ok_edge", period)
