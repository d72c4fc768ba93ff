from minzheng.institutions.models.inspection import (
    ChecklistItem,
    ChecklistVersion,
    Escalation,
    Finding,
    FindingStep,
    Inspection,
    InspectionCampaign,
    InspectionResult,
)
from minzheng.institutions.models.rating import (
    Rating,
    RatingApplication,
    RatingItemScore,
    RatingLevel,
    RatingPart,
    RatingPartMinimum,
    RatingScore,
    RatingStandard,
)
from minzheng.institutions.models.registry import Institution, InstitutionMembership

__all__ = [
    "ChecklistItem",
    "ChecklistVersion",
    "Escalation",
    "Finding",
    "FindingStep",
    "Inspection",
    "InspectionCampaign",
    "InspectionResult",
    "Institution",
    "InstitutionMembership",
    "Rating",
    "RatingApplication",
    "RatingItemScore",
    "RatingLevel",
    "RatingPart",
    "RatingPartMinimum",
    "RatingScore",
    "RatingStandard",
]
