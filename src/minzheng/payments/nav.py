"""Menu entries of the payments app, for the lead to wire into the web shell: (label, url name, roles)."""

from __future__ import annotations

from minzheng.authz.choices import READS_PERSONAL_DATA

NAV: list[tuple[str, str, frozenset[str]]] = [
    ("资金发放", "payments:payroll_list", READS_PERSONAL_DATA),
    ("追回管理", "payments:recovery_list", READS_PERSONAL_DATA),
    ("发放统计", "payments:report", READS_PERSONAL_DATA),
]
