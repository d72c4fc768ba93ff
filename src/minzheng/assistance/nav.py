"""Menu entries of the assistance app, for the lead to wire into the web shell: (label, url name, roles)."""

from __future__ import annotations

from minzheng.authz.choices import READS_PERSONAL_DATA

NAV: list[tuple[str, str, frozenset[str]]] = [
    ("社会救助", "assistance:index", READS_PERSONAL_DATA),
    ("救助申请", "assistance:application_list", READS_PERSONAL_DATA),
    ("核查任务", "assistance:review_list", READS_PERSONAL_DATA),
    ("临时救助", "assistance:temporary_list", READS_PERSONAL_DATA),
]
# The resident's status page (no sign-in) lives at "assistance:status" (/assistance/status/).
