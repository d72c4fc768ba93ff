"""公民身份号码 (GB 11643-1999) validation and normalisation.

Pure Python, no Django import: the synthetic city, the bulk importer and the web app all use it.
The vectorised twin used for millions of rows lives in ``minzheng.analytics.idsql`` and is tested to
agree with this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"

# GB/T 2260 province-level codes (first two digits of an address code).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({ord("Ｘ"): ord("X"), ord("ｘ"): ord("X"), ord("\u3000"): ord(" ")})


class InvalidIDNumber(ValueError):
    """A number that cannot be normalised to a valid 18-character ID. ``reason`` is a short code."""

    def __init__(self, reason: str, raw: str) -> None:
        super().__init__(f"{reason}: {raw!r}")
        self.reason = reason
        self.raw = raw


# Reason codes, shared with the vectorised path and the rejects files.
R_EMPTY = "id_empty"
R_FORMAT = "id_format"
R_AREA = "id_area_code"
R_BIRTH = "id_birth_date"
R_CHECK = "id_check_digit"

REASON_LABELS = {
    R_EMPTY: "身份证号为空",
    R_FORMAT: "身份证号格式错误（应为18位或15位数字）",
    R_AREA: "身份证号地址码无效（前两位不是省级代码）",
    R_BIRTH: "身份证号出生日期无效",
    R_CHECK: "身份证号校验码错误",
}


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    return CHECK_MAP[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def clean(raw: str | None) -> str:
    """Strip spaces (half- and full-width), fold full-width digits and upper-case the x."""
    if raw is None:
        return ""
    return "".join(str(raw).translate(_FULLWIDTH).split()).upper()


def normalise(raw: str | None, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character ID number or raise :class:`InvalidIDNumber`.

    Accepts the old 15-digit form (``19`` is inserted before the birth date and the check character
    recomputed), a lowercase ``x``, surrounding or inner spaces and full-width digits.
    """
    s = clean(raw)
    if not s:
        raise InvalidIDNumber(R_EMPTY, str(raw))
    if len(s) == 15 and s.isdigit():
        body = s[:6] + "19" + s[6:15]
        s = body + check_char(body)
    elif not (len(s) == 18 and s[:17].isdigit() and (s[17].isdigit() or s[17] == "X")):
        raise InvalidIDNumber(R_FORMAT, str(raw))
    if s[:2] not in PROVINCE_CODES:
        raise InvalidIDNumber(R_AREA, str(raw))
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise InvalidIDNumber(R_BIRTH, str(raw)) from None
    if born.year < 1880 or born > (today or dt.date.today()):
        raise InvalidIDNumber(R_BIRTH, str(raw))
    if check_char(s[:17]) != s[17]:
        raise InvalidIDNumber(R_CHECK, str(raw))
    return s


def is_valid(raw: str | None) -> bool:
    try:
        normalise(raw)
    except InvalidIDNumber:
        return False
    return True


@dataclass(frozen=True)
class IDFacts:
    id_number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    area_code: str  # the six-digit address code at issue (historical codes are normal)


def facts(id_number: str) -> IDFacts:
    """Birth date, sex and address code carried by a *normalised* ID number."""
    return IDFacts(
        id_number=id_number,
        birth_date=dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="M" if int(id_number[16]) % 2 == 1 else "F",
        area_code=id_number[:6],
    )


def make(area6: str, birth: dt.date, seq3: int) -> str:
    """Build a valid 18-character number (used by the synthetic city and tests)."""
    body = f"{area6}{birth:%Y%m%d}{seq3:03d}"
    return body + check_char(body)


def to_15(id18: str) -> str:
    """The old 15-digit form of an 18-character number born in the 1900s (for synthetic dirt)."""
    if id18[6:8] != "19":
        raise ValueError("only people born 1900-1999 had 15-digit numbers")
    return id18[:6] + id18[8:17]


def mask(id_number: str | None) -> str:
    """``2101**********123X``: keep the first 4 and last 4 characters."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]
