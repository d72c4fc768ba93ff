"""Reforms of the country package (OpenFisca ``Reform``: variables replaced, the rest kept).

``CareByFancyIndexing`` looks the tekun care standard up with OpenFisca's "fancy indexing" of a
parameter node by an array of keys (``parameters(period).tekun.care[levels]``), the documented idiom
for a rate that depends on a category. It gives the same amounts as the ``select`` in
``variables/tekun.py``; the bench times it to show what that idiom costs at city scale.
"""

from openfisca_core.model_api import where
from openfisca_core.periods import MONTH
from openfisca_core.reforms import Reform
from openfisca_core.variables import Variable

from openfisca_country.entities import Person
from openfisca_country.enums import SelfCare


class tekun_care(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "CNY"
    label = "照料护理标准 care standard for the self-care level (not recorded → 全自理), by fancy indexing"

    def formula_2023_07_01(person, period, parameters):
        level = person("self_care", period)
        keys = where(level == SelfCare.not_recorded, "self", level.decode_to_str())
        return parameters(period).tekun.care[keys]


class CareByFancyIndexing(Reform):
    name = "tekun care looked up by fancy indexing"

    def apply(self) -> None:
        self.update_variable(tekun_care)
