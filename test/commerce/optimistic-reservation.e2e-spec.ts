import { randomBytes } from 'node:crypto';
import { decideBatch, type ReserveRequest } from '../../src/orders/allocation';
import { OrderMetrics } from '../../src/orders/order-metrics';
import { ReservationRepository } from '../../src/orders/reservation.repository';
import { requestHash } from '../../src/orders/orders.service';
import { bearer, startTestApp, TestApp, TestUser, withTestApp } from '../support/test-app';
import { createShop, newKey, order, pin, saleRemainingOf, stockOf } from '../support/shop';

/**
 * The reservation reads without locks, decides in TypeScript and writes only
 * if the pins and products it read are unchanged (lc_reserve_read,
 * lc_reserve_write). These tests change those rows between the read and the write,
 * and race two app replicas for one sale.
 */
describe('optimistic reservation', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const shared = {
      redisPrefix: `lct${randomBytes(4).toString('hex')}`,
      env: { JWT_SECRET: randomBytes(32).toString('hex') },
    };
    a = await startTestApp(shared);
    b = await startTestApp({ ...shared, databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close(); // b shares a's database: a drops it
    await a?.close();
  });

  const request = (buyer: TestUser, streamId: string, productId: string): ReserveRequest => ({
    buyerId: buyer.id,
    buyerName: 'Buyer',
    idempotencyKey: newKey(),
    requestHash: requestHash(streamId, [{ productId, quantity: 1 }]),
    streamId,
    items: [{ productId, quantity: 1 }],
  });

  it('writes nothing when a product changed between the read and the write', async () => {
    const shop = await createShop(a, { stock: 10 });
    const buyer = await a.user('viewer');
    const repo = a.app.get(ReservationRepository);
    const batch = [request(buyer, shop.streamId, shop.productId)];
    const { snapshot, versions } = await repo.read(batch, repo.pool);
    const { orders } = decideBatch(batch, snapshot);
    expect(orders).toHaveLength(1);

    // A restock lands in between: the decision was made from stock 10.
    await a.http
      .patch(`/api/products/${shop.productId}`)
      .set(bearer(shop.merchant))
      .send({ stockDelta: 5 })
      .expect(200);
    const stale = await repo.write(orders, versions, snapshot.nowMs, 600, repo.pool);
    expect(stale.current).toBe(false);
    expect(stale.inserted.size).toBe(0);
    expect(await stockOf(a, shop.productId)).toBe(15);
    expect(await a.sql('SELECT id FROM orders WHERE buyer_id = $1', [buyer.id])).toHaveLength(0);

    // Read again, decide again: now it goes in and takes its unit.
    const fresh = await repo.read(batch, repo.pool);
    const again = decideBatch(batch, fresh.snapshot);
    const ok = await repo.write(again.orders, fresh.versions, fresh.snapshot.nowMs, 600, repo.pool);
    expect(ok.current).toBe(true);
    expect([...ok.inserted]).toEqual([again.orders[0].id]);
    expect(await stockOf(a, shop.productId)).toBe(14);
  });

  it('writes nothing when the pin changed between the read and the write', async () => {
    const shop = await createShop(a, { stock: 10 });
    const p = await pin(a, shop, { salePriceCents: 100, saleStock: 5 });
    const buyer = await a.user('viewer');
    const repo = a.app.get(ReservationRepository);
    const batch = [request(buyer, shop.streamId, shop.productId)];
    const { snapshot, versions } = await repo.read(batch, repo.pool);
    const { orders } = decideBatch(batch, snapshot);
    expect(orders[0].items[0]).toMatchObject({ sale: true, unitPriceCents: 100 });

    // The streamer ends the pin (and with it the sale) in between.
    await a.http
      .delete(`/api/streams/${shop.streamId}/pins/${p.pinId}`)
      .set(bearer(shop.streamer))
      .expect(200);
    const stale = await repo.write(orders, versions, snapshot.nowMs, 600, repo.pool);
    expect(stale.current).toBe(false);
    expect(await saleRemainingOf(a, p.pinId)).toBe(5);
    expect(await stockOf(a, shop.productId)).toBe(10);
  });

  it('two replicas racing for one sale sell each unit once and respect the per-buyer limit', async () => {
    const shop = await createShop(a, { stock: 500, title: 'Shared Drop' });
    const p = await pin(a, shop, { salePriceCents: 100, saleStock: 40, perBuyerLimit: 1 });
    const buyers = await Promise.all(Array.from({ length: 60 }, () => a.user('viewer')));
    const body = { streamId: shop.streamId, items: [{ productId: shop.productId, quantity: 1 }] };
    // Every buyer tries twice with two keys, once on each replica, all at once.
    const results = await Promise.all(
      buyers.flatMap((buyer) => [order(a, buyer, body), order(b, buyer, body)]),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(40);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);

    const perBuyer = await a.sql<{ buyer_id: string; n: string }>(
      'SELECT buyer_id, count(*) AS n FROM orders WHERE pin_id = $1 GROUP BY buyer_id',
      [p.pinId],
    );
    expect(perBuyer).toHaveLength(40);
    expect(perBuyer.every((r) => r.n === '1')).toBe(true);
    expect(await saleRemainingOf(a, p.pinId)).toBe(0);
    expect(await stockOf(a, shop.productId)).toBe(460);
  });

  it('a replica that always reserves under row locks sells alongside one that does not', async () => {
    const lockedReplica = {
      redisPrefix: `lct${randomBytes(4).toString('hex')}`,
      env: { JWT_SECRET: a.config.auth.jwtSecret!, ORDER_OPTIMISTIC_ATTEMPTS: '0' },
      databaseUrl: a.databaseUrl,
    };
    await withTestApp(lockedReplica, async (locked) => {
      const shop = await createShop(a, { stock: 30, title: 'Mixed Drop' });
      const buyers = await Promise.all(Array.from({ length: 50 }, () => a.user('viewer')));
      const body = { items: [{ productId: shop.productId, quantity: 1 }] };
      const results = await Promise.all(buyers.map((buyer, i) => order(i % 2 ? a : locked, buyer, body)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(30);
      expect(results.filter((r) => r.status === 409)).toHaveLength(20);
      expect(await stockOf(a, shop.productId)).toBe(0);
      const lockedBatches = (await locked.app.get(OrderMetrics).conflicts.get()).values.find(
        (v) => v.labels.outcome === 'locked',
      );
      expect(lockedBatches?.value).toBeGreaterThan(0);
    });
  });
});
