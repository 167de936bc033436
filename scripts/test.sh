#!/usr/bin/env bash
# Run the whole test suite (after scripts/bootstrap.sh --dev). With DATABASE_URL
# naming PostgreSQL it runs there (`make test` starts the server first when it is
# down, through scripts/services.sh); otherwise on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PARVIS_VAR_DIR="${PARVIS_VAR_DIR:-$PWD/var/test}"
.venv/bin/python manage.py collectstatic --noinput -v 0  # whitenoise serves them in tests too
exec .venv/bin/pytest "$@"
