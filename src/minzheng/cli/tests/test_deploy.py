"""`manage.py check --deploy` is clean with production settings, and production refuses to start without secrets."""

import os
import secrets
import subprocess
import sys

from minzheng.core.fieldcrypto import generate_key


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINZHENG_")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "minzheng", "manage", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_check_deploy_is_clean_in_production(tmp_path) -> None:
    result = _run(
        {
            "MINZHENG_ENV": "production",
            "MINZHENG_SECRET_KEY": secrets.token_urlsafe(64),
            "MINZHENG_ALLOWED_HOSTS": "minzheng.example.gov.cn",
            "MINZHENG_FIELD_KEY": generate_key(),
            "MINZHENG_DATA_DIR": str(tmp_path),
        },
        "check", "--deploy", "--fail-level", "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_requires_a_secret_key(tmp_path) -> None:
    result = _run({"MINZHENG_ENV": "production", "MINZHENG_DATA_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "MINZHENG_SECRET_KEY must be set in production" in result.stderr


def test_production_requires_a_field_key(tmp_path) -> None:
    """No key file is created beside the database in production: the key is provided (docs/payments.md)."""
    env = {"MINZHENG_ENV": "production", "MINZHENG_SECRET_KEY": secrets.token_urlsafe(64),
           "MINZHENG_ALLOWED_HOSTS": "minzheng.example.gov.cn", "MINZHENG_DATA_DIR": str(tmp_path)}
    result = _run(env, "check")
    assert result.returncode != 0
    assert "MINZHENG_FIELD_KEY must be set in production" in result.stderr
    assert not (tmp_path / "field_keys").exists()
