import { PIN_READER, type PinReader } from '../../src/room/pin-reader';
import { bearer, TestUser, useTestApp } from '../support/test-app';
import { listenToRoom } from '../support/room';
import {
  createShop,
  newKey,
  order,
  orderFromShop,
  orderFromStream,
  pin,
  saleRemainingOf,
  stockOf,
} from '../support/shop';
import { eventually, sleep } from '../support/wait';

describe('flash sale', () => {
  const t = useTestApp();

  const saleRemaining = (pinId: string) => saleRemainingOf(t, pinId);

  it('sells 50 sale units to exactly 50 of 200 concurrent buyers, never below zero', async () => {
    const shop = await createShop(t, { stock: 1000, priceCents: 99900, title: 'Hot Phone' });
    const p = await pin(t, shop, {
      salePriceCents: 49900,
      saleStock: 50,
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    const buyers: TestUser[] = await Promise.all(Array.from({ length: 200 }, () => t.user('viewer')));

    // Watch the counters while the race runs: they must never be seen negative.
    let watching = true;
    let lowest = Infinity;
    const watcher = (async () => {
      while (watching) {
        lowest = Math.min(lowest, await saleRemaining(p.pinId), await stockOf(t, shop.productId));
      }
    })();
    const results = await Promise.all(buyers.map((b) => orderFromStream(t, b, shop)));
    watching = false;
    await watcher;

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(150);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error).toEqual({
        code: 'sold_out',
        message: 'Flash sale sold out: "Hot Phone"',
        details: { productId: shop.productId, remaining: 0 },
      });
    }
    for (const r of results.filter((x) => x.status === 201)) {
      expect(r.body).toMatchObject({ totalCents: 49900, pinId: p.pinId, items: [{ sale: true }] });
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await saleRemaining(p.pinId)).toBe(0);
    expect(await stockOf(t, shop.productId)).toBe(950);
    const [db] = await t.sql<{ n: string; units: string }>(
      `SELECT count(*) AS n, sum(i.quantity) AS units FROM orders o JOIN order_items i ON i.order_id = o.id
       WHERE o.pin_id = $1`,
      [p.pinId],
    );
    expect(db).toEqual({ n: '50', units: '50' });
  });

  it('limits each buyer to the per-buyer limit, naming the product', async () => {
    const shop = await createShop(t, { stock: 100, title: 'Limited Lamp' });
    await pin(t, shop, { salePriceCents: 100, saleStock: 10, perBuyerLimit: 2 });
    const buyer = await t.user('viewer');
    const body = (q: number) => ({
      streamId: shop.streamId,
      items: [{ productId: shop.productId, quantity: q }],
    });
    await order(t, buyer, body(3)).expect(409);
    await order(t, buyer, body(1)).expect(201);
    await order(t, buyer, body(1)).expect(201);
    const res = await order(t, buyer, body(1)).expect(409);
    expect(res.body.error).toMatchObject({
      code: 'buyer_limit',
      message: '"Limited Lamp" is limited to 2 per buyer and you already ordered 2',
    });
  });

  it('defaults the per-buyer limit of a sale to one, also under concurrency', async () => {
    const shop = await createShop(t, { stock: 100 });
    await pin(t, shop, { salePriceCents: 100, saleStock: 10 });
    const buyer = await t.user('viewer');
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        order(
          t,
          buyer,
          { streamId: shop.streamId, items: [{ productId: shop.productId, quantity: 1 }] },
          newKey(),
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('charges the normal price and stock after the sale window', async () => {
    const shop = await createShop(t, { stock: 10, priceCents: 5000 });
    const p = await pin(t, shop, {
      salePriceCents: 1000,
      saleStock: 5,
      endsAt: new Date(Date.now() + 1500).toISOString(),
    });
    const buyer = await t.user('viewer');
    const during = await orderFromStream(t, buyer, shop).expect(201);
    expect(during.body.totalCents).toBe(1000);
    await new Promise((r) => setTimeout(r, 1600));
    const other = await t.user('viewer');
    const after = await orderFromStream(t, other, shop, 2).expect(201);
    expect(after.body).toMatchObject({ totalCents: 10000, pinId: p.pinId, items: [{ sale: false }] });
    expect(await saleRemaining(p.pinId)).toBe(4);
    expect(await stockOf(t, shop.productId)).toBe(7);
  });

  it('sells a sale without a sale stock at the sale price from the product stock', async () => {
    const shop = await createShop(t, { stock: 3, priceCents: 5000 });
    const p = await pin(t, shop, { salePriceCents: 2000, perBuyerLimit: 5 });
    const buyer = await t.user('viewer');
    const res = await orderFromStream(t, buyer, shop, 3).expect(201);
    expect(res.body).toMatchObject({ totalCents: 6000, pinId: p.pinId, items: [{ sale: true }] });
    expect(await stockOf(t, shop.productId)).toBe(0);
    await orderFromStream(t, await t.user('viewer'), shop).expect(409);
  });

  it('gives the sale price only to orders from the sale stream', async () => {
    const shop = await createShop(t, { stock: 10, priceCents: 5000 });
    await pin(t, shop, { salePriceCents: 1000, saleStock: 5 });
    const buyer = await t.user('viewer');
    const direct = await orderFromShop(t, buyer, shop).expect(201);
    expect(direct.body).toMatchObject({ totalCents: 5000, pinId: null, streamId: null });
  });

  it('tells the room about stock at once and about a purchase once it is paid, with the first name only', async () => {
    const shop = await createShop(t, { stock: 30, title: 'Glow Mug', digital: true });
    await pin(t, shop, { salePriceCents: 100, saleStock: 20 });
    const room = await listenToRoom(t, shop.streamId);
    const buyer = await t.user('viewer', 'Grace Brewster Hopper');
    const placed = await orderFromStream(t, buyer, shop).expect(201);
    await eventually(() => room.events.some((e) => e.event === 'stock'));
    // Placed is not bought: the payment may still be declined or the hold expire.
    await sleep(300);
    expect(room.events.some((e) => e.event === 'order:placed')).toBe(false);
    const pay = await t.http.post(`/api/orders/${placed.body.id}/pay`).set(bearer(buyer)).expect(200);
    await t.http.post(`/api/payments/simulated/sessions/${pay.body.sessionId}/pay`).send({}).expect(200);
    await eventually(() => room.events.some((e) => e.event === 'order:placed'));
    expect(room.events).toContainEqual({
      event: 'order:placed',
      data: { buyer: 'Grace', productTitle: 'Glow Mug' },
    });
    expect(room.events).toContainEqual({
      event: 'stock',
      data: { productId: shop.productId, remaining: 19 },
    });
    expect(JSON.stringify(room.events)).not.toContain('Hopper');
    await room.stop();
  });

  it('coalesces stock events: a burst of orders sends a few, ending at the true count', async () => {
    const shop = await createShop(t, { stock: 100 });
    await pin(t, shop, { salePriceCents: 100, saleStock: 60, perBuyerLimit: 100 });
    const room = await listenToRoom(t, shop.streamId);
    const buyers = await Promise.all(Array.from({ length: 40 }, () => t.user('viewer')));
    await Promise.all(buyers.map((b) => orderFromStream(t, b, shop)));
    await eventually(() => room.events.some((e) => e.event === 'stock' && e.data.remaining === 20));
    const stock = room.events.filter((e) => e.event === 'stock');
    expect(stock.length).toBeLessThan(40);
    expect(stock[stock.length - 1].data).toEqual({ productId: shop.productId, remaining: 20 });
    await room.stop();
  });

  it('returns expired, cancelled and refunded sale units to the sale', async () => {
    const shop = await createShop(t, { stock: 10 });
    const p = await pin(t, shop, { salePriceCents: 100, saleStock: 3 });
    const buyer = await t.user('viewer');
    const o = await orderFromStream(t, buyer, shop).expect(201);
    expect(await saleRemaining(p.pinId)).toBe(2);
    await t.http.post(`/api/orders/${o.body.id}/cancel`).set(bearer(buyer)).expect(200);
    expect(await saleRemaining(p.pinId)).toBe(3);
    expect(await stockOf(t, shop.productId)).toBe(10);
    // The buyer's limit counts held units only: after cancelling, they may buy again.
    await orderFromStream(t, buyer, shop).expect(201);
  });

  it("shows the current pin's sale to the live room through PIN_READER", async () => {
    const shop = await createShop(t, { stock: 10, priceCents: 2000, title: 'Pin Me' });
    const reader = t.app.get<PinReader>(PIN_READER);
    expect(await reader.current(shop.streamId)).toBeNull();
    const endsAt = new Date(Date.now() + 60_000).toISOString();
    const p = await pin(t, shop, { salePriceCents: 1500, saleStock: 4, endsAt });
    await new Promise((r) => setTimeout(r, 600)); // past the reader's short cache
    expect(await reader.current(shop.streamId)).toMatchObject({
      pinId: p.pinId,
      title: 'Pin Me',
      priceCents: 2000,
      salePriceCents: 1500,
      remaining: 4,
      saleStock: 4,
      perBuyerLimit: 1,
      endsAt,
    });
  });
});

describe('flash sale on a small connection pool', () => {
  // Below 2 × 8 pooled connections the reservation lanes do not keep one
  // between batches (OrdersService); each statement takes a pooled one.
  const t = useTestApp({ env: { DATABASE_POOL_SIZE: '3' } });

  it('sells 20 units to exactly 20 of 100 concurrent buyers while other reads are answered', async () => {
    const shop = await createShop(t, { stock: 20, priceCents: 1000, title: 'Small Pool' });
    const buyers: TestUser[] = await Promise.all(Array.from({ length: 100 }, () => t.user('viewer')));
    const sale = Promise.all(buyers.map((b) => orderFromStream(t, b, shop)));
    const reads = Promise.all(
      Array.from({ length: 10 }, () => t.http.get(`/api/products/${shop.productId}`).expect(200)),
    );
    const [results] = await Promise.all([sale, reads]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(80);
    expect(await stockOf(t, shop.productId)).toBe(0);
    const [db] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1`,
      [shop.productId],
    );
    expect(Number(db.n)).toBe(20);
  });
});
