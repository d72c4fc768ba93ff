"""The service-assistance taxonomy (服务类社会救助清单) as plain data (no Django import).

Five groups of services from the pilot lists (照护 / 生活 / 关爱, plus 发展 and 资源链接), and the material
items of the supply catalogue (物质类). Codes are stable identifiers used by need tags, offerings, the
HSDS export (taxonomy_term.code) and the benchmark.
"""

from __future__ import annotations

TAXONOMY_NAME = "minzheng-service-assistance"
TAXONOMY_VERSION = "2025.1"

# (code, label)
GROUPS: tuple[tuple[str, str], ...] = (
    ("care", "照护服务"),
    ("life", "生活服务"),
    ("concern", "关爱服务"),
    ("development", "发展服务"),
    ("link", "资源链接"),
    ("material", "物质救助"),
)

# (code, group, label, kind) — kind "service" (服务类) or "material" (物质类)
ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("care.nursing", "care", "看护照料", "service"),
    ("care.rehab", "care", "康复训练", "service"),
    ("care.bath", "care", "助浴", "service"),
    ("life.meal", "life", "助餐", "service"),
    ("life.clean", "life", "助洁", "service"),
    ("life.mobility", "life", "助行", "service"),
    ("life.errand", "life", "代办", "service"),
    ("concern.visit", "concern", "访视", "service"),
    ("concern.counsel", "concern", "心理疏导", "service"),
    ("concern.social", "concern", "社会融入", "service"),
    ("concern.guardian", "concern", "监护支持", "service"),
    ("development.skills", "development", "能力提升", "service"),
    ("development.job", "development", "就业指导", "service"),
    ("development.tutor", "development", "教育辅导", "service"),
    ("link.charity", "link", "慈善", "service"),
    ("link.socialorg", "link", "社会组织", "service"),
    ("link.volunteer", "link", "志愿", "service"),
    ("material.goods", "material", "生活物资", "material"),
    ("material.heating", "material", "取暖物资", "material"),
    ("material.aids", "material", "康复辅具", "material"),
)

SERVICE_CODES = tuple(code for code, _g, _l, kind in ITEMS if kind == "service")
LABELS = {code: label for code, _g, label, _k in ITEMS} | dict(GROUPS)
