from minzheng.services.models.assessments import Answer, Assessment, Need
from minzheng.services.models.catalogue import Offering, Provider, ProviderArea, ProviderMembership, ServiceItem
from minzheng.services.models.instruments import Instrument, InstrumentItem, InstrumentVersion
from minzheng.services.models.referrals import (
    Feedback,
    Match,
    MatchRun,
    Referral,
    ReferralEvent,
    ServicePhoto,
    ServiceRecord,
)

__all__ = [
    "Answer",
    "Assessment",
    "Feedback",
    "Instrument",
    "InstrumentItem",
    "InstrumentVersion",
    "Match",
    "MatchRun",
    "Need",
    "Offering",
    "Provider",
    "ProviderArea",
    "ProviderMembership",
    "Referral",
    "ReferralEvent",
    "ServiceItem",
    "ServicePhoto",
    "ServiceRecord",
]
