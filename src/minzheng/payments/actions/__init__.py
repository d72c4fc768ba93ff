"""The only code that writes the payments app's tables; every function runs in one transaction (the
payroll run in three, see :mod:`.payroll`) and is audited."""

from minzheng.payments.actions.bank import export_bank_file, record_bank_account, reencrypt_bank_accounts
from minzheng.payments.actions.corrections import (
    notify_recovery,
    record_repayment,
    reverse_entry,
    write_off_recovery,
)
from minzheng.payments.actions.payroll import (
    RunResult,
    approve_payroll,
    check_payroll,
    claim_payroll,
    prepare_payroll,
    release_payroll,
    return_payroll,
    run_payroll,
)
from minzheng.payments.actions.reconcile import hold_line, import_bank_return, reissue_lines
from minzheng.payments.actions.snapshots import record_review_basis

__all__ = [
    "RunResult",
    "approve_payroll",
    "check_payroll",
    "claim_payroll",
    "export_bank_file",
    "hold_line",
    "import_bank_return",
    "notify_recovery",
    "prepare_payroll",
    "record_bank_account",
    "record_repayment",
    "record_review_basis",
    "reencrypt_bank_accounts",
    "reissue_lines",
    "release_payroll",
    "return_payroll",
    "reverse_entry",
    "run_payroll",
    "write_off_recovery",
]
