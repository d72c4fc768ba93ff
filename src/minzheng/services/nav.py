"""Menu entries of service assistance, for the web shell: (label, url name, roles)."""

from __future__ import annotations

from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.services.choices import PROVIDER_ROLES

NAV: list[tuple[str, str, frozenset[str]]] = [
    ("服务救助", "services:home", READS_PERSONAL_DATA),
    ("需求台账", "services:needs", READS_PERSONAL_DATA),
    ("供给清单", "services:catalogue", READS_PERSONAL_DATA | PROVIDER_ROLES),
    ("转介待办", "services:inbox", READS_PERSONAL_DATA | PROVIDER_ROLES),
]
