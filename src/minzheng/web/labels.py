"""Labels of choices declared in the domain apps (Chinese), listed here so that ``makemessages`` puts them in
the catalogue; templates translate them at render time with the ``tr`` filter."""

from typing import Any

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

LABELS = (
    # authz.choices.Role
    _("社区工作人员"), _("街道审核人员"), _("区县审批人员"), _("市级管理员"), _("审计人员"), _("服务机构人员"),
    _("数据管理员"),
    # audit.choices.AuditAction
    _("新增"), _("修改"), _("删除"), _("查看敏感信息"), _("导出"), _("导入"), _("登录"), _("登录失败"),
    _("账户锁定"), _("退出"),
    # core.choices
    _("市"), _("区县"), _("街道/乡镇"), _("社区/村"), _("男"), _("女"), _("在册"), _("已注销"),
    _("建档"), _("修改信息"), _("增加成员"), _("减少成员"), _("变更户主"), _("分户"), _("合户"),
    _("户主"), _("配偶"), _("子"), _("父"), _("母"), _("孙子女"), _("兄弟姐妹"), _("其他"),
    _("视力"), _("听力"), _("言语"), _("肢体"), _("智力"), _("精神"), _("多重"),
    _("全自理"), _("半自理"), _("全护理"),
    # registry.choices
    _("最低生活保障"), _("特困人员救助供养"), _("低保边缘"), _("刚性支出困难"), _("孤儿基本生活费"),
    _("事实无人抚养儿童"), _("困难残疾人生活补贴"), _("重度残疾人护理补贴"), _("高龄津贴"), _("临时救助"),
    _("历史档案导入"), _("审批"), _("免申即享"),
)


def translated(choices: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    """Choices whose Chinese labels are translated when rendered (they are in the catalogue through LABELS)."""
    return [(value, gettext_lazy(label)) for value, label in choices]
