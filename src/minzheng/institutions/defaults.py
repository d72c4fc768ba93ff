"""The first rating standard and checklist, as data, and the one function that writes a version of either.

The data migration seeds them with the historical models; ``actions.rating.publish_rating_standard`` and
``actions.inspections.publish_checklist_version`` write later versions with the real models through the same
functions. Values the research could not confirm carry ``status: assumed`` (see docs/institutions.md).
Source: /shared/domain/policy-research.md §4.2 (GB/T 37276-2018, thresholds as printed in the 长沙 rules [V-2])
and §4.3 (养老机构重大事故隐患判定标准, 2023: five aspects, 22 situations; wording of the items here paraphrased).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

STANDARD_CODE = "GB/T 37276-2018"
CHECKLIST_CODE = "elder-safety"

_PARTS = [("environment", "环境", 120), ("facilities", "设施设备", 130), ("operations", "运营管理", 150),
          ("service", "服务", 600)]
_FOUR_STAR_NOTE = ("[!] 四级“总分 780”与“各分项不低于满分 80%”并存：各分项均达 80% 时总分已不低于 800，"
                   "两数至少一处可能转载有误，待与标准正文核对。")
# (stars, name, minimum total, minimum share of each part's maximum in %, status, note)
_LEVELS = [
    (1, "一级", 360, 40, "official", ""),
    (2, "二级", 450, 50, "official", ""),
    (3, "三级", 570, 60, "official", ""),
    (4, "四级", 780, 80, "assumed", _FOUR_STAR_NOTE),
    (5, "五级", 900, 90, "official", ""),
]

DEFAULT_STANDARD: dict[str, Any] = {
    "code": STANDARD_CODE,
    "title": "养老机构等级划分与评定",
    "valid_from": dt.date(2019, 7, 1),
    "validity_years": 3,
    "validity_status": "assumed",
    "reference": "GB/T 37276-2018《养老机构等级划分与评定》；分值与等级要求据长沙市实施细则转载 [V-2]",
    "note": "施行日期与评定结果有效期（3 年）为工作假定，待核实。总分 1000 = 环境 120 + 设施设备 130 + "
            "运营管理 150 + 服务 600。单项否决（如发生重大安全责任事故）另行填写理由。",
    "parts": [{"code": c, "name": n, "max_points": Decimal(m)} for c, n, m in _PARTS],
    "levels": [
        {"stars": s, "name": name, "min_total": Decimal(total), "status": status, "note": note,
         "minimums": {c: (Decimal(m) * pct / 100, status) for c, _, m in _PARTS}}
        for s, name, total, pct, status, note in _LEVELS
    ],
}

_ASPECTS = ("重要设施设备严重缺陷", "安全生产相关资格资质不符", "日常管理严重问题", "严重违法违规提供服务", "其他")
_A, _B, _C, _D, _E = (f"养老机构重大事故隐患判定标准（2023）·{x}" for x in _ASPECTS)
_G = "GB 38600-2019《养老机构服务安全基本规范》及日常检查实践"
# (code, category, text, major, reference)
_ITEMS = [
    ("M01", "building", "房屋建筑经鉴定为C级、D级危险房屋，仍用于老年人居住或活动", True, _A),
    ("M02", "fire", "火灾自动报警、自动喷水灭火等消防设施未按规定设置或不能正常运行", True, _A),
    ("M03", "equipment", "电梯等特种设备未经检验、检验不合格或超期未检仍在使用", True, _A),
    ("M04", "qualification", "建筑未依法通过消防验收（备案）或抽查不合格即投入使用", True, _B),
    ("M05", "fire", "疏散通道、安全出口被占用、堵塞、锁闭，或数量不足", True, _C),
    ("M06", "management", "老年人居室、疏散走道违规使用易燃可燃材料，或违规使用大功率电器、明火", True, _C),
    ("M07", "service", "夜间无人值守，或护理人员严重不足致老年人无法得到及时照护", True, _D),
    ("M08", "other", "存在其他经判定可能导致群死群伤的重大事故隐患", True, _E),
    ("G01", "fire", "灭火器、应急照明、疏散指示标志配置齐全、完好有效", False, _G),
    ("G02", "fire", "每日防火巡查、每月防火检查并有记录", False, _G),
    ("G03", "building", "居室、卫生间、浴室设呼叫装置和扶手，地面防滑", False, _G),
    ("G04", "building", "厨房燃气设施完好，安装可燃气体报警装置", False, _G),
    ("G05", "management", "建立安全管理制度和应急预案，定期开展应急演练并有记录", False, _G),
    ("G06", "management", "工作人员经安全培训，特种作业人员持证上岗", False, _G),
    ("G07", "service", "入院评估，对噎食、压疮、坠床、跌倒、走失、烫伤等风险告知并防范", False, _G),
    ("G08", "service", "药品集中保管、核对发放并有记录", False, _G),
    ("G09", "food", "取得食品经营许可（备案），食品留样、餐具消毒记录完整", False, _G),
    ("G10", "other", "视频监控覆盖出入口和公共区域，运行正常", False, _G),
]

DEFAULT_CHECKLIST: dict[str, Any] = {
    "code": CHECKLIST_CODE,
    "title": "养老机构安全隐患排查检查表",
    "valid_from": dt.date(2023, 12, 1),
    "status": "assumed",
    "reference": "重大隐患条目按《养老机构重大事故隐患判定标准》（民政部办公厅，2023-12-01 公布）五个方面归纳，"
                 "条文为转述，待换为市局正式检查表；一般隐患条目据 GB 38600-2019 及检查实践。",
    "items": [{"code": c, "category": cat, "text": t, "major": m, "reference": r} for c, cat, t, m, r in _ITEMS],
}


def write_standard(models: Any, spec: dict[str, Any], *, version: int) -> Any:
    """Create one standard version with its parts, levels and per-part minimums. ``models`` has the classes
    RatingStandard, RatingPart, RatingLevel, RatingPartMinimum (historical or real)."""
    standard = models.RatingStandard.objects.create(
        code=spec["code"], version=version, title=spec["title"], valid_from=spec["valid_from"],
        validity_years=spec.get("validity_years", 3), validity_status=spec.get("validity_status", "assumed"),
        reference=spec.get("reference", ""), note=spec.get("note", ""),
    )
    parts = {}
    for order, p in enumerate(spec["parts"], start=1):
        parts[p["code"]] = models.RatingPart.objects.create(standard=standard, code=p["code"], name=p["name"],
                                                            max_points=p["max_points"], order=order)
    for lv in spec["levels"]:
        level = models.RatingLevel.objects.create(standard=standard, stars=lv["stars"], name=lv["name"],
                                                  min_total=lv["min_total"], status=lv.get("status", "official"),
                                                  note=lv.get("note", ""))
        for code, (points, status) in lv["minimums"].items():
            models.RatingPartMinimum.objects.create(level=level, part=parts[code], min_points=points, status=status)
    return standard


def write_checklist(models: Any, spec: dict[str, Any], *, version: int, published_by: Any = None) -> Any:
    """Create one checklist version with its items. ``models`` has ChecklistVersion and ChecklistItem."""
    checklist = models.ChecklistVersion.objects.create(
        code=spec["code"], version=version, title=spec["title"], valid_from=spec["valid_from"],
        status=spec.get("status", "official"), reference=spec.get("reference", ""), published_by=published_by,
    )
    models.ChecklistItem.objects.bulk_create([
        models.ChecklistItem(version=checklist, code=it["code"], category=it["category"], text=it["text"],
                             major=bool(it.get("major")), reference=it.get("reference", ""), order=order)
        for order, it in enumerate(spec["items"], start=1)
    ])
    return checklist


def ensure_defaults() -> None:
    """Write the first standard and checklist if they are missing (a test flush or a fresh demo database)."""
    from types import SimpleNamespace

    from minzheng.institutions import models

    m = SimpleNamespace(**{name: getattr(models, name) for name in (
        "RatingStandard", "RatingPart", "RatingLevel", "RatingPartMinimum", "ChecklistVersion", "ChecklistItem")})
    if not m.RatingStandard.objects.filter(code=STANDARD_CODE).exists():
        write_standard(m, DEFAULT_STANDARD, version=1)
    if not m.ChecklistVersion.objects.filter(code=CHECKLIST_CODE).exists():
        write_checklist(m, DEFAULT_CHECKLIST, version=1)
