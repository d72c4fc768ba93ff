"""Menu entries of the institutions app, for the lead to wire into the web shell: (label, url name, roles)."""

from __future__ import annotations

from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.institutions.choices import READS_INSTITUTIONS

NAV: list[tuple[str, str, frozenset[str]]] = [
    ("养老机构", "institutions:institution_list", READS_INSTITUTIONS),
    ("隐患整改", "institutions:finding_list", READS_INSTITUTIONS),
    ("安全检查行动", "institutions:campaign_list", READS_PERSONAL_DATA),
]
