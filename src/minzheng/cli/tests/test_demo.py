"""The README's first command: `minzheng demo` prepares everything on a fresh data directory."""

import os
import sqlite3
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_demo_prepares_a_city_accounts_and_cases(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINZHENG_")}
    env["MINZHENG_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "minzheng", "--quiet", "demo", "--persons", "3000", "--no-serve"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for username in ("shequ", "jiedao", "quxian", "shiji", "shenji", "fuwu", "shuju"):
        assert f"    {username} " in out
    assert "Minzheng#2025" in out
    db = sqlite3.connect(tmp_path / "minzheng.sqlite3")
    households = db.execute("SELECT count(*) FROM core_household").fetchone()[0]
    assert households >= 300  # the synthetic city's archive (≥ 300 households in care at any size)
    roles = dict(db.execute("SELECT username, role FROM authz_user").fetchall())
    assert roles["shequ"] == "community_worker" and roles["shiji"] == "city_admin"
    assert db.execute("SELECT count(*) FROM assistance_application").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM services_referral").fetchone()[0] > 0
    # a second run on the same data directory changes nothing and succeeds
    again = subprocess.run(
        [sys.executable, "-m", "minzheng", "--quiet", "demo", "--persons", "3000", "--no-serve"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert db.execute("SELECT count(*) FROM core_household").fetchone()[0] == households
