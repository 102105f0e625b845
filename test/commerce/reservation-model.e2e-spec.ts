import { randomUUID } from 'node:crypto';
import {
  decideBatch,
  reservationOrder,
  type ReservationSnapshot,
  type ReserveRequest,
} from '../../src/orders/allocation';
import { OrdersRepository, type ReserveResult } from '../../src/orders/orders.repository';
import { requestHash } from '../../src/orders/orders.service';
import { startTestApp, TestApp, TestUser } from '../support/test-app';
import { createProduct } from './shop';

/** A small deterministic generator, so a failing round can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * lc_reserve_orders (PL/pgSQL, the production path) against decideBatch()
 * (TypeScript, the readable model of the same rules): random batches over a
 * small world full of edge cases must get the same answers and leave the
 * same counters.
 */
describe('the reservation function and its model', () => {
  let t: TestApp;
  let repo: OrdersRepository;
  const streams: Record<string, string> = {};
  const products: Record<string, string> = {};
  let buyers: TestUser[];

  beforeAll(async () => {
    t = await startTestApp({ redis: false });
    repo = t.app.get(OrdersRepository);
    const [a, b] = [await t.user('merchant'), await t.user('merchant')];
    const streamer = await t.user('streamer');
    products.a1 = await createProduct(t, a, { title: 'A1', priceCents: 1000, stock: 60 });
    products.a2 = await createProduct(t, a, { title: 'A2', priceCents: 250, stock: 30 });
    products.a3 = await createProduct(t, a, {
      title: 'A3 euro',
      priceCents: 700,
      currency: 'EUR',
      stock: 40,
    });
    products.b1 = await createProduct(t, b, { title: 'B1', priceCents: 500, stock: 40 });
    products.b2 = await createProduct(t, b, { title: 'B2', priceCents: 900, stock: 30 });
    const mk = async (merchantId: string | null, started: boolean, status = 'created') => {
      const [row] = await t.sql<{ id: string }>(
        `INSERT INTO streams (owner_id, merchant_id, title, status, stream_key_hash, started_at)
         VALUES ($1, $2, 's', $3, $4, ${started ? "now() - interval '1 minute'" : 'NULL'}) RETURNING id`,
        [streamer.id, merchantId, status, randomUUID()],
      );
      return row.id;
    };
    streams.sale = await mk(a.id, true); // A1 on sale: 4 units, limit 2
    streams.plain = await mk(b.id, false); // B1 pinned without a sale, limit 1
    streams.over = await mk(a.id, true); // A2: a sale whose window has passed, limit 1
    streams.uncapped = await mk(b.id, true); // B2: a sale without a sale stock
    streams.ended = await mk(a.id, true, 'ended'); // A1 on sale, but the stream ended
    streams.noshop = await mk(null, true);
    const pinRow = (
      s: string,
      p: string,
      sale: number | null,
      stock: number | null,
      limit: number | null,
      ends = 'NULL',
    ) =>
      t.sql(
        `INSERT INTO pins (stream_id, product_id, pinned_by, sale_price_cents, sale_stock, sale_remaining, per_buyer_limit, ends_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, ${ends})`,
        [s, p, streamer.id, sale, stock, limit],
      );
    await pinRow(streams.sale, products.a1, 600, 4, 2, "now() + interval '1 hour'");
    await pinRow(streams.plain, products.b1, null, null, 1);
    await pinRow(streams.over, products.a2, 100, 2, 1, "now() - interval '1 second'");
    await pinRow(streams.uncapped, products.b2, 450, null, 5);
    await pinRow(streams.ended, products.a1, 1, 5, 1);
    buyers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => t.user('viewer')));
  });
  afterAll(() => t.close());

  async function snapshot(batch: ReserveRequest[]): Promise<ReservationSnapshot> {
    const [{ now_ms }] = await t.sql<{ now_ms: number }>('SELECT extract(epoch FROM now()) * 1000 AS now_ms');
    const s = await t.sql<{
      id: string;
      merchant_id: string | null;
      status: 'created';
      started_ms: number | null;
    }>('SELECT id, merchant_id, status, extract(epoch FROM started_at) * 1000 AS started_ms FROM streams');
    const pins = await t.sql<Record<string, unknown>>(
      `SELECT id, stream_id, product_id, sale_price_cents, sale_remaining, per_buyer_limit,
         extract(epoch FROM ends_at) * 1000 AS ends_ms FROM pins WHERE unpinned_at IS NULL`,
    );
    const prods = await t.sql<{
      id: string;
      merchant_id: string;
      title: string;
      price_cents: number;
      currency: string;
      stock: number;
    }>('SELECT id, merchant_id, title, price_cents, currency, stock FROM products');
    const existing = await t.sql<{
      id: string;
      buyer_id: string;
      idempotency_key: string;
      request_hash: string;
    }>('SELECT id, buyer_id, idempotency_key, request_hash FROM orders');
    const usage = await t.sql<{ pin_id: string; buyer_id: string; units: number }>(
      `SELECT pin_id, buyer_id, sum(pin_units)::int AS units FROM orders
       WHERE pin_id IS NOT NULL AND status IN ('pending_payment', 'paid', 'fulfilled') GROUP BY 1, 2`,
    );
    void batch;
    return {
      nowMs: Number(now_ms),
      streams: s.map((x) => ({
        id: x.id,
        merchantId: x.merchant_id,
        status: x.status,
        startedAtMs: x.started_ms === null ? null : Number(x.started_ms),
      })),
      pins: pins.map((p) => ({
        id: p.id as string,
        streamId: p.stream_id as string,
        productId: p.product_id as string,
        salePriceCents: p.sale_price_cents as number | null,
        saleRemaining: p.sale_remaining as number | null,
        perBuyerLimit: p.per_buyer_limit as number | null,
        endsAtMs: p.ends_ms === null ? null : Number(p.ends_ms),
      })),
      products: prods.map((p) => ({
        id: p.id,
        merchantId: p.merchant_id,
        title: p.title,
        priceCents: p.price_cents,
        currency: p.currency,
        stock: p.stock,
      })),
      existing: existing.map((e) => ({
        id: e.id,
        buyerId: e.buyer_id,
        idempotencyKey: e.idempotency_key,
        requestHash: e.request_hash,
      })),
      usage: usage.map((u) => ({ pinId: u.pin_id, buyerId: u.buyer_id, units: u.units })),
    };
  }

  function randomBatch(rand: () => number, size: number): ReserveRequest[] {
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const streamChoices = [null, null, ...Object.values(streams), randomUUID()];
    const productChoices = [...Object.values(products), randomUUID()];
    return Array.from({ length: size }, () => {
      const streamId = pick(streamChoices);
      const lines = new Map<string, number>();
      const n = rand() < 0.8 ? 1 : 2;
      for (let i = 0; i < n; i++) lines.set(pick(productChoices), 1 + Math.floor(rand() * 3));
      const items = [...lines]
        .map(([productId, quantity]) => ({ productId, quantity }))
        .sort((x, y) => (x.productId < y.productId ? -1 : 1));
      const buyer = pick(buyers);
      return {
        buyerId: buyer.id,
        buyerName: 'B',
        idempotencyKey: `k${Math.floor(rand() * 60)}`,
        requestHash: requestHash(streamId, items),
        streamId,
        items,
      };
    });
  }

  /** What is compared: the kind of answer and what it carries, ids aside. */
  function shapeOfDb(r: ReserveResult): unknown {
    switch (r.k) {
      case 'created':
        return {
          k: 'created',
          total: Number(r.t),
          pin: r.p,
          su: r.su,
          pu: r.pu,
          units: r.units,
          sales: r.sales,
        };
      case 'replay':
        return { k: 'replay', id: r.id };
      case 'twin':
        return { k: 'twin', of: r.of };
      case 'refused':
        return { k: 'refused', code: r.code };
    }
  }

  it.each([1, 2, 3, 4, 5, 6])('agrees on random batch %i and leaves the same counters', async (seed) => {
    const rand = rng(seed * 7919);
    for (let round = 0; round < 4; round++) {
      const arrived = randomBatch(rand, 25);
      const batch = reservationOrder(arrived).map((i) => arrived[i]);
      const snap = await snapshot(batch);
      const model = decideBatch(batch, snap);
      const ids = batch.map(() => randomUUID());
      const db = await repo.reserve(batch, ids, 600);

      const expected = model.state.decisions.map((d) => {
        if (d.ok === 'replay') return { k: 'replay', id: d.orderId };
        if (d.ok === 'twin') return { k: 'twin', of: d.of };
        if (!d.ok) return { k: 'refused', code: d.error.code };
        return {
          k: 'created',
          total: d.order.totalCents,
          pin: d.order.pinId,
          su: d.order.saleUnits,
          pu: d.order.pinUnits,
          units: d.order.items.map((i) => i.unitPriceCents),
          sales: d.order.items.map((i) => i.sale),
        };
      });
      expect({ seed, round, answers: db.results.map(shapeOfDb) }).toEqual({ seed, round, answers: expected });

      const stock = await t.sql<{ id: string; stock: number }>('SELECT id, stock FROM products');
      for (const p of stock)
        expect({ product: p.id, stock: p.stock }).toEqual({
          product: p.id,
          stock: model.state.alloc.products.get(p.id)!.stock,
        });
      const sale = await t.sql<{ stream_id: string; sale_remaining: number | null }>(
        'SELECT stream_id, sale_remaining FROM pins WHERE unpinned_at IS NULL',
      );
      for (const p of sale) {
        expect({ pinOf: p.stream_id, remaining: p.sale_remaining }).toEqual({
          pinOf: p.stream_id,
          remaining: model.state.alloc.pinsByStream.get(p.stream_id)!.saleRemaining,
        });
      }
    }
  });
});
