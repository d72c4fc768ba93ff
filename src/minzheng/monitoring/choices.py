"""Declared states, actions and kinds of the monitoring app (states move only through :mod:`.workflow`)."""

from __future__ import annotations

from django.db import models


class Scenario(models.TextChoices):
    """The seven scenarios of ``monitoring-scenarios.md``: 4 × 政策找人, 3 × 动态监测."""

    FIND_HIGH_AGE = "FIND_HIGH_AGE", "高龄津贴（政策找人）"
    FIND_DISABILITY_CARE = "FIND_DISABILITY_CARE", "重度残疾人护理补贴（政策找人）"
    FIND_DISABILITY_LIVING = "FIND_DISABILITY_LIVING", "困难残疾人生活补贴（政策找人）"
    FIND_UNSUPPORTED_CHILD = "FIND_UNSUPPORTED_CHILD", "孤儿/事实无人抚养儿童（政策找人）"
    MON_DECEASED = "MON_DECEASED", "在保对象死亡未停保"
    MON_ASSET_INCOME = "MON_ASSET_INCOME", "财产收入变化（复核）"
    MON_HARDSHIP_RISK = "MON_HARDSHIP_RISK", "困难风险（重点监测）"


FIND_SCENARIOS = frozenset(s for s in Scenario.values if s.startswith("FIND_"))
WATCH_SCENARIOS = frozenset(s for s in Scenario.values if s.startswith("MON_"))
SHORT_LABELS = {
    Scenario.FIND_HIGH_AGE: "高龄津贴",
    Scenario.FIND_DISABILITY_CARE: "重残护理",
    Scenario.FIND_DISABILITY_LIVING: "困残生活",
    Scenario.FIND_UNSUPPORTED_CHILD: "孤儿/无人抚养",
    Scenario.MON_DECEASED: "死亡未停保",
    Scenario.MON_ASSET_INCOME: "财产收入变化",
    Scenario.MON_HARDSHIP_RISK: "困难风险",
}


class AlertState(models.TextChoices):
    """推送 → 签收 → 核查 → 研判 → 处置 → 销号 (policy-research §2.5)."""

    GENERATED = "generated", "已生成"
    PUSHED = "pushed", "已推送（待签收）"
    SIGNED = "signed", "已签收（待核查）"
    VERIFYING = "verifying", "核查中"
    JUDGED = "judged", "已研判（待处置）"
    DISPOSED = "disposed", "已处置（待销号）"
    CLOSED = "closed", "已销号"


OPEN_STATES = frozenset(s for s in AlertState.values if s != AlertState.CLOSED)
# The states whose deadline runs: sign-for while pushed, verification until judged.
SIGN_CLOCK = frozenset({AlertState.PUSHED})
VERIFY_CLOCK = frozenset({AlertState.SIGNED, AlertState.VERIFYING})


class AlertAction(models.TextChoices):
    """The columns of the transition table (and the ``action`` of every :class:`AlertEvent`)."""

    GENERATE = "generate", "生成预警"
    PUSH = "push", "推送至社区"
    UPDATE_EVIDENCE = "update_evidence", "更新预警依据"
    SIGN_FOR = "sign_for", "签收"
    START_VERIFICATION = "start_verification", "开始核查"
    JUDGE = "judge", "研判"
    DISPOSE = "dispose", "处置"
    CLOSE = "close", "销号"
    REOPEN = "reopen", "重新开启"
    ESCALATE = "escalate", "逾期升级督办"


class Level(models.TextChoices):
    """Who is answerable for an alert: its community, or after escalation its street or district."""

    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区县"


LEVEL_RANK: dict[str, int] = {Level.COMMUNITY: 0, Level.STREET: 1, Level.DISTRICT: 2}


class Finding(models.TextChoices):
    """研判结论. For the eligibility scenarios (death, assets) 情况属实 means the change is confirmed."""

    REAL_HARDSHIP = "real_hardship", "情况属实（确有困难或确需处置）"
    ALREADY_COVERED = "already_covered", "已享受相关待遇"
    NOT_ELIGIBLE = "not_eligible", "不符合条件"
    FALSE_ALARM = "false_alarm", "误报（数据有误）"
    UNREACHABLE = "unreachable", "无法联系"


class VerifyMethod(models.TextChoices):
    HOME_VISIT = "home_visit", "入户核查"
    PHONE = "phone", "电话核实"
    DATA_CHECK = "data_check", "信息核对"
    NEIGHBOURS = "neighbours", "邻里走访"


class DispositionKind(models.TextChoices):
    APPLICATION = "application", "发起救助申请"
    TEMPORARY = "temporary", "给予临时救助"
    STOP_PAYMENTS = "stop_payments", "死亡停发（次月起）"
    REFER_SPECIAL = "refer_special", "转介专项救助"
    REFER_SERVICE = "refer_service", "转介服务类救助"
    NO_ACTION = "no_action", "不予处置（记录理由）"


# Which dispositions a finding allows: only a confirmed finding leads to help or a stop.
ALLOWED_DISPOSITIONS = {
    Finding.REAL_HARDSHIP: frozenset(DispositionKind.values),
    Finding.ALREADY_COVERED: frozenset({DispositionKind.NO_ACTION}),
    Finding.NOT_ELIGIBLE: frozenset({DispositionKind.NO_ACTION}),
    Finding.FALSE_ALARM: frozenset({DispositionKind.NO_ACTION}),
    Finding.UNREACHABLE: frozenset({DispositionKind.NO_ACTION}),
}


class SpecialAssistance(models.TextChoices):
    """专项救助 an alert may be referred to (handled by the departments; recorded here for feedback)."""

    MEDICAL = "medical", "医疗救助"
    EDUCATION = "education", "教育救助"
    HOUSING = "housing", "住房救助"
    EMPLOYMENT = "employment", "就业救助"


class OverdueKind(models.TextChoices):
    SIGN = "sign", "签收逾期"
    VERIFY = "verify", "核查逾期"
