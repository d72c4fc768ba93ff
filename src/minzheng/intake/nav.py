"""Menu entry of data intake: (label, url name, roles)."""

from __future__ import annotations

from minzheng.authz.choices import RUNS_IMPORTS

NAV: list[tuple[str, str, frozenset[str]]] = [("数据导入", "intake:run_list", RUNS_IMPORTS)]
