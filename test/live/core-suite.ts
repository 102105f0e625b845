import type { ChatMessage, ErrorReply, PinView, RoomEvent, RoomState } from '../../src/room/protocol';
import { pinView, publishToRoom } from '../support/room';
import { linkStreamer } from '../support/shop';
import { createStream, endStream } from '../support/streams';
import { bearer, type TestUser, useTestApp } from '../support/test-app';
import { ask, join, LiveClients, next, record } from '../support/live-client';
import { eventually, sleep } from '../support/wait';

/**
 * The core events of the live room, run against both the Redis path (default)
 * and the in-process path ({ redis: false }), which differ in pub/sub, state
 * store and socket.io adapter.
 */
export function liveRoomCoreSuite(opts: { redis: boolean }): void {
  const t = useTestApp({ redis: opts.redis, env: { LIVE_STATS_FLUSH_MS: '200' } });
  let streamer: TestUser;
  let merchant: TestUser;
  let viewer: TestUser;
  let streamId: string;
  const clients = new LiveClients();
  const open = (token?: string) => clients.connect(t.baseUrl, token);
  const publish = (ev: RoomEvent) => publishToRoom(t, streamId, ev);
  const newStream = async () =>
    (await createStream(t, streamer, { title: 'Live room test', merchantId: merchant.id })).id;

  beforeAll(async () => {
    streamer = await t.user('streamer');
    merchant = await t.user('merchant');
    viewer = await t.user('viewer', 'Ada Lovelace');
    // The merchant lets the streamer sell its products.
    await linkStreamer(t, merchant, streamer);
  });
  beforeEach(async () => {
    streamId = await newStream();
  });
  afterEach(() => clients.disconnectAll());

  it('answers join with the room state: status, viewers, pin, last messages and likes', async () => {
    const s = await open();
    const state = await join(s, streamId, { deviceId: 'device-aaaa-1' });
    expect(state).toEqual<RoomState>({
      streamId,
      status: 'created',
      reconnectUntil: null,
      final: null,
      viewers: 1,
      pinned: null,
      messages: [],
      likes: 0,
      staff: false,
      slowModeSeconds: 0,
    });
  });

  it('returns at most the last 50 messages, oldest first, in room:state', async () => {
    const chatter = await open(viewer.token);
    await join(chatter, streamId);
    // 55 rows straight into the table: the rate limit is not what this checks.
    await t.sql(
      `INSERT INTO chat_messages (id, stream_id, user_id, user_name, text)
       SELECT gen_random_uuid(), $1, $2, 'Ada', 'line ' || g FROM generate_series(1, 55) g`,
      [streamId, viewer.id],
    );
    const other = await newStream(); // a room that was never opened loads from Postgres
    await t.sql(`UPDATE chat_messages SET stream_id = $1 WHERE stream_id = $2`, [other, streamId]);
    const state = await join(await open(), other);
    expect(state.messages).toHaveLength(50);
    expect(state.messages[0].text).toBe('line 6');
    expect(state.messages[49].text).toBe('line 55');
  });

  it('delivers a chat message to everyone in the room and acks the sender with it', async () => {
    const sender = await open(viewer.token);
    const watcher = await open();
    await join(sender, streamId);
    await join(watcher, streamId, { deviceId: 'device-bbbb-1' });
    const seen = next<ChatMessage>(watcher, 'chat:message');
    const ack = await ask<{ ok: true; message: ChatMessage }>(sender, 'chat:send', {
      text: '  hello\u0007 room  ',
    });
    expect(ack).toEqual({
      ok: true,
      message: {
        id: expect.any(String),
        user: { id: viewer.id, name: 'Ada Lovelace' },
        text: 'hello room',
        at: expect.any(String),
      },
    });
    expect(await seen).toEqual(ack.message);
    const [row] = await t.sql<{ text: string }>(`SELECT text FROM chat_messages WHERE id = $1`, [
      ack.message.id,
    ]);
    expect(row.text).toBe('hello room');
    // A later joiner sees it in room:state.
    const late = await join(await open(), streamId);
    expect(late.messages.map((m) => m.id)).toEqual([ack.message.id]);
  });

  it('does not deliver messages of other rooms, nor after leave', async () => {
    const sender = await open(viewer.token);
    const watcher = await open();
    const otherStream = await newStream();
    await join(sender, streamId);
    await join(watcher, otherStream);
    const got = record(watcher, 'chat:message');
    await ask(sender, 'chat:send', { text: 'not for you' });
    await join(watcher, streamId);
    expect(await ask(watcher, 'leave')).toEqual({ ok: true });
    await ask(sender, 'chat:send', { text: 'after leave' });
    await sleep(300);
    expect(got).toEqual([]);
  });

  it('sums reactions into a few events and keeps the like total', async () => {
    const clicker = await open();
    const watcher = await open();
    await join(clicker, streamId, { deviceId: 'device-click-1' });
    await join(watcher, streamId, { deviceId: 'device-watch-1' });
    const events = record<{ counts: Record<string, number> }>(watcher, 'reactions');
    const acks = [];
    for (let i = 0; i < 30; i++)
      acks.push(ask(clicker, 'reaction:send', { kind: i % 3 === 0 ? 'fire' : 'like' }));
    expect(await Promise.all(acks)).toEqual(Array(30).fill({ ok: true }));
    await eventually(
      () => events.reduce((n, e) => n + (e.counts.like ?? 0) + (e.counts.fire ?? 0), 0) === 30,
    );
    // 30 clicks arrived within a few windows: far fewer events than clicks.
    expect(events.length).toBeLessThanOrEqual(4);
    expect(events.reduce((n, e) => n + (e.counts.like ?? 0), 0)).toBe(20);
    const state = await join(await open(), streamId);
    expect(state.likes).toBe(20);
  });

  it('refuses an unknown reaction kind through the ack, naming the field', async () => {
    const s = await open();
    await join(s, streamId);
    const res = await ask<ErrorReply>(s, 'reaction:send', { kind: 'poop' });
    expect(res.error.code).toBe('validation_failed');
    expect(res.error.message).toMatch(/^The reaction must be one of like, /);
  });

  it('counts unique viewers: one per user or device, not per tab', async () => {
    const first = await open(viewer.token);
    await join(first, streamId);
    await join(await open(viewer.token), streamId); // second tab, same user
    await join(await open(), streamId, { deviceId: 'device-tabs-1' });
    const state = await join(await open(), streamId, { deviceId: 'device-tabs-1' }); // same device
    expect(state.viewers).toBe(2);
    // The streamer in the studio is not a viewer.
    const studio = await open(streamer.token);
    const studioState = await join(studio, streamId);
    expect(studioState.viewers).toBe(2);
    expect(studioState.staff).toBe(true);
    const update = next<{ count: number }>(studio, 'viewers', (p) => p.count === 3);
    await join(await open(), streamId, { deviceId: 'device-tabs-2' });
    expect(await update).toEqual({ count: 3 });
  });

  it('sends the viewer count at most once a second, coalescing a burst of joins', async () => {
    const watcher = await open();
    await join(watcher, streamId, { deviceId: 'device-coal-0' });
    const counts = record<{ count: number }>(watcher, 'viewers');
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) =>
        join(await open(), streamId, { deviceId: `device-coal-${i + 1}` }),
      ),
    );
    await eventually(() => counts.at(-1)?.count === 9, 4000, 'count 9');
    expect(counts.length).toBeLessThanOrEqual(2);
  });

  it('drops a viewer from the count when their last tab leaves', async () => {
    const watcher = await open();
    const counts = record<{ count: number }>(watcher, 'viewers');
    await join(watcher, streamId, { deviceId: 'device-left-0' });
    const a = await open(viewer.token);
    const b = await open(viewer.token);
    await join(a, streamId);
    await join(b, streamId);
    await eventually(() => counts.at(-1)?.count === 2, 4000, 'count 2');
    a.disconnect(); // one of two tabs: still a viewer
    await join(await open(), streamId, { deviceId: 'device-left-9' });
    await eventually(() => counts.at(-1)?.count === 3, 4000, 'count 3');
    b.disconnect();
    await eventually(() => counts.at(-1)?.count === 2, 4000, 'count back to 2');
  });

  it('records the peak and the unique total of viewers in stream_stats', async () => {
    const a = await open();
    const b = await open();
    await join(a, streamId, { deviceId: 'device-stat-a' });
    await join(b, streamId, { deviceId: 'device-stat-b' });
    b.disconnect();
    await join(await open(), streamId, { deviceId: 'device-stat-c' });
    await eventually(
      async () => {
        const rows = await t.sql<{ peak_viewers: number; unique_viewers: number }>(
          `SELECT peak_viewers, unique_viewers FROM stream_stats WHERE stream_id = $1`,
          [streamId],
        );
        return rows[0]?.peak_viewers === 2 && rows[0]?.unique_viewers === 3;
      },
      5000,
      'peak 2, unique 3',
    );
  });

  it('relays pin, stock, order and status events published on the room channel', async () => {
    const watcher = await open();
    await join(watcher, streamId, { deviceId: 'device-pins-1' });
    const pin = pinView(streamId, {
      title: 'Aurora X',
      currency: 'USD',
      priceCents: 69900,
      salePriceCents: 59900,
      remaining: 10,
      saleStock: 10,
      perBuyerLimit: 1,
    });
    const pinned = next(watcher, 'product:pinned');
    await publish({ event: 'product:pinned', data: { pin } });
    expect(await pinned).toEqual({ pin });
    const stock = next(watcher, 'stock');
    await publish({ event: 'stock', data: { productId: pin.productId, remaining: 7 } });
    expect(await stock).toEqual({ productId: pin.productId, remaining: 7 });
    // A later joiner gets the pin with the current stock.
    expect((await join(await open(), streamId)).pinned).toEqual({ ...pin, remaining: 7 });
    const order = next(watcher, 'order:placed');
    await publish({ event: 'order:placed', data: { buyer: 'Ada', productTitle: 'Aurora X' } });
    expect(await order).toEqual({ buyer: 'Ada', productTitle: 'Aurora X' });
    const unpinned = next(watcher, 'product:unpinned');
    await publish({ event: 'product:unpinned', data: { pinId: pin.pinId } });
    expect(await unpinned).toEqual({ pinId: pin.pinId });
    expect((await join(await open(), streamId)).pinned).toBeNull();
  });

  it('shows a product pinned through the pins route to the room and to later joiners', async () => {
    const watcher = await open();
    await join(watcher, streamId, { deviceId: 'device-route-1' });
    const product = await t.http
      .post('/api/products')
      .set(bearer(merchant))
      .send({ title: 'Routed', priceCents: 2500, currency: 'USD', stock: 9 })
      .expect(201);
    const pinned = next<{ pin: PinView }>(watcher, 'product:pinned');
    const res = await t.http
      .post(`/api/streams/${streamId}/pins`)
      .set(bearer(streamer))
      .send({ productId: product.body.id, salePriceCents: 1999, saleStock: 5 })
      .expect(201);
    const { pin } = await pinned;
    expect(pin).toMatchObject({ pinId: res.body.pinId, title: 'Routed', salePriceCents: 1999, remaining: 5 });
    expect((await join(await open(), streamId)).pinned).toMatchObject({ pinId: res.body.pinId });
  });

  it('sends staff-only events to the owner and merchant, not to viewers', async () => {
    const owner = await open(streamer.token);
    const shop = await open(merchant.token);
    const watcher = await open(viewer.token);
    expect((await join(owner, streamId)).staff).toBe(true);
    expect((await join(shop, streamId)).staff).toBe(true);
    expect((await join(watcher, streamId)).staff).toBe(false);
    const leaked = record(watcher, 'gmv:update');
    const a = next(owner, 'gmv:update');
    const b = next(shop, 'gmv:update');
    await publish({
      event: 'gmv:update',
      data: { currency: 'USD', gmvCents: 59900, orders: 1 },
      staffOnly: true,
    });
    expect(await a).toEqual({ currency: 'USD', gmvCents: 59900, orders: 1 });
    expect(await b).toEqual({ currency: 'USD', gmvCents: 59900, orders: 1 });
    await sleep(200);
    expect(leaked).toEqual([]);
  });

  it('announces the end of the stream and closes its chat', async () => {
    const chatter = await open(viewer.token);
    await join(chatter, streamId);
    const status = next(chatter, 'stream:status');
    await endStream(t, streamer, streamId);
    expect(await status).toEqual({ status: 'ended' });
    const res = await ask<ErrorReply>(chatter, 'chat:send', { text: 'anyone?' });
    expect(res.error.code).toBe('stream_ended');
    expect((await join(await open(), streamId)).status).toBe('ended');
  });
}
