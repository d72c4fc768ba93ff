from django.db import models


class Programme(models.TextChoices):
    DIBAO = "dibao", "最低生活保障"
    TEKUN = "tekun", "特困人员救助供养"
    DIBAO_EDGE = "dibao_edge", "低保边缘"
    RIGID_HARDSHIP = "rigid_hardship", "刚性支出困难"
    ORPHAN = "orphan", "孤儿基本生活费"
    UNSUPPORTED_CHILD = "unsupported_child", "事实无人抚养儿童"
    DISABILITY_LIVING = "disability_living", "困难残疾人生活补贴"
    DISABILITY_CARE = "disability_care", "重度残疾人护理补贴"
    HIGH_AGE = "high_age", "高龄津贴"
    TEMPORARY = "temporary", "临时救助"


# The low-income categories (households in care), highest first.
CATEGORY_PROGRAMMES = (Programme.TEKUN, Programme.DIBAO, Programme.DIBAO_EDGE, Programme.RIGID_HARDSHIP)


class EnrollmentSource(models.TextChoices):
    ARCHIVE = "archive", "历史档案导入"
    WORKFLOW = "workflow", "审批"
    AUTOMATIC = "automatic", "免申即享"
