import { createShop, orderFromStream, pin } from '../support/shop';
import { bearer, useTestApp } from '../support/test-app';

/**
 * The checkout reads the truth when it opens and when things change: price,
 * sale state, units left, and how many this buyer may still order, by the
 * rules the reservation applies.
 */
describe('what a buyer can buy through a pin now', () => {
  const t = useTestApp({ redis: false, env: { ORDER_RATE_BURST: '100' } });

  it('tells the sale price and the limit while the sale runs, and the plain price once it ended', async () => {
    const shop = await createShop(t, { stock: 20, priceCents: 2500, digital: true });
    const endsAt = new Date(Date.now() + 2500).toISOString();
    const p = await pin(t, shop, { salePriceCents: 1000, saleStock: 3, perBuyerLimit: 2, endsAt });
    const current = (u?: { token: string }) => {
      const req = t.http.get(`/api/streams/${shop.streamId}/pins/current`);
      if (u) void req.set(bearer(u));
      return req.expect(200);
    };

    const anon = await current();
    expect(anon.body.pin).toMatchObject({ pinId: p.pinId, salePriceCents: 1000, remaining: 3 });
    expect(anon.body.offer).toEqual({
      productId: shop.productId,
      description: '',
      digital: true,
      currency: 'USD',
      unitPriceCents: 1000,
      onSale: true,
      saleEndsAt: endsAt,
      remaining: 3,
      perBuyerLimit: 2,
      boughtUnits: 0,
      maxQuantity: 2,
    });

    const buyer = await t.user('viewer');
    await orderFromStream(t, buyer, shop, 1).expect(201);
    expect((await current(buyer)).body.offer).toMatchObject({ boughtUnits: 1, maxQuantity: 1, remaining: 2 });
    // Asking for more than the offer allows is what the reservation refuses too.
    await orderFromStream(t, buyer, shop, 2).expect(409);

    await new Promise((r) => setTimeout(r, Date.parse(endsAt) - Date.now() + 200));
    const after = await current(buyer);
    expect(after.body.pin.salePriceCents).toBeNull();
    expect(after.body.offer).toMatchObject({
      unitPriceCents: 2500,
      onSale: false,
      saleEndsAt: null,
      perBuyerLimit: null,
      maxQuantity: 19,
    });
    // …and an order now is priced as the offer says.
    const o = await orderFromStream(t, buyer, shop).expect(201);
    expect(o.body.totalCents).toBe(2500);
  });

  it('answers nothing pinned after an unpin, and 404 for an unknown stream', async () => {
    const shop = await createShop(t, { stock: 5 });
    const p = await pin(t, shop);
    expect(
      (await t.http.get(`/api/streams/${shop.streamId}/pins/current`).expect(200)).body.offer,
    ).toMatchObject({
      perBuyerLimit: null,
      maxQuantity: 5,
    });
    await t.http
      .delete(`/api/streams/${shop.streamId}/pins/${p.pinId}`)
      .set(bearer(shop.streamer))
      .expect(200);
    expect((await t.http.get(`/api/streams/${shop.streamId}/pins/current`).expect(200)).body).toEqual({
      pin: null,
      offer: null,
    });
    await t.http.get('/api/streams/00000000-0000-4000-8000-000000000000/pins/current').expect(404);
  });

  it('refuses a sale priced above the product in a sentence with amounts, not field names', async () => {
    const shop = await createShop(t, { stock: 5, priceCents: 2500 });
    const res = await t.http
      .post(`/api/streams/${shop.streamId}/pins`)
      .set(bearer(shop.streamer))
      .send({ productId: shop.productId, salePriceCents: 3000 })
      .expect(422);
    expect(res.body.error.message).toBe(
      'The sale price (30.00 USD) must not be above the price of "Aurora X" (25.00 USD).',
    );
    const stock = await t.http
      .post(`/api/streams/${shop.streamId}/pins`)
      .set(bearer(shop.streamer))
      .send({ productId: shop.productId, salePriceCents: 100, saleStock: 6 })
      .expect(422);
    expect(stock.body.error.message).toBe(
      'There are only 5 units of "Aurora X" in stock: put at most that many on sale.',
    );
  });
});
