"""Menu entries of elderly care, for the lead to wire into the web shell: (label, url name, roles)."""

from __future__ import annotations

from minzheng.eldercare.choices import PROVIDERS, STAFF

NAV: list[tuple[str, str, frozenset[str]]] = [
    ("养老服务", "eldercare:home", STAFF | PROVIDERS),
    ("高龄津贴", "eldercare:allowance", STAFF),
    ("能力评估", "eldercare:assessments", STAFF),
    ("居家服务工单", "eldercare:orders", STAFF),
    ("居家服务结算", "eldercare:settlements", STAFF | PROVIDERS),
    ("适老化改造", "eldercare:adaptations", STAFF),
    ("助餐点", "eldercare:meal_points", STAFF),
    ("意外伤害保险", "eldercare:insurance", STAFF),
]
# Pages without sign-in: the phone order page for elders and relatives at "eldercare:public_order"
# (/eldercare/order/). Enterprise users land on "eldercare:provider" (dispatch inbox) or "eldercare:worker".
