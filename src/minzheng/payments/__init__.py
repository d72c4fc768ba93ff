"""Benefit payments: the monthly payroll, the append-only ledger, disbursement and reconciliation.

Tour: :mod:`.engine` computes what is due (rules bulk path over frozen basis snapshots) and what the
ledger must gain to match it; :mod:`.actions` are the only writers (payroll run and its maker-checker
steps, reversals, recoveries, bank files and returns, snapshots); :mod:`.selectors` and
:mod:`.reports` are the scoped reads; ``docs/payments.md`` is the caseworkers' page.
"""
