#!/usr/bin/env bash
# Sets up .venv and runs `minzheng demo` (embedded SQLite under ./var, synthetic city, web UI).
# Any arguments go to `minzheng demo` (e.g. --port 8001, --persons 50000, --no-serve).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
install_project ""
exec .venv/bin/minzheng demo "$@"
