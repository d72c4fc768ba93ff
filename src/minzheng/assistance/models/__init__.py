from minzheng.assistance.models.applications import (
    AppendOnly,
    Application,
    ApplicationStep,
    Decision,
    ExceptionCase,
    PublicNotice,
)
from minzheng.assistance.models.investigations import (
    SIX_ITEMS,
    Evaluation,
    InvestigatedMember,
    Investigation,
    SupportingDocument,
    TekunAssessment,
)
from minzheng.assistance.models.life import EnrollmentChange, ReviewTask, SweepRun, TemporaryAssistance

__all__ = [
    "SIX_ITEMS",
    "AppendOnly",
    "Application",
    "ApplicationStep",
    "Decision",
    "EnrollmentChange",
    "Evaluation",
    "ExceptionCase",
    "InvestigatedMember",
    "Investigation",
    "PublicNotice",
    "ReviewTask",
    "SupportingDocument",
    "SweepRun",
    "TekunAssessment",
    "TemporaryAssistance",
]
