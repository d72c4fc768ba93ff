"""The needs-assessment instrument: scoring (weights, levels, tags), data pre-fill, the need register,
versions, and who may assess."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.services import scoring
from minzheng.services.actions.assessments import prefill, record_assessment
from minzheng.services.actions.instruments import DEFAULT_FILE, activate_version, load_instrument
from minzheng.services.choices import AnswerSource, NeedStatus
from minzheng.services.models import Need
from minzheng.services.selectors import active_version, need_register
from minzheng.services.tests.conftest import TODAY, make_single
from minzheng.testing import factories as f

VISIT = {"E2": 1, "E3": 2, "E4": 0, "H4": 0, "R2": 2, "D2": 0, "J1": 0, "J2": 0, "G1": 0, "G2": 0, "S1": 2, "S2": 3}


def test_scoring_weights_levels_and_tags() -> None:
    spec = scoring.InstrumentSpec(
        items=(
            scoring.ItemSpec("a", "health", (0, 1, 2, 3), Decimal(2), ((2, "care.nursing"),)),
            scoring.ItemSpec("b", "health", (0, 2), Decimal(1), ((2, "life.meal"), (2, "care.nursing"))),
            scoring.ItemSpec("c", "social", (0, 3), Decimal(1), ((3, "concern.visit"),), red_flag=True),
        ),
        dimension_weights={"health": Decimal(3), "social": Decimal(1)},
        thresholds={"high": Decimal(60), "medium": Decimal(30), "low": Decimal(10)},
    )
    # health = 100 × (2·2/3 + 1·2/2) / 3 = 77.8; social = 0; total = (3·77.8 + 0) / 4 = 58.35 → 58.4 (medium)
    s = scoring.score(spec, {"a": 2, "b": 2, "c": 0})
    assert (s.total, s.level, s.dimensions) == (Decimal("58.4"), "medium", {"health": Decimal("77.8"),
                                                                              "social": Decimal("0.0")})
    assert s.tags == ["care.nursing", "life.meal"]
    assert s.red_flags == []
    # health = 100 × (2·1/3) / 3 = 22.2; total = 3·22.2/4 = 16.65 → 16.7 (low); no tag reaches its minimum
    s = scoring.score(spec, {"a": 1, "b": 0, "c": 0})
    assert (s.total, s.level, s.tags) == (Decimal("16.7"), "low", [])
    # A red flag at its maximum makes the level high whatever the total: social = 100, total = 25.0
    s = scoring.score(spec, {"a": 0, "b": 0, "c": 3})
    assert (s.total, s.level, s.tags, s.red_flags) == (Decimal("25.0"), "high", ["concern.visit"], ["c"])
    # Level "none" opens nothing.
    s = scoring.score(spec, {"a": 0, "b": 0, "c": 0})
    assert (s.total, s.level, s.tags) == (Decimal("0.0"), "none", [])
    with pytest.raises(scoring.InvalidAnswer):
        scoring.score(spec, {"a": 0, "b": 1, "c": 0})  # 1 is not an option of b
    with pytest.raises(scoring.InvalidAnswer):
        scoring.score(spec, {"a": 0, "b": 0})


def test_shipped_instrument_scores_an_elderly_woman_living_alone(users, elder) -> None:
    version = active_version(day=TODAY)
    assert (version.instrument.code, version.version, version.items.count()) == ("needs", 1, 19)
    # Pre-filled from the archive: 82 years old, alone, 半自理, 低保.
    assert prefill(elder, version, TODAY) == {"E1": 2, "H1": 2, "H2": 0, "H3": 0, "R1": 3, "R3": 2, "D1": 0}
    a = record_assessment(user=users["caseworker_a"], household=elder, version=version, answers=VISIT, day=TODAY,
                          weekdays=0b0011111)
    # economy 100·(2/3+1/3+2/3+0)/3.5 = 47.6; health 100·(2·2/3)/5 = 26.7; housing 100·(1+2/3+1)/3 = 88.9;
    # social 100·(2/3+1)/2 = 83.3; total (1.5·47.6 + 2·26.7 + 88.9 + 83.3) / 9 = 33.0 ≥ 20 → high
    assert a.dimension_scores == {"economy": "47.6", "health": "26.7", "education": "0.0", "housing": "88.9",
                                  "employment": "0.0", "guardianship": "0.0", "social": "83.3"}
    assert (a.total_score, a.level) == (Decimal("33.0"), "high")
    assert a.tags == ["material.goods", "care.nursing", "life.meal", "concern.visit", "life.errand", "life.clean",
                      "concern.counsel", "concern.social", "link.volunteer"]
    sources = dict(a.answers.values_list("item__code", "source"))
    assert sources["H1"] == AnswerSource.DERIVED and sources["S2"] == AnswerSource.VISIT
    needs = Need.objects.filter(household=elder).order_by("id")
    assert [n.item.code for n in needs] == a.tags
    assert {(n.level, n.priority, n.status, n.weekdays, n.area_id) for n in needs} == {
        ("high", "dibao", "open", 0b0011111, f.COMMUNITY_A)}
    assert needs[0].person.name == "赵桂兰"
    assert list(need_register(users["caseworker_a"], item="life.meal")) == [needs.get(item__code="life.meal")]


def test_a_worker_corrects_a_prefilled_answer_and_reassessment_closes_open_needs(users, elder) -> None:
    version = active_version(day=TODAY)
    first = record_assessment(user=users["caseworker_a"], household=elder, version=version, answers=VISIT, day=TODAY)
    assert "care.bath" not in first.tags
    # On the visit the worker finds her bedridden (全护理): H1 = 3 overrides the archive's 半自理, and the
    # social and housing answers are better now.
    second = record_assessment(user=users["caseworker_a"], household=elder, version=version, day=TODAY,
                               answers=VISIT | {"H1": 3, "S1": 0, "S2": 0, "R2": 0, "E3": 0})
    answer = second.answers.get(item__code="H1")
    assert (answer.score, answer.source, answer.derived_score) == (3, AnswerSource.VISIT, 2)
    assert second.tags == ["care.nursing", "life.meal", "care.bath", "concern.visit", "life.errand"]
    status = dict(Need.objects.filter(household=elder).values_list("item__code", "status"))
    assert status == {"material.goods": "closed", "care.nursing": "open", "life.meal": "open", "concern.visit": "open",
                      "life.errand": "open", "life.clean": "closed", "concern.counsel": "closed",
                      "concern.social": "closed", "link.volunteer": "closed", "care.bath": "open"}
    assert Need.objects.filter(household=elder, status=NeedStatus.OPEN, assessment=second).count() == 5


def test_who_may_assess(users, elder) -> None:
    version = active_version(day=TODAY)
    for name in ("caseworker_b", "other_district", "provider", "operator"):
        with pytest.raises(NotFound):
            record_assessment(user=users[name], household=elder, version=version, answers=VISIT, day=TODAY)
    with pytest.raises(Forbidden):
        record_assessment(user=users["auditor"], household=elder, version=version, answers=VISIT, day=TODAY)
    with pytest.raises(InvalidChange):
        record_assessment(user=users["street"], household=elder, version=version, answers=VISIT | {"S2": 7}, day=TODAY)
    assert record_assessment(user=users["street"], household=elder, version=version, answers=VISIT, day=TODAY).pk
    assert list(need_register(users["caseworker_b"])) == []
    assert list(need_register(users["provider"])) == []


def test_a_new_version_with_other_weights(users, tree) -> None:
    household = make_single(birth=dt.date(1980, 1, 1), self_care="", programme="tekun")
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["version"] = 2
    data["dimension_weights"]["economy"] = "6"
    with pytest.raises(Forbidden):
        load_instrument(data, user=users["district"])
    v2 = load_instrument(data, user=users["city"])
    assert v2.status == "draft"
    v1 = active_version(day=TODAY)
    activate_version(v2, user=users["city"], valid_from=dt.date(2025, 7, 1))
    v1.refresh_from_db()
    assert (v1.status, v1.valid_to) == ("retired", dt.date(2025, 7, 1))
    assert active_version(day=dt.date(2025, 7, 1)) == v2
    answers = dict.fromkeys(VISIT, 0)
    # 特困, 44, alone: economy 100·1/3.5 = 28.6, housing 100·(2/3)/3 = 22.2;
    # v1 (1.5·28.6 + 22.2) / 9 = 7.2 (low), v2 (6·28.6 + 22.2) / 13.5 = 14.4 (medium)
    a1 = record_assessment(user=users["caseworker_a"], household=household, version=v1, answers=answers, day=TODAY)
    a2 = record_assessment(user=users["caseworker_a"], household=household, version=v2, answers=answers, day=TODAY)
    assert (a1.total_score, a1.level, a2.total_score, a2.level) == (Decimal("7.2"), "low", Decimal("14.4"), "medium")
    bad = dict(data, version=3, items=[dict(data["items"][0], tag_rules=[{"min": 1, "tag": "no.such"}])])
    with pytest.raises(InvalidChange):
        load_instrument(bad, user=users["city"])
