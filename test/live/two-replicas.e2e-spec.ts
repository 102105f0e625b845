import { randomBytes } from 'node:crypto';
import { STATE_STORE } from '../../src/infra/infra.module';
import type { StateStore } from '../../src/infra/state-store';
import type { ChatMessage, ErrorReply } from '../../src/room/protocol';
import { pinView, publishToRoom } from '../support/room';
import { createStream } from '../support/streams';
import { bearer, startTestApp, type TestApp, type TestUser } from '../support/test-app';
import { ask, join, LiveClients, next, record } from '../support/live-client';
import { eventually } from '../support/wait';

/**
 * Two app processes' worth of app (two Nest apps, each with its own Redis
 * connections, socket.io server and memory) on one database and one Redis
 * prefix: what a viewer does on one must show on the other.
 */
describe('two replicas sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let streamer: TestUser;
  let streamId: string;
  const clients = new LiveClients();
  const open = (app: TestApp, token?: string) => clients.connect(app.baseUrl, token);

  beforeAll(async () => {
    const shared = {
      redisPrefix: `lct${randomBytes(4).toString('hex')}`,
      env: { JWT_SECRET: randomBytes(32).toString('hex'), LIVE_PRESENCE_PERIOD_MS: '1000' },
    };
    a = await startTestApp(shared);
    b = await startTestApp({ ...shared, databaseUrl: a.databaseUrl });
    streamer = await a.user('streamer');
  });
  beforeEach(async () => {
    streamId = (await createStream(a, streamer, { title: 'Across replicas' })).id;
  });
  afterEach(() => clients.disconnectAll());
  afterAll(async () => {
    await b?.close(); // b shares a's database: a drops it
    await a?.close();
  });

  it('delivers a message sent on one replica to viewers on both, once each', async () => {
    const user = await a.user('viewer');
    const sender = await open(a, user.token);
    const onA = await open(a);
    const onB = await open(b);
    await join(sender, streamId);
    await join(onA, streamId);
    await join(onB, streamId);
    const gotA = record<ChatMessage>(onA, 'chat:message');
    const gotB = record<ChatMessage>(onB, 'chat:message');
    const ack = (await ask<{ message: ChatMessage }>(sender, 'chat:send', { text: 'hello both' })).message;
    await eventually(() => gotA.length === 1 && gotB.length === 1);
    expect(gotB[0]).toEqual(ack);
    const back = await open(b, user.token);
    await join(back, streamId);
    const reply = next<ChatMessage>(onA, 'chat:message', (m) => m.text === 'from b');
    await ask(back, 'chat:send', { text: 'from b' });
    await reply;
    expect(gotA.map((m) => m.text)).toEqual(['hello both', 'from b']);
  });

  it('agrees on the viewer count, counting a user on both replicas once', async () => {
    const user = await a.user('viewer');
    const watchA = await open(a);
    const watchB = await open(b);
    const countsA = record<{ count: number }>(watchA, 'viewers');
    const countsB = record<{ count: number }>(watchB, 'viewers');
    await join(watchA, streamId, { deviceId: 'replica-dev-a' });
    await join(watchB, streamId, { deviceId: 'replica-dev-b' });
    const tab1 = await open(a, user.token);
    const tab2 = await open(b, user.token);
    await join(tab1, streamId);
    expect((await join(tab2, streamId)).viewers).toBe(3);
    await eventually(() => countsA.at(-1)?.count === 3 && countsB.at(-1)?.count === 3, 4000, 'both at 3');
    // The user closes the tab on A but is still watching on B: still 3 on both.
    tab1.disconnect();
    await join(await open(b), streamId, { deviceId: 'replica-dev-c' });
    await eventually(() => countsA.at(-1)?.count === 4 && countsB.at(-1)?.count === 4, 4000, 'both at 4');
  });

  it('shows a pin published on one replica to viewers on the other, and in room:state there', async () => {
    const onB = await open(b);
    await join(onB, streamId);
    const pin = pinView(streamId, { title: 'Shared pin', currency: 'EUR', priceCents: 1000, remaining: 3 });
    const got = next(onB, 'product:pinned');
    await publishToRoom(a, streamId, { event: 'product:pinned', data: { pin } });
    expect(await got).toEqual({ pin });
    expect((await join(await open(b), streamId)).pinned).toEqual(pin);
  });

  it('adds likes from both replicas into one total', async () => {
    const clickA = await open(a);
    const clickB = await open(b);
    await join(clickA, streamId, { deviceId: 'replica-like-a' });
    await join(clickB, streamId, { deviceId: 'replica-like-b' });
    const seenOnB = record<{ counts: Record<string, number> }>(clickB, 'reactions');
    for (let i = 0; i < 3; i++) await ask(clickA, 'reaction:send', { kind: 'like' });
    for (let i = 0; i < 2; i++) await ask(clickB, 'reaction:send', { kind: 'like' });
    await eventually(() => seenOnB.reduce((n, e) => n + (e.counts.like ?? 0), 0) === 5);
    expect((await join(await open(a), streamId)).likes).toBe(5);
    expect((await join(await open(b), streamId)).likes).toBe(5);
  });

  it('rate-limits a user across replicas and applies a mute made on one replica on the other', async () => {
    const user = await a.user('viewer');
    const onA = await open(a, user.token);
    const onB = await open(b, user.token);
    await join(onA, streamId);
    await join(onB, streamId);
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ask<object>(i % 2 ? onA : onB, 'chat:send', { text: `f${i}` })),
    );
    expect(replies.filter((r) => 'ok' in r)).toHaveLength(5);
    // Warm B's cache of this user's sanctions, then mute through A.
    await a.http
      .post(`/api/streams/${streamId}/moderation`)
      .set(bearer(streamer))
      .send({ action: 'mute', userId: user.id, minutes: 5 })
      .expect(200);
    await eventually(
      async () => {
        const r = await ask<ErrorReply | { ok: true }>(onB, 'chat:send', { text: 'muted?' });
        return 'error' in r && r.error.code === 'muted';
      },
      5000,
      'mute applied on b',
    );
  });

  it('ages out the viewers of a replica that stopped re-announcing them (a crash)', async () => {
    const watcher = await open(b);
    const counts = record<{ count: number }>(watcher, 'viewers');
    await join(watcher, streamId, { deviceId: 'replica-crash-w' });
    // A ghost viewer, announced by a replica for three periods (1 s each here), after which
    // that replica dies and stops re-announcing it.
    const period = Math.floor(Date.now() / 1000);
    const store = a.app.get<StateStore>(STATE_STORE);
    for (let p = period; p < period + 3; p++)
      await store.setAdd(`live:presence:${streamId}:${p}`, 'd:ghost', 6000);
    await eventually(() => counts.some((c) => c.count === 2), 5000, 'ghost counted');
    await eventually(() => counts.at(-1)?.count === 1, 10_000, 'ghost aged out');
  });
});
