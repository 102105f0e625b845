import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { signWebhook } from '../../src/common/crypto/webhook-signature';
import { bearer, TestUser, useTestApp } from '../support/test-app';
import { createShop, order, orderFromShop, orderStatusOf, Shop, stockOf } from '../support/shop';

describe('payments', () => {
  const t = useTestApp({ env: { ORDER_RATE_BURST: '100' } });
  let shop: Shop;
  let secret: string;
  beforeAll(async () => {
    shop = await createShop(t, { stock: 50, priceCents: 2500, digital: true });
    secret = fs.readFileSync(path.join(t.config.dataDir, 'payment-webhook-secret'), 'utf8').trim();
  });

  async function placeAndCheckout(buyer: TestUser, quantity = 1) {
    const o = await order(t, buyer, { items: [{ productId: shop.productId, quantity }] }).expect(201);
    const pay = await t.http.post(`/api/orders/${o.body.id}/pay`).set(bearer(buyer)).expect(200);
    return {
      orderId: o.body.id as string,
      sessionId: pay.body.sessionId as string,
      checkoutUrl: pay.body.checkoutUrl as string,
    };
  }

  const event = (over: {
    id?: string;
    type?: string;
    sessionId: string;
    orderId: string;
    amountCents?: number;
  }) =>
    JSON.stringify({
      id: over.id ?? `evt_test_${randomBytes(6).toString('hex')}`,
      type: over.type ?? 'payment.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: {
        sessionId: over.sessionId,
        orderId: over.orderId,
        amountCents: over.amountCents ?? 2500,
        currency: 'USD',
      },
    });

  const postWebhook = (body: string, signature?: string) => {
    const req = t.http.post('/api/payments/webhook').set('Content-Type', 'application/json');
    if (signature !== undefined) void req.set('X-Signature', signature);
    return req.send(body);
  };

  /** The buyer pays on the simulated provider's checkout page: `succeed` unless told (by sending no outcome). */
  const payOnCheckoutPage = (sessionId: string, outcome?: 'fail' | 'succeed') =>
    t.http
      .post(`/api/payments/simulated/sessions/${sessionId}/pay`)
      .send(outcome ? { outcome } : {})
      .expect(200);

  it("returns the simulated provider's checkout URL to the buyer, and reuses it", async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId, checkoutUrl } = await placeAndCheckout(buyer);
    expect(checkoutUrl).toBe(`${t.config.http.publicUrl}/checkout?session=${sessionId}`);
    const again = await t.http.post(`/api/orders/${orderId}/pay`).set(bearer(buyer)).expect(200);
    expect(again.body.sessionId).toBe(sessionId);
    const page = await t.http.get(`/checkout?session=${sessionId}`).expect(200);
    // The provider's page (rendered in the browser: checkout-chromium pays through it).
    expect(page.text).toContain('<title>Simulated payment');
    const s = await t.http.get(`/api/payments/simulated/sessions/${sessionId}`).expect(200);
    expect(s.body).toMatchObject({
      orderId,
      amountCents: 2500,
      currency: 'USD',
      paymentStatus: 'open',
      orderStatus: 'pending_payment',
    });
  });

  it("pays through the checkout page's provider call: a signed webhook over HTTP", async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    const res = await payOnCheckoutPage(sessionId, 'succeed');
    expect(res.body).toMatchObject({ webhookStatus: 200, orderStatus: 'paid', paymentStatus: 'succeeded' });
    const o = await t.http.get(`/api/orders/${orderId}`).set(bearer(buyer)).expect(200);
    expect(o.body).toMatchObject({ status: 'paid', paidAt: expect.any(String) });
    const again = await t.http.post(`/api/orders/${orderId}/pay`).set(bearer(buyer)).expect(409);
    expect(again.body.error.code).toBe('not_payable');
  });

  it('leaves the order payable after a declined payment', async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    const res = await payOnCheckoutPage(sessionId, 'fail');
    expect(res.body).toMatchObject({ orderStatus: 'pending_payment', paymentStatus: 'failed' });
    const retry = await t.http.post(`/api/orders/${orderId}/pay`).set(bearer(buyer)).expect(200);
    expect(retry.body.sessionId).not.toBe(sessionId);
  });

  it('refuses unsigned and wrongly signed webhooks with 401 and changes nothing', async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    const body = event({ sessionId, orderId });
    const now = Math.floor(Date.now() / 1000);
    await postWebhook(body).expect(401);
    await postWebhook(body, signWebhook('not-the-secret-'.repeat(3), body, now)).expect(401);
    await postWebhook(body, 't=abc,v1=zz').expect(401);
    // Signed, but the body was altered after signing.
    const tampered = body.replace('"amountCents":2500', '"amountCents":1');
    await postWebhook(tampered, signWebhook(secret, body, now)).expect(401);
    // Correctly signed long ago: outside the tolerance.
    await postWebhook(body, signWebhook(secret, body, now - 3600)).expect(401);
    expect(await orderStatusOf(t, orderId)).toBe('pending_payment');
  });

  it('applies a replayed event once: 200 and no change', async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    const body = event({ id: 'evt_replay_1', sessionId, orderId });
    const sig = signWebhook(secret, body, Math.floor(Date.now() / 1000));
    const first = await postWebhook(body, sig).expect(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(await orderStatusOf(t, orderId)).toBe('paid');
    // The shop refunds; a replay of the old "succeeded" event must not make it paid again.
    await t.http.post(`/api/orders/${orderId}/refund`).set(bearer(shop.merchant)).expect(200);
    const replays = await Promise.all(Array.from({ length: 5 }, () => postWebhook(body, sig)));
    for (const r of replays) expect(r.status).toBe(200);
    expect(replays.every((r) => r.body.duplicate === true)).toBe(true);
    expect(await orderStatusOf(t, orderId)).toBe('refunded');
  });

  it('refunds a payment that arrives after the hold was released', async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    await t.http.post(`/api/orders/${orderId}/cancel`).set(bearer(buyer)).expect(200);
    const res = await payOnCheckoutPage(sessionId);
    expect(res.body).toMatchObject({ orderStatus: 'cancelled', paymentStatus: 'refunded' });
  });

  it('ignores a signed event whose amount differs from the checkout', async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    const body = event({ sessionId, orderId, amountCents: 1 });
    await postWebhook(body, signWebhook(secret, body, Math.floor(Date.now() / 1000))).expect(200);
    expect(await orderStatusOf(t, orderId)).toBe('pending_payment');
  });

  it('refunds a paid order once, returning its units once, then fulfils nothing', async () => {
    const buyer = await t.user('viewer');
    const before = await stockOf(t, shop.productId);
    const { orderId, sessionId } = await placeAndCheckout(buyer, 3);
    await payOnCheckoutPage(sessionId);
    expect(await stockOf(t, shop.productId)).toBe(before - 3);
    const m = { Authorization: `Bearer ${shop.merchant.token}` };
    const refunds = await Promise.all(
      Array.from({ length: 4 }, () => t.http.post(`/api/orders/${orderId}/refund`).set(m)),
    );
    expect(refunds.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(await stockOf(t, shop.productId)).toBe(before);
    await t.http.post(`/api/orders/${orderId}/fulfil`).set(m).expect(409);
    const [p] = await t.sql<{ status: string }>('SELECT status FROM payments WHERE session_id = $1', [
      sessionId,
    ]);
    expect(p.status).toBe('refunded');
  });

  it('lets the shop fulfil a paid order, after which it cannot be cancelled and a refund returns no units', async () => {
    const buyer = await t.user('viewer');
    const { orderId, sessionId } = await placeAndCheckout(buyer);
    await payOnCheckoutPage(sessionId);
    const m = { Authorization: `Bearer ${shop.merchant.token}` };
    const f = await t.http.post(`/api/orders/${orderId}/fulfil`).set(m).expect(200);
    expect(f.body).toMatchObject({ status: 'fulfilled', fulfilledAt: expect.any(String) });
    // Shipped goods have left the shop: money can go back, the units do not (test/shop/refunds).
    const stock = await stockOf(t, shop.productId);
    const r = await t.http.post(`/api/orders/${orderId}/refund`).set(m).expect(200);
    expect(r.body).toMatchObject({ status: 'fulfilled', refundedCents: r.body.totalCents });
    expect(await stockOf(t, shop.productId)).toBe(stock);
    const c = await t.http.post(`/api/orders/${orderId}/cancel`).set(bearer(buyer)).expect(409);
    expect(c.body.error.message).toContain('ask the shop for a refund');
  });

  it('lets only the buyer start a payment', async () => {
    const buyer = await t.user('viewer');
    const o = await orderFromShop(t, buyer, shop).expect(201);
    await t.http.post(`/api/orders/${o.body.id}/pay`).set(bearer(shop.merchant)).expect(403);
    await t.http.post(`/api/orders/${o.body.id}/pay`).expect(401);
  });

  it('answers 404 for an unknown checkout session', async () => {
    await request(t.baseUrl).get('/api/payments/simulated/sessions/cs_sim_nope').expect(404);
    await request(t.baseUrl).post('/api/payments/simulated/sessions/cs_sim_nope/pay').send({}).expect(404);
  });
});
