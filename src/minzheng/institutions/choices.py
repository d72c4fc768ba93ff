"""States, kinds and role sets of the institutions app (养老机构: 登记、星级评定、安全检查与隐患整改)."""

from __future__ import annotations

from django.db import models

from minzheng.authz.choices import READS_PERSONAL_DATA, Role


class InstitutionKind(models.TextChoices):
    PUBLIC = "public", "公办"
    PRIVATE = "private", "民办"
    PUBLIC_PRIVATE = "public_private", "公建民营"


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", "运营中"
    SUSPENDED = "suspended", "暂停收住"
    CLOSED = "closed", "已停业"


class ValueStatus(models.TextChoices):
    """Where a configured value comes from: a published text, or a placeholder until the bureau confirms it."""

    OFFICIAL = "official", "正式"
    ASSUMED = "assumed", "假定值"


class RatingState(models.TextChoices):
    APPLIED = "applied", "已申请"
    RATED = "rated", "已评定"
    NOT_RATED = "not_rated", "未达等级"
    WITHDRAWN = "withdrawn", "已撤回"


class RatingAction(models.TextChoices):
    APPLY = "apply", "申请评定"
    RATE = "rate", "评定"
    WITHDRAW = "withdraw", "撤回"


class ChecklistCategory(models.TextChoices):
    BUILDING = "building", "建筑与设施"
    FIRE = "fire", "消防安全"
    EQUIPMENT = "equipment", "特种设备"
    QUALIFICATION = "qualification", "资格资质"
    MANAGEMENT = "management", "日常管理"
    SERVICE = "service", "服务安全"
    FOOD = "food", "食品安全"
    OTHER = "other", "其他"


class ItemOutcome(models.TextChoices):
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NOT_APPLICABLE = "na", "不适用"


class Severity(models.TextChoices):
    MAJOR = "major", "重大隐患"
    GENERAL = "general", "一般隐患"


class FindingState(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "已报整改"
    VERIFIED = "verified", "已验收"
    CLOSED = "closed", "已销号"
    REOPENED = "reopened", "重新整改"


class FindingAction(models.TextChoices):
    FIND = "find", "发现隐患"
    ASSIGN = "assign", "下达整改"
    SUBMIT = "submit", "报送整改"
    VERIFY = "verify", "验收通过"
    REJECT = "reject", "验收不通过"
    CLOSE = "close", "销号"
    REOPEN = "reopen", "重新整改"


# States in which the rectification is still owed: a deadline past in one of them is overdue.
OWED = frozenset({FindingState.OPEN, FindingState.RECTIFYING, FindingState.REOPENED})
UNCLOSED = frozenset(set(FindingState) - {FindingState.CLOSED})


class EscalationLevel(models.TextChoices):
    DISTRICT = "district", "区县民政部门"
    CITY = "city", "市民政局"


class EscalationReason(models.TextChoices):
    MAJOR_HAZARD = "major_hazard", "重大事故隐患（挂牌督办）"
    OVERDUE = "overdue", "逾期未整改"


class CampaignStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


# Deadlines the inspection form offers by default (days from the inspection); the inspector may change them.
# Working practice, not from a published text (assumed).
DEFAULT_DEADLINE_DAYS = {Severity.MAJOR: 30, Severity.GENERAL: 15}

# --- who does what -----------------------------------------------------------------------------------------
# Read the registry: everyone who reads case data in their jurisdiction, and an institution's own staff
# (service_provider with a membership) for their institution only.
READS_INSTITUTIONS = READS_PERSONAL_DATA | {Role.SERVICE_PROVIDER}
# Register and edit institutions, link staff accounts.
MANAGES_INSTITUTIONS = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Rate institutions (评定) in the jurisdiction.
RATES = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Apply for a rating: the institution itself or the district on its behalf.
APPLIES_FOR_RATING = frozenset({Role.SERVICE_PROVIDER, Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Inspect with the checklist (持单检查) and set rectification owners and deadlines.
INSPECTS = frozenset({Role.STREET_REVIEWER, Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Report a rectification done: the institution's staff, or an inspector on its behalf.
SUBMITS_RECTIFICATION = INSPECTS | {Role.SERVICE_PROVIDER}
# Verify a rectification and close the finding (验收、销号).
VERIFIES = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Run inspection campaigns (a district for itself, the city for all).
RUNS_CAMPAIGNS = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Publish a new rating standard or checklist version.
PUBLISHES_STANDARDS = frozenset({Role.CITY_ADMIN})
