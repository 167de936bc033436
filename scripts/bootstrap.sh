#!/usr/bin/env bash
# Set up everything Parvis needs on a fresh machine: virtualenv, Python and npm
# packages, database migrations, static files. Idempotent and quick when done.
#   scripts/bootstrap.sh          runtime only (the demo)
#   scripts/bootstrap.sh --dev    plus test and lint tools, and Chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
say() { printf '\033[1;34m[parvis]\033[0m %s\n' "$*"; }

apt_install() {
  if command -v apt-get >/dev/null 2>&1; then
    say "Installing Debian packages: $*"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    if [ ! -f /var/lib/parvis-apt-updated ]; then
      $SUDO apt-get update -qq && $SUDO touch /var/lib/parvis-apt-updated 2>/dev/null || true
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
  else
    echo "Please install: $*" >&2
    exit 1
  fi
}

# 1. Python 3.11+ with venv.
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  apt_install python3 python3-venv python3-dev
fi
if [ ! -x .venv/bin/python ]; then
  say "Creating the virtualenv (.venv)"
  "$PYTHON" -m venv .venv || { apt_install python3-venv; "$PYTHON" -m venv .venv; }
fi

# 2. Python packages, reinstalled only when pyproject.toml changes.
EXTRA=""
[ "$DEV" = 1 ] && EXTRA="[dev]"
STAMP=".venv/.parvis-installed${EXTRA:+-dev}"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  say "Installing Python packages${EXTRA:+ (with development tools)}"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${EXTRA}" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import django, mastodon, lingua" || { echo "Python packages failed to install" >&2; exit 1; }
  touch "$STAMP"
fi

# 3. Front-end packages from the npm registry.
if [ ! -f node_modules/htmx.org/dist/htmx.min.js ] || [ package.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  say "Installing front-end packages (npm)"
  npm install --no-audit --no-fund --silent
fi

# 4. Chromium for the browser test (Debian's package; Playwright drives it, never downloads one).
if [ "$DEV" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# 4b. Bluesky's reference servers for the Bluesky contract tests (@atproto/dev-env and Node 22,
#     from the npm registry; better-sqlite3 compiled here). Skipped when already installed.
if [ "$DEV" = 1 ]; then
  if ! command -v make >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then apt_install build-essential; fi
  scripts/atproto/install.sh
  scripts/matrix install   # Synapse (Matrix homeserver) in var/synapse-venv, for the Matrix tests
  scripts/mail install     # Debian's dovecot-imapd (no service started), for the e-mail tests
fi

# 5. Database and static files.
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0
say "Setup complete"
