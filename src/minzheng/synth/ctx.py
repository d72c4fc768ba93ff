"""The shared state of one generation run: population core, status, areas, reference date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.synth import ids, names, params
from minzheng.synth.areas import Areas
from minzheng.synth.population import YEAR, Core
from minzheng.synth.status import IN_CARE_CATS, Status, day


@dataclass
class Ctx:
    core: Core
    status: Status
    areas: Areas
    as_of: dt.date
    seed: int
    claims_per_person: float
    chunks: list[tuple[int, int]]  # household ranges
    hh_no: pa.Array  # population household numbers (strings), per background household
    arch_id: pa.Array  # archive household ids per background household (null outside the archive)
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def D(self) -> int:
        return day(self.as_of)

    @property
    def std(self) -> int:
        return params.dibao_standard(self.as_of)

    def rng(self, tag: int, chunk: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, tag, chunk])

    def persons(self, c: int) -> tuple[int, int]:
        h0, h1 = self.chunks[c]
        return int(self.core.hh_start[h0]), int(self.core.hh_start[h1])

    def id_text(self, p: np.ndarray) -> pa.Array:
        return ids.render(self.core.b17[p], self.core.chk[p])

    def name_text(self, p: np.ndarray) -> pa.Array:
        c = self.core
        return names.render(c.sur[p], c.g1[p], c.g2[p])

    def parent_text(self, par: np.ndarray) -> pa.Array:
        """father/mother column: person index, dangling (<= -2) or none (-1)."""
        c = self.core
        inpop = par >= 0
        dang = par <= -2
        k = np.where(dang, -2 - par, 0)
        b17 = np.where(inpop, c.b17[np.maximum(par, 0)], c.dang_b17[k] if len(c.dang_b17) else 0)
        chk = np.where(inpop, c.chk[np.maximum(par, 0)], c.dang_chk[k] if len(c.dang_chk) else 0)
        out = ids.render(b17, chk)
        return pc.if_else(pa.array(par == -1), pa.scalar(None, pa.string()), out)

    def age(self, p: np.ndarray) -> np.ndarray:
        return (self.D - self.core.birth[p]) / YEAR

    def alive_to(self, p: np.ndarray) -> np.ndarray:
        """Last day each person was alive within the data (D for the living)."""
        return np.minimum(self.status.death[p].astype(np.int64), self.D)

    def cat(self, p: np.ndarray) -> np.ndarray:
        """Household category of each person."""
        return self.status.hh_cat[self.core.hh[p]]

    def in_care(self, p: np.ndarray) -> np.ndarray:
        return np.isin(self.cat(p), IN_CARE_CATS)

    def archived(self, p: np.ndarray) -> np.ndarray:
        return self.status.hh_arch[self.core.hh[p]] >= 0

    def serial(self, name: str, n: int) -> np.ndarray:
        """``n`` consecutive global serial numbers for ``name`` (plates, property numbers, claims)."""
        s = self.counters.get(name, 0)
        self.counters[name] = s + n
        return np.arange(s, s + n, dtype=np.int64)
