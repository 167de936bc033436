#!/usr/bin/env bash
# Start the local services the tests need when they are down. Installs them if missing.
#   scripts/services.sh postgres redis
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
      # Create the database DATABASE_URL names when it does not exist yet (migrate needs it).
      if [[ "${DATABASE_URL:-}" == postgres* ]]; then
        name=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).path.lstrip("/"))' "$DATABASE_URL")
        server_url=$(python3 -c 'import sys, urllib.parse; u = urllib.parse.urlsplit(sys.argv[1]); print(u._replace(path="/postgres").geturl())' "$DATABASE_URL")
        if [ -n "$name" ] && ! psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; then
          echo "[parvis] creating PostgreSQL database $name"
          psql "$server_url" -qc "CREATE DATABASE \"$name\"" >/dev/null
        fi
      fi
      ;;
    redis)
      if ! command -v redis-server >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
      fi
      if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        echo "[parvis] starting Redis"
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
          --dir /var/lib/redis --logfile /var/log/redis/ci.log
        for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
      fi
      ;;
    *) echo "unknown service: $service" >&2; exit 2 ;;
  esac
done
