import { createProduct, ADDRESS, pay, placeOrder, shipTo } from '../support/shop';
import { bearer, useTestApp } from '../support/test-app';

/** `null` in an optional field is either refused (4xx) or means "unset", on purpose: never a 500. */
describe('null in the new request bodies', () => {
  const t = useTestApp({ redis: false });

  it('is refused where it would blank something required, and unsets what may be unset', async () => {
    const merchant = await t.user('merchant');
    const buyer = await t.user('viewer');
    const product = await createProduct(t, merchant, { digital: true });
    for (const body of [{ title: null }, { priceCents: null }, { currency: null }, { digital: null }]) {
      const r = await t.http.patch(`/api/products/${product}`).set(bearer(merchant)).send(body).expect(400);
      expect(r.body.error.message).toMatch(/cannot be empty|Choose|Enter/);
    }
    const unset = await t.http
      .patch(`/api/products/${product}`)
      .set(bearer(merchant))
      .send({ description: null, imageUrl: null, sku: null })
      .expect(200);
    expect(unset.body).toMatchObject({ description: '', imageUrl: null, sku: null });

    const orderId = await placeOrder(t, buyer, product);
    for (const body of [
      { addressId: null },
      { address: null },
      { addressId: null, address: null },
      { address: 'x' },
    ]) {
      await shipTo(t, buyer, orderId, body).expect(400);
    }
    await shipTo(t, buyer, orderId, {
      address: { ...ADDRESS, line2: null, phone: null },
      addressId: null,
    }).expect(200);
    await pay(t, buyer, orderId);
    await t.http
      .post(`/api/orders/${orderId}/refund`)
      .set(bearer(merchant))
      .send({ amountCents: null })
      .expect(400);
    await t.http
      .post(`/api/orders/${orderId}/fulfil`)
      .set(bearer(merchant))
      .send({ carrier: null })
      .expect(200);

    const streamer = await t.user('streamer');
    const s = await t.http.post('/api/streams').set(bearer(streamer)).send({ title: 'x' }).expect(201);
    await t.http.patch(`/api/streams/${s.body.id}`).set(bearer(streamer)).send({ title: null }).expect(400);
    await t.http.post('/api/merchant/invitations').set(bearer(merchant)).send({ email: null }).expect(400);
    await t.http
      .post('/api/me/addresses')
      .set(bearer(buyer))
      .send({ ...ADDRESS, name: null })
      .expect(400);
    const a = await t.http.post('/api/me/addresses').set(bearer(buyer)).send(ADDRESS).expect(201);
    await t.http
      .patch(`/api/me/addresses/${a.body.id}`)
      .set(bearer(buyer))
      .send({ isDefault: null })
      .expect(400);
    await t.http
      .patch(`/api/me/addresses/${a.body.id}`)
      .set(bearer(buyer))
      .send({ region: null })
      .expect(200);
  });
});
