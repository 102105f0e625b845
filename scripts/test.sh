#!/usr/bin/env bash
# `npm test`: install what is missing, make sure a real PostgreSQL and Redis
# are reachable (starting local ones when they are not), then lint,
# type-check (server and front end) and run the unit, integration and
# browser tests against the built front end.
#
# TEST_DATABASE_URL / TEST_REDIS_URL point the integration tests at your own
# servers. Jest's JSON report lands in test-results/jest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/bootstrap.sh
# Redis for the integration tests; Chromium for the browser tests; iproute2 for the
# loopback-only namespace of the media tests.
apt_ensure redis-server chromium iproute2

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if reachable 127.0.0.1 5432; then
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
    fi
    if reachable 127.0.0.1 5432; then
      export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
    else
      log "no PostgreSQL on 127.0.0.1:5432: using the embedded one for tests (data/test-pg)"
      export TEST_DATABASE_URL="$(node dist/src/database/embedded-cli.js start data/test-pg 54339)"
    fi
  fi
fi
if [ -z "${TEST_REDIS_URL:-}" ]; then
  if reachable 127.0.0.1 6379; then
    export TEST_REDIS_URL="redis://127.0.0.1:6379"
  else
    command -v redis-server >/dev/null || die "Redis is needed for the integration tests: install redis-server or set TEST_REDIS_URL"
    if ! reachable 127.0.0.1 6390; then
      log "starting a private Redis on 127.0.0.1:6390"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6390 --save "" --appendonly no >/dev/null
      for _ in $(seq 50); do reachable 127.0.0.1 6390 && break; sleep 0.1; done
    fi
    export TEST_REDIS_URL="redis://127.0.0.1:6390"
  fi
fi
log "PostgreSQL: ${TEST_DATABASE_URL}  Redis: ${TEST_REDIS_URL}"

log "lint"
npx eslint --max-warnings 0 .
log "format"
npx prettier --check . >/dev/null || die "formatting differs: run npm run format"
log "type-check (server, then the front end with the protocol it shares)"
npx tsc -p tsconfig.json --noEmit
npx tsc -p client-demo/tsconfig.json --noEmit
npx tsc -p client-demo/tsconfig.node.json --noEmit
# bootstrap.sh built the front end if its sources changed; the browser tests below load that build.
log "unit and integration tests"
mkdir -p test-results
rm -f test-results/jest*.json
status=0
npx jest --selectProjects unit integration --runInBand --json --outputFile=test-results/jest.json "$@" || status=$?
log "media tests (mediasoup, WebRTC peers)"
bash scripts/test-media.sh || status=$?
node scripts/jest-totals.js test-results
exit $status
