import { linkStreamer } from '../support/shop';
import { createStream, endStream } from '../support/streams';
import { bearer, TestUser, useTestApp } from '../support/test-app';

describe('catalog and streams', () => {
  const t = useTestApp();
  let merchant: TestUser;
  let streamer: TestUser;
  beforeAll(async () => {
    merchant = await t.user('merchant');
    streamer = await t.user('streamer');
  });

  const product = { title: 'Aurora X', priceCents: 69900, currency: 'usd', stock: 10, sku: 'AX-1' };

  it('lets a merchant create and edit products that anyone can read', async () => {
    const created = await t.http.post('/api/products').set(bearer(merchant)).send(product).expect(201);
    expect(created.body).toMatchObject({
      title: 'Aurora X',
      currency: 'USD',
      priceCents: 69900,
      merchantId: merchant.id,
    });
    const patched = await t.http
      .patch(`/api/products/${created.body.id}`)
      .set(bearer(merchant))
      .send({ stock: 25 })
      .expect(200);
    expect(patched.body.stock).toBe(25);
    const read = await t.http.get(`/api/products/${created.body.id}`).expect(200);
    expect(read.body.stock).toBe(25);
    const list = await t.http.get(`/api/products?merchantId=${merchant.id}`).expect(200);
    expect(list.body.total).toBe(1);
  });

  it('adjusts stock atomically with stockDelta, never below zero', async () => {
    const auth = `Bearer ${merchant.token}`;
    const created = await t.http
      .post('/api/products')
      .set('Authorization', auth)
      .send({ ...product, sku: 'AX-DELTA', stock: 10 })
      .expect(201);
    const url = `/api/products/${created.body.id}`;
    // 20 concurrent restocks of +5 and 10 of -1: every change counts (no lost update).
    await Promise.all([
      ...Array.from({ length: 20 }, () =>
        t.http.patch(url).set('Authorization', auth).send({ stockDelta: 5 }).expect(200),
      ),
      ...Array.from({ length: 10 }, () =>
        t.http.patch(url).set('Authorization', auth).send({ stockDelta: -1 }).expect(200),
      ),
    ]);
    expect((await t.http.get(url).expect(200)).body.stock).toBe(10 + 100 - 10);
    const tooMuch = await t.http.patch(url).set('Authorization', auth).send({ stockDelta: -101 }).expect(409);
    expect(tooMuch.body.error).toMatchObject({ code: 'stock_out_of_range' });
    expect(tooMuch.body.error.message).toMatch(/100 now/);
    expect((await t.http.get(url).expect(200)).body.stock).toBe(100);
    const both = await t.http
      .patch(url)
      .set('Authorization', auth)
      .send({ stock: 5, stockDelta: 1 })
      .expect(400);
    expect(both.body.error.message).toMatch(/not both/);
    await t.http.patch(url).set('Authorization', auth).send({ stockDelta: 1.5 }).expect(400);
    // Only the owner adjusts.
    const other = await t.user('merchant');
    await t.http.patch(url).set(bearer(other)).send({ stockDelta: 1 }).expect(403);
    expect((await t.http.get(url).expect(200)).body.stock).toBe(100);
  });

  it("refuses edits of another merchant's product with 403", async () => {
    const other = await t.user('merchant');
    const created = await t.http
      .post('/api/products')
      .set(bearer(merchant))
      .send({ ...product, sku: 'AX-2' })
      .expect(201);
    await t.http
      .patch(`/api/products/${created.body.id}`)
      .set(bearer(other))
      .send({ priceCents: 1 })
      .expect(403);
  });

  it('refuses a duplicate SKU within one shop', async () => {
    await t.http
      .post('/api/products')
      .set(bearer(merchant))
      .send({ ...product, sku: 'DUP' })
      .expect(201);
    const res = await t.http
      .post('/api/products')
      .set(bearer(merchant))
      .send({ ...product, sku: 'DUP' })
      .expect(409);
    expect(res.body.error.code).toBe('sku_taken');
  });

  it('creates a stream whose key is shown once, stored hashed, and never listed', async () => {
    await linkStreamer(t, merchant, streamer);
    const created = await createStream(t, streamer, { title: 'Friday drop', merchantId: merchant.id });
    expect(created).toMatchObject({ title: 'Friday drop', status: 'created', merchantId: merchant.id });
    expect(created.streamKey).toMatch(/^sk_live_/);
    expect(created.whipUrl).toMatch(new RegExp(`/whip/${created.id}$`));
    expect(created.whepUrl).toMatch(new RegExp(`/whep/${created.id}$`));
    expect(created.hlsUrl).toMatch(new RegExp(`/hls/${created.id}/master.m3u8$`));

    const [row] = await t.sql<{ stream_key_hash: string }>(
      'SELECT stream_key_hash FROM streams WHERE id = $1',
      [created.id],
    );
    expect(row.stream_key_hash).not.toContain(created.streamKey);

    const one = await t.http.get(`/api/streams/${created.id}`).expect(200);
    expect(JSON.stringify(one.body)).not.toContain('sk_live_');
    expect(one.body).not.toHaveProperty('streamKey');
    const all = await t.http.get('/api/streams').expect(200);
    expect(JSON.stringify(all.body)).not.toContain('sk_live_');
  });

  it('refuses a stream for a merchant that has not linked the streamer', async () => {
    const other = await t.user('merchant');
    const res = await t.http
      .post('/api/streams')
      .set(bearer(streamer))
      .send({ title: 'Not my shop', merchantId: other.id })
      .expect(403);
    expect(res.body.error.message).toContain('has not invited you');
  });

  it('refuses a stream for a merchant id that is not a merchant', async () => {
    await t.http
      .post('/api/streams')
      .set(bearer(streamer))
      .send({ title: 'x', merchantId: streamer.id })
      .expect(400);
  });

  it('lets only the owner end a stream, and ending twice is harmless', async () => {
    const s = await createStream(t, streamer, { title: 'End me' });
    const other = await t.user('streamer');
    await t.http.post(`/api/streams/${s.id}/end`).set(bearer(other)).expect(403);
    const ended = await t.http.post(`/api/streams/${s.id}/end`).set(bearer(streamer)).expect(200);
    expect(ended.body.status).toBe('ended');
    expect(ended.body.endedAt).toEqual(expect.any(String));
    await endStream(t, streamer, s.id);
    const live = await t.http.get('/api/streams?status=ended').expect(200);
    expect(live.body.items.map((x: { id: string }) => x.id)).toContain(s.id);
  });

  it('rotates the stream key', async () => {
    const s = await createStream(t, streamer, { title: 'Rotate' });
    const r = await t.http.post(`/api/streams/${s.id}/key`).set(bearer(streamer)).expect(200);
    expect(r.body.streamKey).toMatch(/^sk_live_/);
    expect(r.body.streamKey).not.toBe(s.streamKey);
  });
});
