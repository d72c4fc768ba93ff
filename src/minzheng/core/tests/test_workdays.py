"""The project's working days: weekends, the 2025 and 2026 holidays and adjusted working days (调休), and the
fallback for later years."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.core.workdays import CalendarError, WorkCalendar, add_working_days, default_calendar

D = dt.date


def test_national_day_2025_is_skipped_and_adjusted_days_count() -> None:
    cal = default_calendar()
    assert not cal.is_working_day(D(2025, 10, 1))
    assert not cal.is_working_day(D(2025, 10, 8))
    assert cal.is_working_day(D(2025, 9, 28))  # Sunday worked (调休)
    assert cal.is_working_day(D(2025, 10, 11))  # Saturday worked (调休)
    assert not cal.is_working_day(D(2025, 10, 12))  # an ordinary Sunday
    # 9/26 (Fri) not counted; 9/28, 9/29, 9/30, then 10/9, 10/10, 10/11 are working days 1–6.
    assert add_working_days(D(2025, 9, 26), 6).date == D(2025, 10, 11)


def test_thirty_and_forty_five_working_days_across_the_national_day() -> None:
    thirty = add_working_days(D(2025, 9, 26), 30)
    assert thirty.date == D(2025, 11, 13) and thirty.complete
    assert add_working_days(D(2025, 9, 26), 45).date == D(2025, 12, 4)


def test_spring_festival_2025() -> None:
    # 1/24 (Fri) → 1/26 (Sun, worked) = 1, 1/27 = 2, holiday 1/28–2/4, 2/5 = 3.
    assert add_working_days(D(2025, 1, 24), 3).date == D(2025, 2, 5)
    assert default_calendar().is_working_day(D(2025, 2, 8))


def test_three_working_days_for_a_rejection_notice() -> None:
    assert add_working_days(D(2025, 9, 30), 3).date == D(2025, 10, 11)
    assert add_working_days(D(2025, 5, 30), 3).date == D(2025, 6, 5)  # 端午 5/31–6/2


def test_2026_holidays_and_adjusted_working_days() -> None:
    later = add_working_days(D(2026, 9, 28), 3)  # 9/29, 9/30, then 国庆 10/1–10/7, then 10/8
    assert (later.date, later.complete) == (D(2026, 10, 8), True)
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)  # a Saturday worked before 春节
    assert add_working_days(D(2025, 12, 20), 30).complete  # crosses into 2026, which is on file


def test_a_year_not_in_the_calendar_falls_back_to_weekends_and_says_so() -> None:
    later = add_working_days(D(2027, 9, 27), 3)
    assert later.date == D(2027, 9, 30)  # no 2027 holidays on file: weekdays only
    assert not later.complete
    assert not add_working_days(D(2026, 12, 20), 30).complete  # crosses into 2027


def test_working_days_between() -> None:
    cal = default_calendar()
    assert cal.working_days_between(D(2025, 9, 26), D(2025, 10, 11)) == 6
    assert cal.working_days_between(D(2025, 10, 11), D(2025, 10, 1)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"years": {2030: {"source": "x", "workdays": [D(2030, 1, 7)]}}}, "not a Saturday or Sunday"),
        ({"years": {2030: {"source": "x", "holidays": [{"first": D(2030, 1, 2), "last": D(2030, 1, 1)}]}}},
         "first <= last"),
        ({"years": {2030: {"holidays": []}}}, "source"),
        ({"years": {2030: {"source": "x", "holidays": [{"first": D(2031, 1, 1), "last": D(2031, 1, 1)}]}}},
         "outside the year"),
    ],
)
def test_calendar_data_is_checked(data: dict, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        WorkCalendar.from_mapping(data)


def test_the_shipped_calendar_is_read_from_core() -> None:
    from minzheng.core.workdays import CALENDAR_FILE

    assert CALENDAR_FILE.name == "workdays.yaml" and CALENDAR_FILE.parent.name == "core"
    cal = default_calendar()
    assert cal.knows(2025) and cal.knows(2026) and not cal.knows(2027)
    assert cal.years[2025].startswith("国办发明电〔2024〕12号")
