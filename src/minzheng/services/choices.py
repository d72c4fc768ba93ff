"""Declared states and codes of service-type assistance, the referral transition table and role sets."""

from __future__ import annotations

from django.db import models

from minzheng.authz.choices import Role

ALL_WEEKDAYS = 0b1111111  # bit 0 = Monday … bit 6 = Sunday
WORKDAYS = 0b0011111
WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")


def weekday_text(mask: int) -> str:
    """``周一、三、五`` for a bit mask; every day → ``每天``."""
    if mask & ALL_WEEKDAYS == ALL_WEEKDAYS:
        return "每天"
    days = [WEEKDAY_LABELS[i] for i in range(7) if mask >> i & 1]
    return "周" + "、".join(days) if days else "无"


class Dimension(models.TextChoices):
    """The official dimensions of the needs assessment (民政部 服务类社会救助试点)."""

    ECONOMY = "economy", "经济"
    HEALTH = "health", "健康"
    EDUCATION = "education", "教育"
    HOUSING = "housing", "居住"
    EMPLOYMENT = "employment", "就业"
    GUARDIANSHIP = "guardianship", "监护"
    SOCIAL = "social", "社会融入"


class NeedLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"
    NONE = "none", "无"


# Numeric need level used by the matching cost (NONE never opens a need).
LEVEL_RANK = {NeedLevel.HIGH: 3, NeedLevel.MEDIUM: 2, NeedLevel.LOW: 1, NeedLevel.NONE: 0}


class Derivation(models.TextChoices):
    """Answers the system can pre-fill from data already held (the worker confirms or corrects them)."""

    SELF_CARE = "self_care", "自理能力（成员中最差）"
    DISABILITY = "disability", "残疾等级（成员中最重）"
    SERIOUS_ILLNESS = "serious_illness", "重特大疾病"
    LIVING_ALONE = "living_alone", "独居"
    ELDERLY = "elderly", "高龄"
    CATEGORY = "category", "救助类别"
    MINOR = "minor", "未成年子女"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "启用"
    RETIRED = "retired", "停用"


class AssessmentChannel(models.TextChoices):
    HOME_VISIT = "home_visit", "入户评估"
    DATA = "data", "数据比对"
    DESK = "desk", "窗口受理"


class AnswerSource(models.TextChoices):
    VISIT = "visit", "入户采集"
    DERIVED = "derived", "数据预填"


class ItemKind(models.TextChoices):
    SERVICE = "service", "服务类"
    MATERIAL = "material", "物质类"


class ProviderKind(models.TextChoices):
    GOVERNMENT = "government", "政府部门"
    MASS_ORG = "mass_org", "群团组织"
    SOCIAL_ORG = "social_org", "社会组织"
    COMPANY = "company", "企业"
    VOLUNTEER = "volunteer", "志愿服务队"


class Payer(models.TextChoices):
    GOVERNMENT_PURCHASE = "government_purchase", "政府购买"
    CHARITY = "charity", "慈善资助"
    FREE = "free", "免费"


class Period(models.TextChoices):
    WEEK = "week", "每周"
    MONTH = "month", "每月"


class OfferingStatus(models.TextChoices):
    ACTIVE = "active", "提供中"
    INACTIVE = "inactive", "暂停"


class NeedStatus(models.TextChoices):
    OPEN = "open", "待匹配"
    REFERRED = "referred", "已转介"
    IN_SERVICE = "in_service", "服务中"
    CLOSED = "closed", "已结束"


LIVE_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.REFERRED, NeedStatus.IN_SERVICE)


class Priority(models.TextChoices):
    """Priority class of a need (from the household's low-income category), highest first."""

    TEKUN = "tekun", "特困"
    DIBAO = "dibao", "低保"
    DIBAO_EDGE = "dibao_edge", "低保边缘"
    RIGID_HARDSHIP = "rigid_hardship", "刚性支出困难"
    OTHER = "other", "其他"


PRIORITY_ORDER = [p.value for p in Priority]  # index = class of matching.PRIORITY_CLASSES


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    DECLINED = "declined", "已拒绝"
    EXPIRED = "expired", "逾期撤回"
    IN_SERVICE = "in_service", "服务中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已撤销"


# A live referral holds one place of its offering and keeps its need out of matching.
LIVE_REFERRAL_STATUSES = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE)
# The only moves a referral can make (an illegal one raises InvalidChange).
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.PENDING: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.CANCELLED}
    ),
    ReferralStatus.ACCEPTED: frozenset(
        {ReferralStatus.IN_SERVICE, ReferralStatus.COMPLETED, ReferralStatus.CANCELLED}
    ),
    ReferralStatus.IN_SERVICE: frozenset({ReferralStatus.COMPLETED, ReferralStatus.CANCELLED}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.EXPIRED: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
}


class DeclineReason(models.TextChoices):
    FULL = "full", "名额已满"
    OUT_OF_AREA = "out_of_area", "不在服务范围"
    NOT_ELIGIBLE = "not_eligible", "不符合服务条件"
    UNREACHABLE = "unreachable", "联系不上服务对象"
    REFUSED = "refused", "服务对象拒绝"
    OTHER = "other", "其他"


# Deadlines, in working days of the project's calendar (core/workdays.py: weekends and official holidays
# skipped, 调休 weekend days worked), to the hour the clock started — see services/workdays.py and
# docs/services.md.
ACCEPT_WITHIN_WORKING_DAYS = 2  # a provider answers a referral within this
WITHDRAW_AFTER_WORKING_DAYS = 2  # further days overdue before the referral is withdrawn and re-matched
FIRST_VISIT_WITHIN_WORKING_DAYS = 5  # after accepting, the first visit is due within this

# Who does what.
ASSESSES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
RUNS_MATCHING = ASSESSES
MANAGES_CATALOGUE = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
PROVIDER_ROLES = frozenset({Role.SERVICE_PROVIDER})
