from minzheng.core.models.areas import Area
from minzheng.core.models.households import Household, HouseholdChange, HouseholdMember
from minzheng.core.models.people import Person

__all__ = ["Area", "Household", "HouseholdChange", "HouseholdMember", "Person"]
