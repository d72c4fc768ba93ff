"""Menu entries of the monitoring app, for the lead to wire into the web shell: (label, url name, roles)."""

from __future__ import annotations

from minzheng.authz.choices import READS_PERSONAL_DATA

NAV: list[tuple[str, str, frozenset[str]]] = [
    ("监测预警", "monitoring:inbox", READS_PERSONAL_DATA),
    ("重点监测", "monitoring:watch_list", READS_PERSONAL_DATA),
    ("监测看板", "monitoring:dashboard", READS_PERSONAL_DATA),
]
