"""GB/T 42195-2022 scoring (dimensions, total, level boundaries), each level-change rule with its switch and
setting, and the 特困 six-item self-care instrument."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.eldercare import scoring
from minzheng.eldercare.actions.assessments import (
    active_instrument,
    configure_instrument,
    record_assessment,
    record_self_care,
)
from minzheng.eldercare.seeds import instrument_definitions
from minzheng.testing import factories as f

DEF = instrument_definitions()[0]
SIX = instrument_definitions()[1]


def answers_for(total: int, *, coma: bool = False) -> dict[str, str]:
    """Answers scoring exactly ``total``: every item at 0, then points added item by item."""
    out: dict[str, str] = {}
    left = total
    for item in DEF["items"]:
        top = max(o["score"] for o in item["options"])
        give = min(top, left)
        left -= give
        out[item["code"]] = str(give)
    if coma:
        assert out["B3.9"] == "0", "coma needs B3.9 at 0"
        out["B3.9"] = "coma"
    assert left == 0
    return out


def test_definition_is_the_standard() -> None:
    scoring.check_definition(DEF)
    assert len(DEF["items"]) == 26
    assert [(d["name"], d["max"]) for d in DEF["dimensions"]] == [
        ("自理能力", 32), ("基础运动能力", 15), ("精神状态", 28), ("感知觉与社会参与", 15)]


def test_scores_per_dimension_and_total() -> None:
    best = {i["code"]: str(max(o["score"] for o in i["options"])) for i in DEF["items"]}
    out = scoring.score(DEF, best)
    assert out.dimension_scores == {"B1": 32, "B2": 15, "B3": 28, "B4": 15}
    assert (out.total, out.initial_level, out.final_level, out.applied) == (90, 0, 0, [])
    some = dict(best, **{"B1.1": "2", "B1.3": "0", "B2.4": "1", "B3.7": "0", "B3.9": "1", "B4.1": "1", "B4.4": "0"})
    out = scoring.score(DEF, some)
    assert out.dimension_scores == {"B1": 26, "B2": 13, "B3": 26, "B4": 11}
    assert (out.total, out.initial_level) == (76, 1)


@pytest.mark.parametrize(("total", "level"), [
    (90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)])
def test_level_boundaries(total: int, level: int) -> None:
    out = scoring.score(DEF, answers_for(total))
    assert (out.total, out.initial_level, out.final_level) == (total, level, level)


def test_bad_answers_refused() -> None:
    with pytest.raises(scoring.ScoringError, match="未作答"):
        scoring.score(DEF, {k: v for k, v in answers_for(50).items() if k != "B2.4"})
    with pytest.raises(scoring.ScoringError, match="不是有效选项"):
        scoring.score(DEF, dict(answers_for(50), **{"B2.4": "4"}))  # stairs go to 3


def _with(rule: str, **changes: object) -> dict:
    d = {**DEF, "rules": [dict(r, **changes) if r["code"] == rule else dict(r) for r in DEF["rules"]]}
    return d


def test_coma_sets_the_level_and_is_configurable() -> None:
    answers = answers_for(60, coma=True)  # 60 → 中度 (2)
    out = scoring.score(DEF, answers)
    assert (out.initial_level, out.final_level) == (2, 4)
    assert out.applied[0]["code"] == "coma" and out.applied[0]["why"].startswith("B3.9")
    assert scoring.score(_with("coma", level=3), answers).final_level == 3  # the 重度失能 reading
    assert scoring.score(_with("coma", enabled=False), answers).final_level == 2
    assert scoring.score(DEF, answers_for(60), {"coma": True}).final_level == 4  # from the health problems (A.5)


def test_dementia_or_mental_disorder_raises_one_level() -> None:
    answers = answers_for(70)  # 轻度 (1)
    assert scoring.score(DEF, answers, {"diagnoses": ["F03"]}).final_level == 2  # 痴呆
    assert scoring.score(DEF, answers, {"diagnoses": ["F32.1"]}).final_level == 2  # other mental disorder
    assert scoring.score(DEF, answers, {"diagnoses": ["I10", "E11"]}).final_level == 1
    assert scoring.score(_with("mental_disorder", enabled=False), answers, {"diagnoses": ["F03"]}).final_level == 1
    assert scoring.score(_with("mental_disorder", diagnoses=["F00-F03"]), answers,
                         {"diagnoses": ["F32"]}).final_level == 1


def test_two_care_risk_events_in_thirty_days_raise_one_level() -> None:
    answers = answers_for(50)  # 中度 (2)
    assert scoring.score(DEF, answers, {"risk_events": {"fall": 1, "choke": 1}}).final_level == 3
    assert scoring.score(DEF, answers, {"risk_events": {"fall": 1}}).final_level == 2
    assert scoring.score(_with("care_risk", threshold=3), answers, {"risk_events": {"fall": 2}}).final_level == 2
    assert scoring.score(_with("care_risk", enabled=False), answers, {"risk_events": {"fall": 5}}).final_level == 2


def test_stacking_and_the_cap() -> None:
    both = {"diagnoses": ["F01"], "risk_events": {"wander": 2}}
    assert scoring.score(DEF, answers_for(80), both).final_level == 3  # each: +2
    assert scoring.score({**DEF, "stacking": "once"}, answers_for(80), both).final_level == 2
    assert scoring.score(DEF, answers_for(35), both).final_level == 4  # 3 + 2 capped at 4
    assert scoring.score(DEF, answers_for(20), both).final_level == 4


@pytest.fixture
def elder(tree):
    return f.make_person("钱奶奶", dt.date(1938, 2, 2), female=True)


def test_record_assessment_with_two_assessors(elder, users) -> None:
    a = record_assessment(user=users["caseworker_a"], person=elder, reason="first", assessed_on=dt.date(2025, 8, 5),
                          assessor_1="张评估", assessor_2="李评估", answers=answers_for(40),
                          facts={"diagnoses": ["F02"], "risk_events": {}})
    assert (a.total, a.initial_level, a.final_level) == (40, 3, 4)
    assert a.dimension_scores == {"B1": 32, "B2": 8, "B3": 0, "B4": 0}
    assert [r["code"] for r in a.applied_rules] == ["mental_disorder"]
    assert a.instrument.version == "2022" and a.area_code == f.COMMUNITY_A
    with pytest.raises(InvalidChange, match="两名评估员"):
        record_assessment(user=users["caseworker_a"], person=elder, reason="routine", assessed_on=dt.date(2025, 8, 5),
                          assessor_1="张评估", assessor_2="", answers=answers_for(40))
    with pytest.raises(InvalidChange, match="同一人"):
        record_assessment(user=users["caseworker_a"], person=elder, reason="routine", assessed_on=dt.date(2025, 8, 5),
                          assessor_1="张评估", assessor_2="张评估", answers=answers_for(40))
    with pytest.raises(NotFound):
        record_assessment(user=users["caseworker_b"], person=elder, reason="first", assessed_on=dt.date(2025, 8, 5),
                          assessor_1="甲", assessor_2="乙", answers=answers_for(40))


def test_configuring_a_rule_makes_a_new_version(elder, users) -> None:
    with pytest.raises(Forbidden):
        configure_instrument(user=users["district"], version="2022-b", rules={"coma": {"level": 3}},
                             valid_from=dt.date(2025, 9, 1))
    new = configure_instrument(user=users["city"], version="2022-b", rules={"coma": {"level": 3}},
                               stacking="once", valid_from=dt.date(2025, 9, 1))
    assert active_instrument().pk == new.pk
    a = record_assessment(user=users["caseworker_a"], person=elder, reason="immediate",
                          assessed_on=dt.date(2025, 9, 2), assessor_1="甲", assessor_2="乙",
                          answers=answers_for(60, coma=True))
    assert (a.instrument.version, a.final_level) == ("2022-b", 3)
    with pytest.raises(InvalidChange, match="未知规则"):
        configure_instrument(user=None, version="x", rules={"nope": {"enabled": False}}, valid_from=dt.date(2025, 9, 1))


@pytest.mark.parametrize(("unable", "level"), [(0, "全自理"), (1, "半自理"), (3, "半自理"), (4, "全护理"),
                                                (6, "全护理")])
def test_six_item_self_care(unable: int, level: str) -> None:
    codes = [i["code"] for i in SIX["items"]]
    items = {c: i >= unable for i, c in enumerate(codes)}
    assert scoring.self_care(SIX, items) == (unable, level)


def test_record_self_care_updates_the_archive(elder, users) -> None:
    items = {"eat": True, "dress": False, "bed": True, "toilet": False, "walk": True, "bathe": False}
    done = record_self_care(user=users["caseworker_a"], person=elder, assessed_on=dt.date(2025, 8, 1), items=items,
                            assessor_1="甲", assessor_2="乙")
    elder.refresh_from_db()
    assert (done.unable, done.level, elder.self_care) == (3, "半自理", "半自理")
    with pytest.raises(InvalidChange, match="未填写"):
        record_self_care(user=users["caseworker_a"], person=elder, assessed_on=dt.date(2025, 8, 1),
                         items={"eat": True}, assessor_1="甲")
