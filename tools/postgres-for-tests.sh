#!/usr/bin/env bash
# Sourced by ./test: makes sure RISKWATCH_TEST_PG names a PostgreSQL server for the store tests.
# - RISKWATCH_TEST_PG already set (CI with a service, a developer's own server): used as is.
# - Otherwise: installs the Debian package `postgresql` if its binaries are missing, starts a throwaway cluster
#   (initdb + pg_ctl on a temp folder, loopback, trust auth, C locale) on a free port, exports its URI and stops it
#   and removes the folder when the sourcing shell exits.
# The tests fail (never skip) when the server they are given does not answer.

riskwatch_pg_start() {
  if [ -n "${RISKWATCH_TEST_PG:-}" ]; then
    echo "postgres-for-tests: using RISKWATCH_TEST_PG from the environment" >&2
    return 0
  fi

  local bin=/usr/lib/postgresql/15/bin
  if [ ! -x "$bin/initdb" ]; then
    echo "postgres-for-tests: installing the Debian package postgresql…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  fi

  # The server refuses to run as root: the cluster belongs to the `postgres` account when we are root.
  local run=()
  if [ "$(id -u)" -eq 0 ]; then run=(runuser -u postgres --); fi

  RISKWATCH_PG_DIR="$(mktemp -d /tmp/riskwatch-pg-XXXXXX)"
  chmod 755 "$RISKWATCH_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$RISKWATCH_PG_DIR"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${run[@]}" "$bin/initdb" -D "$RISKWATCH_PG_DIR/data" -U postgres --auth=trust --locale=C --encoding=UTF8 >/dev/null
  # fsync off: a throwaway cluster for tests, nothing to keep after a power cut; max_connections covers parallel test
  # assemblies, each with its pools and worker processes.
  "${run[@]}" "$bin/pg_ctl" -D "$RISKWATCH_PG_DIR/data" -l "$RISKWATCH_PG_DIR/log" -w -s \
    -o "-p $port -k $RISKWATCH_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >&2
  export RISKWATCH_TEST_PG="postgres://postgres:x@127.0.0.1:$port/postgres"
  export RISKWATCH_PG_DIR
  trap riskwatch_pg_stop EXIT
  echo "postgres-for-tests: throwaway cluster on 127.0.0.1:$port" >&2
}

riskwatch_pg_stop() {
  [ -n "${RISKWATCH_PG_DIR:-}" ] || return 0
  local run=()
  if [ "$(id -u)" -eq 0 ]; then run=(runuser -u postgres --); fi
  "${run[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$RISKWATCH_PG_DIR/data" -m immediate -s stop >/dev/null 2>&1 || true
  rm -rf "$RISKWATCH_PG_DIR"
  RISKWATCH_PG_DIR=
}

riskwatch_pg_start
