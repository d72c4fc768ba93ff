"""家庭经济状况调查: the home visit by two investigators, what the family declared, the documents, the
rules' evaluation of the household as investigated, and the 特困 six-item self-care assessment."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from minzheng.assistance.choices import DocumentKind, SupportMode
from minzheng.assistance.models.applications import AppendOnly, Application
from minzheng.core.choices import DisabilityType, SelfCare


class Investigation(models.Model):
    """Opened when two investigators are assigned; filled once by the home-visit record (then frozen).

    Objections upheld during the notice open a new investigation; the latest recorded one is evaluated.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="investigations")
    investigator_1 = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                       verbose_name="调查人员一")
    investigator_2 = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                       verbose_name="调查人员二")
    assigned_on = models.DateField("指派日期")
    visit_date = models.DateField("入户日期", null=True, blank=True)
    visit_record = models.TextField("入户调查记录", blank=True)
    neighbour_visits = models.TextField("邻里访问情况", blank=True)
    vehicles = models.JSONField("车辆", default=list, blank=True)
    residential_properties = models.PositiveSmallIntegerField("居住用房（套）", default=0)
    commercial_properties = models.PositiveSmallIntegerField("商业用房（套）", default=0)
    business_roles = models.JSONField("市场主体登记", default=list, blank=True)
    rigid_expenses_12m = models.DecimalField("近12个月医疗、教育、康复支出（元）", max_digits=12,
                                             decimal_places=2, default=0)
    income_12m = models.DecimalField("近12个月家庭收入（元，空=按月收入×12）", max_digits=12, decimal_places=2,
                                     null=True, blank=True)
    irregular_income = models.BooleanField("收入来源不固定", default=False)
    recorded_on = models.DateField("录入日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = "家庭经济状况调查"
        constraints = [
            models.CheckConstraint(condition=~models.Q(investigator_1=models.F("investigator_2")),
                                   name="two_distinct_investigators"),
        ]

    def __str__(self) -> str:
        return f"调查 {self.application_id} {self.assigned_on}"


class InvestigatedMember(AppendOnly):
    """One member as declared and checked at the home visit (the rules' member inputs)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField("与户主关系", max_length=8)
    monthly_income = models.DecimalField("月可计收入（元）", max_digits=12, decimal_places=2, default=0)
    income_note = models.CharField("收入来源说明", max_length=255, blank=True)
    financial_assets = models.DecimalField("金融资产（元）", max_digits=14, decimal_places=2, default=0)
    disability_type = models.CharField("残疾类别", max_length=8, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True)
    serious_illness = models.BooleanField("重特大疾病", default=False)
    self_care = models.CharField("自理能力", max_length=8, choices=SelfCare.choices, blank=True)
    no_supporter = models.BooleanField("无赡养扶养抚养义务人（或无能力）", default=False)
    orphan = models.BooleanField("孤儿或事实无人抚养儿童", default=False)
    single_cover = models.BooleanField("申请单人保", default=False)

    class Meta:
        ordering = ["investigation_id", "id"]
        verbose_name = "调查成员"
        constraints = [models.UniqueConstraint(fields=["investigation", "person"], name="one_row_per_member")]

    def __str__(self) -> str:
        return f"{self.investigation_id}:{self.person_id}"


def document_path(instance: SupportingDocument, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"assistance/{instance.application_id}/{uuid.uuid4().hex}.{suffix}"


class SupportingDocument(AppendOnly):
    """An uploaded supporting document (kept under ``MEDIA_ROOT/assistance/``, served only in scope)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    investigation = models.ForeignKey(Investigation, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="documents")
    kind = models.CharField("材料类型", max_length=16, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = "证明材料"


    def __str__(self) -> str:
        return self.original_name

class Evaluation(AppendOnly):
    """The rules' answer for the household as investigated, frozen as JSON when it was computed.

    ``household_input`` is the rules' input mapping (policy-tests.md keys); ``result`` holds the category,
    every amount, per-member outputs and the explanation steps with each parameter's value, date, status
    and reference; ``assumed`` lists the parameters with status ``assumed`` the figures rest on.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="evaluations")
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="evaluations")
    period = models.CharField("评估月份", max_length=7)
    category = models.CharField("家庭类别", max_length=16)
    total_monthly = models.DecimalField("合计（元/月）", max_digits=12, decimal_places=2)
    household_input = models.JSONField("评估输入")
    result = models.JSONField("评估结果")
    assumed = models.JSONField("使用的假定参数", default=list)
    text = models.TextField("评估说明")
    evaluated_on = models.DateField("评估日期")
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = "规则评估"


    def __str__(self) -> str:
        return f"评估 {self.application_id} {self.period} {self.category}"

SIX_ITEMS = (
    ("eat", "自主吃饭"),
    ("dress", "自主穿衣"),
    ("transfer", "自主上下床"),
    ("toilet", "自主如厕"),
    ("walk", "室内自主行走"),
    ("bathe", "自主洗澡"),
)


class TekunAssessment(AppendOnly):
    """特困人员生活自理能力评估 (six items) and the form of support (分散/集中供养).

    All six achieved → 全自理 (具备生活自理能力); 1–3 not achieved → 半自理 (部分丧失); 4 or more not
    achieved → 全护理 (完全丧失). The level feeds the tekun care standard of the rules.
    """

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="tekun_assessments")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="tekun_assessments")
    assessed_on = models.DateField("评估日期")
    eat = models.BooleanField("自主吃饭")
    dress = models.BooleanField("自主穿衣")
    transfer = models.BooleanField("自主上下床")
    toilet = models.BooleanField("自主如厕")
    walk = models.BooleanField("室内自主行走")
    bathe = models.BooleanField("自主洗澡")
    unable_count = models.PositiveSmallIntegerField("不能达到的项数")
    level = models.CharField("自理能力", max_length=8, choices=SelfCare.choices)
    support_mode = models.CharField("供养方式", max_length=16, choices=SupportMode.choices)
    institution = models.CharField("供养服务机构", max_length=128, blank=True)
    assessors = models.CharField("评估人员", max_length=128)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person_id", "-assessed_on", "-id"]
        verbose_name = "特困自理能力评估"


    def __str__(self) -> str:
        return f"{self.person_id} {self.level} {self.assessed_on}"
