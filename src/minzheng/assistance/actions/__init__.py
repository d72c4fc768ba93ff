"""The only code that writes the assistance tables. Each action takes the acting user as ``user=``, runs
in one transaction, goes through the transition table (``workflow.authorise``), raises the typed errors
of ``minzheng.core.errors`` and is audited in the same transaction. Dates are explicit (``on=``,
defaulting to today's local date) so that tests and back-office corrections can move time."""

from minzheng.assistance.actions.applications import (
    assign_investigators,
    attach_document,
    extend_deadline,
    record_authorisation,
    record_investigation,
    submit_application,
    withdraw_application,
)
from minzheng.assistance.actions.changes import (
    change_amount,
    complete_review,
    exit_enrollment,
    expire_rigid_hardship,
    report_change,
    resume_enrollment,
    schedule_reviews,
    start_gradual_exit,
    suspend_enrollment,
)
from minzheng.assistance.actions.decisions import (
    close_notice,
    decide_exception,
    district_approve,
    district_reject,
    notify_rejection,
    propose_exception,
    publish_notice,
    street_approve,
    street_reject,
    uphold_objection,
)
from minzheng.assistance.actions.evaluation import evaluate_application, plan, record_tekun_assessment
from minzheng.assistance.actions.sweep import run_sweep
from minzheng.assistance.actions.temporary import (
    approve_temporary,
    complete_paperwork,
    help_first,
    reject_temporary,
    request_temporary,
)

__all__ = [
    "approve_temporary",
    "assign_investigators",
    "attach_document",
    "change_amount",
    "close_notice",
    "complete_paperwork",
    "complete_review",
    "decide_exception",
    "district_approve",
    "district_reject",
    "evaluate_application",
    "exit_enrollment",
    "expire_rigid_hardship",
    "extend_deadline",
    "help_first",
    "notify_rejection",
    "plan",
    "propose_exception",
    "publish_notice",
    "record_authorisation",
    "record_investigation",
    "record_tekun_assessment",
    "reject_temporary",
    "report_change",
    "request_temporary",
    "resume_enrollment",
    "run_sweep",
    "schedule_reviews",
    "start_gradual_exit",
    "street_approve",
    "street_reject",
    "submit_application",
    "suspend_enrollment",
    "uphold_objection",
    "withdraw_application",
]
