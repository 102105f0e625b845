import type { ChatMessage } from '../../src/room/protocol';
import { createStream } from '../support/streams';
import { bearer, type TestUser, useTestApp } from '../support/test-app';
import { ask, join, type LiveClient, LiveClients } from '../support/live-client';
import { eventually, sleep } from '../support/wait';

/**
 * Big rooms get chat in batches; here every room counts as big (LIVE_CHAT_BATCH_MIN_VIEWERS=1)
 * and is written in chunks of two sockets (LIVE_FANOUT_CHUNK=2), so frames go out in chunks
 * through RoomEmitter, as in a room of thousands.
 */
describe('chat batching in big rooms', () => {
  const t = useTestApp({
    redis: false,
    env: { LIVE_CHAT_BATCH_MIN_VIEWERS: '1', LIVE_CHAT_BATCH_MS: '200', LIVE_FANOUT_CHUNK: '2' },
  });
  let streamer: TestUser;
  let streamId: string;
  const clients = new LiveClients();
  const open = (token?: string) => clients.connect(t.baseUrl, token);
  /** Every line a socket receives, in order, and how many frames carried them. */
  const lines = (s: LiveClient) => {
    const got = { texts: [] as string[], frames: 0, events: [] as string[] };
    s.on('chat:message', (m: ChatMessage) => {
      got.frames++;
      got.events.push('chat:message');
      got.texts.push(m.text);
    });
    s.on('chat:messages', ({ messages }: { messages: ChatMessage[] }) => {
      got.frames++;
      got.events.push('chat:messages');
      got.texts.push(...messages.map((m) => m.text));
    });
    s.on('chat:deleted', ({ id }: { id: string }) => got.events.push(`deleted ${id}`));
    return got;
  };

  beforeAll(async () => {
    streamer = await t.user('streamer');
  });
  beforeEach(async () => {
    streamId = (await createStream(t, streamer, { title: 'Big room' })).id;
  });
  afterEach(() => clients.disconnectAll());

  it('sends the first line at once and the lines of a window together, in order', async () => {
    const sender = await open((await t.user('viewer')).token);
    const watcher = await open();
    await join(sender, streamId);
    await join(watcher, streamId);
    const got = lines(watcher);
    for (const text of ['one', 'two', 'three', 'four', 'five']) await ask(sender, 'chat:send', { text });
    await eventually(() => got.texts.length === 5);
    expect(got.texts).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(got.events[0]).toBe('chat:message');
    expect(got.events).toContain('chat:messages');
    expect(got.frames).toBeLessThan(5);
  });

  it('gives a socket that joins mid-window every line exactly once (room:state or frames)', async () => {
    const sender = await open((await t.user('viewer')).token);
    await join(sender, streamId);
    // Joiners arrive while the window holding "second" is open.
    const joiners = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => open()));
    await ask(sender, 'chat:send', { text: 'first' }); // leading edge: opens the windows
    await ask(sender, 'chat:send', { text: 'second' }); // owed by every group for a while
    const seen = await Promise.all(
      joiners.map(async (s) => {
        const got = lines(s);
        const state = await join(s, streamId);
        return { got, fromState: state.messages.map((m) => m.text) };
      }),
    );
    await ask(sender, 'chat:send', { text: 'third' });
    for (const { got, fromState } of seen) {
      await eventually(() => got.texts.includes('third'));
      await sleep(250); // one more window: nothing further may arrive
      expect([...fromState, ...got.texts]).toEqual(['first', 'second', 'third']);
    }
  });

  it('never delivers a deletion before the line it deletes', async () => {
    const user = await t.user('viewer');
    const sender = await open(user.token);
    const watcher = await open();
    await join(sender, streamId);
    await join(watcher, streamId);
    const got = lines(watcher);
    await ask(sender, 'chat:send', { text: 'opens the window' });
    const { message } = await ask<{ message: ChatMessage }>(sender, 'chat:send', { text: 'regret' });
    await t.http
      .post(`/api/streams/${streamId}/moderation`)
      .set(bearer(streamer))
      .send({ action: 'delete', messageId: message.id })
      .expect(200);
    await eventually(() => got.events.includes(`deleted ${message.id}`));
    expect(got.texts).toEqual(['opens the window', 'regret']);
    expect(got.events.at(-1)).toBe(`deleted ${message.id}`);
  });

  it('writes big-room frames straight to each websocket, and counts them in /metrics', async () => {
    const directWrites = async (): Promise<number> => {
      const res = await t.http.get('/metrics').expect(200);
      const m = /^livecart_live_socket_writes_total\{path="direct"\} (\d+)$/m.exec(res.text);
      return m ? Number(m[1]) : 0;
    };
    const before = await directWrites();
    const sender = await open((await t.user('viewer')).token);
    const watchers = await Promise.all([1, 2, 3, 4].map(() => open()));
    await join(sender, streamId);
    for (const w of watchers) await join(w, streamId);
    const got = watchers.map(lines);
    for (const text of ['a', 'b', 'c']) await ask(sender, 'chat:send', { text });
    await eventually(() => got.every((g) => g.texts.length === 3));
    for (const g of got) expect(g.texts).toEqual(['a', 'b', 'c']);
    // Five sockets in chunks of two: every frame of the room goes through FrameWriter, and all
    // of these clients are idle websockets, so each frame a watcher got was a direct write.
    const frames = got.reduce((n, g) => n + g.frames, 0);
    expect(frames).toBeGreaterThanOrEqual(8);
    expect(await directWrites()).toBeGreaterThanOrEqual(before + frames);
  });
});
