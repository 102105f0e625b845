import { createShop, newKey, orderFromShop, orderFromStream, pay, pin, stockOf } from '../support/shop';
import { eventually } from '../support/wait';
import { listenToRoom } from '../support/room';
import { bearer, useTestApp } from '../support/test-app';

/**
 * A declined or cancelled payment leaves the order waiting for payment with
 * its units held; the buyer pays the same order again (a new session), and
 * the room announces the purchase only once it is paid.
 */
describe('paying again after a declined or cancelled payment', () => {
  const t = useTestApp({ redis: false, env: { ORDER_RATE_BURST: '100' } });

  it.each(['fail', 'cancel'] as const)(
    'after "%s" the same order keeps its hold and can be paid with a new session',
    async (outcome) => {
      const shop = await createShop(t, { stock: 5, priceCents: 1500, title: 'Desk Lamp', digital: true });
      await pin(t, shop, { salePriceCents: 1000, saleStock: 3 });
      const room = await listenToRoom(t, shop.streamId);
      const buyer = await t.user('viewer', 'Hedy Lamarr');
      const key = newKey();
      const place = () => orderFromStream(t, buyer, shop, 1, key);
      const placed = await place().expect(201);
      const orderId = placed.body.id as string;
      expect(await stockOf(t, shop.productId)).toBe(4);

      const declined = await pay(t, buyer, orderId, outcome);
      expect(declined).toMatchObject({
        orderStatus: 'pending_payment',
        paymentStatus: outcome === 'fail' ? 'failed' : 'cancelled',
      });
      expect(await stockOf(t, shop.productId)).toBe(4);
      // Buying again with the same key is the same order, not a second hold.
      const again = await place().expect(200);
      expect(again.body.id).toBe(orderId);
      expect(await stockOf(t, shop.productId)).toBe(4);

      const paid = await pay(t, buyer, orderId);
      expect(paid.sessionId).not.toBe(declined.sessionId);
      expect(paid).toMatchObject({ orderStatus: 'paid', paymentStatus: 'succeeded' });
      expect(await stockOf(t, shop.productId)).toBe(4);

      const detail = await t.http.get(`/api/orders/${orderId}`).set(bearer(buyer)).expect(200);
      expect(detail.body.payments.map((p: { status: string }) => p.status)).toEqual([
        outcome === 'fail' ? 'failed' : 'cancelled',
        'succeeded',
      ]);
      expect(detail.body.timeline.map((e: { event: string }) => e.event)).toEqual([
        'placed',
        'payment_started',
        outcome === 'fail' ? 'payment_failed' : 'payment_cancelled',
        'payment_started',
        'paid',
      ]);

      // One "just bought", after the payment, none for the declined attempt.
      await eventually(() => room.events.some((e) => e.event === 'order:placed'));
      await new Promise((r) => setTimeout(r, 300));
      expect(room.events.filter((e) => e.event === 'order:placed')).toEqual([
        { event: 'order:placed', data: { buyer: 'Hedy', productTitle: 'Desk Lamp' } },
      ]);
      await room.stop();
    },
  );

  it('says where to come back to after paying', async () => {
    const shop = await createShop(t, { stock: 5, digital: true });
    const buyer = await t.user('viewer');
    const o = await orderFromShop(t, buyer, shop).expect(201);
    const start = await t.http.post(`/api/orders/${o.body.id}/pay`).set(bearer(buyer)).expect(200);
    expect(start.body.returnUrl).toBe(`${t.config.http.publicUrl}/orders?order=${o.body.id}`);
    const session = await t.http.get(`/api/payments/simulated/sessions/${start.body.sessionId}`).expect(200);
    expect(session.body.returnUrl).toBe(start.body.returnUrl);
  });

  it('announces no purchase for an order that is never paid', async () => {
    const shop = await createShop(t, { stock: 5, digital: true });
    const room = await listenToRoom(t, shop.streamId);
    const buyer = await t.user('viewer');
    const o = await orderFromStream(t, buyer, shop).expect(201);
    await pay(t, buyer, o.body.id, 'fail');
    await t.http.post(`/api/orders/${o.body.id}/cancel`).set(bearer(buyer)).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(room.events.some((e) => e.event === 'order:placed')).toBe(false);
    await room.stop();
  });
});
