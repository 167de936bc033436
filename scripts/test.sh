#!/usr/bin/env bash
# Run the whole test suite. With DATABASE_URL naming PostgreSQL, on PostgreSQL
# (the server is started first if it is down); otherwise on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PARVIS_VAR_DIR="${PARVIS_VAR_DIR:-$PWD/var/test}"
.venv/bin/python manage.py collectstatic --noinput -v 0  # whitenoise serves them in tests too
exec .venv/bin/pytest "$@"
