"""The administrative tree of the synthetic Shenyang: city → 13 districts → streets/towns → communities.

Codes follow the 12-digit statistical division code: 6 digits district (GB/T 2260), 3 digits street or
town (街道 001–099, 镇 100–199), 3 digits community or village (社区 001–199, 村 200–399).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CITY_CODE = "210100000000"
CITY_NAME = "沈阳市"

# code, name, population share (roughly the 2020 census), kind
DISTRICTS: tuple[tuple[str, str, float, str], ...] = (
    ("210102", "和平区", 0.115, "urban"),
    ("210103", "沈河区", 0.090, "urban"),
    ("210104", "大东区", 0.095, "urban"),
    ("210105", "皇姑区", 0.105, "urban"),
    ("210106", "铁西区", 0.140, "urban"),
    ("210111", "苏家屯区", 0.050, "suburban"),
    ("210112", "浑南区", 0.100, "urban"),
    ("210113", "沈北新区", 0.065, "suburban"),
    ("210114", "于洪区", 0.090, "urban"),
    ("210115", "辽中区", 0.045, "county"),
    ("210123", "康平县", 0.028, "county"),
    ("210124", "法库县", 0.035, "county"),
    ("210181", "新民市", 0.042, "county"),
)

PERSONS_PER_COMMUNITY = 3000
COMMUNITIES_PER_STREET = 12

_FIRST = list(
    "长新南北东西兴华泰和安宁永福光明文民胜利建红青松柳桃榆丰富满金银沙河湖山岭台马白黄石双三五八万平顺德昌盛隆云龙凤"
    "清朝翠桂花园春秋"
)
_SECOND = list("安宁平和兴华丰盛泰康乐园城台岗河湖山林泉桥庄营家店甸阳光明春荣顺达源江川")
_VILLAGE_TAIL = ("家屯", "家窝堡", "台子", "家店", "岗子", "堡子", "家沟", "营子", "甸子", "家房")
_COMMUNITY_TAIL = ("", "", "", "园", "里", "苑", "街", "路", "湾", "新城")
ROADS = (
    "中山路", "青年大街", "北京街", "太原街", "南京街", "三好街", "北陵大街", "长江街", "黄河大街",
    "滂江街", "东陵路", "建设大路", "兴华街", "重工街", "启工街", "保工街", "北一路", "南五马路",
    "十一纬路", "文化路", "文艺路", "小北关街", "大南街", "小西路", "热闹路", "崇山路", "泰山路",
    "松山路", "昆山路", "岐山路", "沈辽路", "浑河大街", "南京南街", "全运路", "望湖路", "道义大街",
)


@dataclass
class Areas:
    """Every area row (for areas.csv) plus per-community arrays used by the generator."""

    codes: list[str]
    names: list[str]
    levels: list[str]
    parents: list[str]
    # communities (index = community number)
    comm_code: list[str]
    comm_name: list[str]
    comm_full: list[str]  # district + street + community, for addresses
    comm_street_name: list[str]
    comm_district: np.ndarray  # int, index into DISTRICTS
    comm_rural: np.ndarray  # bool: a village
    comm_prob: np.ndarray  # float, sums to 1

    @property
    def n_communities(self) -> int:
        return len(self.comm_code)


def _place_names(rng: np.random.Generator, n: int, taken: set[str], tails: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        a = _FIRST[int(rng.integers(len(_FIRST)))]
        b = _SECOND[int(rng.integers(len(_SECOND)))]
        tail = tails[int(rng.integers(len(tails)))] if tails else ""
        name = a + (b if not tail or rng.random() < 0.5 else "") + tail
        if a == b or name in taken or len(name) < 2:
            continue
        taken.add(name)
        out.append(name)
    return out


def build_areas(persons: int, seed: int) -> Areas:
    """The tree for a city of ``persons``: about one community per 3,000 persons and twelve per street,
    at least one street with two communities in every district."""
    rng = np.random.default_rng([seed, 7])
    codes = [CITY_CODE]
    names = [CITY_NAME]
    levels = ["city"]
    parents = [""]
    comm_code: list[str] = []
    comm_name: list[str] = []
    comm_full: list[str] = []
    comm_street: list[str] = []
    comm_district: list[int] = []
    comm_rural: list[bool] = []
    comm_weight: list[float] = []
    for di, (dcode, dname, share, kind) in enumerate(DISTRICTS):
        d12 = dcode + "000000"
        codes.append(d12)
        names.append(dname)
        levels.append("district")
        parents.append(CITY_CODE)
        n_comm = max(2, round(persons * share / PERSONS_PER_COMMUNITY))
        n_street = max(1, round(n_comm / COMMUNITIES_PER_STREET))
        n_street = min(n_street, n_comm // 2)
        if kind == "urban":
            n_jiedao = n_street
        elif kind == "suburban":
            n_jiedao = (n_street + 1) // 2
        else:
            n_jiedao = n_street // 4
        street_names = _place_names(rng, n_street, set(), ())
        per_street = np.full(n_street, n_comm // n_street)
        per_street[: n_comm % n_street] += 1
        jd = zz = 0
        for si in range(n_street):
            town = si >= n_jiedao
            if town:
                zz += 1
                scode = f"{100 + zz:03d}"
                sname = street_names[si] + "镇"
            else:
                jd += 1
                scode = f"{jd:03d}"
                sname = street_names[si] + "街道"
            s12 = dcode + scode + "000"
            codes.append(s12)
            names.append(sname)
            levels.append("street")
            parents.append(d12)
            taken: set[str] = set()
            sq = cq = 0
            for ci in range(int(per_street[si])):
                village = town and ci > 0
                if village:
                    cq += 1
                    ccode = f"{199 + cq:03d}"
                    cname = _place_names(rng, 1, taken, _VILLAGE_TAIL)[0] + "村"
                else:
                    sq += 1
                    ccode = f"{sq:03d}"
                    cname = _place_names(rng, 1, taken, _COMMUNITY_TAIL)[0] + "社区"
                c12 = dcode + scode + ccode
                codes.append(c12)
                names.append(cname)
                levels.append("community")
                parents.append(s12)
                comm_code.append(c12)
                comm_name.append(cname)
                comm_full.append(dname + sname + cname)
                comm_street.append(sname)
                comm_district.append(di)
                comm_rural.append(village)
                comm_weight.append(float(rng.lognormal(0.0, 0.3)) * (0.5 if village else 1.0))
    weight = np.asarray(comm_weight)
    district = np.asarray(comm_district)
    prob = np.zeros(len(weight))
    for di, (_c, _n, share, _k) in enumerate(DISTRICTS):
        sel = district == di
        prob[sel] = share * weight[sel] / weight[sel].sum()
    prob /= prob.sum()
    return Areas(
        codes=codes,
        names=names,
        levels=levels,
        parents=parents,
        comm_code=comm_code,
        comm_name=comm_name,
        comm_full=comm_full,
        comm_street_name=comm_street,
        comm_district=district,
        comm_rural=np.asarray(comm_rural, dtype=bool),
        comm_prob=prob,
    )
