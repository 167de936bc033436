#!/usr/bin/env bash
# Start the local services the tests need when they are down. Installs them if missing.
#   scripts/services.sh postgres
set -euo pipefail
for service in "$@"; do
  case "$service" in
    postgres)
      if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      fi
      if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "[parvis] starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
      fi
      ;;
    *) echo "unknown service: $service" >&2; exit 2 ;;
  esac
done
