"""Building blocks of the planted cases (see ``cases``): families in care, people outside the archive,
children with their parents, and the wording of MON_DECEASED notes."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from minzheng.synth import params
from minzheng.synth.params import add_months, months
from minzheng.synth.plant import Builder, PHousehold, PPerson

HA, DC, DL, UC = "FIND_HIGH_AGE", "FIND_DISABILITY_CARE", "FIND_DISABILITY_LIVING", "FIND_UNSUPPORTED_CHILD"
MD, AI, HR = "MON_DECEASED", "MON_ASSET_INCOME", "MON_HARDSHIP_RISK"
TD = dt.timedelta


def on(b: Builder, n: int) -> dt.date:
    """D + n days."""
    return b.days(n)


def couple(b: Builder, hh: PHousehold, a1: int, a2: int, i1: int = 0, i2: int = 0) -> tuple[PPerson, PPerson]:
    h = b.person(hh, a1, male=True, income=i1)
    s = b.person(hh, a2, male=False, rel="配偶", income=i2)
    return h, s


class Family(NamedTuple):
    hh: PHousehold
    h: PPerson  # head (for a child's family: the father)
    s: PPerson  # spouse (the mother)
    c: PPerson  # child

    @property
    def f(self) -> PPerson:
        return self.h

    @property
    def m(self) -> PPerson:
        return self.s


def dibao3(b: Builder, start: dt.date, programme: str = "dibao") -> Family:
    """An archived family of three in care: per-capita income well under the standard (dibao) or
    between 1 and 1.5 standards (dibao_edge)."""
    hh = b.household(archive=True)
    edge = programme == "dibao_edge"
    h, s = couple(b, hh, 48, 46, b.std + 300 if edge else 400, b.std + 200 if edge else 300)
    male = bool(b.rng.random() < 0.5)
    c = b.person(hh, 20, male=male, rel="子" if male else "女", father=h, mother=s,
                 income=b.std - 100 if edge else 0)
    b.care(hh, programme, start)
    return Family(hh, h, s, c)


def single_care(b: Builder, age: int, programme: str, start: dt.date, income: int = 300,
                 self_care: str = "全自理") -> PPerson:
    hh = b.household(archive=True)
    p = b.person(hh, age, income=income)
    if programme == "tekun":
        b.tekun(p, start, self_care)
    else:
        b.care(hh, programme, start, rigid_end(start) if programme == "rigid_hardship" else None)
    return p


def rigid_end(start: dt.date) -> dt.date:
    return add_months(start, 12) - TD(days=1)


def outside(b: Builder, age: int, shift: int | None = None, male: bool | None = None) -> PPerson:
    """A person alone in a household outside the archive."""
    return b.person(b.household(), age, shift=shift, male=male)


def overpaid(b: Builder, death: dt.date) -> str:
    stop = add_months(death.replace(day=1), 1)
    k = months(b.D) - months(death)
    return f"{death.isoformat()}死亡，{stop:%Y-%m}起应停发，截至{b.D:%Y-%m}已多发{k}个月"


def uc_family(b: Builder, child_age: int = 0, shift: int | None = None, archive: bool = False,
               mother_recorded: bool = True) -> Family:
    hh = b.household(archive=archive)
    g = b.person(hh, int(b.rng.integers(63, 72)), male=False)
    f = b.person(hh, int(b.rng.integers(35, 43)), male=True, rel="子", mother=g)
    m = b.person(hh, int(b.rng.integers(33, 40)), male=False, rel="其他")
    age = child_age or int(b.rng.integers(4, 16))
    c = b.person(hh, age, shift=shift, rel="孙子女", father=f, mother=m if mother_recorded else None)
    return Family(hh, f, m, c)


def orphan_amount(b: Builder) -> int:
    return params.orphan_standard(b.D)
