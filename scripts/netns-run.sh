#!/usr/bin/env bash
# Runs a command inside a loopback-only network namespace with what the
# media tests and benchmarks need there: `lo` up, a private Redis on
# 127.0.0.1:6379 (the host's loopback is not visible inside), and PostgreSQL
# reached through its Unix socket (a file, visible across namespaces).
# Exports TEST_DATABASE_URL and TEST_REDIS_URL for the command.
#
#   bash scripts/netns-run.sh npx jest --selectProjects media
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

command -v unshare >/dev/null || die "unshare (util-linux) is needed"
command -v redis-server >/dev/null || die "redis-server is needed"
pg_socket_dir="${TEST_PG_SOCKET_DIR:-}"
if [ -z "$pg_socket_dir" ]; then
  for d in /var/run/postgresql /tmp "$PWD/data/test-pg"; do
    if ls "$d"/.s.PGSQL.* >/dev/null 2>&1; then pg_socket_dir="$d"; break; fi
  done
fi
[ -n "$pg_socket_dir" ] || die "no PostgreSQL Unix socket found (set TEST_PG_SOCKET_DIR)"
pg_port="$(ls "$pg_socket_dir"/.s.PGSQL.* | grep -v lock | head -1 | sed 's/.*\.s\.PGSQL\.//')"

export NETNS_TEST_DB="postgres://postgres@localhost:${pg_port}/postgres?host=${pg_socket_dir}"
exec unshare -n bash -c '
  set -euo pipefail
  ip link set lo up
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --loglevel warning >/dev/null &
  redis_pid=$!
  trap "kill $redis_pid 2>/dev/null || true" EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
  export TEST_DATABASE_URL="$NETNS_TEST_DB" TEST_REDIS_URL=redis://127.0.0.1:6379
  "$@"
' bash "$@"
