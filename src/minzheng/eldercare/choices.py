"""Declared states and codes of elderly care, and who may do what (role sets)."""

from __future__ import annotations

from django.db import models

from minzheng.authz.choices import READS_PERSONAL_DATA, WRITES_REGISTRY, Role

# -- roles -------------------------------------------------------------------------------------------------
STAFF = READS_PERSONAL_DATA
# Community/street/district/city staff who take applications, assess, order visits and record meals.
CASEWORKERS = WRITES_REGISTRY
# Who starts the monthly allowance run (a city-wide batch job).
RUNS_ALLOWANCE = frozenset({Role.CITY_ADMIN, Role.DATA_OPERATOR})
# Who settles enterprises' subsidies and enrols insurance.
SETTLES = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
PROVIDERS = frozenset({Role.SERVICE_PROVIDER})


class RunStatus(models.TextChoices):
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class AllowanceBand(models.TextChoices):
    AGED_100 = "100", "100周岁及以上"
    AGED_90 = "90", "90至99周岁"
    AGED_80_LOW = "80_low", "80至89周岁（特困、低保、低保边缘家庭）"
    AGED_80 = "80", "80至89周岁（普惠）"


# -- capability assessment -----------------------------------------------------------------------------------
class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "启用"
    RETIRED = "retired", "停用"


class AssessmentReason(models.TextChoices):
    """A.1 评估原因 of GB/T 42195-2022."""

    FIRST = "first", "首次评估"
    ROUTINE = "routine", "常规评估"
    IMMEDIATE = "immediate", "即时评估"
    REASSESSMENT = "reassessment", "因对评估结果有疑问的复评"
    OTHER = "other", "其他"


class CapabilityLevel(models.IntegerChoices):
    INTACT = 0, "能力完好"
    MILD = 1, "能力轻度受损（轻度失能）"
    MODERATE = 2, "能力中度受损（中度失能）"
    SEVERE = 3, "能力重度受损（重度失能）"
    COMPLETE = 4, "能力完全丧失（完全失能）"


class RiskEvent(models.TextChoices):
    """近30天照护风险事件."""

    FALL = "fall", "跌倒"
    CHOKE = "choke", "噎食"
    SELF_HARM = "self_harm", "自杀、自伤"
    WANDER = "wander", "走失"
    OTHER = "other", "其他"


class SelfCareItem(models.TextChoices):
    """特困人员生活自理能力 six items (民发〔2021〕43号)."""

    EAT = "eat", "自主吃饭"
    DRESS = "dress", "自主穿衣"
    BED = "bed", "自主上下床"
    TOILET = "toilet", "自主如厕"
    WALK = "walk", "室内自主行走"
    BATHE = "bathe", "自主洗澡"


class SelfCareLevel(models.TextChoices):
    """The same labels as ``core.Person.self_care``."""

    FULL = "全自理", "全自理（具备生活自理能力）"
    PARTIAL = "半自理", "半自理（部分丧失生活自理能力）"
    NONE = "全护理", "全护理（完全丧失生活自理能力）"


# -- home care ----------------------------------------------------------------------------------------------
class Hardship(models.TextChoices):
    """The elder's hardship category for entitlements and meal subsidies (the household's highest)."""

    TEKUN = "tekun", "特困"
    DIBAO = "dibao", "低保"
    DIBAO_EDGE = "dibao_edge", "低保边缘"
    NONE = "none", "其他"


class CategoryGroup(models.TextChoices):
    MEDICAL = "medical", "医护上门"
    PERSONAL = "personal", "生活照料"
    HOUSEHOLD = "household", "家政服务"
    MEALS = "meals", "助餐"
    REHAB = "rehab", "康复护理"
    SPIRIT = "spirit", "精神慰藉"
    ERRANDS = "errands", "代办与出行"
    SAFETY = "safety", "安全援助"


class MemberRole(models.TextChoices):
    MANAGER = "manager", "调度管理员"
    WORKER = "worker", "服务人员"


class Channel(models.TextChoices):
    ELDER = "elder", "老人本人手机下单"
    RELATIVE = "relative", "亲属手机下单"
    CASEWORKER = "caseworker", "社区工作人员代下单"


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", "已下单"
    DISPATCHED = "dispatched", "已派给企业"
    ASSIGNED = "assigned", "已派给服务人员"
    CHECKED_IN = "checked_in", "服务中（已签到）"
    CHECKED_OUT = "checked_out", "已完成（已签退）"
    RATED = "rated", "已评价"
    CANCELLED = "cancelled", "已取消"


OPEN_ORDER_STATUSES = (OrderStatus.ORDERED, OrderStatus.DISPATCHED, OrderStatus.ASSIGNED, OrderStatus.CHECKED_IN)
DONE_ORDER_STATUSES = (OrderStatus.CHECKED_OUT, OrderStatus.RATED)


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", "待确认"
    CONFIRMED = "confirmed", "已确认"


class Anomaly(models.TextChoices):
    """Flags a settlement puts on a visit, and what happens to the visit (docs/eldercare.md)."""

    OVERLAP = "overlap", "同一服务人员服务时间重叠"
    AFTER_DEATH = "after_death", "服务对象死亡后的服务"
    OVER_ENTITLEMENT = "over_entitlement", "超出当月服务时长额度"


class LineDecision(models.TextChoices):
    PAID = "paid", "结算"
    PARTIAL = "partial", "部分结算（超出额度部分不结算）"
    HELD = "held", "暂缓结算（待核查）"
    EXCLUDED = "excluded", "不予结算"


# -- home adaptation ----------------------------------------------------------------------------------------
class AdaptationKind(models.TextChoices):
    """The seven classes of 民发〔2020〕86号 居家适老化改造项目和老年用品配置推荐清单."""

    FLOOR = "floor", "地面"
    DOOR = "door", "门"
    BEDROOM = "bedroom", "卧室"
    BATHROOM = "bathroom", "如厕洗浴设备"
    KITCHEN = "kitchen", "厨房设备"
    ENVIRONMENT = "environment", "物理环境"
    SUPPLIES = "supplies", "老年用品配置"


class AdaptationStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    ASSESSED = "assessed", "已评估"
    PLANNED = "planned", "已定方案"
    IN_WORKS = "in_works", "施工中"
    ACCEPTED = "accepted", "已验收"
    SUBSIDISED = "subsidised", "已拨付补贴"
    REJECTED = "rejected", "不予改造"


# -- meals and insurance ------------------------------------------------------------------------------------
class MealPointKind(models.TextChoices):
    CANTEEN = "canteen", "社区长者食堂"
    MEAL_POINT = "meal_point", "老年助餐点"


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", "早餐"
    LUNCH = "lunch", "午餐"
    DINNER = "dinner", "晚餐"


class MealSubsidyCategory(models.TextChoices):
    """Who receives which subsidy per meal (the highest applicable)."""

    TEKUN = "tekun", "特困老人"
    DIBAO = "dibao", "低保老人"
    DIBAO_EDGE = "dibao_edge", "低保边缘家庭老人"
    AGED_80 = "aged_80", "80周岁及以上老人"
    AGED_60 = "aged_60", "60周岁及以上老人"
