"""Certificates of the people paid a disability subsidy outside the archive come from the 残联 feed: the one
valid on the day is recorded (or replaces another), an expired one is not, archive members and people
without a disability subsidy are left alone; audited, idempotent."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from minzheng.analytics import feeds
from minzheng.audit.models import AuditEvent
from minzheng.core.models import Person
from minzheng.registry.actions.certificates import certificates_from_feed
from minzheng.registry.actions.enrollments import enroll
from minzheng.testing import factories as f

TODAY = dt.date(2025, 7, 31)


def _feed(tmp_path: Path, rows: list[tuple[str, str, str, str, str, str]]) -> Path:
    """One ``disability_certs`` delivery in the store of ``tmp_path``; returns the data directory."""
    delivered = tmp_path / "delivery" / "disability_certs.csv"
    delivered.parent.mkdir()
    with delivered.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id_number", "name", "cert_no", "disability_type", "grade", "issue_date", "valid_until"])
        for idn, name, dtype, grade, issue, until in rows:
            w.writerow([idn, name, "", dtype, grade, issue, until])
    data_dir = tmp_path / "data"
    result = feeds.intake_file(delivered, data_dir=data_dir, rejects_csv=tmp_path / "rejects.csv", today=TODAY)
    assert (result.rows_taken, result.rows_rejected) == (len(rows), 0)
    return data_dir


def _enrol(users: dict, person: Person, programme: str) -> None:
    enroll(user=users["district"], programme=programme, start=dt.date(2020, 1, 1), monthly_amount=Decimal(100),
           person=person, source_key=f"test:{person.pk}:{programme}", reason="测试")


@pytest.mark.django_db
def test_the_feeds_current_certificate_is_recorded_for_people_outside_the_archive(users, household_a,
                                                                                 tmp_path) -> None:
    outside = f.make_person("钱大爷", dt.date(1950, 1, 1))  # no certificate recorded: the usual case
    renewed = f.make_person("孙阿姨", dt.date(1960, 2, 2), female=True, disability_type="视力", disability_grade=3)
    expired = f.make_person("李叔", dt.date(1955, 3, 3))
    living = f.make_person("周姐", dt.date(1980, 4, 4), female=True)
    old = f.make_person("吴老", dt.date(1930, 5, 5))  # 高龄 only: no disability subsidy
    member = household_a.memberships.get(relation="配偶").person  # an archive member: registry_members decides
    for person in (outside, renewed, expired, member):
        _enrol(users, person, "disability_care")
    _enrol(users, living, "disability_living")
    _enrol(users, old, "high_age")
    legacy = outside.id_number[:6] + outside.id_number[8:17]  # the feed's 15-digit form, normalised on intake
    data_dir = _feed(tmp_path, [
        (legacy, "钱大爷", "肢体", "2", "2016-03-01", "2026-02-28"),
        (outside.id_number, "钱大爷", "肢体", "3", "2006-03-01", "2016-02-29"),  # an older, expired one
        (renewed.id_number, "孙阿姨", "视力", "3", "2010-01-01", "2020-01-01"),
        (renewed.id_number, "孙阿姨", "视力", "1", "2020-01-02", ""),
        (expired.id_number, "李叔", "精神", "1", "2012-01-01", "2022-01-01"),
        (living.id_number, "周姐", "听力", "4", "2019-09-09", ""),
        (old.id_number, "吴老", "肢体", "1", "2019-01-01", ""),
        (member.id_number, "李秀英", "智力", "2", "2018-01-01", ""),
    ])

    counts = certificates_from_feed(user=None, data_dir=data_dir, today=TODAY, reason="数据导入 测试")

    assert counts == {"people": 4, "recorded": 2, "changed": 1}
    got = {p.name: (p.disability_type, p.disability_grade) for p in Person.objects.filter(
        pk__in=[outside.pk, renewed.pk, expired.pk, living.pk, old.pk, member.pk])}
    assert got == {"钱大爷": ("肢体", 2), "孙阿姨": ("视力", 1), "李叔": ("", None), "周姐": ("听力", 4),
                   "吴老": ("", None), "李秀英": ("", None)}
    events = AuditEvent.objects.filter(object_type="core.person", action="import")
    assert {e.object_id for e in events} == {str(outside.pk), str(renewed.pk), str(living.pk)}
    assert {(e.reason, e.area_code) for e in events} == {("数据导入 测试", f.COMMUNITY_A)}
    feed = "disability_certs"
    assert {e.object_id: (e.before, e.after) for e in events} == {
        str(outside.pk): ({"disability_type": "", "disability_grade": None},
                          {"disability_type": "肢体", "disability_grade": 2, "source": feed}),
        str(renewed.pk): ({"disability_type": "视力", "disability_grade": 3},
                          {"disability_type": "视力", "disability_grade": 1, "source": feed}),
        str(living.pk): ({"disability_type": "", "disability_grade": None},
                         {"disability_type": "听力", "disability_grade": 4, "source": feed}),
    }
    # Again: nothing to change, nothing written.
    assert certificates_from_feed(user=None, data_dir=data_dir, today=TODAY) == {"people": 4, "recorded": 0,
                                                                                  "changed": 0}
    assert AuditEvent.objects.filter(object_type="core.person", action="import").count() == 3


@pytest.mark.django_db
def test_without_a_feed_nothing_changes(users, tmp_path) -> None:
    person = f.make_person("钱大爷", dt.date(1950, 1, 1))
    _enrol(users, person, "disability_care")
    assert certificates_from_feed(user=None, data_dir=tmp_path, today=TODAY) == {"people": 1, "recorded": 0,
                                                                                  "changed": 0}
    person.refresh_from_db()
    assert (person.disability_type, person.disability_grade) == ("", None)
