import { bearer, TestUser, useTestApp } from '../support/test-app';
import { createProduct, createShop, newKey, order, Shop, stockOf } from '../support/shop';

describe('order idempotency', () => {
  const t = useTestApp();
  let shop: Shop;
  beforeAll(async () => {
    shop = await createShop(t, { stock: 1000 });
  });

  const body = (quantity = 1) => ({ items: [{ productId: shop.productId, quantity }] });
  const orderCount = async (buyer: TestUser) =>
    Number(
      (await t.sql<{ n: string }>('SELECT count(*) AS n FROM orders WHERE buyer_id = $1', [buyer.id]))[0].n,
    );

  it('answers a retry with the same key and body with the same order', async () => {
    const buyer = await t.user('viewer');
    const key = newKey();
    const first = await order(t, buyer, body(2), key).expect(201);
    const again = await order(t, buyer, body(2), key).expect(200);
    expect(again.body).toEqual(first.body);
    expect(await orderCount(buyer)).toBe(1);
  });

  it('gives exactly one order per key to concurrent retries', async () => {
    const buyers = await Promise.all(Array.from({ length: 5 }, () => t.user('viewer')));
    const before = await stockOf(t, shop.productId);
    const keys = buyers.map(() => newKey());
    const results = await Promise.all(
      buyers.flatMap((b, i) => Array.from({ length: 8 }, () => order(t, b, body(1), keys[i]))),
    );
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    for (let i = 0; i < buyers.length; i++) {
      const mine = results.slice(i * 8, i * 8 + 8);
      expect(new Set(mine.map((r) => r.body.id)).size).toBe(1);
      expect(mine.filter((r) => r.status === 201)).toHaveLength(1);
      expect(await orderCount(buyers[i])).toBe(1);
    }
    expect(await stockOf(t, shop.productId)).toBe(before - buyers.length);
  });

  it('refuses the same key with another body with 422, reserving nothing', async () => {
    const buyer = await t.user('viewer');
    const key = newKey();
    await order(t, buyer, body(1), key).expect(201);
    const before = await stockOf(t, shop.productId);
    const res = await order(t, buyer, body(3), key).expect(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect(await stockOf(t, shop.productId)).toBe(before);
    expect(await orderCount(buyer)).toBe(1);
  });

  it('gives one order and 422s when one key races with two bodies', async () => {
    const buyer = await t.user('viewer');
    const key = newKey();
    const results = await Promise.all([
      order(t, buyer, body(1), key),
      order(t, buyer, body(2), key),
      order(t, buyer, body(1), key),
      order(t, buyer, body(2), key),
    ]);
    expect(await orderCount(buyer)).toBe(1);
    const created = results.find((r) => r.status === 201)!;
    const q = created.body.items[0].quantity as number;
    for (const r of results) {
      if (r.status === 422) expect(r.body.error.code).toBe('idempotency_key_reused');
      else expect(r.body.id).toBe(created.body.id);
    }
    expect(results.filter((r) => r.status === 422)).toHaveLength(2);
    expect(q === 1 || q === 2).toBe(true);
  });

  it('treats the same lines in another order as the same body', async () => {
    const a = await createProduct(t, shop.merchant, { stock: 5 });
    const b = await createProduct(t, shop.merchant, { stock: 5 });
    const buyer = await t.user('viewer');
    const key = newKey();
    const lines = [
      { productId: a, quantity: 1 },
      { productId: b, quantity: 2 },
    ];
    const first = await order(t, buyer, { items: lines }, key).expect(201);
    const again = await order(t, buyer, { items: [...lines].reverse() }, key).expect(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('scopes keys per buyer', async () => {
    const [x, y] = await Promise.all([t.user('viewer'), t.user('viewer')]);
    const key = newKey();
    const a = await order(t, x, body(1), key).expect(201);
    const b = await order(t, y, body(1), key).expect(201);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

describe('bad order input', () => {
  const t = useTestApp({ env: { ORDER_RATE_BURST: '100' } });
  let shop: Shop;
  let buyer: TestUser;
  beforeAll(async () => {
    shop = await createShop(t, { stock: 10 });
    buyer = await t.user('viewer');
  });

  const expectNothingReserved = async () => {
    expect(await stockOf(t, shop.productId)).toBe(10);
    const [row] = await t.sql<{ n: string }>('SELECT count(*) AS n FROM orders');
    expect(row.n).toBe('0');
  };
  afterEach(expectNothingReserved);

  const line = (quantity: unknown) => ({ items: [{ productId: shop.productId, quantity }] });
  /** Sends `json` as an order's body as it is written (the test client does not serialize it). */
  const orderJson = (json: string) =>
    t.http
      .post('/api/orders')
      .set(bearer(buyer))
      .set('Idempotency-Key', newKey())
      .set('Content-Type', 'application/json')
      .send(json);
  /** An order body of one unit of each product, a line each. */
  const oneOfEach = (...productIds: string[]) => ({
    items: productIds.map((productId) => ({ productId, quantity: 1 })),
  });

  it.each([
    ['zero', 0, /quantity must be at least 1/],
    ['negative', -3, /quantity must be at least 1/],
    ['huge', 1e12, /quantity must be at most 100/],
    ['fractional', 1.5, /quantity must be a whole number/],
    ['a string', '2', /quantity must be a whole number/],
  ])('refuses a %s quantity with 400 naming the field', async (_name, quantity, message) => {
    const res = await order(t, buyer, line(quantity)).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses an unknown product with 422 naming it', async () => {
    const ghost = '5b0f7f0e-1111-4222-8333-444455556666';
    const res = await order(t, buyer, oneOfEach(ghost)).expect(422);
    expect(res.body.error).toMatchObject({
      code: 'unknown_product',
      message: `Product ${ghost} does not exist`,
    });
  });

  it('refuses products in two currencies in one order with 422 naming them', async () => {
    const eur = await createProduct(t, shop.merchant, { title: 'Euro Mug', currency: 'EUR', stock: 5 });
    const res = await order(t, buyer, oneOfEach(shop.productId, eur)).expect(422);
    expect(res.body.error.code).toBe('mixed_currencies');
    expect(res.body.error.message).toContain('"Euro Mug"');
    expect(await stockOf(t, eur)).toBe(5);
  });

  it('refuses products of two shops in one order', async () => {
    const other = await createShop(t, { stock: 5 });
    const res = await order(t, buyer, oneOfEach(shop.productId, other.productId)).expect(422);
    expect(res.body.error.code).toBe('mixed_shops');
    expect(await stockOf(t, other.productId)).toBe(5);
  });

  it('refuses the same product on two lines', async () => {
    const res = await order(t, buyer, oneOfEach(shop.productId, shop.productId)).expect(400);
    expect(res.body.error.message).toContain('appears twice');
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await orderJson('{"items": [{"productId": ').expect(400);
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it('refuses a missing Idempotency-Key with 400', async () => {
    const res = await order(t, buyer, line(1), null).expect(400);
    expect(res.body.error).toMatchObject({
      code: 'idempotency_key_required',
      message: expect.stringContaining('Idempotency-Key'),
    });
  });

  it('refuses a 1 MB body with 413', async () => {
    const res = await orderJson(
      JSON.stringify({ ...oneOfEach(shop.productId), pad: 'x'.repeat(1024 * 1024) }),
    ).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('refuses missing, empty or oversized item lists, and unknown fields', async () => {
    await order(t, buyer, {}).expect(400);
    await order(t, buyer, { items: [] }).expect(400);
    const many = Array.from({ length: 21 }, (_, i) => ({
      productId: `5b0f7f0e-1111-4222-8333-${String(i).padStart(12, '0')}`,
      quantity: 1,
    }));
    const res = await order(t, buyer, { items: many }).expect(400);
    expect(res.body.error.message).toContain('at most 20');
    const unknown = await order(t, buyer, { ...line(1), coupon: 'FREE' }).expect(400);
    expect(unknown.body.error.message).toContain('“coupon” is not something this request accepts');
    await order(t, buyer, { items: [{ productId: 'not-a-uuid', quantity: 1 }] }).expect(400);
    await order(t, buyer, { streamId: 'nope', ...line(1) }).expect(400);
  });

  it('refuses an unknown stream with 422', async () => {
    const res = await order(t, buyer, {
      streamId: '5b0f7f0e-1111-4222-8333-444455556666',
      ...line(1),
    }).expect(422);
    expect(res.body.error.code).toBe('unknown_stream');
  });
});
