#!/usr/bin/env bash
# Sets up .venv with the test tools, installs Debian's chromium if it is missing, then runs lint, types
# and the whole test suite twice: on SQLite and on PostgreSQL.
# PostgreSQL: MINZHENG_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); the run creates
# and drops its own database `test_minzheng` on that server.
# Any arguments go to both pytest runs (e.g. -k households, -m "not browser").
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
install_project "[test]"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

PG_URL="${MINZHENG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -d "$PG_URL"; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "== starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
  fi
fi

echo "== ruff"
.venv/bin/ruff check src bench
echo "== mypy"
.venv/bin/mypy

DATA_DIR="$(mktemp -d)"
trap 'rm -rf "$DATA_DIR"' EXIT
export MINZHENG_DATA_DIR="$DATA_DIR"

echo "== pytest on SQLite"
MINZHENG_DATABASE_URL="sqlite:///$DATA_DIR/test.sqlite3" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"

echo "== pytest on PostgreSQL ($PG_URL): the tests that touch the database"
MINZHENG_DATABASE_URL="$PG_URL" MINZHENG_TEST_DATABASE_NAME=test_minzheng MINZHENG_TEST_DB_ONLY=1 \
  .venv/bin/python -m pytest -q -p no:cacheprovider --create-db "$@"
