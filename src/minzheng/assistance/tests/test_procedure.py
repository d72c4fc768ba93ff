"""The procedure's dated parameters (期限、限额) and their status (published or assumed)."""

from __future__ import annotations

import datetime as dt

from minzheng.assistance.procedure import procedure_value, street_limit

D = dt.date


def test_procedure_parameters_carry_status() -> None:
    assert procedure_value("decision_working_days", D(2025, 1, 1)).number == 30
    assert procedure_value("gradual_exit_months", D(2025, 1, 1)).assumed
    limit, basis = street_limit(D(2025, 8, 1))
    assert str(limit) == "1700.00"  # 2 × 850 (dibao standard from 2025-07-01, assumed)
    assert [b.assumed for b in basis] == [True, True]
    assert str(street_limit(D(2025, 6, 30))[0]) == "1642.00"  # 2 × 821
