#!/usr/bin/env bash
# `npm start`: install what is missing, then run the whole product on the
# embedded default (embedded PostgreSQL, in-process queue and pub/sub), or on
# DATABASE_URL / REDIS_URL when they are set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/bootstrap.sh
if [ "${SEED_DEMO:-true}" = "true" ]; then
  log "seeding demo accounts and products (idempotent; SEED_DEMO=false to skip)"
  node dist/src/seed.js
fi
log "starting on http://localhost:${PORT:-3000}"
# Semi-spaces of up to 64 MB: an order stays in flight for a few reservation
# batches, and with V8's default young generation the scavenger copied and
# promoted it several times (docs/benchmarks/orders.md).
exec node --max-semi-space-size=64 dist/src/main.js
