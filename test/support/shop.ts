import { linkStreamer } from './links';

export { linkStreamer };
import { createStream } from './streams';
import { bearer, type TestApp, type TestUser } from './test-app';

/** A merchant with a product, a linked streamer and a started stream selling it. */
export interface Shop {
  merchant: TestUser;
  streamer: TestUser;
  productId: string;
  streamId: string;
}

let keySeq = 0;
/** A fresh Idempotency-Key. */
export const newKey = (): string => `k-${Date.now().toString(36)}-${++keySeq}`;

/** A product of `merchant` (its currency decides its orders' currency). */
export async function createProduct(
  t: TestApp,
  merchant: TestUser,
  p: { title?: string; priceCents?: number; currency?: string; stock?: number; digital?: boolean } = {},
): Promise<string> {
  const res = await t.http
    .post('/api/products')
    .set(bearer(merchant))
    .send({
      title: p.title ?? 'Aurora X',
      priceCents: p.priceCents ?? 69900,
      currency: p.currency ?? 'USD',
      stock: p.stock ?? 100,
      ...(p.digital !== undefined && { digital: p.digital }),
    })
    .expect(201);
  return res.body.id as string;
}

export async function createShop(
  t: TestApp,
  opts: { stock?: number; priceCents?: number; title?: string; started?: boolean; digital?: boolean } = {},
): Promise<Shop> {
  const merchant = await t.user('merchant');
  const streamer = await t.user('streamer');
  const productId = await createProduct(t, merchant, {
    stock: opts.stock,
    priceCents: opts.priceCents,
    title: opts.title,
    digital: opts.digital,
  });
  await linkStreamer(t, merchant, streamer);
  const streamId = (await createStream(t, streamer, { title: 'Drop', merchantId: merchant.id })).id;
  if (opts.started ?? true) {
    // Going live needs a WHIP publisher, and the ingest sweep ends "live" streams
    // without one; the order path only needs started_at (stream time) and a
    // status other than ended, so the stream stays "created" with a start time.
    await t.sql(`UPDATE streams SET started_at = now() - interval '90 seconds' WHERE id = $1`, [streamId]);
  }
  return { merchant, streamer, productId, streamId };
}

/** Pins the shop's product (or `body.productId`) to its stream, as `as` (its streamer by default). */
export async function pin(
  t: TestApp,
  shop: Shop,
  body: Record<string, unknown> = {},
  as: TestUser = shop.streamer,
): Promise<{ pinId: string; [k: string]: unknown }> {
  const res = await t.http
    .post(`/api/streams/${shop.streamId}/pins`)
    .set(bearer(as))
    .send({ productId: shop.productId, ...body })
    .expect(201);
  return res.body;
}

/** Places an order as `buyer` (with a fresh Idempotency-Key, or none when `key` is null); the test checks the reply. */
export function order(
  t: TestApp,
  buyer: TestUser,
  body: Record<string, unknown>,
  key: string | null = newKey(),
) {
  const req = t.http.post('/api/orders').set(bearer(buyer));
  if (key !== null) void req.set('Idempotency-Key', key);
  return req.send(body);
}

/** Orders `quantity` of the shop's product from its stream, where its pin and sale apply. */
export function orderFromStream(
  t: TestApp,
  buyer: TestUser,
  shop: Pick<Shop, 'streamId' | 'productId'>,
  quantity = 1,
  key: string | null = newKey(),
) {
  return order(t, buyer, { streamId: shop.streamId, items: [{ productId: shop.productId, quantity }] }, key);
}

/** Reserves `quantity` units of a product (no stream) and returns the order id. */
export async function placeOrder(
  t: TestApp,
  buyer: TestUser,
  productId: string,
  quantity = 1,
): Promise<string> {
  const res = await order(t, buyer, { items: [{ productId, quantity }] }).expect(201);
  return res.body.id as string;
}

/** Starts a payment and has the simulated provider answer (`succeed`, `fail` or `cancel`). */
export async function pay(
  t: TestApp,
  buyer: TestUser,
  orderId: string,
  outcome: 'succeed' | 'fail' | 'cancel' = 'succeed',
): Promise<{ sessionId: string; orderStatus: string; paymentStatus: string }> {
  const start = await t.http.post(`/api/orders/${orderId}/pay`).set(bearer(buyer)).expect(200);
  const sessionId = start.body.sessionId as string;
  const done = await t.http
    .post(`/api/payments/simulated/sessions/${sessionId}/pay`)
    .send({ outcome })
    .expect(200);
  return { sessionId, orderStatus: done.body.orderStatus, paymentStatus: done.body.paymentStatus };
}

/** Orders `quantity` of the shop's product from its stream and pays for it; returns the order id. */
export async function paidOrderFromStream(
  t: TestApp,
  buyer: TestUser,
  shop: Pick<Shop, 'streamId' | 'productId'>,
  quantity = 1,
): Promise<string> {
  const id = (await orderFromStream(t, buyer, shop, quantity).expect(201)).body.id as string;
  await pay(t, buyer, id);
  return id;
}

/** A shipping address as a buyer types it (the API stores the country upper-cased). */
export const ADDRESS = {
  name: 'Ana Lima',
  line1: '12 Harbour Road',
  line2: 'Flat 3',
  city: 'Porto',
  region: null,
  postalCode: '4000-123',
  country: 'pt',
  phone: '+351 912 345 678',
};

/** Gives an order its shipping address as `buyer` (ADDRESS typed in unless told); the test checks the reply. */
export function shipTo(
  t: TestApp,
  buyer: TestUser,
  orderId: string,
  body: Record<string, unknown> = { address: ADDRESS },
) {
  return t.http.put(`/api/orders/${orderId}/shipping`).set(bearer(buyer)).send(body);
}

/** Orders `quantity` of the shop's product outside any stream, at its normal price. */
export function orderFromShop(t: TestApp, buyer: TestUser, shop: Shop, quantity = 1) {
  return order(t, buyer, { items: [{ productId: shop.productId, quantity }] });
}

export async function stockOf(t: TestApp, productId: string): Promise<number> {
  const [row] = await t.sql<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]);
  return row.stock;
}

/** Units left in the sale stock of a pin (one with a sale stock). */
export async function saleRemainingOf(t: TestApp, pinId: string): Promise<number> {
  const [row] = await t.sql<{ sale_remaining: number }>('SELECT sale_remaining FROM pins WHERE id = $1', [
    pinId,
  ]);
  return row.sale_remaining;
}

export async function orderStatusOf(t: TestApp, orderId: string): Promise<string> {
  const [row] = await t.sql<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]);
  return row.status;
}
