from minzheng.eldercare.models.adaptation import (
    AdaptationCase,
    AdaptationEvent,
    AdaptationItem,
    AdaptationLine,
    AdaptationPolicy,
)
from minzheng.eldercare.models.allowance import AllowanceRun, HighAgeApplication
from minzheng.eldercare.models.assessment import Assessment, Instrument, SelfCareAssessment
from minzheng.eldercare.models.community import (
    InsuranceEnrollment,
    InsurancePolicy,
    MealPoint,
    MealRecord,
    MealSubsidyRule,
)
from minzheng.eldercare.models.orders import Order, OrderEvent, Rating, Settlement, SettlementLine, Visit
from minzheng.eldercare.models.providers import (
    Enterprise,
    EnterpriseMembership,
    EntitlementRule,
    FamilyContact,
    ServiceCategory,
    Worker,
)

__all__ = [
    "AdaptationCase",
    "AdaptationEvent",
    "AdaptationItem",
    "AdaptationLine",
    "AdaptationPolicy",
    "AllowanceRun",
    "Assessment",
    "Enterprise",
    "EnterpriseMembership",
    "EntitlementRule",
    "FamilyContact",
    "HighAgeApplication",
    "Instrument",
    "InsuranceEnrollment",
    "InsurancePolicy",
    "MealPoint",
    "MealRecord",
    "MealSubsidyRule",
    "Order",
    "OrderEvent",
    "Rating",
    "SelfCareAssessment",
    "ServiceCategory",
    "Settlement",
    "SettlementLine",
    "Visit",
    "Worker",
]
