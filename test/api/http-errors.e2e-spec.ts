import { bearer, TestUser, useTestApp } from '../support/test-app';

/** Bad input gets a 4xx with the stable error shape, never a 500. */
describe('bad requests', () => {
  const t = useTestApp();
  let merchant: TestUser;
  beforeAll(async () => {
    merchant = await t.user('merchant');
  });

  const shape = { error: { code: expect.any(String), message: expect.any(String) } };

  it('malformed JSON → 400', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(shape);
  });

  it('a body over 1 MB → 413', async () => {
    const res = await t.http
      .post('/api/products')
      .set(bearer(merchant))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('unknown fields → 400 naming the field', async () => {
    const res = await t.http
      .post('/api/products')
      .set(bearer(merchant))
      .send({ title: 'T', priceCents: 100, currency: 'USD', stock: 1, isAdmin: true })
      .expect(400);
    expect(res.body.error.message).toContain('“isAdmin” is not something this request accepts');
  });

  it('wrong types → 400, not 500', async () => {
    for (const body of [
      { title: 'T', priceCents: '100', currency: 'USD', stock: 1 },
      { title: 'T', priceCents: 1.5, currency: 'USD', stock: 1 },
      { title: 'T', priceCents: 100, currency: 'dollars', stock: 1 },
      { title: 'T', priceCents: 100, currency: 'USD', stock: -1 },
      { title: ['T'], priceCents: 100, currency: 'USD', stock: 1 },
      [],
      'null',
    ]) {
      const res = await t.http
        .post('/api/products')
        .set(bearer(merchant))
        .send(body as object);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toMatchObject(shape);
    }
  });

  it('a malformed id → 400, an unknown id → 404', async () => {
    expect((await t.http.get('/api/products/not-a-uuid')).status).toBe(400);
    const res = await t.http.get('/api/products/00000000-0000-4000-8000-000000000000').expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('an unknown route → 404 with the same shape', async () => {
    const res = await t.http.get('/api/nope').expect(404);
    expect(res.body).toMatchObject(shape);
  });

  it('bad query parameters → 400', async () => {
    await t.http.get('/api/products?limit=0').expect(400);
    await t.http.get('/api/products?limit=abc').expect(400);
    await t.http.get('/api/streams?status=paused').expect(400);
  });
});
