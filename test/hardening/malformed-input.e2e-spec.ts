import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestUser, useTestApp } from '../support/test-app';

/**
 * The probe's malformed inputs, each of which was a 500: every one is now a
 * 4xx with the error shape and a message naming what is wrong.
 */
describe('malformed input gets a 4xx with a message', () => {
  const t = useTestApp({ redis: false });
  let merchant: TestUser;
  let streamer: TestUser;
  let admin: TestUser;
  let productId: string;
  let stream: { id: string; streamKey: string };
  const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
  const shape = { error: { code: expect.any(String), message: expect.any(String) } };

  beforeAll(async () => {
    [merchant, streamer, admin] = await Promise.all([
      t.user('merchant'),
      t.user('streamer'),
      t.user('admin'),
    ]);
    productId = (
      await t.http
        .post('/api/products')
        .set(auth(merchant))
        .send({ title: 'Phone', priceCents: 100, currency: 'EUR', stock: 5 })
        .expect(201)
    ).body.id;
    stream = (await t.http.post('/api/streams').set(auth(streamer)).send({ title: 'S' }).expect(201)).body;
  });

  /**
   * A 4xx with a message; `message` must match it, and a field's name (people
   * read sentences, not field names) must be among the fields `details` names.
   */
  const expect4xx = (res: { status: number; body: unknown }, message?: RegExp, field?: string) => {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject(shape);
    const error = (res.body as { error: { message: string; details?: { fields?: { field: string }[] } } })
      .error;
    if (message) expect(error.message).toMatch(message);
    if (field) expect(error.details?.fields?.map((f) => f.field)).toContain(field);
  };

  it('NUL characters in strings', async () => {
    expect4xx(
      await t.http.post('/api/auth/login').send({ email: 'a\u0000b@x.io', password: 'password-123' }),
      /NUL/,
    );
    expect4xx(
      await t.http
        .post('/api/auth/register')
        .send({ email: 'n@x.io', password: 'password-123', name: 'A\u0000' }),
      /NUL/,
    );
    expect4xx(
      await t.http
        .post('/api/products')
        .set(auth(merchant))
        .send({ title: 'T\u0000', priceCents: 1, currency: 'EUR', stock: 1 }),
      /NUL/,
    );
    expect4xx(await t.http.get('/api/products?merchantId=a%00b'), /NUL/);
  });

  it.each([
    '/api/products',
    '/api/streams',
    '/api/orders',
    '/api/merchant/orders',
    '/api/merchant/webhooks/00000000-0000-4000-8000-000000000000/deliveries',
  ])('huge or non-integer offset and limit on %s', async (list) => {
    for (const q of ['offset=9223372036854775808', 'offset=1e20', 'offset=1.5', 'limit=1e2', 'limit=-1']) {
      const res = await t.http.get(`${list}?${q}`).set(auth(admin));
      expect4xx(res, /must be a whole number/);
    }
  });

  it('impossible dates and offsets in query strings', async () => {
    for (const before of ['2026-13-45T00:00Z', '2026-02-30T10:00:00Z', '2026-01-01T00:00:00+99:99']) {
      expect4xx(
        await t.http.get(`/api/streams/${stream.id}/chat?before=${encodeURIComponent(before)}`),
        /must be a message id \(uuid\) or an ISO 8601 time/,
        'before',
      );
    }
    expect4xx(
      await t.http.get('/api/reports/gmv?from=2026-13-45T00:00Z&to=2026-01-01T00:00Z').set(auth(merchant)),
      /from/,
    );
  });

  it('null in optional fields of bodies', async () => {
    // `description: null` clears the description (test/shop/nulls); these have no empty value.
    for (const field of ['title', 'priceCents', 'currency', 'stock', 'stockDelta']) {
      expect4xx(
        await t.http
          .patch(`/api/products/${productId}`)
          .set(auth(merchant))
          .send({ [field]: null }),
        undefined,
        field,
      );
    }
    // Fields whose null means "clear it" still take it.
    await t.http
      .patch(`/api/products/${productId}`)
      .set(auth(merchant))
      .send({ imageUrl: null, sku: null })
      .expect(200);
    for (const field of ['salePriceCents', 'saleStock', 'endsAt', 'perBuyerLimit']) {
      expect4xx(
        await t.http
          .post(`/api/streams/${stream.id}/pins`)
          .set(auth(streamer))
          .send({ productId, [field]: null }),
        undefined,
        field,
      );
    }
    expect4xx(
      await t.http.post('/api/merchant/invitations').set(auth(merchant)).send({ email: null }),
      undefined,
      'email',
    );
    expect4xx(await t.http.post('/api/streams').set(auth(streamer)).send({ title: 'x', merchantId: null }));
  });

  it('a WHIP offer with a=extmap:0', async () => {
    const sdp = fs
      .readFileSync(path.join(__dirname, '../../media/sdp/fixtures/chromium-publisher.sdp'), 'utf8')
      .replace(/a=extmap:\d+ /, 'a=extmap:0 ');
    const res = await t.http
      .post(`/whip/${stream.id}`)
      .set('Authorization', `Bearer ${stream.streamKey}`)
      .set('Content-Type', 'application/sdp')
      .send(sdp);
    expect4xx(res, /a=extmap:0 has an invalid id/);
    expect(res.status).toBe(400);
  });

  it('a wrong content type on WHIP and WHEP PATCH is 415, and trickle fragments of any size are 4xx', async () => {
    const session = `/whip/${stream.id}/sessions/00000000-0000-4000-8000-000000000000`;
    const json = await t.http.patch(session).set('Content-Type', 'application/json').send('{"malformed": ');
    expect(json.status).toBe(415);
    expect4xx(json, /trickle-ice-sdpfrag/);
    const whep = await t.http
      .patch(session.replace('/whip/', '/whep/'))
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(whep.status).toBe(415);
    for (const size of [0, 1, 16 * 1024, 100 * 1024, 2 * 1024 * 1024]) {
      const res = await t.http
        .patch(session)
        .set('Content-Type', 'application/trickle-ice-sdpfrag')
        .send('a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n'.repeat(Math.ceil(size / 44)).slice(0, size));
      expect4xx(res);
    }
  });

  it('display names lose control and bidi characters, as chat text does', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: 'bidi@x.io', password: 'password-123', name: '\u202eAna\u202c\u0007 ' })
      .expect(201);
    expect(res.body.user.name).toBe('Ana');
    expect4xx(
      await t.http
        .post('/api/auth/register')
        .send({ email: 'bidi2@x.io', password: 'password-123', name: '\u202e' }),
      /name/,
    );
  });
});
