"""The archive import against the real database: a hand-written archive with known dirt
(``fixtures/archive``), exact counts, exact reasons, exact rows; idempotence; updates; rollback."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.models import Household, HouseholdChange, HouseholdMember, Person
from minzheng.registry.actions.archive_import import import_archive
from minzheng.registry.actions.archive_rows import FileOutcome, Row
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
TODAY = dt.date(2025, 6, 30)
FILES = ("areas", "registry_households", "registry_members", "registry_enrollments")

A = "210102197005010232"  # 王建国, head of SY0001
B = "21010219720809005X"  # 李秀英, delivered with a lowercase x
C = "210102199803040259"  # 王小明, delivered in the 15-digit form
D = "210103195511200263"  # 张桂兰, delivered in full-width digits
E = "210103198001020290"  # 张伟, delivered with spaces around and inside
F = "210104196207070311"  # 刘洋, head of SY0003
Q = "21010219380203049X"  # 赵老汉, outside the archive, found in the population (15-digit in the file)


def read(name: str, directory: Path = FIXTURE) -> list[Row]:
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return [(n, dict(r)) for n, r in enumerate(csv.DictReader(fh), 1)]


@dataclass
class Pop:
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    area_code: str


POPULATION = {Q: Pop(Q, "赵老汉", "M", dt.date(1938, 2, 3), "210102001002")}


def lookup(ids: Iterable[str]) -> Mapping[str, Pop]:
    return {i: POPULATION[i] for i in ids if i in POPULATION}


def run(files: dict[str, list[Row] | None] | None = None, **kw: Any) -> dict[str, FileOutcome]:
    files = files if files is not None else {name: read(name) for name in FILES}
    return import_archive(files, user=kw.pop("user", None), today=TODAY, lookup=lookup, **kw)


def reasons(outcome: FileOutcome) -> dict[int, str]:
    return {r.row_number: r.code for r in outcome.rejections}


@pytest.fixture
def imported(db: None) -> dict[str, FileOutcome]:
    return run()


def test_counts(imported: dict[str, FileOutcome]) -> None:
    counts = {k: (o.rows_read, o.created, o.changed, o.unchanged, o.rows_rejected, o.ids_repaired, o.error)
              for k, o in imported.items()}
    assert counts == {
        "areas": (11, 5, 0, 2, 4, 0, ""),
        "registry_households": (8, 3, 0, 0, 5, 0, ""),
        "registry_members": (19, 6, 0, 0, 13, 4, ""),
        "registry_enrollments": (16, 6, 0, 0, 10, 2, ""),
    }


def test_every_rejected_row_has_its_reason(imported: dict[str, FileOutcome]) -> None:
    assert reasons(imported["areas"]) == {
        8: "area_parent_mismatch", 9: "area_code_invalid", 10: "area_parent_unknown", 11: "area_duplicate",
    }
    assert reasons(imported["registry_households"]) == {
        4: "area_not_community", 5: "area_unknown", 6: "household_head_count", 7: "household_duplicate",
        8: "date_invalid",
    }
    assert reasons(imported["registry_members"]) == {
        7: "id_check_digit", 8: "id_birth_date", 9: "id_area_code", 10: "person_in_two_households",
        11: "person_duplicate", 12: "relation_invalid", 13: "money_invalid", 14: "disability_grade_invalid",
        15: "serious_illness_invalid", 16: "household_head_count", 17: "household_rejected",
        18: "household_unknown", 19: "id_empty",
    }
    assert reasons(imported["registry_enrollments"]) == {
        7: "person_unknown", 8: "enrollment_overlap", 9: "programme_invalid", 10: "dates_unordered",
        11: "household_unknown", 12: "person_not_member", 13: "household_required", 14: "enrollment_duplicate",
        15: "money_invalid", 16: "person_required",
    }
    rejected = imported["registry_members"].rejections[0]
    assert rejected.values["id_number"] == "210104199001010330"  # the original text, as delivered
    assert rejected.reason == "身份证号校验码错误：210104199001010330"


def test_dirty_ids_are_normalised(imported: dict[str, FileOutcome]) -> None:
    assert set(Person.objects.values_list("id_number", flat=True)) == {A, B, C, D, E, F, Q}


def test_people_carry_the_member_rows_and_the_household_community(imported: dict[str, FileOutcome]) -> None:
    b = Person.objects.get(id_number=B)
    assert (b.name, b.sex, b.birth_date, b.area_id) == ("李秀英", "M", dt.date(1972, 8, 9), f.COMMUNITY_A)
    assert (b.disability_type, b.disability_grade, b.serious_illness, b.self_care) == ("肢体", 2, True, "半自理")
    assert Person.objects.get(id_number=A).monthly_income == Decimal("1200.50")
    assert Person.objects.get(id_number=E).monthly_income == Decimal("850.50")
    d = Person.objects.get(id_number=D)
    assert (d.sex, d.area_id, d.self_care) == ("F", "210102001002", "全自理")
    assert Person.objects.get(id_number=F).area_id == "210103001001"


def test_households_and_memberships(imported: dict[str, FileOutcome]) -> None:
    rows = sorted(HouseholdMember.objects.values_list(
        "household__household_no", "person__id_number", "relation", "start_date", "end_date"))
    assert rows == [
        ("SY0001", A, "户主", dt.date(2019, 5, 1), None),
        ("SY0001", B, "配偶", dt.date(2019, 5, 1), None),
        ("SY0001", C, "子", dt.date(2019, 5, 1), None),
        ("SY0002", D, "户主", dt.date(2020, 1, 15), None),
        ("SY0002", E, "子", dt.date(2020, 1, 15), None),
        ("SY0003", F, "户主", dt.date(2021, 7, 1), None),
    ]
    h = Household.objects.get(household_no="SY0003")
    assert (h.area_id, h.address, h.phone, h.registered_date) == (
        "210103001001", "沈河区大西路3号", "02422223333", dt.date(2021, 7, 1))
    creates = HouseholdChange.objects.filter(kind="create").order_by("household__household_no")
    assert [(c.household.household_no, c.after["members"], c.effective_date) for c in creates] == [
        ("SY0001", 3, dt.date(2019, 5, 1)), ("SY0002", 2, dt.date(2020, 1, 15)), ("SY0003", 1, dt.date(2021, 7, 1)),
    ]


def test_enrollments(imported: dict[str, FileOutcome]) -> None:
    rows = sorted(
        (e.household.household_no if e.household else "", e.person.id_number if e.person else "", e.programme,
         e.start_date, e.end_date, e.monthly_amount, e.source, e.source_key)
        for e in Enrollment.objects.select_related("household", "person")
    )
    assert rows == [
        ("", Q, "high_age", dt.date(2023, 1, 1), None, Decimal("100.00"), "archive", f"|{Q}|high_age|2023-01-01"),
        ("SY0001", "", "dibao", dt.date(2019, 6, 1), None, Decimal("1650.00"), "archive", "SY0001||dibao|2019-06-01"),
        ("SY0001", B, "disability_living", dt.date(2020, 1, 1), None, Decimal("100.00"), "archive",
         f"SY0001|{B}|disability_living|2020-01-01"),
        ("SY0002", "", "dibao", dt.date(2020, 2, 1), dt.date(2023, 12, 31), Decimal("900.00"), "archive",
         "SY0002||dibao|2020-02-01"),
        ("SY0002", "", "dibao", dt.date(2024, 1, 1), None, Decimal("950.00"), "archive", "SY0002||dibao|2024-01-01"),
        ("SY0003", F, "tekun", dt.date(2021, 8, 1), None, Decimal("1320.00"), "archive",
         f"SY0003|{F}|tekun|2021-08-01"),
    ]
    q = Person.objects.get(id_number=Q)  # created from the population data, outside any household
    assert (q.name, q.sex, q.birth_date, q.area_id, q.memberships.count()) == (
        "赵老汉", "M", dt.date(1938, 2, 3), "210102001002", 0)


def test_audit_one_event_per_household_and_per_file(imported: dict[str, FileOutcome]) -> None:
    events = AuditEvent.objects.filter(action="import")
    assert events.filter(object_type="import_file").count() == 4
    households = events.filter(object_type="core.household")
    # SY0001-3 created (households file), members added to each (members file), enrollments for each.
    assert households.count() == 9
    created = households.get(summary="导入建档 SY0001")
    assert created.after == {"household_no": "SY0001", "area_code": f.COMMUNITY_A, "registered_date": "2019-05-01",
                             "members": 3}
    assert (created.actor_id, created.actor_username, created.area_code) == (None, "system", f.COMMUNITY_A)
    assert events.filter(object_type="core.area").count() == 5 + 1  # the new areas; the people outside
    q = Person.objects.get(id_number=Q)  # created from the population data, listed under its community
    outside = events.get(object_type="core.area", object_id="210102001002", summary__startswith="导入档案外")
    assert outside.after == {"people": 1, "people_created": 1, "enrollments_created": 1, "enrollments_changed": 0,
                             "programmes": ["high_age"], "person_ids": [q.pk]}
    assert outside.summary == "导入档案外人员享受记录 210102001002：1 人（新建 1 人，来自人口数据），新增 1，更新 0"
    file_event = events.get(object_type="import_file", object_id="registry_members")
    assert file_event.after == {"rows_read": 19, "rows_taken": 6, "created": 6, "changed": 0, "unchanged": 0,
                                "rows_rejected": 13, "ids_repaired": 4}


def test_second_import_changes_nothing(imported: dict[str, FileOutcome]) -> None:
    def table_counts() -> tuple[int, ...]:
        return (Person.objects.count(), Household.objects.count(), HouseholdMember.objects.count(),
                Enrollment.objects.count(), HouseholdChange.objects.count(), AuditEvent.objects.count())

    before = table_counts()
    updated = {p.pk: p.updated_at for p in Person.objects.all()}
    again = run()
    assert {k: (o.created, o.changed, o.unchanged, o.rows_rejected) for k, o in again.items()} == {
        "areas": (0, 0, 7, 4),
        "registry_households": (0, 0, 3, 5),
        "registry_members": (0, 0, 6, 13),
        "registry_enrollments": (0, 0, 6, 10),
    }
    after = table_counts()
    assert after[:5] == before[:5]
    assert after[5] == before[5] + 4  # only the four file events: no household was touched
    assert {p.pk: p.updated_at for p in Person.objects.all()} == updated


def test_changed_rows_are_updated_and_audited(imported: dict[str, FileOutcome]) -> None:
    households = read("registry_households")
    households[0][1]["address"] = "和平区南京南街100号"
    members = read("registry_members")
    members[0][1]["monthly_income"] = "1500"
    enrollments = read("registry_enrollments")
    enrollments[0][1]["end_date"] = "2025-05-31"
    out = run({"registry_households": households, "registry_members": members,
               "registry_enrollments": enrollments})
    assert [(o.created, o.changed, o.unchanged) for o in out.values()] == [(0, 1, 2), (0, 1, 5), (0, 1, 5)]
    h = Household.objects.get(household_no="SY0001")
    assert h.address == "和平区南京南街100号"
    change = HouseholdChange.objects.get(household=h, kind="update")
    assert (change.before, change.after) == ({"address": "和平区南京南街1号"}, {"address": "和平区南京南街100号"})
    event = AuditEvent.objects.get(summary="导入更新家庭 SY0001")
    assert (event.before, event.after) == ({"address": "和平区南京南街1号"}, {"address": "和平区南京南街100号"})
    assert Person.objects.get(id_number=A).monthly_income == Decimal("1500.00")
    assert AuditEvent.objects.filter(summary="导入成员 SY0001：新增 0，更新 1").count() == 1
    e = Enrollment.objects.get(source_key="SY0001||dibao|2019-06-01")
    assert e.end_date == dt.date(2025, 5, 31)


def test_a_household_that_moves_takes_its_people_along(imported: dict[str, FileOutcome]) -> None:
    households = read("registry_households")
    households[0][1]["area_code"] = f.COMMUNITY_B
    out = run({"registry_households": households})
    assert out["registry_households"].changed == 1
    assert set(Person.objects.filter(id_number__in=[A, B, C]).values_list("area_id", flat=True)) == {f.COMMUNITY_B}


def test_a_person_already_in_another_household_is_rejected(imported: dict[str, FileOutcome]) -> None:
    members = [(1, {**read("registry_members")[0][1], "household_id": "SY0003", "relation": "子"})]
    out = run({"registry_members": members})
    assert reasons(out["registry_members"]) == {1: "person_in_other_household"}
    assert HouseholdMember.objects.get(person__id_number=A).household.household_no == "SY0001"


def test_a_relation_change_is_not_an_import(imported: dict[str, FileOutcome]) -> None:
    members = [(1, {**read("registry_members")[2][1], "relation": "孙子女"})]
    out = run({"registry_members": members})
    assert reasons(out["registry_members"]) == {1: "relation_changed"}


def test_a_new_member_of_an_existing_household(imported: dict[str, FileOutcome]) -> None:
    g = "210104199102020354"
    members = [(1, {"household_id": "SY0003", "id_number": g, "name": "刘四", "relation": "子",
                    "monthly_income": "", "disability_type": "", "disability_grade": "", "serious_illness": "n",
                    "self_care": ""})]
    out = run({"registry_members": members})
    assert (out["registry_members"].created, out["registry_members"].rows_rejected) == (1, 0)
    m = HouseholdMember.objects.get(person__id_number=g)
    assert (m.household.household_no, m.relation, m.start_date) == ("SY0003", "子", TODAY)
    change = HouseholdChange.objects.get(household=m.household, kind="add_member")
    assert change.after == {"added": [{"id_number": "2101**********0354", "name": "刘四", "relation": "子"}]}


def test_two_heads_reject_the_household_and_its_members(db: None) -> None:
    run({"areas": read("areas")})
    households = [(1, {"household_id": "SY0100", "area_code": f.COMMUNITY_A, "address": "", "phone": "",
                       "registered_date": "2024-01-01"})]
    base = {"household_id": "SY0100", "name": "甲", "relation": "户主", "monthly_income": "0",
            "disability_type": "", "disability_grade": "", "serious_illness": "N", "self_care": ""}
    members = [(1, {**base, "id_number": A}), (2, {**base, "id_number": B}), (3, {**base, "id_number": C,
                                                                                 "relation": "子"})]
    out = run({"registry_households": households, "registry_members": members})
    assert reasons(out["registry_households"]) == {1: "household_head_count"}
    assert reasons(out["registry_members"]) == {1: "household_head_count", 2: "household_head_count",
                                                3: "household_head_count"}
    assert out["registry_members"].rejections[0].reason == "家庭户主人数应恰为1人：家庭 SY0100 户主 2 人"
    assert not Household.objects.exists()


def test_a_file_lands_whole_or_not_at_all(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.registry.actions.archive_rows import AuditRows

    real = AuditRows.write
    calls = {"n": 0}

    def second_fails(self: AuditRows) -> None:  # the members file's audit rows: its last write
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(self)

    run({"areas": read("areas")})
    monkeypatch.setattr(AuditRows, "write", second_fails)
    out = run({"registry_households": read("registry_households"), "registry_members": read("registry_members")})
    assert out["registry_households"].created == 3
    assert out["registry_members"].error == "RuntimeError: disk full"
    assert out["registry_members"].rows_taken == 0
    assert not Person.objects.exists()
    assert not HouseholdMember.objects.exists()


def test_the_acting_user_is_recorded(db: None) -> None:
    f.build_tree()
    user = f.make_user("data_operator", f.CITY, "importer")
    run({"areas": read("areas")}, user=user)
    event = AuditEvent.objects.get(object_type="import_file")
    assert (event.actor_id, event.actor_username, event.actor_role) == (user.pk, "importer", "data_operator")
