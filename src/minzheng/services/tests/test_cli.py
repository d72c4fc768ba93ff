"""``minzheng services match | escalate | instrument-load | instrument-activate``."""

from __future__ import annotations

import json

from minzheng.cli import main
from minzheng.services.actions.instruments import DEFAULT_FILE
from minzheng.services.models import InstrumentVersion, MatchRun, Referral
from minzheng.services.tests.test_referrals import assess


def test_match_is_idempotent_by_key(users, elder, catalogue, capsys) -> None:
    assess(users["caseworker_a"], elder)
    assert main(["services", "match", "--key", "nightly-1", "--scope", "210102000000"]) == 0
    out = capsys.readouterr().out
    assert "needs=4 offerings=5 places=20 served=3 unserved=1 status=OPTIMAL certified=True" in out
    assert main(["services", "match", "--key", "nightly-1"]) == 0
    assert Referral.objects.count() == 3 and MatchRun.objects.get().status == "done"
    assert main(["services", "match", "--scope", "999999999999"]) == 2
    assert main(["services", "escalate"]) == 0
    assert "escalated=0 withdrawn=0 visit_overdue=0" in capsys.readouterr().out


def test_instrument_versions_from_the_command_line(tree, tmp_path) -> None:
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8")) | {"version": 2, "valid_from": "2026-01-01"}
    path = tmp_path / "needs-v2.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["services", "instrument-load", str(path)]) == 0
    assert InstrumentVersion.objects.get(version=2).status == "draft"
    assert main(["services", "instrument-load", str(path)]) == 2  # the version exists
    assert main(["services", "instrument-activate", "2", "--valid-from", "2026-02-01"]) == 0
    assert dict(InstrumentVersion.objects.values_list("version", "status")) == {1: "retired", 2: "active"}
    assert str(InstrumentVersion.objects.get(version=1).valid_to) == "2026-02-01"
    assert main(["services", "instrument-activate", "7"]) == 2
    path.write_text("{not json", encoding="utf-8")
    assert main(["services", "instrument-load", str(path)]) == 2


def test_the_background_task_runs_a_run_once(users, elder, catalogue) -> None:
    from minzheng.services.actions.matching import start_run
    from minzheng.services.tasks import run_matching, sweep_deadlines

    assess(users["caseworker_a"], elder)
    run = start_run(user=users["caseworker_a"], key="ui-1", enqueue=False)
    stats = run_matching.call(run.key)
    assert (stats["served"], stats["unserved"]) == (3, 1)
    assert run_matching.call(run.key) == stats  # retried: nothing new
    assert Referral.objects.count() == 3
    assert sweep_deadlines.call() == {"escalated": 0, "withdrawn": 0, "visit_overdue": 0}
