#!/usr/bin/env bash
# The media tests (real mediasoup, real WebRTC stacks) inside a loopback-only
# network namespace: WebRTC gathers candidates on every interface, and these
# tests must never send a packet anywhere but loopback.
#
# Inside the namespace 127.0.0.1 is a different loopback, so PostgreSQL is
# reached through its Unix socket (a file, shared with the host) and a
# private Redis is started inside. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

command -v unshare >/dev/null || die "unshare (util-linux) is needed for the media tests"
command -v redis-server >/dev/null || die "redis-server is needed for the media tests"
pg_socket_dir="${TEST_PG_SOCKET_DIR:-}"
if [ -z "$pg_socket_dir" ]; then
  for d in /var/run/postgresql /tmp "$PWD/data/test-pg"; do
    if ls "$d"/.s.PGSQL.* >/dev/null 2>&1; then pg_socket_dir="$d"; break; fi
  done
fi
[ -n "$pg_socket_dir" ] || die "no PostgreSQL Unix socket found (set TEST_PG_SOCKET_DIR)"
pg_port="$(ls "$pg_socket_dir"/.s.PGSQL.* | grep -v lock | head -1 | sed 's/.*\.s\.PGSQL\.//')"
mkdir -p test-results

export MEDIA_TEST_DB="postgres://postgres@localhost:${pg_port}/postgres?host=${pg_socket_dir}"
log "media tests in a loopback-only network namespace (PostgreSQL via ${pg_socket_dir}, port ${pg_port})"
unshare -n bash -c '
  set -euo pipefail
  ip link set lo up
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --loglevel warning &
  redis_pid=$!
  trap "kill $redis_pid 2>/dev/null || true" EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
  TEST_DATABASE_URL="$MEDIA_TEST_DB" TEST_REDIS_URL=redis://127.0.0.1:6379 \
    npx jest --selectProjects media --runInBand --json --outputFile=test-results/jest-media.json "$@"
' bash "$@"
