import { OrdersRepository } from '../../src/orders/orders.repository';
import { createProduct, linkStreamer, newKey, order } from '../support/shop';
import { bearer, type TestUser, useTestApp } from '../support/test-app';
import { directBuckets, expectSameBuckets, pastOrder, pinAt, qs, stream, type Bucket } from './fixtures';

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('report rollups', () => {
  const t = useTestApp({ env: { ORDER_RATE_BURST: '1000', ORDER_RATE_PER_SECOND: '1000' } });
  let merchant: TestUser;
  let streamer: TestUser;
  const buyers: TestUser[] = [];
  const products: { id: string; currency: string; priceCents: number }[] = [];
  const streams: string[] = [];
  const pins: Record<string, string> = {};

  beforeAll(async () => {
    merchant = await t.user('merchant');
    streamer = await t.user('streamer');
    await linkStreamer(t, merchant, streamer);
    for (let i = 0; i < 6; i++) buyers.push(await t.user('viewer'));
    for (const [title, currency, priceCents] of [
      ['Lamp', 'USD', 2500],
      ['Mug', 'USD', 900],
      ['Scarf', 'EUR', 4200],
      ['Hat', 'EUR', 1999],
    ] as const) {
      products.push({
        id: await createProduct(t, merchant, { title, currency, priceCents, stock: 100_000 }),
        currency,
        priceCents,
      });
    }
    for (let i = 0; i < 3; i++) {
      const id = await stream(t, merchant, streamer, {
        title: `Show ${i}`,
        startedAt: new Date(Date.now() - 86_400_000 * 3),
      });
      streams.push(id);
      pins[id] = await pinAt(
        t,
        id,
        products[i % products.length].id,
        streamer,
        new Date(Date.now() - 86_400_000 * 3),
        new Date(),
      );
    }
  });

  const get = async (path: string, user: TestUser = merchant) =>
    (await t.http.get(path).set(bearer(user)).expect(200)).body as {
      currency: string;
      buckets: Bucket[];
    };

  async function compareEverything(timeZone: string): Promise<number> {
    let compared = 0;
    const to = new Date(Date.now() + 3600_000).toISOString();
    for (const currency of ['USD', 'EUR']) {
      for (const granularity of ['minute', 'hour', 'day'] as const) {
        const from = new Date(Date.now() - (granularity === 'minute' ? 6 : 12) * 86_400_000).toISOString();
        const filters: { streamId?: string; productId?: string }[] = [
          {},
          { streamId: streams[0] },
          { productId: products.find((p) => p.currency === currency)!.id },
          { streamId: streams[1], productId: products.find((p) => p.currency === currency)!.id },
        ];
        for (const f of filters) {
          const api = await get(`/api/reports/gmv?${qs({ from, to, granularity, currency, ...f })}`);
          const direct = await directBuckets(t, {
            merchantId: merchant.id,
            currency,
            granularity,
            timeZone,
            from,
            to,
            ...f,
          });
          expectSameBuckets(api.buckets, direct);
          compared += direct.size;
        }
      }
    }
    return compared;
  }

  it('equal the sums over orders after a random workload of creates, pays, refunds, cancels and expiries in two currencies', async () => {
    const rand = rng(7);
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
    const repo = t.app.get(OrdersRepository);
    const live: { id: string; status: string }[] = [];

    // Orders spread over ten past days (SQL, as the reservation writes them)…
    for (let i = 0; i < 150; i++) {
      const p = pick(products);
      const other = pick(products.filter((x) => x.currency === p.currency && x.id !== p.id));
      const streamId = rand() < 0.7 ? pick(streams) : undefined;
      const lines = [{ productId: p.id, quantity: 1 + Math.floor(rand() * 3), unitPriceCents: p.priceCents }];
      if (rand() < 0.3) lines.push({ productId: other.id, quantity: 1, unitPriceCents: other.priceCents });
      const id = await pastOrder(t, {
        buyer: pick(buyers),
        merchant,
        at: new Date(Date.now() - rand() * 10 * 86_400_000),
        currency: p.currency,
        lines,
        streamId,
        pinId: streamId ? pins[streamId] : undefined,
      });
      live.push({ id, status: 'pending_payment' });
    }
    // …and orders placed now through the API, concurrently (reservation batches).
    const created = await Promise.all(
      Array.from({ length: 40 }, () => {
        const p = pick(products);
        return order(
          t,
          pick(buyers),
          { items: [{ productId: p.id, quantity: 1 + Math.floor(rand() * 2) }], streamId: undefined },
          newKey(),
        ).expect(201);
      }),
    );
    for (const r of created) live.push({ id: r.body.id as string, status: 'pending_payment' });

    // Random moves through the order code's own statements.
    for (let step = 0; step < 400; step++) {
      const o = pick(live);
      const r = rand();
      if (o.status === 'pending_payment') {
        if (r < 0.5 && (await repo.move(o.id, 'pending_payment', 'paid'))) o.status = 'paid';
        else if (r < 0.7 && (await repo.release([o.id], 'pending_payment', 'cancelled')).length)
          o.status = 'cancelled';
        else if (r < 0.85 && (await repo.release([o.id], 'pending_payment', 'expired')).length)
          o.status = 'expired';
      } else if (o.status === 'paid') {
        if (r < 0.4 && (await repo.release([o.id], 'paid', 'refunded')).length) o.status = 'refunded';
        else if (r < 0.6 && (await repo.move(o.id, 'paid', 'fulfilled'))) o.status = 'fulfilled';
      }
      // Read in the middle of the workload now and then: folding is incremental.
      if (step % 100 === 50) await get(`/api/reports/gmv?${qs({ granularity: 'day', currency: 'USD' })}`);
    }
    const statuses = new Set(live.map((o) => o.status));
    expect([...statuses].sort()).toEqual([
      'cancelled',
      'expired',
      'fulfilled',
      'paid',
      'pending_payment',
      'refunded',
    ]);

    expect(await compareEverything('UTC')).toBeGreaterThan(50);
  });

  it('still equal the sums after the time zone changes (hour and day buckets are rebuilt)', async () => {
    for (const tz of ['Asia/Kolkata', 'America/Los_Angeles']) {
      await t.http
        .put('/api/merchant/settings')
        .set(bearer(merchant))
        .send({ timeZone: tz })
        .expect(200, { timeZone: tz });
      expect(await compareEverything(tz)).toBeGreaterThan(50);
    }
  });

  it('equal a full rebuild from orders, row for row, including distinct buyers', async () => {
    const snapshot = async () =>
      t.sql(
        `SELECT grain, stream_key, product_key, currency, bucket, gmv_cents, paid_cents, refunded_cents, orders, units, buyers
             FROM report_rollups WHERE merchant_id = $1 AND orders <> 0 ORDER BY 1, 2, 3, 4, 5`,
        [merchant.id],
      );
    await get(`/api/reports/gmv?${qs({ granularity: 'day', currency: 'USD' })}`);
    const incremental = await snapshot();
    await t.sql(`SELECT reports_rebuild($1)`, [merchant.id]);
    expect(await snapshot()).toEqual(incremental);
    expect(incremental.length).toBeGreaterThan(100);
  });
});
