"""A minimal OpenFisca country package with Minzheng's dibao, tekun and high-age rules (issue 3, bench only).

Written in the OpenFisca style (``entities.py``, ``variables/*.py`` with vectorised formulas over
entities, ``parameters/*.yaml`` with dated values looked up as ``parameters(period)``) so that
``bench/rules_vs_openfisca.py`` can run the same rules on the same households with openfisca-core and
compare speed and results with ``minzheng.rules.bulk``. It implements what the compared outputs need:

- the asset tests (policy-rules.md "Assets"), tekun per person and ``tekun_monthly`` (basic living +
  care by self-care level), dibao on the other members and ``dibao_monthly`` (standard × members −
  income, rounded half-up, plus 单人保), dibao_edge, rigid_hardship, the household ``category``;
- ``high_age_monthly`` (800 / 200 / 100 or 30 for 80–89 by category or enrollment).

Money is OpenFisca's ``float`` (``float32``): that is the point of the comparison. Add-ons, the orphan
standard and the disability subsidies are not modelled (not compared). Parameters carry the same values
and dates as ``src/minzheng/rules/parameters``; the bench checks that before it runs.
"""

from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from openfisca_country.entities import entities

COUNTRY_DIR = Path(__file__).parent


class CountryTaxBenefitSystem(TaxBenefitSystem):
    """Entities Person and Household, the variables of ``variables/`` and the parameters of ``parameters/``."""

    def __init__(self) -> None:
        super().__init__(entities)
        self.add_variables_from_directory(str(COUNTRY_DIR / "variables"))
        self.load_parameters(str(COUNTRY_DIR / "parameters"))
