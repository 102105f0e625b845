/**
 * `npm run bench:orders`: a flash sale over HTTP against one product.
 *
 * Boots the real app (production config: request logs off, Redis when
 * reachable) on a fresh database of the real PostgreSQL at TEST_DATABASE_URL
 * (or DATABASE_URL), pins one product with a sale of S units, and lets many
 * buyers (one JWT each, per-buyer limit 1) order it over keep-alive loopback
 * connections from a separate load-generator process. Then it checks the
 * database: oversold units, lost orders (acknowledged but absent), phantom
 * orders (stored but never acknowledged), duplicates. In the same run it
 * measures a trivial endpoint of the same app (GET /api/payments/providers
 * with the same bearer token, so JWT verification is in both) for the ratio.
 *
 * It runs compiled, as the app runs in production (`npm run bench:orders`
 * compiles src/ and bench/ with tsc into dist/bench-build/ and runs that with
 * node; the load generator is forked from there too). Under ts-node the app
 * shared its process with ts-node's REPL module, which loads `domain`: every
 * EventEmitter then takes the domain path, which costs the app CPU on every
 * request (docs/benchmarks/orders.md).
 *
 * Environment (all optional):
 *   BENCH_STOCK=20000        sale units S (and product stock)
 *   BENCH_BUYERS=1.5×S       buyers, each sends one order (those after the sell-out get 409)
 *   BENCH_CONNECTIONS=100    concurrent keep-alive connections (buyers with an order in flight), for both
 *                            phases. Orders are reserved in batches of whatever arrived while the previous
 *                            batch ran, so the batch size follows the buyers waiting (why 100:
 *                            docs/benchmarks/orders.md). Until 2026-12-04 the default was 50.
 *   BENCH_DURATION_S=60      cap of the order phase
 *   BENCH_TRIVIAL_S=5        length of the trivial-endpoint phase
 *   BENCH_REDIS=1            0: in-process pub/sub, state and queue
 *   BENCH_RUNS=1             >1: run that many times (fresh process each) and print medians
 *   BENCH_LOG_LEVEL=warn     app log level (info logs every request)
 *   BENCH_PROFILE=file       write a V8 CPU profile of the app during one phase, and print its top functions
 *   BENCH_PROFILE_PHASE=orders   or trivial: the phase BENCH_PROFILE covers
 *   BENCH_APP_ENV=K=V,K2=V2  extra app settings (e.g. REPORTS_FOLD_MS=60000 to keep the reports fold out)
 *   BENCH_DIRECT=1           the sale calls OrdersService.create in the app's process from BENCH_CONNECTIONS
 *                            concurrent callers instead of over HTTP: what the reservation engine and the
 *                            database do without the HTTP layer (a diagnostic, not the target's measure)
 */
import 'reflect-metadata';
import { fork, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';
import type { AuthUser } from '../src/common/auth/roles';
import { DomainError } from '../src/common/errors/domain-errors';
import { OrderMetrics } from '../src/orders/order-metrics';
import { OrdersService } from '../src/orders/orders.service';
import { cpuSeconds } from '../test/support/procfs';
import { createDatabase } from '../test/support/services';
import { countAnswer, emptyResult, type LoadJob, type LoadResult } from './loadgen';

const env = process.env;
const int = (name: string, def: number) => {
  const v = env[name];
  const n = v === undefined || v === '' ? def : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number`);
  return n;
};
const STOCK = int('BENCH_STOCK', 20_000);
const BUYERS = int('BENCH_BUYERS', Math.round(STOCK * 1.5));
const CONNECTIONS = int('BENCH_CONNECTIONS', 100);
const DURATION_S = int('BENCH_DURATION_S', 60);
const TRIVIAL_S = int('BENCH_TRIVIAL_S', 5);
const RUNS = int('BENCH_RUNS', 1);
const USE_REDIS = env.BENCH_REDIS !== '0';
const DIRECT = env.BENCH_DIRECT === '1';
const BASE_DB = env.TEST_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.TEST_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface RunSummary {
  trivialRps: number;
  trivialP50: number;
  trivialP99: number;
  ordersPerSec: number;
  orderP50: number;
  orderP99: number;
  accepted: number;
  rejected: number;
  ratio: number;
  oversold: number;
  lost: number;
  phantom: number;
  duplicated: number;
  meanBatch: number;
  meanTxMs: number;
  cpu: Record<string, number>;
}

/**
 * An access token exactly as TokenService issues it (HS256 over the same
 * claims), minted with node:crypto: signing 30,000 through jsonwebtoken with a
 * string secret takes ~1 ms each here (see the report on JWT verification).
 */
function mintToken(secret: string, u: { id: string; email: string; name: string }): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
    sub: u.id,
    email: u.email,
    name: u.name,
    roles: ['viewer'],
    ver: 0,
    iat: now,
    exp: now + 3600,
  })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function load(job: LoadJob): Promise<LoadResult & { cpuMs: number }> {
  const compiled = __filename.endsWith('.js');
  const child = fork(path.join(__dirname, compiled ? 'loadgen.js' : 'loadgen.ts'), [], {
    execArgv: compiled ? [] : ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (r: LoadResult) => {
      const usage = child.pid ? cpuOfPid(child.pid) : 0;
      resolve({ ...r, cpuMs: usage });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}

/**
 * BENCH_DIRECT: the same sale without HTTP. `connections` callers each place
 * one order after another through OrdersService.create; statuses are the
 * ones the HTTP layer would have answered (201, or the DomainError's).
 */
async function directSale(
  orders: OrdersService,
  buyers: AuthUser[],
  connections: number,
  body: { streamId: string; items: { productId: string; quantity: number }[] },
  acceptedFile: string,
): Promise<LoadResult & { cpuMs: number }> {
  const result = { ...emptyResult(), cpuMs: 0 };
  const accepted: string[] = [];
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < buyers.length) {
        const i = next++;
        result.sent++;
        const sentAt = performance.now();
        let status: number;
        try {
          const { order, created } = await orders.create(buyers[i], `sale-${i}`, structuredClone(body));
          status = created ? 201 : 200;
          if (created) accepted.push(order.id);
        } catch (e) {
          if (e instanceof DomainError) {
            status = e.status;
          } else {
            status = 500;
            result.errors++;
            if (result.sampleErrors.length < 5) result.sampleErrors.push(String(e));
          }
        }
        const now = performance.now();
        countAnswer(result, status, now - sentAt, now - start);
      }
    }),
  );
  result.elapsedMs = performance.now() - start;
  fs.writeFileSync(acceptedFile, accepted.join('\n'));
  return result;
}

/**
 * CPU ms (user + system) a process has used so far, from /proc; with
 * `children`, plus what its exited children used (the postmaster reaps its
 * backends, so their CPU stays counted after a pooled connection closes).
 * NaN when the process is gone.
 */
function cpuOfPid(pid: number, children = false): number {
  try {
    return cpuSeconds(pid, children) * 1000;
  } catch {
    return NaN;
  }
}

/** CPU ms these processes used since `start` (pid → cpuOfPid); those that exited meanwhile are left out and counted. */
function cpuSince(start: Map<number, number>): { ms: number; exited: number } {
  let ms = 0;
  let exited = 0;
  for (const [pid, before] of start) {
    const now = cpuOfPid(pid);
    if (Number.isNaN(now) || Number.isNaN(before)) exited++;
    else ms += now - before;
  }
  return { ms, exited };
}

/** CPU ms used so far by every process whose name starts with `name`, and by their exited children. */
function cpuOfName(name: string): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(name)) continue;
      const ms = cpuOfPid(Number(pid), true);
      if (!Number.isNaN(ms)) total += ms;
    } catch {
      // gone
    }
  }
  return total;
}

/** Starts a V8 CPU profile of this process (the app) when BENCH_PROFILE asks for this phase. */
async function startProfile(phase: 'orders' | 'trivial'): Promise<(() => Promise<void>) | undefined> {
  if (!env.BENCH_PROFILE || (env.BENCH_PROFILE_PHASE ?? 'orders') !== phase) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(env.BENCH_PROFILE!, JSON.stringify(profile));
    console.log(`(${phase} phase)`);
    printTopFunctions(profile);
    session.disconnect();
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time by function and by package, from a V8 CPU profile: where the app's time goes. */
function printTopFunctions(profile: { nodes: ProfileNode[] }): void {
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    total += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/main\//, '');
    const fnKey = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + hits);
    const pkg = url.includes('node_modules/')
      ? (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? 'other')
      : url.startsWith('node:') || url === ''
        ? functionName.startsWith('(')
          ? functionName
          : 'node internals'
        : url.includes('/src/')
          ? 'livecart src'
          : 'other';
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, h]) => `  ${((h / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  console.log(`app CPU profile, self time by package:\n${top(byPkg, 15)}`);
  console.log(`by function:\n${top(byFn, 25)}`);
}

async function runOnce(): Promise<RunSummary> {
  const db = await createDatabase(BASE_DB, 'lc_bench');
  const databaseUrl = db.url;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-'));
  const prefix = `lcb${randomBytes(4).toString('hex')}`;

  const jwtSecret = randomBytes(32).toString('hex');
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: jwtSecret,
    PAYMENT_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: databaseUrl,
    ...(USE_REDIS ? { REDIS_URL, REDIS_PREFIX: prefix } : {}),
    DATA_DIR: dataDir,
    LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn',
    PORT: '3000',
    // Any free WebRTC port: this machine may run another app on the default one.
    MEDIASOUP_RTC_PORT: '0',
    ...Object.fromEntries(
      (env.BENCH_APP_ENV ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
  });
  const app = await createApp(config, databaseUrl);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const tmp = (f: string) => path.join(dataDir, f);

  try {
    // ---- setup, straight in SQL (registration would spend minutes in scrypt) ----
    const staff = await pg.query<{ id: string; email: string; display_name: string }>(
      `INSERT INTO users (email, display_name, password_hash, roles) VALUES
         ('merchant@bench', 'Bench Shop', 'x', '{merchant}'), ('streamer@bench', 'Bench Streamer', 'x', '{streamer}')
       RETURNING id, email, display_name`,
    );
    const [merchant, streamer] = staff.rows;
    await pg.query('INSERT INTO merchant_streamers (merchant_id, streamer_id) VALUES ($1, $2)', [
      merchant.id,
      streamer.id,
    ]);
    const products = await pg.query<{ id: string }>(
      `INSERT INTO products (merchant_id, title, price_cents, currency, stock) VALUES
         ($1, 'Hot Phone', 99900, 'USD', $2), ($1, 'Warm-up Mug', 1000, 'USD', 1000000) RETURNING id`,
      [merchant.id, STOCK],
    );
    const [saleProduct, warmProduct] = products.rows.map((r) => r.id);
    const stream = await pg.query<{ id: string }>(
      `INSERT INTO streams (owner_id, merchant_id, title, status, stream_key_hash, started_at)
       VALUES ($1, $2, 'Bench drop', 'created', $3, now()) RETURNING id`,
      [streamer.id, merchant.id, randomBytes(32).toString('hex')],
    );
    // "created", not "live": there is no WHIP publisher, and the ingest sweep ends
    // live streams without one. The order path reads only started_at and "not ended".
    const streamId = stream.rows[0].id;
    const pinRow = await pg.query<{ id: string }>(
      `INSERT INTO pins (stream_id, product_id, pinned_by, sale_price_cents, sale_stock, sale_remaining, ends_at,
         per_buyer_limit) VALUES ($1, $2, $3, 49900, $4, $4, now() + interval '1 hour', 1) RETURNING id`,
      [streamId, saleProduct, streamer.id, STOCK],
    );
    const pinId = pinRow.rows[0].id;
    const buyers = await pg.query<{ id: string; email: string; display_name: string }>(
      `INSERT INTO users (email, display_name, password_hash, roles)
       SELECT 'buyer' || g || '@bench', 'Buyer ' || g, 'x', '{viewer}' FROM generate_series(1, $1) g
       RETURNING id, email, display_name`,
      [BUYERS],
    );
    const jwt = buyers.rows.map((u) =>
      mintToken(jwtSecret, { id: u.id, email: u.email, name: u.display_name }),
    );
    fs.writeFileSync(tmp('tokens'), jwt.join('\n'));
    await pg.query('ANALYZE');

    // ---- warm-up: JIT, connection pool, prepared statements ----
    await load({
      port,
      connections: CONNECTIONS,
      durationMs: 2000,
      requests: { kind: 'get', path: '/api/payments/providers', token: jwt[0], count: 1e9 },
    });
    await load({
      port,
      connections: CONNECTIONS,
      durationMs: 3000,
      requests: {
        kind: 'orders',
        tokensFile: tmp('tokens'),
        path: '/api/orders',
        body: JSON.stringify({ items: [{ productId: warmProduct, quantity: 1 }] }),
        keyPrefix: 'warm-',
        count: Math.min(BUYERS, 5000),
      },
    });

    // A timed checkpoint in the middle of a run (every checkpoint_timeout, 5 min by
    // default) flushes every dirty page and makes each first write of a page after it
    // log a full page image: runs that met one were up to 2x slower. Start every run
    // just after one, so the next is minutes away. (Needs superuser; skipped otherwise.)
    await pg.query('CHECKPOINT').catch(() => undefined);

    // ---- the trivial endpoint of the same app ----
    const stopTrivialProfile = await startProfile('trivial');
    const trivialCpu0 = process.cpuUsage();
    const trivial = await load({
      port,
      connections: CONNECTIONS,
      durationMs: TRIVIAL_S * 1000,
      requests: { kind: 'get', path: '/api/payments/providers', token: jwt[1 % jwt.length], count: 1e9 },
    });
    const trivialCpu = process.cpuUsage(trivialCpu0);
    await stopTrivialProfile?.();
    const trivialOk = trivial.okLatencies.sort((a, b) => a - b);
    const trivialRps = (trivialOk.length / trivial.elapsedMs) * 1000;

    // ---- the flash sale ----
    const batchBefore = await app.get(OrderMetrics).batchSize.get();
    const txBefore = await app.get(OrderMetrics).batchDuration.get();
    const stopOrderProfile = await startProfile('orders');
    // Postgres CPU of this database's backends only: other work on a shared server is not ours.
    const backends = (
      await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')
    ).rows.map((r) => r.pid);
    const cpu0 = {
      app: process.cpuUsage(),
      pg: new Map(backends.map((pid) => [pid, cpuOfPid(pid)])),
      pgAll: cpuOfName('postgres'),
      redis: cpuOfName('redis-server'),
    };
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const t0 = performance.now();
    const saleBody = { streamId, items: [{ productId: saleProduct, quantity: 1 }] };
    const sale = DIRECT
      ? await directSale(
          app.get(OrdersService),
          buyers.rows.map((u) => ({ id: u.id, email: u.email, name: u.display_name, roles: ['viewer'] })),
          CONNECTIONS,
          saleBody,
          tmp('accepted'),
        )
      : await load({
          port,
          connections: CONNECTIONS,
          durationMs: DURATION_S * 1000,
          acceptedFile: tmp('accepted'),
          requests: {
            kind: 'orders',
            tokensFile: tmp('tokens'),
            path: '/api/orders',
            body: JSON.stringify(saleBody),
            keyPrefix: 'sale-',
            count: BUYERS,
          },
        });
    const wall = performance.now() - t0;
    loopDelay.disable();
    await stopOrderProfile?.();
    const appCpu = process.cpuUsage(cpu0.app);
    const pgSince = cpuSince(cpu0.pg);
    const cpu = {
      app: ((appCpu.user + appCpu.system) / 1000 / wall) * 100,
      appUsPerOrder: (appCpu.user + appCpu.system) / Math.max(1, sale.sent),
      appUsPerTrivial: (trivialCpu.user + trivialCpu.system) / Math.max(1, trivial.sent),
      loadgen: (sale.cpuMs / sale.elapsedMs) * 100,
      postgres: (pgSince.ms / wall) * 100,
      postgresExited: pgSince.exited,
      postgresAll: ((cpuOfName('postgres') - cpu0.pgAll) / wall) * 100,
      redis: ((cpuOfName('redis-server') - cpu0.redis) / wall) * 100,
    };
    const batchAfter = await app.get(OrderMetrics).batchSize.get();
    const sumOf = (m: typeof batchAfter, name: string) =>
      m.values.find((v) => v.metricName === `livecart_order_batch_size_${name}`)?.value ?? 0;
    const txAfter = await app.get(OrderMetrics).batchDuration.get();
    const conflictValues = (await app.get(OrderMetrics).conflicts.get()).values;
    const conflicts = (outcome: string) =>
      conflictValues.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    const txSum = (m: typeof txAfter, name: string) =>
      m.values.find((v) => v.metricName === `livecart_order_batch_duration_seconds_${name}`)?.value ?? 0;
    const meanTxMs =
      ((txSum(txAfter, 'sum') - txSum(txBefore, 'sum')) /
        Math.max(1, txSum(txAfter, 'count') - txSum(txBefore, 'count'))) *
      1000;
    const meanBatch =
      (sumOf(batchAfter, 'sum') - sumOf(batchBefore, 'sum')) /
      Math.max(1, sumOf(batchAfter, 'count') - sumOf(batchBefore, 'count'));

    const okSorted = sale.okLatencies.sort((a, b) => a - b);
    const accepted = sale.statuses['201'] ?? 0;
    const ordersPerSec = (accepted / (sale.lastOkMs || sale.elapsedMs)) * 1000;

    // ---- what the database says ----
    const ackIds = fs.readFileSync(tmp('accepted'), 'utf8').split('\n').filter(Boolean);
    const stored = await pg.query<{ id: string; quantity: number; sale: boolean }>(
      `SELECT o.id, i.quantity, i.sale FROM orders o JOIN order_items i ON i.order_id = o.id
       WHERE i.product_id = $1`,
      [saleProduct],
    );
    const storedIds = new Set(stored.rows.map((r) => r.id));
    const ackSet = new Set(ackIds);
    const lost = ackIds.filter((id) => !storedIds.has(id)).length;
    const phantom = stored.rows.filter((r) => !ackSet.has(r.id)).length;
    const units = stored.rows.reduce((n, r) => n + r.quantity, 0);
    const [{ stock }] = (
      await pg.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [saleProduct])
    ).rows;
    const [{ sale_remaining: saleRemaining }] = (
      await pg.query<{ sale_remaining: number }>('SELECT sale_remaining FROM pins WHERE id = $1', [pinId])
    ).rows;
    const [{ n: dupBuyers }] = (
      await pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT buyer_id FROM orders WHERE pin_id = $1 GROUP BY buyer_id HAVING count(*) > 1) d`,
        [pinId],
      )
    ).rows;
    const [{ n: dupKeys }] = (
      await pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT 1 FROM orders GROUP BY buyer_id, idempotency_key HAVING count(*) > 1) d`,
      )
    ).rows;
    const oversold =
      Math.max(0, units - STOCK) + (stock < 0 ? -stock : 0) + (saleRemaining < 0 ? -saleRemaining : 0);
    const bookkeeping = stock === STOCK - units && saleRemaining === STOCK - units;

    const rejected = sale.otherLatencies.length;
    const summary: RunSummary = {
      trivialRps,
      trivialP50: pct(trivialOk, 50),
      trivialP99: pct(trivialOk, 99),
      ordersPerSec,
      orderP50: pct(okSorted, 50),
      orderP99: pct(okSorted, 99),
      accepted,
      rejected,
      ratio: ordersPerSec / trivialRps,
      oversold,
      lost,
      phantom,
      duplicated: Number(dupBuyers) + Number(dupKeys),
      meanBatch,
      meanTxMs,
      cpu,
    };

    const f = (n: number, d = 1) => n.toFixed(d);
    console.log(
      [
        `livecart bench:orders: flash sale of S=${STOCK} units, ${BUYERS} buyers, ${CONNECTIONS} keep-alive connections, ` +
          `${os.availableParallelism()} cores (load generator on the same machine), Redis ${USE_REDIS ? 'on' : 'off'}`,
        `trivial endpoint  GET /api/payments/providers: ${f(trivialRps, 0)} req/s, p50 ${f(summary.trivialP50, 2)} ms, p99 ${f(summary.trivialP99, 2)} ms`,
        `orders            ${DIRECT ? 'OrdersService.create (BENCH_DIRECT: no HTTP)' : 'POST /api/orders'}: ${accepted} accepted in ${f((sale.lastOkMs || sale.elapsedMs) / 1000, 2)} s = ${f(ordersPerSec, 0)} orders/s, ` +
          `p50 ${f(summary.orderP50, 2)} ms, p99 ${f(summary.orderP99, 2)} ms; other answers ${JSON.stringify(
            Object.fromEntries(Object.entries(sale.statuses).filter(([k]) => k !== '201')),
          )}`,
        `ratio             orders/s ÷ trivial req/s = ${f(summary.ratio, 2)}` +
          (DIRECT ? ' (BENCH_DIRECT: the orders skipped HTTP, so this is not the target ratio)' : ''),
        `checked in the DB oversold units ${oversold}, lost orders ${lost}, unacknowledged orders ${phantom}, ` +
          `duplicated ${summary.duplicated}, stock ${STOCK} → ${stock} (sale ${saleRemaining}) for ${units} units: ${bookkeeping ? 'consistent' : 'INCONSISTENT'}`,
        `inside            mean batch ${f(meanBatch)} orders per batch of ${f(meanTxMs, 2)} ms mean ` +
          `(writes that found their rows changed: ${conflicts('retry')}, batches reserved under locks: ${conflicts('locked')}); CPU (% of one core) app ${f(cpu.app, 0)}, ` +
          `load generator ${f(cpu.loadgen, 0)}, postgres ${f(cpu.postgres, 0)} (this database's backends` +
          `${cpu.postgresExited ? `, ${cpu.postgresExited} of which closed during the sale and are not counted` : ''}; ` +
          `all postgres processes ${f(cpu.postgresAll, 0)}), redis ${f(cpu.redis, 0)}; ` +
          `app CPU per request: order ${f(cpu.appUsPerOrder, 0)} µs, trivial ${f(cpu.appUsPerTrivial, 0)} µs; ` +
          `app event-loop delay p50 ${f(loopDelay.percentile(50) / 1e6, 1)} ms, p99 ${f(loopDelay.percentile(99) / 1e6, 1)} ms`,
        ...(sale.errors || trivial.errors
          ? [`socket errors: ${sale.errors + trivial.errors} ${sale.sampleErrors.join(' | ')}`]
          : []),
      ].join('\n'),
    );
    if (!bookkeeping || oversold || lost || phantom || summary.duplicated) process.exitCode = 1;
    return summary;
  } finally {
    await pg.end();
    await app.close();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runMany(): Promise<void> {
  const results: RunSummary[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const out = path.join(os.tmpdir(), `lc-bench-${process.pid}-${i}.json`);
    console.log(`\n--- run ${i} of ${RUNS} ---`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [...process.execArgv, __filename], {
        env: { ...env, BENCH_RUNS: '1', BENCH_JSON_OUT: out },
        stdio: 'inherit',
      });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) process.exitCode = 1;
    results.push(JSON.parse(fs.readFileSync(out, 'utf8')) as RunSummary);
    fs.rmSync(out, { force: true });
  }
  const med = (pick: (r: RunSummary) => number) => {
    const v = results.map(pick).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  console.log(
    [
      `\nmedians of ${RUNS} runs:`,
      `  orders/s ${med((r) => r.ordersPerSec).toFixed(0)} (target ≥ 5000)`,
      `  order p50 ${med((r) => r.orderP50).toFixed(2)} ms, p99 ${med((r) => r.orderP99).toFixed(2)} ms (target p99 ≤ 50)`,
      `  trivial req/s ${med((r) => r.trivialRps).toFixed(0)}, ratio ${med((r) => r.ratio).toFixed(2)} (target ≥ 0.5)`,
      `  mean batch ${med((r) => r.meanBatch).toFixed(1)} orders, transaction ${med((r) => r.meanTxMs).toFixed(2)} ms`,
      `  worst over runs: oversold ${Math.max(...results.map((r) => r.oversold))}, lost ${Math.max(...results.map((r) => r.lost))}, ` +
        `unacknowledged ${Math.max(...results.map((r) => r.phantom))}, duplicated ${Math.max(...results.map((r) => r.duplicated))}`,
    ].join('\n'),
  );
}

if (RUNS > 1) {
  void runMany();
} else {
  runOnce()
    .then((s) => {
      if (env.BENCH_JSON_OUT) fs.writeFileSync(env.BENCH_JSON_OUT, JSON.stringify(s));
      process.exit(process.exitCode ?? 0);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
