"""The only code that writes the monitoring tables. Each action takes the acting user as ``user=`` (``None``
is the system), runs in one transaction, goes through the transition table (``workflow.authorise``),
raises the typed errors of ``minzheng.core.errors`` and is audited in the same transaction. Dates are
explicit (``on=``, today's local date by default) so tests and corrections can move time."""

from minzheng.monitoring.actions.alerts import close, escalate_overdue, judge, sign_for, start_verification
from minzheng.monitoring.actions.dispositions import (
    dispose,
    record_no_action,
    refer_service,
    refer_special,
    start_application,
    start_temporary,
    stop_payments,
)
from minzheng.monitoring.actions.runs import push_alert, record_run
from minzheng.monitoring.actions.watch import add_to_key_monitoring, end_key_monitoring, record_revisit

__all__ = [
    "add_to_key_monitoring",
    "close",
    "dispose",
    "end_key_monitoring",
    "escalate_overdue",
    "judge",
    "push_alert",
    "record_no_action",
    "record_revisit",
    "record_run",
    "refer_service",
    "refer_special",
    "sign_for",
    "start_application",
    "start_temporary",
    "start_verification",
    "stop_payments",
]
