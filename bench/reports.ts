/**
 * `npm run bench:reports`: report latency over 1,000,000 orders.
 *
 * Boots the app (in this process, in-process queue and pub/sub) on a fresh
 * database, seeds with SQL — one merchant, 20 products, 100 streams of two
 * hours spread over 90 days, 10,000 orders per stream (a fifth with a second
 * line), 50,000 buyers, several pins per stream — in one INSERT per table, so
 * the journal triggers fire exactly as for orders placed through the API;
 * then folds the journal into the rollups with the live folder. Then times,
 * over HTTP with the merchant's token, N runs each of:
 *   1. GMV by minute of one stream (its two hours),
 *   2. GMV by day over 90 days (merchant-wide),
 *   3. the stream summary,
 * and prints p50/p95 (target p95 ≤ 50 ms each).
 *
 *   npm run bench:reports -- --orders 1000000 --runs 200
 *
 * The database server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
 * DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres; the
 * database is created and dropped (--keep keeps it and prints its name;
 * --reuse <name> times again on a kept database without seeding).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';
import { ReportFolder } from '../src/reports/report-folder';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const totalOrders = arg('orders', 1_000_000);
  const runs = arg('runs', 200);
  const streamsN = 100;
  const perStream = Math.floor(totalOrders / streamsN);
  const server =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const ri = process.argv.indexOf('--reuse');
  const reuse = ri >= 0 ? process.argv[ri + 1] : undefined;
  const keep = process.argv.includes('--keep') || reuse !== undefined;
  if (reuse !== undefined && !/^lc_bench_[0-9a-f]+$/.test(reuse))
    throw new Error('--reuse takes a kept lc_bench_… name');
  const dbName = reuse ?? `lc_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  if (!reuse) await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(server);
  url.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    SCRYPT_COST: '1024',
    LOG_LEVEL: 'silent',
    PORT: '3000',
    MEDIASOUP_RTC_PORT: '0',
  });
  const app = await createApp(config, url.toString());
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const reg = (await (
      await fetch(`${base}/api/auth/${reuse ? 'login' : 'register'}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(
          reuse
            ? { email: 'bench@shop.test', password: 'password-123' }
            : { email: 'bench@shop.test', password: 'password-123', name: 'Bench', role: 'merchant' },
        ),
      })
    ).json()) as { user: { id: string }; accessToken: string };
    if (!reuse) await seed(reg.user.id);
    await timings(reg.accessToken);
  } finally {
    await db.end();
    await app.close();
    if (keep) console.log(`kept database ${dbName} (npm run bench:reports -- --reuse ${dbName})`);
    else await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  async function seed(merchantId: string): Promise<void> {
    const t0 = Date.now();
    const q = (sql: string, p: unknown[] = []) => db.query(sql, p);
    await q(
      `INSERT INTO users (email, display_name, password_hash, roles)
       SELECT 'b' || g || '@bench.test', 'Buyer ' || g, 'x', '{viewer}' FROM generate_series(1, 50000) g`,
    );
    await q(
      `INSERT INTO users (email, display_name, password_hash, roles) VALUES ('streamer@bench.test', 'S', 'x', '{streamer}')`,
    );
    await q(
      `INSERT INTO products (merchant_id, title, price_cents, currency, stock)
       SELECT $1, 'Product ' || g, 500 + g * 250, 'USD', 1000000 FROM generate_series(1, 20) g`,
      [merchantId],
    );
    // 100 streams of two hours, one every ~0.9 days back from now.
    await q(
      `INSERT INTO streams (owner_id, merchant_id, title, status, stream_key_hash, started_at, ended_at)
       SELECT (SELECT id FROM users WHERE email = 'streamer@bench.test'), $1, 'Stream ' || g, 'ended',
              md5(random()::text || g), now() - (g * interval '21 hours 30 minutes'),
              now() - (g * interval '21 hours 30 minutes') + interval '2 hours'
       FROM generate_series(1, ${streamsN}) g`,
      [merchantId],
    );
    await q(`INSERT INTO stream_stats (stream_id, peak_viewers, unique_viewers)
             SELECT id, 3000, 40000 FROM streams`);
    // Five pins per stream, 24 minutes each, back to back.
    await q(
      `INSERT INTO pins (stream_id, product_id, pinned_by, pinned_at, unpinned_at)
       SELECT s.id, p.id, s.owner_id, s.started_at + k * interval '24 minutes',
              s.started_at + (k + 1) * interval '24 minutes'
       FROM (SELECT id, owner_id, started_at, row_number() OVER (ORDER BY id) AS rn FROM streams) s
       CROSS JOIN generate_series(0, 4) k
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM products) p ON p.n = (s.rn + k * 3) % 20`,
    );
    console.log(`seeded users, products, streams, pins in ${Date.now() - t0} ms`);
    const t1 = Date.now();
    await q(
      `CREATE TEMP TABLE bench_users AS SELECT id, row_number() OVER () AS n FROM users WHERE roles = '{viewer}'`,
    );
    await q('CREATE UNIQUE INDEX ON bench_users (n)');
    await q(
      `CREATE TEMP TABLE bench_products AS SELECT id, price_cents, row_number() OVER (ORDER BY id) - 1 AS n FROM products`,
    );
    await q(`CREATE TEMP TABLE bench_streams AS
             SELECT s.id, s.started_at, row_number() OVER (ORDER BY s.id) - 1 AS n FROM streams s`);
    await q('ANALYZE bench_users; ANALYZE bench_products; ANALYZE bench_streams');
    // One statement for the orders, one for their items: what a reservation does, a million times over.
    await q(
      `CREATE TEMP TABLE bench_orders AS
       SELECT gen_random_uuid() AS id, g,
              u.id AS buyer_id,
              st.id AS stream_id, st.started_at + ((g % ${perStream}) * (7200.0 / ${perStream})) * interval '1 second' AS created_at,
              (g % 20) AS pn, (1 + g % 3) AS qty,
              CASE WHEN g % 20 = 0 THEN 'expired' WHEN g % 20 = 1 THEN 'cancelled' WHEN g % 20 = 2 THEN 'refunded'
                   WHEN g % 20 < 6 THEN 'pending_payment' WHEN g % 20 < 9 THEN 'fulfilled' ELSE 'paid' END AS status
       FROM generate_series(0, ${totalOrders - 1}) g
       JOIN bench_streams st ON st.n = g / ${perStream}
       JOIN bench_users u ON u.n = 1 + (hashint4(g) & 2147483647) % 50000`,
    );
    await q(
      `INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key, request_hash,
         stream_id, pin_id, stream_offset_ms, created_at, expires_at, paid_at)
       SELECT o.id, o.buyer_id, $1, o.status, 'USD',
              p.price_cents * o.qty + CASE WHEN o.g % 5 = 0 THEN p2.price_cents ELSE 0 END,
              o.id::text, 'h', o.stream_id,
              (SELECT pi.id FROM pins pi WHERE pi.stream_id = o.stream_id AND pi.pinned_at <= o.created_at
                 ORDER BY pi.pinned_at DESC LIMIT 1),
              0, o.created_at, now() + interval '1 day',
              CASE WHEN o.status IN ('paid', 'fulfilled', 'refunded') THEN o.created_at END
       FROM bench_orders o JOIN bench_products p ON p.n = o.pn JOIN bench_products p2 ON p2.n = (o.pn + 7) % 20`,
      [merchantId],
    );
    await q(
      `INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents)
       SELECT o.id, p.id, 'P', o.qty, p.price_cents FROM bench_orders o JOIN bench_products p ON p.n = o.pn
       UNION ALL
       SELECT o.id, p2.id, 'P', 1, p2.price_cents FROM bench_orders o JOIN bench_products p2 ON p2.n = (o.pn + 7) % 20
       WHERE o.g % 5 = 0`,
    );
    console.log(`seeded ${totalOrders} orders in ${Date.now() - t1} ms`);
    const t2 = Date.now();
    const folded = await app.get(ReportFolder).fold();
    console.log(`folded ${folded} journal rows into the rollups in ${Date.now() - t2} ms`);
    await q('ANALYZE');
    const [{ n }] = (await q('SELECT count(*)::int AS n FROM report_rollups')).rows as { n: number }[];
    console.log(`rollup rows: ${n}`);
  }

  async function timings(token: string): Promise<void> {
    const q = (sql: string, p: unknown[] = []) => db.query(sql, p);

    const [s] = (await q(`SELECT id, started_at FROM streams ORDER BY started_at DESC OFFSET 10 LIMIT 1`))
      .rows as {
      id: string;
      started_at: Date;
    }[];
    const from = s.started_at.toISOString();
    const to = new Date(s.started_at.getTime() + 7200_000).toISOString();
    const day0 = new Date(Date.now() - 90 * 86_400_000).toISOString();
    const cases: [string, string][] = [
      [
        'GMV by minute, one stream (2 h)',
        `/api/reports/gmv?granularity=minute&streamId=${s.id}&from=${from}&to=${to}`,
      ],
      ['GMV by day, 90 days', `/api/reports/gmv?granularity=day&from=${day0}`],
      ['stream summary', `/api/reports/streams/${s.id}`],
    ];
    for (const [name, p] of cases) {
      const times: number[] = [];
      for (let i = 0; i < runs + 10; i++) {
        const a = performance.now();
        const res = await fetch(`${base}${p}`, { headers: { Authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
        if (i >= 10) times.push(performance.now() - a);
      }
      console.log(
        `${name.padEnd(34)} p50 ${pct(times, 50).toFixed(1).padStart(6)} ms   p95 ${pct(times, 95).toFixed(1).padStart(6)} ms   (${runs} runs)`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
