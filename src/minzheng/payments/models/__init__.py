from minzheng.payments.models.bank import (
    BankAccount,
    BankReturn,
    BankReturnLine,
    Disbursement,
    DisbursementLine,
    LineEvent,
)
from minzheng.payments.models.basis import AppendOnly, BasisSnapshot, RuleVersion
from minzheng.payments.models.ledger import LedgerEntry
from minzheng.payments.models.payroll import Payroll, PayrollStep
from minzheng.payments.models.recovery import Recovery, RecoveryEvent

__all__ = [
    "AppendOnly",
    "BankAccount",
    "BankReturn",
    "BankReturnLine",
    "BasisSnapshot",
    "Disbursement",
    "DisbursementLine",
    "LedgerEntry",
    "LineEvent",
    "Payroll",
    "PayrollStep",
    "Recovery",
    "RecoveryEvent",
    "RuleVersion",
]
