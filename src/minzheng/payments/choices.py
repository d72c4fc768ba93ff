"""States, kinds and reasons of the payments app (labels in Chinese, codes in English)."""

from __future__ import annotations

from django.db import models

from minzheng.registry.choices import Programme


class EntryKind(models.TextChoices):
    PAYMENT = "payment", "正常发放"
    ARREARS = "arrears", "补发"
    REVERSAL = "reversal", "冲正"
    RECOVERY = "recovery", "追回"


# Kinds that move money out to the beneficiary (what "paid" reports count).
PAID_KINDS = (EntryKind.PAYMENT, EntryKind.ARREARS, EntryKind.REVERSAL)


class Beneficiary(models.TextChoices):
    HOUSEHOLD = "h", "家庭"
    PERSON = "p", "个人"


class BasisSource(models.TextChoices):
    APPLICATION = "application", "申请审批（入户调查评估）"
    REVIEW = "review", "核查（变更决定时的档案）"
    REGISTRY = "registry", "档案（首次发放时冻结）"


class PayrollState(models.TextChoices):
    DRAFT = "draft", "编制中"
    PREPARED = "prepared", "已编制"
    CHECKED = "checked", "已复核"
    APPROVED = "approved", "已审批"
    RELEASED = "released", "已发放"


class PayrollAction(models.TextChoices):
    COMPUTE = "compute", "编制"
    RECOMPUTE = "recompute", "重新编制"
    CHECK = "check", "复核"
    RETURN = "return", "退回"
    APPROVE = "approve", "审批"
    RELEASE = "release", "发放（生成银行代发文件）"


class LineState(models.TextChoices):
    SENT = "sent", "已报送银行"
    PAID = "paid", "已到账"
    FAILED = "failed", "发放失败"
    REISSUED = "reissued", "已重新发放"
    HELD = "held", "暂停发放"


class LineAction(models.TextChoices):
    BANK_PAID = "bank_paid", "银行回盘：成功"
    BANK_FAILED = "bank_failed", "银行回盘：失败"
    REISSUE = "reissue", "重新发放"
    HOLD = "hold", "暂停发放"


class FailureReason(models.TextChoices):
    WRONG_ACCOUNT = "wrong_account", "账号错误或户名不符"
    CLOSED_ACCOUNT = "closed_account", "账户已销户"
    NO_ACCOUNT = "no_account", "未登记银行账户"
    OTHER = "other", "其他"


class ReturnOutcome(models.TextChoices):
    APPLIED = "applied", "已对账"
    UNKNOWN = "unknown", "无此业务参考号"
    MISMATCH = "mismatch", "金额或账号不符"
    DUPLICATE = "duplicate", "重复（已是该结果）"
    CONFLICT = "conflict", "与已对账结果冲突"


class RecoveryState(models.TextChoices):
    FOUND = "found", "已发现"
    NOTIFIED = "notified", "已告知"
    REPAYING = "repaying", "退还中"
    RECOVERED = "recovered", "已追回"
    WRITTEN_OFF = "written_off", "已核销"


class RecoveryAction(models.TextChoices):
    NOTIFY = "notify", "告知退还"
    REPAY = "repay", "登记退还"
    COMPLETE = "complete", "全部追回"
    WRITE_OFF = "write_off", "核销"


# Programmes that pay money every month (低保边缘 and 刚性支出困难 are statuses, paid nothing).
CASH_PROGRAMMES = tuple(
    p.value for p in Programme if p not in (Programme.DIBAO_EDGE, Programme.RIGID_HARDSHIP)
)
PROGRAMME_LABELS = dict(Programme.choices)
