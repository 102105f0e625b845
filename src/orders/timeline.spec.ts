import type { OrderView } from './order-view';
import { timelineOf } from './orders.service';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

function view(over: Partial<OrderView> = {}): OrderView {
  return {
    id: 'o',
    buyerId: 'b',
    merchantId: 'm',
    status: 'pending_payment',
    currency: 'USD',
    totalCents: 2500,
    streamId: null,
    pinId: null,
    streamOffsetMs: null,
    items: [],
    createdAt: at(0),
    expiresAt: at(600),
    paidAt: null,
    fulfilledAt: null,
    closedAt: null,
    buyer: { id: 'b', name: 'Ana', email: 'a@x.test' },
    needsShipping: true,
    shipping: null,
    fulfilment: null,
    refundedCents: 0,
    pinnedProductId: null,
    ...over,
  };
}

describe('an order’s timeline', () => {
  it('tells what happened, oldest first, in sentences', () => {
    const v = view({
      status: 'fulfilled',
      paidAt: at(30),
      fulfilledAt: at(60),
      fulfilment: { carrier: 'DHL', trackingNumber: 'T1', trackingUrl: null, fulfilledAt: at(60) },
    });
    const payments = [
      {
        provider: 'simulated',
        status: 'failed',
        amountCents: 2500,
        currency: 'USD',
        createdAt: at(10),
        updatedAt: at(12),
      },
      {
        provider: 'simulated',
        status: 'succeeded',
        amountCents: 2500,
        currency: 'USD',
        createdAt: at(20),
        updatedAt: at(30),
      },
    ];
    const refunds = [{ amountCents: 500, full: false, createdAt: at(90) }];
    expect(timelineOf(v, payments, at(5), refunds)).toEqual([
      {
        at: at(0).toISOString(),
        event: 'placed',
        text: 'Order placed; the units are held until it is paid.',
      },
      { at: at(5).toISOString(), event: 'shipping_added', text: 'Shipping address given.' },
      { at: at(10).toISOString(), event: 'payment_started', text: 'Payment started with simulated.' },
      { at: at(12).toISOString(), event: 'payment_failed', text: 'The payment was declined.' },
      { at: at(20).toISOString(), event: 'payment_started', text: 'Payment started with simulated.' },
      { at: at(30).toISOString(), event: 'paid', text: 'Paid.' },
      { at: at(60).toISOString(), event: 'fulfilled', text: 'Shipped with DHL, tracking T1.' },
      { at: at(90).toISOString(), event: 'refunded', text: 'Refunded 5.00 USD.' },
    ]);
  });

  it('says how an order closed, and counts a full refund of an older order once', () => {
    expect(timelineOf(view({ status: 'expired', closedAt: at(600) }), [], null).at(-1)?.event).toBe(
      'expired',
    );
    const old = timelineOf(view({ status: 'refunded', paidAt: at(30), closedAt: at(99) }), [], null);
    expect(old.filter((e) => e.event === 'refunded')).toHaveLength(1);
    const recorded = timelineOf(view({ status: 'refunded', paidAt: at(30), closedAt: at(99) }), [], null, [
      { amountCents: 2500, full: true, createdAt: at(99) },
    ]);
    expect(recorded.filter((e) => e.event === 'refunded')).toEqual([
      {
        at: at(99).toISOString(),
        event: 'refunded',
        text: 'Refunded 25.00 USD, all that was left; the units went back to stock.',
      },
    ]);
  });
});
