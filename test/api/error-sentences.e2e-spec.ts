import { createShop } from '../support/shop';
import { bearer, useTestApp } from '../support/test-app';

/**
 * Every 4xx a person may read is a sentence, not a field name and a rule
 * (`salePriceCents must be an integer number`, `uuid is expected`), while the
 * machine-readable code and fields stay.
 */
describe('error messages people read', () => {
  const t = useTestApp({ redis: false });

  const looksLikeASentence = (m: string) => {
    expect(m).toMatch(/^[A-Z“"]/);
    expect(m).toMatch(/[.!?]$/);
    expect(m).not.toMatch(/\b[a-z]+[A-Z][A-Za-z]*\b/); // no camelCase property names
    expect(m).not.toMatch(/uuid is expected|should not exist|integer number|must be a UUID/);
  };

  it('a flash sale priced in fractions says to enter whole cents, and still names the field for forms', async () => {
    const shop = await createShop(t);
    const res = await t.http
      .post(`/api/streams/${shop.streamId}/pins`)
      .set(bearer(shop.streamer))
      .send({ productId: shop.productId, salePriceCents: 19.99, perBuyerLimit: 0 })
      .expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    looksLikeASentence(res.body.error.message);
    expect(res.body.error.message).toContain('Enter the sale price in whole cents');
    expect(res.body.error.message).toContain('The limit per buyer must be at least 1.');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'perBuyerLimit',
      'salePriceCents',
    ]);
  });

  it('a shop given by email when creating a stream asks to choose from the list', async () => {
    const streamer = await t.user('streamer');
    const res = await t.http
      .post('/api/streams')
      .set(bearer(streamer))
      .send({ title: 'Drop', merchantId: 'shop@example.com' })
      .expect(400);
    looksLikeASentence(res.body.error.message);
    expect(res.body.error.message).toMatch(/shop/i);
  });

  it('an id in the address that is not an id is a sentence with its own code', async () => {
    const res = await t.http.get('/api/streams/not-a-stream').expect(400);
    expect(res.body.error.code).toBe('invalid_id');
    looksLikeASentence(res.body.error.message);
  });

  it('an order with a bad quantity and an unknown field', async () => {
    const buyer = await t.user('viewer');
    const res = await t.http
      .post('/api/orders')
      .set(bearer(buyer))
      .set('Idempotency-Key', 'k-sentences')
      .send({ items: [{ productId: 'x', quantity: 0 }] })
      .expect(400);
    looksLikeASentence(res.body.error.message);
    expect(res.body.error.message).toContain('The quantity must be at least 1.');
  });

  it('an unknown route says so in words', async () => {
    const res = await t.http.get('/api/nothing-here').expect(404);
    looksLikeASentence(res.body.error.message);
  });
});
