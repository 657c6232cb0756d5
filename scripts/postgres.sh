#!/usr/bin/env bash
# Installs (from Debian's packages) and runs a private PostgreSQL for Brokkr.
#   scripts/postgres.sh start DATA_DIR PORT   -> initialises DATA_DIR if needed, starts on 127.0.0.1:PORT
#   scripts/postgres.sh stop DATA_DIR
# Authentication is `trust` on loopback only; the server is for local runs and tests.
set -euo pipefail
cmd=${1:?start|stop}; data=${2:?data dir}; port=${3:-5432}

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

if ! bin=$(find_bin); then
  echo "Installing PostgreSQL from Debian packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

# PostgreSQL refuses to run as root: run it as the `postgres` user the package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      echo "PostgreSQL already running in $data" >&2
    else
      as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=300 -c fsync=off -c synchronous_commit=off" start >/dev/null
    fi
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DATA_DIR [PORT]" >&2; exit 2 ;;
esac
