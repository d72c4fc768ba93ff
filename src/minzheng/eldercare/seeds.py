"""Configurable reference data of elderly care, seeded by migration 0002 and by :func:`ensure_seeds` (tests
and the demo call it again after a flush). Every list is data, edited in the database afterwards; the
figures marked *assumed* in docs/eldercare.md await Shenyang's own texts.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

INSTRUMENT_DIR = Path(__file__).resolve().parent / "instruments"
INSTRUMENT_FILES = ("gbt42195-2022.json", "tekun-selfcare-2021.json")

# (code, name, group, hourly subsidy in yuan) — 34 categories of government-bought home care.
SERVICE_CATEGORIES: list[tuple[str, str, str, str]] = [
    ("home_nursing", "上门医疗护理", "medical", "80"),
    ("home_doctor", "家庭医生上门巡诊", "medical", "80"),
    ("health_monitor", "健康监测", "medical", "50"),
    ("medication", "用药指导与提醒", "medical", "50"),
    ("tcm", "中医保健", "medical", "60"),
    ("hospice", "安宁疗护", "medical", "80"),
    ("bathing", "助浴", "personal", "60"),
    ("hygiene", "个人清洁护理", "personal", "45"),
    ("haircut", "理发修脚", "personal", "40"),
    ("toileting", "协助如厕", "personal", "45"),
    ("feeding", "协助进食", "personal", "45"),
    ("transfer", "协助移动与体位转移", "personal", "45"),
    ("cleaning", "居家保洁", "household", "40"),
    ("laundry", "衣物洗涤", "household", "40"),
    ("repairs", "家电维修", "household", "40"),
    ("plumbing", "水电维修", "household", "40"),
    ("meal_delivery", "助餐送餐", "meals", "35"),
    ("cooking", "上门做饭", "meals", "40"),
    ("rehab_training", "康复训练", "rehab", "60"),
    ("physio", "康复理疗", "rehab", "60"),
    ("aids_fitting", "辅具适配指导", "rehab", "50"),
    ("pressure_care", "压疮预防护理", "rehab", "60"),
    ("companionship", "陪伴聊天", "spirit", "35"),
    ("counselling", "心理疏导", "spirit", "50"),
    ("reading", "读书读报", "spirit", "35"),
    ("recreation", "文化娱乐", "spirit", "35"),
    ("shopping", "代购代缴", "errands", "35"),
    ("escort_medical", "陪同就医", "errands", "45"),
    ("escort_outing", "出行陪同", "errands", "40"),
    ("errands", "代办事项", "errands", "35"),
    ("emergency_call", "紧急呼叫响应", "safety", "50"),
    ("safety_visit", "安全巡访", "safety", "35"),
    ("smart_care", "智能看护设备维护", "safety", "40"),
    ("night_care", "夜间照护", "safety", "50"),
]

# Hours a month by capability level 0..4, per hardship category (assumed; none: no bought hours).
ENTITLEMENT_HOURS: dict[str, tuple[int, int, int, int, int]] = {
    "tekun": (4, 8, 12, 20, 30),
    "dibao": (2, 6, 10, 16, 24),
    "dibao_edge": (0, 4, 8, 12, 16),
}
ENTITLEMENT_FROM = dt.date(2025, 1, 1)

# (code, name, kind, basic, unit, subsidy cap per unit): 7 basic + 23 optional items.
ADAPTATION_ITEMS: list[tuple[str, str, str, bool, str, str]] = [
    ("floor_antislip", "地面防滑处理", "floor", True, "项", "800"),
    ("ramp", "轮椅坡道", "floor", True, "处", "1000"),
    ("bed_rail", "床边护栏（抓杆）", "bedroom", True, "个", "300"),
    ("cane", "手杖", "supplies", True, "根", "100"),
    ("shower_chair", "淋浴椅", "bathroom", True, "把", "200"),
    ("grab_bar", "如厕洗浴扶手", "bathroom", True, "个", "150"),
    ("anti_wander", "防走失装置", "supplies", True, "套", "300"),
    ("threshold", "地面高差处理", "floor", False, "处", "500"),
    ("sliding_door", "平开门改为推拉门", "door", False, "樘", "1200"),
    ("door_widen", "房门拓宽", "door", False, "樘", "1000"),
    ("lever_handle", "下压式门把手", "door", False, "个", "100"),
    ("flash_doorbell", "闪光振动门铃", "door", False, "个", "150"),
    ("care_bed", "护理床", "bedroom", False, "张", "2000"),
    ("night_light", "起夜灯", "bedroom", False, "套", "150"),
    ("pressure_mattress", "防压疮垫", "bedroom", False, "张", "400"),
    ("squat_to_seat", "蹲便器改坐便器", "bathroom", False, "处", "800"),
    ("tap", "水龙头改造", "bathroom", False, "个", "200"),
    ("shower_room", "浴缸或淋浴房改造", "bathroom", False, "处", "2000"),
    ("commode", "坐便椅", "bathroom", False, "把", "300"),
    ("worktop", "厨房台面改造", "kitchen", False, "项", "1500"),
    ("mid_cabinet", "加设中部柜", "kitchen", False, "组", "800"),
    ("gas_alarm", "燃气泄漏报警装置", "kitchen", False, "套", "300"),
    ("sensor_light", "自动感应灯具", "environment", False, "套", "300"),
    ("sockets", "电源插座及开关改造", "environment", False, "项", "500"),
    ("corner_guard", "防撞护角、防撞条", "environment", False, "项", "200"),
    ("wheelchair", "轮椅或助行器", "supplies", False, "台", "800"),
    ("magnifier", "放大装置", "supplies", False, "个", "150"),
    ("hearing_aid", "助听器", "supplies", False, "个", "1000"),
    ("eating_aids", "自助进食器具", "supplies", False, "套", "150"),
    ("emergency_button", "紧急呼叫装置", "supplies", False, "套", "400"),
]
ADAPTATION_POLICY: dict[str, Any] = {"valid_from": dt.date(2021, 1, 1), "basic_ratio": "1.00", "optional_ratio": "0.50",
                     "case_cap": "3000"}

# Subsidy per meal by diner category from 2024-01-01 (assumed).
MEAL_SUBSIDIES = {"tekun": "8", "dibao": "6", "dibao_edge": "5", "aged_80": "3", "aged_60": "1"}
MEAL_SUBSIDY_FROM = dt.date(2024, 1, 1)


def instrument_definitions() -> list[dict[str, Any]]:
    return [json.loads((INSTRUMENT_DIR / name).read_text(encoding="utf-8")) for name in INSTRUMENT_FILES]


def ensure_seeds(apps: Any = None) -> None:
    """Create whatever reference data is missing (idempotent; ``apps`` in a migration)."""

    def model(name: str) -> Any:
        if apps is not None:
            return apps.get_model("eldercare", name)
        from minzheng.eldercare import models

        return getattr(models, name)

    category = model("ServiceCategory")
    for sort, (code, name, group, rate) in enumerate(SERVICE_CATEGORIES, start=1):
        category.objects.get_or_create(code=code, defaults={"name": name, "group": group,
                                                            "hourly_subsidy": Decimal(rate), "sort": sort})
    rule = model("EntitlementRule")
    for hardship, hours in ENTITLEMENT_HOURS.items():
        for level, h in enumerate(hours):
            rule.objects.get_or_create(level=level, hardship=hardship, valid_from=ENTITLEMENT_FROM,
                                       defaults={"hours": Decimal(h)})
    item = model("AdaptationItem")
    for sort, (code, name, kind, basic, unit, cap) in enumerate(ADAPTATION_ITEMS, start=1):
        item.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "basic": basic, "unit": unit,
                                                        "subsidy_cap": Decimal(cap), "sort": sort})
    policy = ADAPTATION_POLICY
    model("AdaptationPolicy").objects.get_or_create(
        valid_from=policy["valid_from"], defaults={"basic_ratio": Decimal(policy["basic_ratio"]),
                                                   "optional_ratio": Decimal(policy["optional_ratio"]),
                                                   "case_cap": Decimal(policy["case_cap"])})
    meal = model("MealSubsidyRule")
    for cat, amount in MEAL_SUBSIDIES.items():
        meal.objects.get_or_create(category=cat, valid_from=MEAL_SUBSIDY_FROM, defaults={"amount": Decimal(amount)})
    instrument = model("Instrument")
    for d in instrument_definitions():
        instrument.objects.get_or_create(
            code=d["code"], version=d["version"],
            defaults={"name": d["name"], "valid_from": dt.date.fromisoformat(d["valid_from"]), "status": "active",
                      "definition": d})
