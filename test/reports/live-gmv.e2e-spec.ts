import { OrdersRepository } from '../../src/orders/orders.repository';
import { listenToRoom } from '../support/room';
import { createShop, orderFromStream, type Shop } from '../support/shop';
import { eventually } from '../support/wait';
import { useTestApp } from '../support/test-app';

describe('live GMV ticker', () => {
  const t = useTestApp({ env: { ORDER_RATE_BURST: '100', REPORTS_FOLD_MS: '100' } });
  let shop: Shop;

  beforeAll(async () => {
    shop = await createShop(t, { stock: 50, priceCents: 1500 });
  });

  it('sends gmv:update to the staff of the stream only, as orders are placed and expire', async () => {
    const room = await listenToRoom(t, shop.streamId);
    const buyer = await t.user('viewer');
    const a = await orderFromStream(t, buyer, shop, 2).expect(201);
    await orderFromStream(t, buyer, shop).expect(201);
    const ticks = () => room.events.filter((e) => e.event === 'gmv:update');
    await eventually(() => ticks().some((e) => e.event === 'gmv:update' && e.data.orders === 2));
    expect(ticks().every((e) => e.staffOnly === true)).toBe(true);
    expect(ticks().at(-1)).toEqual({
      event: 'gmv:update',
      staffOnly: true,
      data: { currency: 'USD', gmvCents: 4500, orders: 2 },
    });

    // An expired order leaves the GMV: the ticker goes back down.
    await t.app.get(OrdersRepository).release([a.body.id as string], 'pending_payment', 'expired');
    await eventually(() => {
      const last = ticks().at(-1);
      return last?.event === 'gmv:update' && last.data.orders === 1;
    });
    expect(ticks().at(-1)).toMatchObject({ data: { currency: 'USD', gmvCents: 1500, orders: 1 } });
    await room.stop();
  });
});
