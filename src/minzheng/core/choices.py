from django.db import models


class AreaLevel(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区县"
    STREET = "street", "街道/乡镇"
    COMMUNITY = "community", "社区/村"


# How many leading digits of a 12-digit code identify a node of each level.
LEVEL_PREFIX = {AreaLevel.CITY: 4, AreaLevel.DISTRICT: 6, AreaLevel.STREET: 9, AreaLevel.COMMUNITY: 12}


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Relation(models.TextChoices):
    HEAD = "户主", "户主"
    SPOUSE = "配偶", "配偶"
    SON = "子", "子"
    DAUGHTER = "女", "女"
    FATHER = "父", "父"
    MOTHER = "母", "母"
    GRANDCHILD = "孙子女", "孙子女"
    SIBLING = "兄弟姐妹", "兄弟姐妹"
    OTHER = "其他", "其他"


class DisabilityType(models.TextChoices):
    VISION = "视力", "视力"
    HEARING = "听力", "听力"
    SPEECH = "言语", "言语"
    PHYSICAL = "肢体", "肢体"
    INTELLECTUAL = "智力", "智力"
    MENTAL = "精神", "精神"
    MULTIPLE = "多重", "多重"


class SelfCare(models.TextChoices):
    FULL = "全自理", "全自理"
    PARTIAL = "半自理", "半自理"
    NONE = "全护理", "全护理"


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    CLOSED = "closed", "已注销"


class ChangeKind(models.TextChoices):
    CREATE = "create", "建档"
    UPDATE = "update", "修改信息"
    ADD_MEMBER = "add_member", "增加成员"
    REMOVE_MEMBER = "remove_member", "减少成员"
    CHANGE_HEAD = "change_head", "变更户主"
    SPLIT = "split", "分户"
    MERGE = "merge", "合户"
