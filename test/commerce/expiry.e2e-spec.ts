import { bearer, createTestDatabase, startTestApp, TestApp, withTestApp } from '../support/test-app';
import {
  createShop,
  orderFromShop,
  orderFromStream,
  orderStatusOf,
  pin,
  saleRemainingOf,
  stockOf,
} from '../support/shop';
import { eventually } from '../support/wait';

/** Places an order on a fresh shop and checks that the hold ends and every unit comes back. */
async function expectHoldToExpire(t: TestApp): Promise<void> {
  const shop = await createShop(t, { stock: 5 });
  const p = await pin(t, shop, { salePriceCents: 100, saleStock: 3 });
  const buyer = await t.user('viewer');
  const o = await orderFromStream(t, buyer, shop).expect(201);
  expect(await stockOf(t, shop.productId)).toBe(4);
  await eventually(async () => (await orderStatusOf(t, o.body.id)) === 'expired');
  expect(await stockOf(t, shop.productId)).toBe(5);
  expect(await saleRemainingOf(t, p.pinId)).toBe(3);
  const read = await t.http.get(`/api/orders/${o.body.id}`).set(bearer(buyer)).expect(200);
  expect(read.body).toMatchObject({ status: 'expired', closedAt: expect.any(String) });
  // An expired order cannot be paid or cancelled.
  await t.http.post(`/api/orders/${o.body.id}/pay`).set(bearer(buyer)).expect(409);
  await t.http.post(`/api/orders/${o.body.id}/cancel`).set(bearer(buyer)).expect(409);
}

/** One-second holds and a sweep interval so long that only the boot sweep and the queued job act. */
const BY_JOB = { ORDER_HOLD_SECONDS: '1', RUN_WORKERS_IN_PROCESS: 'true', ORDER_SWEEP_SECONDS: '3600' };

describe('order hold expiry', () => {
  it('expires unpaid orders by a delayed BullMQ job and returns their units', async () => {
    await withTestApp({ env: BY_JOB }, async (t) => {
      await expectHoldToExpire(t);
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/livecart_orders_expired_total [1-9]/);
    });
  });

  it('expires the orders of every batch whose hold ends in the same second, by one shared job', async () => {
    await withTestApp({ env: BY_JOB }, async (t) => {
      const shop = await createShop(t, { stock: 10 });
      const buyers = await Promise.all(Array.from({ length: 6 }, () => t.user('viewer')));
      // One after another: six batches, whose holds end within a second or two.
      const ids: string[] = [];
      for (const buyer of buyers) {
        const o = await orderFromShop(t, buyer, shop).expect(201);
        ids.push(o.body.id as string);
      }
      expect(await stockOf(t, shop.productId)).toBe(4);
      await eventually(async () => {
        const rows = await t.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'expired'`,
          [ids],
        );
        return rows[0].n === ids.length;
      });
      expect(await stockOf(t, shop.productId)).toBe(10);
    });
  });

  it('expires unpaid orders with the in-process queue (no Redis)', async () => {
    await withTestApp(
      { redis: false, env: { ORDER_HOLD_SECONDS: '1', ORDER_SWEEP_SECONDS: '3600' } },
      expectHoldToExpire,
    );
  });

  it('expires holds by the periodic sweep when no process runs the queue', async () => {
    const bySweep = { ORDER_HOLD_SECONDS: '1', RUN_WORKERS_IN_PROCESS: 'false', ORDER_SWEEP_SECONDS: '1' };
    await withTestApp({ env: bySweep }, expectHoldToExpire);
  });

  it('expires, at the next boot, holds whose in-process job died with its process', async () => {
    const db = await createTestDatabase();
    const env = { ORDER_HOLD_SECONDS: '1', ORDER_SWEEP_SECONDS: '3600' };
    const first = await startTestApp({ redis: false, databaseUrl: db.url, env });
    let second: TestApp | undefined;
    try {
      const shop = await createShop(first, { stock: 5 });
      const buyer = await first.user('viewer');
      const o = await orderFromShop(first, buyer, shop, 2).expect(201);
      await first.close(); // its in-memory expiry job is gone with it
      await new Promise((r) => setTimeout(r, 1200));
      second = await startTestApp({ redis: false, databaseUrl: db.url, env });
      await eventually(async () => (await orderStatusOf(second!, o.body.id)) === 'expired');
      expect(await stockOf(second, shop.productId)).toBe(5);
    } finally {
      await second?.close();
      await db.drop();
    }
  });

  it('does not expire an order that was paid in time', async () => {
    await withTestApp({ env: { ORDER_HOLD_SECONDS: '2', RUN_WORKERS_IN_PROCESS: 'true' } }, async (t) => {
      const shop = await createShop(t, { stock: 5, digital: true });
      const buyer = await t.user('viewer');
      const o = await orderFromShop(t, buyer, shop).expect(201);
      const pay = await t.http.post(`/api/orders/${o.body.id}/pay`).set(bearer(buyer)).expect(200);
      await t.http.post(`/api/payments/simulated/sessions/${pay.body.sessionId}/pay`).send({}).expect(200);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await orderStatusOf(t, o.body.id)).toBe('paid');
      expect(await stockOf(t, shop.productId)).toBe(4);
    });
  });
});
