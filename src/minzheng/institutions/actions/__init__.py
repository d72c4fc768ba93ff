"""The only code that writes the institutions tables: each function one use case, one transaction, audited."""

from minzheng.institutions.actions.findings import (
    assign_rectification,
    close_finding,
    escalate_overdue,
    reject_rectification,
    reopen_finding,
    submit_rectification,
    verify_rectification,
)
from minzheng.institutions.actions.inspections import (
    close_campaign,
    publish_checklist_version,
    record_inspection,
    start_campaign,
)
from minzheng.institutions.actions.rating import (
    apply_for_rating,
    publish_rating_standard,
    rate_institution,
    withdraw_rating_application,
)
from minzheng.institutions.actions.registry import (
    end_membership,
    link_member,
    register_institution,
    update_institution,
)

__all__ = [
    "apply_for_rating",
    "assign_rectification",
    "close_campaign",
    "close_finding",
    "end_membership",
    "escalate_overdue",
    "link_member",
    "publish_checklist_version",
    "publish_rating_standard",
    "rate_institution",
    "record_inspection",
    "register_institution",
    "reject_rectification",
    "reopen_finding",
    "start_campaign",
    "submit_rectification",
    "update_institution",
    "verify_rectification",
    "withdraw_rating_application",
]
