"""Chinese personal names: real surname frequencies, given names by sex and birth cohort.

Names are drawn as small integer codes (surname, first and second given character) and rendered to
strings only when a file is written, so the population of 9.2 million costs five bytes a person.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Surname, share in per cent of the national population (公安部 2020 ranking, rounded), with a
# north-eastern correction (于, 孙, 姜, 关, 佟, 曲, 隋 are far more common in Liaoning, southern
# surnames rarer) applied below.
_SURNAMES = """
王 7.12 李 7.00 张 6.74 刘 5.10 陈 4.61 杨 3.22 黄 2.45 赵 2.19 吴 2.00 周 1.95 徐 1.45 孙 1.38
马 1.29 朱 1.28 胡 1.16 郭 1.14 何 1.06 林 1.03 罗 1.03 高 1.00 郑 0.84 梁 0.83 谢 0.77 宋 0.72
唐 0.71 许 0.66 韩 0.65 邓 0.64 冯 0.64 曹 0.62 彭 0.59 曾 0.58 肖 0.56 田 0.54 董 0.52 潘 0.50
袁 0.50 蔡 0.48 蒋 0.47 余 0.46 于 0.46 杜 0.45 叶 0.44 程 0.43 魏 0.42 苏 0.41 吕 0.41 丁 0.40
任 0.39 卢 0.38 姚 0.38 沈 0.37 钟 0.36 姜 0.36 崔 0.35 谭 0.34 陆 0.33 范 0.32 汪 0.32 廖 0.31
石 0.30 金 0.30 韦 0.29 贾 0.29 夏 0.28 付 0.28 方 0.27 邹 0.26 熊 0.26 白 0.26 孟 0.25 秦 0.25
邱 0.25 侯 0.24 江 0.24 尹 0.23 薛 0.23 闫 0.22 段 0.22 雷 0.21 龙 0.21 黎 0.20 史 0.20 陶 0.20
贺 0.19 毛 0.19 郝 0.19 顾 0.18 龚 0.18 邵 0.17 万 0.17 覃 0.17 武 0.17 钱 0.16 戴 0.16 严 0.16
莫 0.15 孔 0.15 向 0.15 常 0.14 汤 0.14 康 0.14 易 0.13 乔 0.13 赖 0.13 文 0.12 施 0.12 洪 0.12
辛 0.11 柴 0.10 牛 0.10 关 0.10 庞 0.09 齐 0.09 鲍 0.08 单 0.08 曲 0.07 尚 0.06 佟 0.05 隋 0.05
穆 0.05 宫 0.05 初 0.04 那 0.03 欧阳 0.02 司马 0.005
"""
_NORTHEAST = {
    "于": 2.5, "孙": 1.6, "赵": 1.4, "姜": 2.0, "关": 3.0, "佟": 4.0, "曲": 3.0, "隋": 3.0, "宫": 2.0,
    "初": 3.0, "那": 3.0, "黄": 0.5, "陈": 0.6, "林": 0.5, "罗": 0.4, "梁": 0.6, "谢": 0.5, "邓": 0.4,
    "曾": 0.3, "彭": 0.5, "廖": 0.2, "韦": 0.1, "覃": 0.05, "黎": 0.2, "赖": 0.1, "莫": 0.2, "钟": 0.4,
}

_tokens = _SURNAMES.split()
SURNAMES: tuple[str, ...] = tuple(_tokens[0::2])
_w = np.array([float(x) * _NORTHEAST.get(s, 1.0) for s, x in zip(_tokens[0::2], _tokens[1::2], strict=True)])
SURNAME_P = _w / _w.sum()

# Given-name characters by (sex, cohort): born before 1970, 1970–1989, 1990 and later.
_POOLS = {
    ("M", 0): "国建福德宝山有玉成财贵文明志永长庆海春生金林树忠军华平杰和祥发胜仁义清友全振广厚",
    ("M", 1): "伟强军磊勇涛斌鹏辉刚健波亮峰东明超宇杰龙海林晓志新鑫冬雷俊凯立松",
    ("M", 2): "浩宇轩博子梓睿泽一铭俊航晨昊然皓涵阳天嘉瑞鑫琪哲辰逸宸硕翔文思家奕诚凡",
    ("F", 0): "淑桂秀凤兰英玉珍芝华荣琴霞梅云素丽芳慧敏洁红艳萍莲菊娥香",
    ("F", 1): "丽娜静敏艳芳燕玲霞红梅颖丹婷雪琳晶莹慧佳楠爽微蕾岩璐洋冰",
    ("F", 2): "欣怡涵悦子梓诗雨思可一萱琪佳语馨若彤晨瑶妍琳嘉依心梦雅婧菲淼",
}
# Share of two-character given names by cohort.
_TWO_CHAR = (0.72, 0.5, 0.78)

# One global table of given-name characters; index 0 is the empty string (no second character).
CHARS: tuple[str, ...] = ("", *sorted({c for pool in _POOLS.values() for c in pool}))
_CHAR_INDEX = {c: i for i, c in enumerate(CHARS)}
_POOL_IDX = {k: np.array([_CHAR_INDEX[c] for c in v], dtype=np.uint16) for k, v in _POOLS.items()}

_SURNAME_ARR = pa.array(SURNAMES, pa.string())
_CHAR_ARR = pa.array(CHARS, pa.string())


def cohort(birth_year: np.ndarray) -> np.ndarray:
    return np.where(birth_year < 1970, 0, np.where(birth_year < 1990, 1, 2)).astype(np.uint8)


def draw(
    rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes (surname, given 1, given 2) for persons of the given sex and birth year."""
    n = len(male)
    sur = rng.choice(len(SURNAMES), size=n, p=SURNAME_P).astype(np.uint8)
    g1 = np.zeros(n, dtype=np.uint16)
    g2 = np.zeros(n, dtype=np.uint16)
    coh = cohort(birth_year)
    u1 = rng.random(n)
    u2 = rng.random(n)
    two = rng.random(n)
    for (sex, c), pool in _POOL_IDX.items():
        sel = (male == (sex == "M")) & (coh == c)
        k = len(pool)
        g1[sel] = pool[(u1[sel] * k).astype(np.int64)]
        with_second = sel & (two < _TWO_CHAR[c])
        g2[with_second] = pool[(u2[with_second] * k).astype(np.int64)]
    return sur, g1, g2


def render(sur: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> pa.Array:
    """Names as an Arrow string array."""
    return pc.binary_join_element_wise(
        _SURNAME_ARR.take(pa.array(sur)), _CHAR_ARR.take(pa.array(g1)), _CHAR_ARR.take(pa.array(g2)), ""
    )


def one(rng: np.random.Generator, male: bool, birth_year: int) -> str:
    """A single name (for planted cases)."""
    s, a, b = draw(rng, np.array([male]), np.array([birth_year]))
    return SURNAMES[int(s[0])] + CHARS[int(a[0])] + CHARS[int(b[0])]
