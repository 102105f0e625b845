import { bearer, TestUser, useTestApp } from '../support/test-app';
import {
  createProduct,
  createShop,
  order,
  orderFromShop,
  orderFromStream,
  Shop,
  stockOf,
} from '../support/shop';

describe('orders', () => {
  // A generous bucket: several tests order a lot as the same buyer; one test drains it on purpose.
  const t = useTestApp({ env: { ORDER_RATE_BURST: '30', ORDER_RATE_PER_SECOND: '1' } });
  let shop: Shop;
  let buyer: TestUser;
  beforeAll(async () => {
    shop = await createShop(t, { stock: 20, priceCents: 1500 });
    buyer = await t.user('viewer', 'Ada Lovelace');
  });

  it('creates a pending order priced by the server, ignoring client prices, and reserves its units', async () => {
    const before = await stockOf(t, shop.productId);
    const res = await order(t, buyer, {
      // Every price a cart may hold, and a line as an order returns it: all ignored.
      items: [
        {
          productId: shop.productId,
          quantity: 2,
          priceCents: 1,
          unitPriceCents: 1,
          salePriceCents: 1,
          lineTotalCents: 2,
          currency: 'EUR',
          title: 'Free phone',
          sale: true,
        },
      ],
      totalCents: 2,
      currency: 'EUR',
    }).expect(201);
    expect(res.body.items[0].title).not.toBe('Free phone');
    expect(res.body).toMatchObject({
      status: 'pending_payment',
      totalCents: 3000,
      currency: 'USD',
      buyerId: buyer.id,
      merchantId: shop.merchant.id,
      streamId: null,
      pinId: null,
      items: [
        { productId: shop.productId, quantity: 2, unitPriceCents: 1500, lineTotalCents: 3000, sale: false },
      ],
    });
    const hold = Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt);
    expect(hold).toBe(t.config.orders.holdSeconds * 1000);
    expect(await stockOf(t, shop.productId)).toBe(before - 2);
  });

  it('records the stream and the stream time an order came from', async () => {
    const res = await orderFromStream(t, buyer, shop).expect(201);
    expect(res.body.streamId).toBe(shop.streamId);
    // The stream went live 90 s before the test set it up.
    expect(res.body.streamOffsetMs).toBeGreaterThanOrEqual(90_000);
    expect(res.body.streamOffsetMs).toBeLessThan(90_000 + 60_000);
  });

  it('shows an order to its buyer, its shop and admins, and to nobody else', async () => {
    const o = await orderFromShop(t, buyer, shop).expect(201);
    const path = `/api/orders/${o.body.id}`;
    await t.http.get(path).set(bearer(buyer)).expect(200);
    await t.http.get(path).set(bearer(shop.merchant)).expect(200);
    const admin = await t.user('admin');
    await t.http.get(path).set(bearer(admin)).expect(200);

    const stranger = await t.user('viewer');
    const otherShop = await t.user('merchant');
    for (const u of [stranger, otherShop, shop.streamer]) {
      const res = await t.http.get(path).set(bearer(u)).expect(404);
      expect(res.body.error.code).toBe('not_found');
    }
    await t.http.post(`${path}/cancel`).set(bearer(stranger)).expect(404);
    await t.http.post(`${path}/pay`).set(bearer(stranger)).expect(404);
    await t.http.post(`${path}/refund`).set(bearer(otherShop)).expect(404);
    await t.http.post(`${path}/fulfil`).set(bearer(otherShop)).expect(404);
    const mine = await t.http.get('/api/orders?mine=1').set(bearer(stranger)).expect(200);
    expect(mine.body).toEqual({ items: [], total: 0 });
  });

  it('lists my orders, newest first, and only mine', async () => {
    const me = await t.user('viewer');
    const a = await orderFromShop(t, me, shop).expect(201);
    const b = await orderFromShop(t, me, shop).expect(201);
    const res = await t.http.get('/api/orders?mine=1').set(bearer(me)).expect(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([b.body.id, a.body.id]);
  });

  it("keeps merchant A away from merchant B's orders and products", async () => {
    const shopB = await createShop(t, { stock: 5 });
    const o = await order(t, buyer, { items: [{ productId: shopB.productId, quantity: 1 }] }).expect(201);
    const listA = await t.http.get('/api/merchant/orders').set(bearer(shop.merchant)).expect(200);
    expect(listA.body.items.map((x: { id: string }) => x.id)).not.toContain(o.body.id);
    const listB = await t.http.get('/api/merchant/orders').set(bearer(shopB.merchant)).expect(200);
    expect(listB.body.items.map((x: { id: string }) => x.id)).toEqual([o.body.id]);
    await t.http
      .patch(`/api/products/${shopB.productId}`)
      .set(bearer(shop.merchant))
      .send({ stock: 1000 })
      .expect(403);
    // Nor can A pin B's product in A's stream.
    const res = await t.http
      .post(`/api/streams/${shop.streamId}/pins`)
      .set(bearer(shop.merchant))
      .send({ productId: shopB.productId })
      .expect(422);
    expect(res.body.error.code).toBe('product_not_in_shop');
  });

  it('filters the merchant order list by stream and status', async () => {
    const s = await createShop(t, { stock: 10 });
    const fromStream = await order(t, buyer, {
      streamId: s.streamId,
      items: [{ productId: s.productId, quantity: 1 }],
    }).expect(201);
    const direct = await order(t, buyer, { items: [{ productId: s.productId, quantity: 1 }] }).expect(201);
    await t.http.post(`/api/orders/${direct.body.id}/cancel`).set(bearer(buyer)).expect(200);
    const auth = { Authorization: `Bearer ${s.merchant.token}` };
    const byStream = await t.http.get(`/api/merchant/orders?streamId=${s.streamId}`).set(auth).expect(200);
    expect(byStream.body.items.map((x: { id: string }) => x.id)).toEqual([fromStream.body.id]);
    const cancelled = await t.http.get('/api/merchant/orders?status=cancelled').set(auth).expect(200);
    expect(cancelled.body.items.map((x: { id: string }) => x.id)).toEqual([direct.body.id]);
    await t.http.get('/api/merchant/orders?status=lost').set(auth).expect(400);
    await t.http.get('/api/merchant/orders').set(bearer(buyer)).expect(403);
  });

  it('cancels an unpaid order once, returning its units once', async () => {
    const p = await createProduct(t, shop.merchant, { stock: 3 });
    const o = await order(t, buyer, { items: [{ productId: p, quantity: 3 }] }).expect(201);
    expect(await stockOf(t, p)).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.http.post(`/api/orders/${o.body.id}/cancel`).set(bearer(buyer))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await stockOf(t, p)).toBe(3);
    const again = await t.http.post(`/api/orders/${o.body.id}/cancel`).set(bearer(buyer)).expect(409);
    expect(again.body.error).toMatchObject({
      code: 'illegal_transition',
      message: expect.stringContaining('cancelled'),
    });
  });

  it('refuses illegal transitions with 409', async () => {
    const o = await orderFromShop(t, buyer, shop).expect(201);
    const m = { Authorization: `Bearer ${shop.merchant.token}` };
    const fulfil = await t.http.post(`/api/orders/${o.body.id}/fulfil`).set(m).expect(409);
    expect(fulfil.body.error.message).toMatch(/pending payment/);
    const refund = await t.http.post(`/api/orders/${o.body.id}/refund`).set(m).expect(409);
    expect(refund.body.error.message).toMatch(/can be cancelled instead/);
    // The shop cannot cancel a buyer's order, only refund a paid one.
    await t.http.post(`/api/orders/${o.body.id}/cancel`).set(m).expect(403);
  });

  it('refuses orders from a stream for products the stream does not sell', async () => {
    const other = await createShop(t, { stock: 5 });
    const before = await stockOf(t, other.productId);
    const res = await order(t, buyer, {
      streamId: shop.streamId,
      items: [{ productId: other.productId, quantity: 1 }],
    }).expect(422);
    expect(res.body.error.code).toBe('product_not_in_stream');
    expect(await stockOf(t, other.productId)).toBe(before);
  });

  it('names the product when it is out of stock', async () => {
    const p = await createProduct(t, shop.merchant, { title: 'Last Lamp', stock: 1 });
    await order(t, buyer, { items: [{ productId: p, quantity: 1 }] }).expect(201);
    const res = await order(t, buyer, { items: [{ productId: p, quantity: 1 }] }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'out_of_stock', message: 'Out of stock: "Last Lamp"' });
    const more = await createProduct(t, shop.merchant, { title: 'Two Mugs', stock: 2 });
    const r2 = await order(t, buyer, { items: [{ productId: more, quantity: 3 }] }).expect(409);
    expect(r2.body.error.message).toBe('Only 2 of "Two Mugs" left');
    expect(await stockOf(t, more)).toBe(2);
  });

  it('orders several products of one shop in one order', async () => {
    const a = await createProduct(t, shop.merchant, { title: 'A', priceCents: 100, stock: 5 });
    const b = await createProduct(t, shop.merchant, { title: 'B', priceCents: 250, stock: 5 });
    const res = await order(t, buyer, {
      items: [
        { productId: b, quantity: 2 },
        { productId: a, quantity: 3 },
      ],
    }).expect(201);
    expect(res.body.totalCents).toBe(3 * 100 + 2 * 250);
    expect(await stockOf(t, a)).toBe(2);
    expect(await stockOf(t, b)).toBe(3);
    // Not enough of one line: nothing of the other is taken either.
    const r = await order(t, buyer, {
      items: [
        { productId: a, quantity: 1 },
        { productId: b, quantity: 4 },
      ],
    }).expect(409);
    expect(r.body.error.message).toContain('"B"');
    expect(await stockOf(t, a)).toBe(2);
  });

  it('rate-limits order creation per buyer with 429 and Retry-After', async () => {
    const greedy = await t.user('viewer');
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < t.config.orders.rateBurst + 3; i++) {
      const res = await orderFromShop(t, greedy, shop);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThan(statuses.length);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('counts created orders in /metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/livecart_orders_created_total [1-9]/);
    expect(res.text).toContain('livecart_order_create_duration_seconds_bucket');
  });
});
