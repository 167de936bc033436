#!/usr/bin/env bash
# Static checks: formatting, lint, types, import contracts, migrations.
set -euo pipefail
cd "$(dirname "$0")/.."
export PARVIS_VAR_DIR="${PARVIS_VAR_DIR:-$PWD/var/test}"
.venv/bin/ruff format --check parvis tests benchmarks
.venv/bin/ruff check parvis tests benchmarks
.venv/bin/mypy parvis tests benchmarks
.venv/bin/lint-imports
.venv/bin/python manage.py makemigrations --check --dry-run
