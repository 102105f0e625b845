import { createTestDatabase, startTestApp, TestApp } from '../support/test-app';
import { createShop, eventually, order, pin, stockOf } from './shop';

const statusOf = async (t: TestApp, id: string) =>
  (await t.sql<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id]))[0].status;

/** Places an order on a fresh shop and checks that the hold ends and every unit comes back. */
async function expectHoldToExpire(t: TestApp): Promise<void> {
  const shop = await createShop(t, { stock: 5 });
  const p = await pin(t, shop, { salePriceCents: 100, saleStock: 3 });
  const buyer = await t.user('viewer');
  const o = await order(t, buyer, {
    streamId: shop.streamId,
    items: [{ productId: shop.productId, quantity: 1 }],
  }).expect(201);
  expect(await stockOf(t, shop.productId)).toBe(4);
  await eventually(async () => (await statusOf(t, o.body.id)) === 'expired');
  expect(await stockOf(t, shop.productId)).toBe(5);
  const [pinRow] = await t.sql<{ sale_remaining: number }>('SELECT sale_remaining FROM pins WHERE id = $1', [
    p.pinId,
  ]);
  expect(pinRow.sale_remaining).toBe(3);
  const read = await t.http
    .get(`/api/orders/${o.body.id}`)
    .set('Authorization', `Bearer ${buyer.token}`)
    .expect(200);
  expect(read.body).toMatchObject({ status: 'expired', closedAt: expect.any(String) });
  // An expired order cannot be paid or cancelled.
  await t.http.post(`/api/orders/${o.body.id}/pay`).set('Authorization', `Bearer ${buyer.token}`).expect(409);
  await t.http
    .post(`/api/orders/${o.body.id}/cancel`)
    .set('Authorization', `Bearer ${buyer.token}`)
    .expect(409);
}

describe('order hold expiry', () => {
  it('expires unpaid orders by a delayed BullMQ job and returns their units', async () => {
    // A long sweep interval: only the boot sweep and the queued job can act.
    const t = await startTestApp({
      env: { ORDER_HOLD_SECONDS: '1', RUN_WORKERS_IN_PROCESS: 'true', ORDER_SWEEP_SECONDS: '3600' },
    });
    try {
      await expectHoldToExpire(t);
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/livecart_orders_expired_total [1-9]/);
    } finally {
      await t.close();
    }
  });

  it('expires the orders of every batch whose hold ends in the same second, by one shared job', async () => {
    const t = await startTestApp({
      env: { ORDER_HOLD_SECONDS: '1', RUN_WORKERS_IN_PROCESS: 'true', ORDER_SWEEP_SECONDS: '3600' },
    });
    try {
      const shop = await createShop(t, { stock: 10 });
      const buyers = await Promise.all(Array.from({ length: 6 }, () => t.user('viewer')));
      // One after another: six batches, whose holds end within a second or two.
      const ids: string[] = [];
      for (const buyer of buyers) {
        const o = await order(t, buyer, { items: [{ productId: shop.productId, quantity: 1 }] }).expect(201);
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
    } finally {
      await t.close();
    }
  });

  it('expires unpaid orders with the in-process queue (no Redis)', async () => {
    const t = await startTestApp({
      redis: false,
      env: { ORDER_HOLD_SECONDS: '1', ORDER_SWEEP_SECONDS: '3600' },
    });
    try {
      await expectHoldToExpire(t);
    } finally {
      await t.close();
    }
  });

  it('expires holds by the periodic sweep when no process runs the queue', async () => {
    const t = await startTestApp({
      env: { ORDER_HOLD_SECONDS: '1', RUN_WORKERS_IN_PROCESS: 'false', ORDER_SWEEP_SECONDS: '1' },
    });
    try {
      await expectHoldToExpire(t);
    } finally {
      await t.close();
    }
  });

  it('expires, at the next boot, holds whose in-process job died with its process', async () => {
    const db = await createTestDatabase();
    const env = { ORDER_HOLD_SECONDS: '1', ORDER_SWEEP_SECONDS: '3600' };
    const first = await startTestApp({ redis: false, databaseUrl: db.url, env });
    let second: TestApp | undefined;
    try {
      const shop = await createShop(first, { stock: 5 });
      const buyer = await first.user('viewer');
      const o = await order(first, buyer, { items: [{ productId: shop.productId, quantity: 2 }] }).expect(
        201,
      );
      await first.close(); // its in-memory expiry job is gone with it
      await new Promise((r) => setTimeout(r, 1200));
      second = await startTestApp({ redis: false, databaseUrl: db.url, env });
      await eventually(async () => (await statusOf(second!, o.body.id)) === 'expired');
      expect(await stockOf(second, shop.productId)).toBe(5);
    } finally {
      await second?.close();
      await db.drop();
    }
  });

  it('does not expire an order that was paid in time', async () => {
    const t = await startTestApp({ env: { ORDER_HOLD_SECONDS: '2', RUN_WORKERS_IN_PROCESS: 'true' } });
    try {
      const shop = await createShop(t, { stock: 5, digital: true });
      const buyer = await t.user('viewer');
      const o = await order(t, buyer, { items: [{ productId: shop.productId, quantity: 1 }] }).expect(201);
      const pay = await t.http
        .post(`/api/orders/${o.body.id}/pay`)
        .set('Authorization', `Bearer ${buyer.token}`)
        .expect(200);
      await t.http.post(`/api/payments/simulated/sessions/${pay.body.sessionId}/pay`).send({}).expect(200);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await statusOf(t, o.body.id)).toBe('paid');
      expect(await stockOf(t, shop.productId)).toBe(4);
    } finally {
      await t.close();
    }
  });
});
