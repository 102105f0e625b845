import { bearer, useTestApp } from '../support/test-app';
import { listenToRoom } from '../support/room';
import { createProduct, createShop, pin, Shop } from '../support/shop';
import { createStream, endStream } from '../support/streams';
import { eventually } from '../support/wait';

describe('product pins', () => {
  const t = useTestApp();
  let shop: Shop;
  beforeAll(async () => {
    shop = await createShop(t, { stock: 10, title: 'First' });
  });

  const pinAs = (token: string, body: Record<string, unknown>, streamId = shop.streamId) =>
    t.http.post(`/api/streams/${streamId}/pins`).set('Authorization', `Bearer ${token}`).send(body);

  it('lets the stream owner and its merchant pin, and refuses everyone else', async () => {
    await pinAs(shop.streamer.token, { productId: shop.productId }).expect(201);
    await pinAs(shop.merchant.token, { productId: shop.productId }).expect(201);
    const otherStreamer = await t.user('streamer');
    const otherMerchant = await t.user('merchant');
    const viewer = await t.user('viewer');
    const r1 = await pinAs(otherStreamer.token, { productId: shop.productId }).expect(403);
    expect(r1.body.error.code).toBe('forbidden');
    await pinAs(otherMerchant.token, { productId: shop.productId }).expect(403);
    await pinAs(viewer.token, { productId: shop.productId }).expect(403);
    await t.http.post(`/api/streams/${shop.streamId}/pins`).send({ productId: shop.productId }).expect(401);
    const current = (
      await t.sql<{ id: string }>('SELECT id FROM pins WHERE stream_id = $1 AND unpinned_at IS NULL', [
        shop.streamId,
      ])
    )[0];
    await t.http
      .delete(`/api/streams/${shop.streamId}/pins/${current.id}`)
      .set(bearer(otherStreamer))
      .expect(403);
    await t.http.delete(`/api/streams/${shop.streamId}/pins/${current.id}`).set(bearer(viewer)).expect(403);
    const admin = await t.user('admin');
    await pinAs(admin.token, { productId: shop.productId }).expect(201);
  });

  it('keeps one pinned product per stream: pinning another ends the previous', async () => {
    const second = await createProduct(t, shop.merchant, { title: 'Second', stock: 4 });
    const room = await listenToRoom(t, shop.streamId);
    const a = await pin(t, shop);
    const b = await pin(t, { ...shop, productId: second });
    const rows = await t.sql<{ id: string; unpinned_at: Date | null }>(
      'SELECT id, unpinned_at FROM pins WHERE stream_id = $1 AND unpinned_at IS NULL',
      [shop.streamId],
    );
    expect(rows.map((r) => r.id)).toEqual([b.pinId]);
    await eventually(() => room.events.filter((e) => e.event === 'product:pinned').length >= 2);
    const names = room.events.map((e) => e.event);
    expect(names).toEqual(['product:unpinned', 'product:pinned', 'product:unpinned', 'product:pinned']);
    expect(room.events[2]).toEqual({ event: 'product:unpinned', data: { pinId: a.pinId } });
    expect(room.events[3]).toMatchObject({
      event: 'product:pinned',
      data: { pin: { pinId: b.pinId, title: 'Second', remaining: 4, salePriceCents: null } },
    });
    await room.stop();
  });

  it('unpins on request, harmlessly twice, and announces it once', async () => {
    const p = await pin(t, shop);
    const room = await listenToRoom(t, shop.streamId);
    const path = `/api/streams/${shop.streamId}/pins/${p.pinId}`;
    const first = await t.http.delete(path).set(bearer(shop.merchant)).expect(200);
    expect(first.body.unpinnedAt).toEqual(expect.any(String));
    await t.http.delete(path).set(bearer(shop.streamer)).expect(200);
    await eventually(() => room.events.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(room.events).toEqual([{ event: 'product:unpinned', data: { pinId: p.pinId } }]);
    await room.stop();
    await t.http
      .delete(`/api/streams/${shop.streamId}/pins/5b0f7f0e-1111-4222-8333-444455556666`)
      .set(bearer(shop.streamer))
      .expect(404);
  });

  it("lists the stream's pins as chapters for anyone", async () => {
    const s = await createShop(t, { stock: 5 });
    const a = await pin(t, s);
    const b = await pin(t, s, { salePriceCents: 100, saleStock: 2 });
    const res = await t.http.get(`/api/streams/${s.streamId}/pins`).expect(200);
    expect(res.body.items.map((p: { pinId: string }) => p.pinId)).toEqual([a.pinId, b.pinId]);
    const [first, second] = res.body.items;
    expect(first.unpinnedAt).toEqual(expect.any(String));
    expect(first.startOffsetMs).toBeGreaterThanOrEqual(90_000);
    expect(first.endOffsetMs).toBeGreaterThanOrEqual(first.startOffsetMs);
    expect(second).toMatchObject({
      unpinnedAt: null,
      endOffsetMs: null,
      configuredSalePriceCents: 100,
      perBuyerLimit: 1,
    });
    await t.http.get('/api/streams/5b0f7f0e-1111-4222-8333-444455556666/pins').expect(404);
  });

  it('refuses bad pins with 4xx naming the field or the product', async () => {
    const tok = shop.streamer.token;
    const other = await createShop(t, { stock: 5, title: 'Foreign' });
    const foreign = await pinAs(tok, { productId: other.productId }).expect(422);
    expect(foreign.body.error.message).toContain('"Foreign"');
    const ghost = await pinAs(tok, { productId: '5b0f7f0e-1111-4222-8333-444455556666' }).expect(422);
    expect(ghost.body.error.code).toBe('unknown_product');
    await pinAs(tok, { productId: 'x' }).expect(400);
    const high = await pinAs(tok, { productId: shop.productId, salePriceCents: 10_000_000 }).expect(422);
    expect(high.body.error.code).toBe('sale_price_too_high');
    const many = await pinAs(tok, { productId: shop.productId, salePriceCents: 1, saleStock: 1000 }).expect(
      422,
    );
    expect(many.body.error.message).toContain('"First"');
    const past = await pinAs(tok, {
      productId: shop.productId,
      salePriceCents: 1,
      endsAt: new Date(Date.now() - 1000).toISOString(),
    }).expect(400);
    // A sentence for people; the field for forms.
    expect(JSON.stringify(past.body.error)).toContain('endsAt');
    await pinAs(tok, { productId: shop.productId, saleStock: 3 }).expect(400);
    await pinAs(tok, { productId: shop.productId, salePriceCents: -1 }).expect(400);
    await pinAs(tok, { productId: shop.productId, endsAt: 'tomorrow', salePriceCents: 1 }).expect(400);
  });

  it('closes the last chapter when the stream ends', async () => {
    const s = await createShop(t, { stock: 3 });
    const p = await pin(t, s);
    const room = await listenToRoom(t, s.streamId);
    await endStream(t, s.streamer, s.streamId);
    await eventually(async () => {
      const res = await t.http.get(`/api/streams/${s.streamId}/pins`).expect(200);
      return res.body.items[0].unpinnedAt !== null;
    });
    await eventually(() => room.events.some((e) => e.event === 'product:unpinned'));
    expect(room.events).toContainEqual({ event: 'product:unpinned', data: { pinId: p.pinId } });
    await room.stop();
  });

  it('refuses pins on a stream without a shop, and on an ended stream', async () => {
    const streamer = await t.user('streamer');
    const s = await createStream(t, streamer, { title: 'Just talking' });
    const r = await pinAs(streamer.token, { productId: shop.productId }, s.id).expect(409);
    expect(r.body.error.code).toBe('stream_has_no_shop');
    const ended = await createShop(t, { stock: 3 });
    await endStream(t, ended.streamer, ended.streamId);
    await pinAs(ended.streamer.token, { productId: ended.productId }, ended.streamId).expect(409);
  });
});

describe('merchant ↔ streamer links', () => {
  const t = useTestApp();

  // Links are made by invitation and consent now: test/shop/invitations.e2e-spec.ts.
  it('no longer links a streamer without their consent', async () => {
    const merchant = await t.user('merchant');
    const streamer = await t.user('streamer');
    await t.http
      .post('/api/merchant/streamers')
      .set(bearer(merchant))
      .send({ streamerId: streamer.id })
      .expect(404);
    const mine = await t.http.get('/api/streamer/merchants').set(bearer(streamer)).expect(200);
    expect(mine.body.items).toEqual([]);
  });
});
