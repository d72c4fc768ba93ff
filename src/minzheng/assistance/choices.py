"""Declared states and kinds of the assistance app (moved only by the tables of :mod:`.workflow`)."""

from django.db import models


class AppState(models.TextChoices):
    """States of an application (申请) for the low-income categories, in procedure order."""

    SUBMITTED = "submitted", "已提交（待授权）"
    ACCEPTED = "accepted", "已受理（待入户调查）"
    INVESTIGATING = "investigating", "入户调查中"
    INVESTIGATED = "investigated", "已调查（待评估）"
    EVALUATED = "evaluated", "待街道审核"
    EXCEPTION = "exception", "一事一议审议中"
    STREET_APPROVED = "street_approved", "街道审核通过（待公示）"
    IN_NOTICE = "in_notice", "公示中"
    DISTRICT_REVIEW = "district_review", "待区县审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不予批准（待书面告知）"
    NOTIFIED = "notified", "不予批准（已书面告知）"
    WITHDRAWN = "withdrawn", "已撤回"


# States in which the 30 (45) working-day clock runs.
OPEN_STATES = frozenset({
    AppState.SUBMITTED, AppState.ACCEPTED, AppState.INVESTIGATING, AppState.INVESTIGATED, AppState.EVALUATED,
    AppState.EXCEPTION, AppState.STREET_APPROVED, AppState.IN_NOTICE, AppState.DISTRICT_REVIEW,
})
FINAL_STATES = frozenset({AppState.APPROVED, AppState.NOTIFIED, AppState.WITHDRAWN})


class AppAction(models.TextChoices):
    """Actions on an application: the columns of the transition table."""

    SUBMIT = "submit", "提交申请"
    RECORD_AUTHORISATION = "record_authorisation", "登记核对授权"
    ASSIGN_INVESTIGATORS = "assign_investigators", "指派调查人员"
    RECORD_INVESTIGATION = "record_investigation", "录入入户调查"
    EVALUATE = "evaluate", "规则评估"
    STREET_APPROVE = "street_approve", "街道审核通过"
    STREET_REJECT = "street_reject", "街道审核不通过"
    PROPOSE_EXCEPTION = "propose_exception", "提请一事一议"
    APPROVE_EXCEPTION = "approve_exception", "一事一议同意"
    DECLINE_EXCEPTION = "decline_exception", "一事一议不同意"
    PUBLISH_NOTICE = "publish_notice", "发布公示"
    CLOSE_NOTICE = "close_notice", "公示期满无异议（或异议不成立）"
    UPHOLD_OBJECTION = "uphold_objection", "异议成立，重新调查"
    DISTRICT_APPROVE = "district_approve", "区县审批通过"
    DISTRICT_REJECT = "district_reject", "区县不予批准"
    NOTIFY_REJECTION = "notify_rejection", "送达书面告知"
    EXTEND_DEADLINE = "extend_deadline", "延长办理时限"
    WITHDRAW = "withdraw", "撤回申请"


class Channel(models.TextChoices):
    RESIDENT = "resident", "本人（或家属）申请"
    CASEWORKER = "caseworker", "工作人员代为申请"


class RequestedProgramme(models.TextChoices):
    """What an application may ask for (一次申请、分类审核认定: by default all four)."""

    DIBAO = "dibao", "最低生活保障"
    TEKUN = "tekun", "特困人员救助供养"
    DIBAO_EDGE = "dibao_edge", "低保边缘"
    RIGID_HARDSHIP = "rigid_hardship", "刚性支出困难"


class DecisionKind(models.TextChoices):
    STREET_REVIEW = "street_review", "街道审核"
    EXCEPTION = "exception", "一事一议"
    NOTICE = "notice", "公示结果"
    DISTRICT = "district", "区县审批"
    EXTENSION = "extension", "延长时限"
    WITHDRAWAL = "withdrawal", "撤回"


class Outcome(models.TextChoices):
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"
    NO_OBJECTION = "no_objection", "无异议或异议不成立"
    OBJECTION_UPHELD = "objection_upheld", "异议成立"
    EXTENDED = "extended", "已延长"
    WITHDRAWN = "withdrawn", "已撤回"


class DocumentKind(models.TextChoices):
    AUTHORISATION = "authorisation", "家庭经济状况核对授权书"
    IDENTITY = "identity", "身份证明、户口簿"
    INCOME = "income", "收入证明"
    ASSETS = "assets", "财产证明"
    MEDICAL = "medical", "病历、医疗费用票据"
    DISABILITY = "disability", "残疾人证"
    VISIT_PHOTO = "visit_photo", "入户调查照片"
    OTHER = "other", "其他材料"


class Vehicle(models.TextChoices):
    CAR = "car", "小汽车"
    TRUCK = "truck", "货车"
    MOTORCYCLE = "motorcycle", "摩托车"
    EBIKE = "ebike", "电动自行车"
    FARM_MACHINE = "farm_machine", "农用机械"
    MOBILITY_AID = "mobility_aid", "残疾人代步车"


class BusinessRole(models.TextChoices):
    LEGAL_REP = "legal_rep", "企业法定代表人"
    SHAREHOLDER = "shareholder", "股东"
    SOLE_PROPRIETOR = "sole_proprietor", "个体工商户经营者"


class SupportMode(models.TextChoices):
    DISPERSED = "dispersed", "分散供养（居家）"
    CENTRALISED = "centralised", "集中供养（供养服务机构）"


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", "定期核查"
    CHANGE = "change", "情况变化核查"
    TEMPORARY_ASSESSMENT = "temporary_assessment", "临时救助评估（刚性支出困难）"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "待核查"
    DONE = "done", "已完成"


class ReviewOutcome(models.TextChoices):
    UNCHANGED = "unchanged", "无变化，继续享受"
    ADJUSTED = "adjusted", "调整金额"
    SUSPENDED = "suspended", "暂停发放"
    EXITED = "exited", "退出"
    GRADUAL_EXIT = "gradual_exit", "进入渐退期"


class ChangeKind(models.TextChoices):
    REDUCE = "reduce", "减发"
    INCREASE = "increase", "增发"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    EXIT = "exit", "退出"
    GRADUAL_EXIT = "gradual_exit", "渐退"
    SUPERSEDE = "supersede", "由新认定取代"
    EXPIRE = "expire", "有效期届满"


class TempKind(models.TextChoices):
    URGENT = "urgent", "急难型（先行救助）"
    EXPENSE = "expense", "支出型"


class TempState(models.TextChoices):
    HELPED = "helped", "已先行救助（待补办手续）"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不予批准"


class TempAction(models.TextChoices):
    HELP_FIRST = "help_first", "先行救助"
    REQUEST = "request", "提出申请"
    COMPLETE_PAPERWORK = "complete_paperwork", "补办手续"
    APPROVE = "approve", "批准"
    REJECT = "reject", "不予批准"
