"""Shenyang's city and 13 districts/counties (GB/T 2260), the fixed top of the administrative tree."""

from typing import Any

CITY = ("210100000000", "沈阳市")
DISTRICTS = (
    ("210102", "和平区"),
    ("210103", "沈河区"),
    ("210104", "大东区"),
    ("210105", "皇姑区"),
    ("210106", "铁西区"),
    ("210111", "苏家屯区"),
    ("210112", "浑南区"),
    ("210113", "沈北新区"),
    ("210114", "于洪区"),
    ("210115", "辽中区"),
    ("210123", "康平县"),
    ("210124", "法库县"),
    ("210181", "新民市"),
)


def seed_top(area_model: Any) -> None:  # the historical (migration) or the real Area model
    """Create the city and its districts if missing (the data migration and test fixtures use this)."""
    city, _ = area_model.objects.get_or_create(code=CITY[0], defaults={"name": CITY[1], "level": "city"})
    for code6, name in DISTRICTS:
        area_model.objects.get_or_create(
            code=code6 + "000000", defaults={"name": name, "level": "district", "parent": city}
        )
