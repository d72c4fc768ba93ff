import datetime as dt

import pytest

from minzheng.core import idnumber as idn


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),  # GB 11643 example, already canonical
        ("11010519491231002x", "11010519491231002X"),  # lowercase x
        ("  11010519491231002X\t", "11010519491231002X"),  # surrounding spaces
        ("110105 19491231 002X", "11010519491231002X"),  # inner spaces
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width digits and X
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),  # full-width lowercase x
        ("\u3000440524188001010014\u3000", "440524188001010014"),  # ideographic spaces
        ("440524800101001", "440524198001010013"),  # 15 → 18: '19' inserted, check digit recomputed
        ("210102750315123", "210102197503151230"),
    ],
)
def test_normalise_accepts_and_repairs(raw: str, expected: str) -> None:
    assert idn.normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", idn.R_EMPTY),
        (None, idn.R_EMPTY),
        ("   ", idn.R_EMPTY),
        ("11010519491231002", idn.R_FORMAT),  # 17 characters
        ("1101051949123100X2", idn.R_FORMAT),  # X not last
        ("11010519491231002Y", idn.R_FORMAT),
        ("1101051949123100", idn.R_FORMAT),  # 16 digits
        ("11010519491231002X1", idn.R_FORMAT),
        ("99010519491231002X", idn.R_AREA),  # 99 is no province
        ("00010519491231002X", idn.R_AREA),
        ("110105194902300021", idn.R_BIRTH),  # 30 February
        ("110105187901010011", idn.R_BIRTH),  # before 1880
        ("110105299901010011", idn.R_BIRTH),  # in the future
        ("110105194912310021", idn.R_CHECK),  # wrong check digit
        ("440524188001010015", idn.R_CHECK),
    ],
)
def test_normalise_rejects_with_reason(raw: str | None, reason: str) -> None:
    with pytest.raises(idn.InvalidIDNumber) as err:
        idn.normalise(raw, today=dt.date(2026, 11, 29))
    assert err.value.reason == reason
    assert reason in idn.REASON_LABELS


def test_check_char_matches_published_examples() -> None:
    assert idn.check_char("11010519491231002") == "X"
    assert idn.check_char("44052418800101001") == "4"


def test_facts_derive_sex_birth_and_area() -> None:
    f = idn.facts("11010519491231002X")
    assert (f.birth_date, f.sex, f.area_code) == (dt.date(1949, 12, 31), "F", "110105")
    assert idn.facts("440524198001010013").sex == "M"


def test_make_and_to_15_round_trip() -> None:
    built = idn.make("210103", dt.date(1956, 7, 8), 37)
    assert built == "210103195607080374"
    assert idn.normalise(built) == built
    assert idn.to_15(built) == "210103560708037"
    assert idn.normalise(idn.to_15(built)) == built
    with pytest.raises(ValueError):
        idn.to_15(idn.make("210103", dt.date(2001, 1, 1), 1))


def test_historical_area_codes_are_accepted() -> None:
    # 辽中县 210122 no longer exists; numbers issued there stay valid.
    assert idn.normalise(idn.make("210122", dt.date(1960, 1, 1), 11)).startswith("210122")


def test_mask() -> None:
    assert idn.mask("11010519491231002X") == "1101**********002X"
    assert idn.mask("") == ""
    assert idn.mask("1234") == "****"
