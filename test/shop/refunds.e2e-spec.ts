import { createShop, paidOrderFromStream, placeOrder, stockOf, type Shop } from '../support/shop';
import { bearer, type TestUser } from '../support/test-app';
import { registerWebhook, useWebhookApp } from '../support/webhooks';

/**
 * Refunds with an amount: part of a paid or shipped order, or all that is
 * left. Units go back to stock only when a paid order (not shipped) is
 * refunded in full. Reports stay net of every refund, and equal a rebuild
 * from the orders.
 */
describe('refunds, in part or in full', () => {
  const { t, rx } = useWebhookApp({ REPORTS_FOLD_MS: '100', ORDER_RATE_BURST: '100' });
  let shop: Shop;

  beforeAll(async () => {
    shop = await createShop(t, { stock: 100, priceCents: 2500, digital: true });
    await registerWebhook(t, shop.merchant, `${rx.url}/refunds`, ['order.refunded']).expect(201);
  });

  const refund = (orderId: string, body: Record<string, unknown> = {}) =>
    t.http.post(`/api/orders/${orderId}/refund`).set(bearer(shop.merchant)).send(body);

  const paidOrder = (buyer: TestUser, quantity = 1) => paidOrderFromStream(t, buyer, shop, quantity);

  it('gives part of the money back and keeps the order paid and its units sold; the rest returns the units', async () => {
    const buyer = await t.user('viewer');
    const before = await stockOf(t, shop.productId);
    const id = await paidOrder(buyer);
    expect(await stockOf(t, shop.productId)).toBe(before - 1);

    const part = await refund(id, { amountCents: 500 }).expect(200);
    expect(part.body).toMatchObject({ status: 'paid', totalCents: 2500, refundedCents: 500 });
    expect(part.body.refunds).toEqual([
      { id: expect.any(String), amountCents: 500, full: false, createdAt: expect.any(String) },
    ]);
    expect(part.body.timeline.at(-1)).toMatchObject({ event: 'refunded', text: 'Refunded 5.00 USD.' });
    expect(await stockOf(t, shop.productId)).toBe(before - 1);

    const tooMuch = await refund(id, { amountCents: 2001 }).expect(409);
    expect(tooMuch.body.error).toMatchObject({
      code: 'refund_too_large',
      message: 'You can refund at most 20.00 USD more on this order.',
      details: { remainingCents: 2000 },
    });
    const bad = await refund(id, { amountCents: 12.5 }).expect(400);
    expect(bad.body.error.message).toBe(
      "Enter the refund amount in whole cents (the currency's minor unit).",
    );

    const rest = await refund(id).expect(200);
    expect(rest.body).toMatchObject({ status: 'refunded', refundedCents: 2500 });
    expect(
      rest.body.refunds.map((r: { amountCents: number; full: boolean }) => [r.amountCents, r.full]),
    ).toEqual([
      [500, false],
      [2000, true],
    ]);
    expect(await stockOf(t, shop.productId)).toBe(before);
    const again = await refund(id, { amountCents: 1 }).expect(409);
    expect(again.body.error.code).toBe('illegal_transition');
    const [payment] = await t.sql<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [
      id,
    ]);
    expect(payment.status).toBe('refunded');
  });

  it('refunds a shipped order in money only, up to its total', async () => {
    const buyer = await t.user('viewer');
    const id = await paidOrder(buyer, 2);
    await t.http.post(`/api/orders/${id}/fulfil`).set(bearer(shop.merchant)).send({}).expect(200);
    const stock = await stockOf(t, shop.productId);
    await refund(id, { amountCents: 1000 }).expect(200);
    const all = await refund(id).expect(200);
    expect(all.body).toMatchObject({ status: 'fulfilled', refundedCents: 5000 });
    expect(await stockOf(t, shop.productId)).toBe(stock);
    const none = await refund(id, { amountCents: 1 }).expect(409);
    expect(none.body.error.message).toBe('This order has been refunded in full already.');
  });

  it('refuses refunds of unpaid orders and by other shops', async () => {
    const buyer = await t.user('viewer');
    const unpaid = await placeOrder(t, buyer, shop.productId);
    await refund(unpaid, { amountCents: 100 }).expect(409);
    const other = await t.user('merchant');
    const id = await paidOrder(buyer);
    await t.http.post(`/api/orders/${id}/refund`).set(bearer(other)).send({ amountCents: 100 }).expect(404);
  });

  it('keeps reports net of every refund, equal to the orders and to a rebuild', async () => {
    const s = await createShop(t, { stock: 50, priceCents: 1000, digital: true });
    const buyer = await t.user('viewer');
    const order = (quantity: number) => paidOrderFromStream(t, buyer, s, quantity);
    const a = await order(1); // 1000, refunded 300 in part
    const b = await order(2); // 2000, refunded 500 in part and then the rest
    await order(3); // 3000, kept
    const as = (path: string, body: Record<string, unknown> = {}) =>
      t.http.post(path).set(bearer(s.merchant)).send(body);
    await as(`/api/orders/${a}/refund`, { amountCents: 300 }).expect(200);
    await as(`/api/orders/${b}/refund`, { amountCents: 500 }).expect(200);
    await as(`/api/orders/${b}/refund`).expect(200);

    const report = async () =>
      (await t.http.get(`/api/reports/streams/${s.streamId}`).set(bearer(s.merchant)).expect(200)).body;
    const r = await report();
    // GMV and paid count every order placed and paid; net takes off every cent given back.
    expect(r).toMatchObject({
      gmvCents: 6000,
      paidCents: 6000,
      netCents: 6000 - 300 - 2000,
      orders: 3,
      units: 6,
    });
    const [direct] = await t.sql<{ paid: string; refunded: string }>(
      `SELECT sum(total_cents) FILTER (WHERE status IN ('paid', 'fulfilled', 'refunded')) AS paid,
              sum(refunded_cents) AS refunded
       FROM orders WHERE stream_id = $1`,
      [s.streamId],
    );
    expect(r.netCents).toBe(Number(direct.paid) - Number(direct.refunded));
    // A product line counts an order's refund once it is refunded in full (a part is not tied to a line).
    expect(r.topProducts[0]).toMatchObject({ productId: s.productId, paidCents: 6000, netCents: 4000 });
    const gmv = await t.http
      .get(
        `/api/reports/gmv?streamId=${s.streamId}&granularity=day&from=${new Date(Date.now() - 86400000).toISOString()}&to=${new Date(Date.now() + 86400000).toISOString()}`,
      )
      .set(bearer(s.merchant))
      .expect(200);
    expect(gmv.body.buckets.reduce((n: number, x: { netCents: number }) => n + x.netCents, 0)).toBe(3700);

    // A rebuild (a time-zone change) comes to the same numbers.
    await t.http
      .put('/api/merchant/settings')
      .set(bearer(s.merchant))
      .send({ timeZone: 'Asia/Kolkata' })
      .expect(200);
    expect(await report()).toEqual(r);
  });

  it('sends order.refunded for each refund, with its amount', async () => {
    const buyer = await t.user('viewer');
    const id = await paidOrder(buyer);
    await refund(id, { amountCents: 100 }).expect(200);
    await refund(id, { amountCents: 200 }).expect(200);
    await refund(id).expect(200);
    const mine = () => rx.got.map((g) => JSON.parse(g.body)).filter((b) => b.data?.order?.id === id);
    const deadline = Date.now() + 15_000;
    while (mine().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const got = mine();
    expect(got.map((b) => [b.type, b.data.refund.amountCents, b.data.refund.full]).sort()).toEqual([
      ['order.refunded', 100, false],
      ['order.refunded', 200, false],
      ['order.refunded', 2200, true],
    ]);
    expect(new Set(got.map((b) => b.id)).size).toBe(3);
  });
});
