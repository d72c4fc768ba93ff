"""Enums shared by the variables (kept out of ``variables/``, which OpenFisca loads file by file).

The order of the items is the order of the codes in ``minzheng.rules.bulk`` (0 = none / not recorded).
"""

from openfisca_core.indexed_enums import Enum


class DisabilityType(Enum):
    none = "无残疾证 no certificate"
    visual = "视力"
    hearing = "听力"
    speech = "言语"
    physical = "肢体"
    intellectual = "智力"
    mental = "精神"
    multiple = "多重"


class SelfCare(Enum):
    # Named as the keys of parameters tekun.care (self, partial, full) for the fancy-indexing reform.
    not_recorded = "未记录 not recorded (taken as 全自理)"
    self = "全自理"
    partial = "半自理"
    full = "全护理"


class Category(Enum):
    none = "无 none"
    rigid_hardship = "刚性支出困难 rigid_hardship"
    dibao_edge = "低保边缘 dibao_edge"
    dibao = "低保 dibao"
    tekun = "特困 tekun"
