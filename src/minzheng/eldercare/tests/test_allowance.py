"""High-age allowance without application: enrolment in the birthday month, rate changes at 90 and 100 and
with the household's status, stops after death, idempotent re-runs, and residents' applications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from minzheng.analytics.population import snapshot_path
from minzheng.audit.models import AuditEvent
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Person
from minzheng.eldercare.actions.allowance import (
    AlreadyEnrolled,
    NotEligible,
    Sources,
    apply_for_allowance,
    run_month,
)
from minzheng.eldercare.allowance_sql import Rates
from minzheng.eldercare.models import AllowanceRun
from minzheng.eldercare.tests import support as s
from minzheng.registry.models import Enrollment
from minzheng.rules.model import Month
from minzheng.testing import factories as f

D = dt.date


def rows(idn: str) -> list[tuple[dt.date, dt.date | None, Decimal, str]]:
    return list(Enrollment.objects.filter(person__id_number=idn, programme="high_age").order_by("start_date")
                .values_list("start_date", "end_date", "monthly_amount", "source"))


@pytest.fixture
def city(tree, tmp_path: Path, settings):
    """Six people of the population: turning 80 in 2025-08, 90 in 2025-09, 100 in 2025-10, an 85-year-old in a
    dibao household, an 85-year-old whose household member is tekun, and one aged 79."""
    people = {
        "eighty": (s.pid(D(1945, 8, 31)), "赵八十", D(1945, 8, 31)),
        "ninety": (s.pid(D(1935, 9, 1)), "钱九十", D(1935, 9, 1)),
        "hundred": (s.pid(D(1925, 10, 15)), "孙百岁", D(1925, 10, 15)),
        "dibao": (s.pid(D(1940, 3, 3), female=True), "李低保", D(1940, 3, 3)),
        "tekun_hh": (s.pid(D(1941, 4, 4), female=True), "周特困家", D(1941, 4, 4)),
        "young": (s.pid(D(1946, 1, 1)), "吴七九", D(1946, 1, 1)),
    }
    settings.DATA_DIR = tmp_path
    pop = s.population(snapshot_path(tmp_path), list(people.values()))
    ids = {k: v[0] for k, v in people.items()}
    # The dibao household (household-level enrollment) and a household where the spouse is tekun (person-level).
    s.household_in_care([s.person(*people["dibao"])], "dibao")
    spouse = s.person(s.pid(D(1950, 1, 1)), "周配偶", D(1950, 1, 1))
    s.household_in_care([s.person(*people["tekun_hh"]), spouse], "tekun", person_level=spouse)
    return {"ids": ids, "sources": Sources(population=pop, deaths=[]), "dir": tmp_path}


def test_enrolment_in_the_birthday_month_not_before(city) -> None:
    idn = city["ids"]["eighty"]
    run_month(user=None, month="2025-07", sources=city["sources"])
    assert rows(idn) == []
    run = run_month(user=None, month="2025-08", sources=city["sources"])
    assert rows(idn) == [(D(2025, 8, 1), None, Decimal("30.00"), "automatic")]
    person = Person.objects.get(id_number=idn)  # created from the population, sex and birth from the ID
    expected = ("赵八十", "M", D(1945, 8, 31), f.COMMUNITY_A)
    assert (person.name, person.sex, person.birth_date, person.area_id) == expected
    assert (run.created, run.persons_created) == (1, 1)  # the others were created by the July run


def test_rate_moves_up_at_ninety_and_one_hundred(city) -> None:
    for month in ("2025-08", "2025-09", "2025-10"):
        run_month(user=None, month=month, sources=city["sources"])
    assert rows(city["ids"]["ninety"]) == [
        (D(2025, 8, 1), D(2025, 8, 31), Decimal("30.00"), "automatic"),
        (D(2025, 9, 1), None, Decimal("200.00"), "automatic"),
    ]
    assert rows(city["ids"]["hundred"]) == [
        (D(2025, 8, 1), D(2025, 9, 30), Decimal("200.00"), "automatic"),
        (D(2025, 10, 1), None, Decimal("800.00"), "automatic"),
    ]
    assert AllowanceRun.objects.get(month="2025-10").rate_changes == 1


def test_eighty_to_eighty_nine_rate_follows_the_household(city) -> None:
    run = run_month(user=None, month="2025-08", sources=city["sources"])
    assert rows(city["ids"]["dibao"]) == [(D(2025, 8, 1), None, Decimal("100.00"), "automatic")]
    assert rows(city["ids"]["tekun_hh"]) == [(D(2025, 8, 1), None, Decimal("100.00"), "automatic")]
    assert rows(city["ids"]["young"]) == []
    assert run.by_band == {"80": 2, "80_low": 2, "90": 1}  # the 79-year-old is not counted
    assert run.eligible == 5 and run.monthly_total == Decimal("460.00")
    # The dibao household leaves dibao at the end of September: 30 from October.
    Enrollment.objects.filter(household__isnull=False, programme="dibao").update(end_date=D(2025, 9, 30))
    run_month(user=None, month="2025-09", sources=city["sources"])
    run_month(user=None, month="2025-10", sources=city["sources"])
    assert rows(city["ids"]["dibao"]) == [
        (D(2025, 8, 1), D(2025, 9, 30), Decimal("100.00"), "automatic"),
        (D(2025, 10, 1), None, Decimal("30.00"), "automatic"),
    ]


def test_before_2025_only_low_income_eighties_and_no_thirty(city) -> None:
    run = run_month(user=None, month="2024-12", sources=city["sources"])
    assert rows(city["ids"]["dibao"]) == [(D(2024, 12, 1), None, Decimal("100.00"), "automatic")]
    assert rows(city["ids"]["ninety"]) == []  # 89 in 2024-12 and not low-income: nothing before 2025
    assert run.by_band == {"80_low": 2, "90": 1}
    assert Enrollment.objects.filter(programme="high_age", monthly_amount=30).count() == 0
    run_month(user=None, month="2025-01", sources=city["sources"])
    assert rows(city["ids"]["ninety"]) == [(D(2025, 1, 1), None, Decimal("30.00"), "automatic")]
    assert rows(city["ids"]["dibao"]) == [(D(2024, 12, 1), None, Decimal("100.00"), "automatic")]


def test_payment_stops_from_the_month_after_death(city) -> None:
    run_month(user=None, month="2025-08", sources=city["sources"])
    # The deaths feed: the 90-year-old dies on 20 August (still due for August); the archive records the
    # dibao elder's death on 3 September.
    feed = s.deaths(city["dir"] / "analytics" / "feeds" / "deaths" / "2025-09.parquet",
                    [(city["ids"]["ninety"], D(2025, 8, 20))])
    Person.objects.filter(id_number=city["ids"]["dibao"]).update(death_date=D(2025, 9, 3))
    sources = Sources.default()
    assert sources.deaths == [feed]
    again = run_month(user=None, month="2025-08", sources=sources)
    assert again.stopped_death == 0 and rows(city["ids"]["ninety"])[0][1] is None
    run = run_month(user=None, month="2025-09", sources=sources)
    assert rows(city["ids"]["ninety"]) == [(D(2025, 8, 1), D(2025, 8, 31), Decimal("30.00"), "automatic")]
    assert run.stopped_death == 1 and run.deaths_read == 1
    run = run_month(user=None, month="2025-10", sources=sources)
    assert rows(city["ids"]["dibao"]) == [(D(2025, 8, 1), D(2025, 9, 30), Decimal("100.00"), "automatic")]
    assert run.stopped_death == 1 and run.created == 0


def test_rerun_of_a_month_changes_nothing(city) -> None:
    first = run_month(user=None, month="2025-08", sources=city["sources"])
    assert (first.created, first.persons_created) == (5, 3)
    before = (Enrollment.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    again = run_month(user=None, month="2025-08", sources=city["sources"])
    assert (again.attempt, again.created, again.rate_changes, again.stopped_death, again.unchanged) == (2, 0, 0, 0, 5)
    after = (Enrollment.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    assert after == (before[0], before[1], before[2] + 1)  # only the run's summary event
    # One audit event per person created and per enrollment created, plus the summary.
    assert AuditEvent.objects.filter(object_type="registry.enrollment", action="create").count() == 5
    assert AuditEvent.objects.filter(object_type="core.person", action="create").count() == 3
    with pytest.raises(InvalidChange, match="更早的月份"):
        run_month(user=None, month="2025-07", sources=city["sources"])


def test_job_agrees_with_the_python_rates(city) -> None:
    run_month(user=None, month="2025-10", sources=city["sources"])
    rates = Rates.for_month(Month(2025, 10))
    for key, idn in city["ids"].items():
        p = Person.objects.filter(id_number=idn).first()
        low = key in ("dibao", "tekun_hh")
        _band, due = rates.due(dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14])), low)
        got = [r[2] for r in rows(idn) if r[1] is None]
        assert got == ([due] if due is not None else []), key
        assert p is not None or due is None


def test_resident_application_and_duplicates_refused(city, users) -> None:
    caseworker = users["caseworker_a"]
    idn = city["ids"]["eighty"]
    app = apply_for_allowance(user=caseworker, id_number=idn, community=f.COMMUNITY_A, applied_on=D(2025, 8, 12),
                              proxy_name="赵小", proxy_phone="13800001111")
    assert rows(idn) == [(D(2025, 8, 1), None, Decimal("30.00"), "workflow")]
    assert app.month == "2025-08" and app.enrollment.monthly_amount == Decimal("30.00")
    with pytest.raises(AlreadyEnrolled):
        apply_for_allowance(user=caseworker, id_number=idn, community=f.COMMUNITY_A, applied_on=D(2025, 8, 20))
    run = run_month(user=None, month="2025-08", sources=city["sources"])  # the job does not enrol them again
    assert len(rows(idn)) == 1 and run.unchanged == 1
    with pytest.raises(AlreadyEnrolled):  # nor can an application after the job
        apply_for_allowance(user=caseworker, id_number=city["ids"]["ninety"], community=f.COMMUNITY_A,
                            applied_on=D(2025, 8, 21))
    with pytest.raises(NotEligible):
        apply_for_allowance(user=caseworker, id_number=city["ids"]["young"], community=f.COMMUNITY_A,
                            applied_on=D(2025, 8, 21))


def test_application_outside_the_population_needs_a_name(city, users) -> None:
    outsider = s.pid(D(1930, 5, 5))
    with pytest.raises(NotFound, match="填写姓名"):
        apply_for_allowance(user=users["caseworker_a"], id_number=outsider, community=f.COMMUNITY_A,
                            applied_on=D(2025, 8, 1))
    apply_for_allowance(user=users["caseworker_a"], id_number=outsider, community=f.COMMUNITY_A,
                        applied_on=D(2025, 8, 1), name="郑驻沈")
    # Not in the population: the monthly run keeps the enrollment (and counts it).
    run = run_month(user=None, month="2025-09", sources=city["sources"])
    assert rows(outsider) == [(D(2025, 8, 1), None, Decimal("200.00"), "workflow")]
    assert run.outside_population == 1


def test_permissions(city, users) -> None:
    with pytest.raises(NotFound):  # a community worker of B cannot take applications in A
        apply_for_allowance(user=users["caseworker_b"], id_number=city["ids"]["eighty"], community=f.COMMUNITY_A,
                            applied_on=D(2025, 8, 1))
    with pytest.raises(Forbidden):
        apply_for_allowance(user=users["auditor"], id_number=city["ids"]["eighty"], community=f.COMMUNITY_A,
                            applied_on=D(2025, 8, 1))
    with pytest.raises(Forbidden):
        run_month(user=users["caseworker_a"], month="2025-08", sources=city["sources"])
    run = run_month(user=users["city"], month="2025-08", sources=city["sources"])
    assert run.actor == users["city"]
    assert AuditEvent.objects.filter(object_type="registry.enrollment", actor=users["city"]).count() == 5
