import type { ChatMessage, ErrorReply } from '../../src/room/protocol';
import { createStream } from '../support/streams';
import { bearer, type TestUser, useTestApp } from '../support/test-app';
import { ask, connect, join, type LiveClient, LiveClients, next, record } from '../support/live-client';
import { eventually, sleep } from '../support/wait';

type SendReply = { ok: true; message: ChatMessage; hidden?: boolean } | ErrorReply;

describe('chat errors and moderation', () => {
  const t = useTestApp();
  let streamer: TestUser;
  let admin: TestUser;
  let streamId: string;
  const clients = new LiveClients();
  const open = (token?: string) => clients.connect(t.baseUrl, token);
  /** A fresh signed-in viewer in the room (fresh, so earlier tests do not spend their rate limit). */
  const chatter = async (name?: string) => {
    const user = await t.user('viewer', name);
    const socket = await open(user.token);
    await join(socket, streamId);
    return { user, socket };
  };
  const say = (s: LiveClient, text: unknown) => ask<SendReply>(s, 'chat:send', { text });
  /** The error a refused `join` acks with. */
  const joinError = async (s: LiveClient, body: unknown) => (await ask<ErrorReply>(s, 'join', body)).error;
  const moderate = (token: string | undefined, body: object, id = streamId) => {
    const req = t.http.post(`/api/streams/${id}/moderation`);
    if (token) void req.set('Authorization', `Bearer ${token}`);
    return req.send(body);
  };

  beforeAll(async () => {
    streamer = await t.user('streamer');
    admin = await t.user('admin');
  });
  beforeEach(async () => {
    streamId = (await createStream(t, streamer, { title: 'Moderated' })).id;
  });
  afterEach(() => clients.disconnectAll());

  describe('socket errors reach the ack', () => {
    it('refuses a connection with a bad token', async () => {
      await expect(connect(t.baseUrl, 'not-a-token')).rejects.toThrow(
        /^unauthorized: invalid or expired token$/,
      );
    });

    it('refuses chat from an anonymous socket', async () => {
      const s = await open();
      await join(s, streamId);
      expect(await say(s, 'hi')).toEqual({
        error: { code: 'unauthorized', message: 'Authentication required' },
      });
    });

    it('refuses chat before joining a room', async () => {
      const user = await t.user('viewer');
      const s = await open(user.token);
      expect(((await say(s, 'hi')) as ErrorReply).error.code).toBe('not_in_room');
    });

    it('validates join, naming the field', async () => {
      const s = await open();
      expect(await joinError(s, { streamId: 'nope' })).toMatchObject({
        code: 'validation_failed',
        message: 'That is not a valid stream id.',
      });
      expect(await joinError(s, { streamId, admin: true })).toMatchObject({
        code: 'validation_failed',
        message: '“admin” is not something this request accepts; leave it out.',
      });
      expect((await joinError(s, { streamId, deviceId: '<x>' })).message).toBe(
        'The device id must be 8 to 64 letters, digits, _ or -.',
      );
      expect((await joinError(s, '')).code).toBe('validation_failed');
    });

    it('answers not_found for a stream that does not exist', async () => {
      const s = await open();
      expect(await joinError(s, { streamId: '00000000-0000-4000-8000-000000000000' })).toEqual({
        code: 'not_found',
        message: 'Stream 00000000-0000-4000-8000-000000000000 not found',
        details: expect.any(Object),
      });
    });

    it('signs an anonymous socket in with a token sent in join, and refuses a bad one', async () => {
      const user = await t.user('viewer');
      const s = await open();
      expect((await joinError(s, { streamId, token: 'forged' })).code).toBe('unauthorized');
      await join(s, streamId, { token: user.token });
      const res = (await say(s, 'signed in late')) as { ok: true; message: ChatMessage };
      expect(res.message.user.id).toBe(user.id);
    });

    it('validates chat text: not empty once cleaned, at most 500 characters, a string', async () => {
      const { socket } = await chatter();
      expect(await say(socket, ' \n\t ')).toEqual({
        error: { code: 'validation_failed', message: 'text must not be empty' },
      });
      expect(((await say(socket, 'x'.repeat(501))) as ErrorReply).error.message).toBe(
        'text must be at most 500 characters (got 501)',
      );
      expect(((await say(socket, 42)) as ErrorReply).error.message).toBe('The message must be text.');
      expect(((await say(socket, `  ${'y'.repeat(500)}  `)) as { ok: boolean }).ok).toBe(true);
    });
  });

  it('rate-limits a flood: a burst of five, then rate_limited with a retry time', async () => {
    const { socket } = await chatter();
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => say(socket, `flood ${i}`)));
    const ok = replies.filter((r) => 'ok' in r);
    const limited = replies.filter((r): r is ErrorReply => 'error' in r);
    expect(ok).toHaveLength(5);
    expect(limited).toHaveLength(7);
    for (const r of limited) {
      expect(r.error.code).toBe('rate_limited');
      expect(r.error.message).toMatch(/too fast; try again in/);
      expect(r.error.details?.retryAfterSeconds).toBeGreaterThan(0);
    }
    const [{ n }] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM chat_messages WHERE stream_id = $1`,
      [streamId],
    );
    expect(Number(n)).toBe(5);
  });

  describe('moderation route', () => {
    it('refuses anonymous callers, viewers, merchants and other streamers', async () => {
      const viewer = await t.user('viewer');
      const merchant = await t.user('merchant');
      const other = await t.user('streamer');
      const body = { action: 'slow-mode', seconds: 5 };
      expect((await moderate(undefined, body)).status).toBe(401);
      expect((await moderate(viewer.token, body)).body.error.code).toBe('forbidden');
      expect((await moderate(merchant.token, body)).status).toBe(403);
      const res = await moderate(other.token, body);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe("Only the stream's owner or an admin can moderate its chat");
      expect((await t.http.get(`/api/streams/${streamId}/moderation`).set(bearer(other))).status).toBe(403);
    });

    it('lets the owner and an admin moderate', async () => {
      expect((await moderate(streamer.token, { action: 'slow-mode', seconds: 5 })).body).toEqual({
        action: 'slow-mode',
        slowModeSeconds: 5,
      });
      expect((await moderate(admin.token, { action: 'slow-mode', seconds: 0 })).status).toBe(200);
    });

    it('answers 400 naming the field, 404 for unknown targets, 422 for the owner', async () => {
      const noAction = await moderate(streamer.token, {});
      expect(noAction.status).toBe(400);
      expect(noAction.body.error.message).toMatch(/^The action must be one of: delete, /);
      const noMinutes = await moderate(streamer.token, { action: 'mute', userId: streamer.id });
      expect(noMinutes.status).toBe(400);
      expect(noMinutes.body.error.message).toMatch(/minutes/);
      const badWords = await moderate(streamer.token, { action: 'words', words: ['x'.repeat(51)] });
      expect(badWords.status).toBe(400);
      expect(badWords.body.error.message).toMatch(/words/);
      const unknownMessage = await moderate(streamer.token, {
        action: 'delete',
        messageId: '00000000-0000-4000-8000-000000000000',
      });
      expect(unknownMessage.status).toBe(404);
      const unknownUser = await moderate(streamer.token, {
        action: 'ban',
        userId: '00000000-0000-4000-8000-000000000000',
      });
      expect(unknownUser.status).toBe(404);
      const owner = await moderate(admin.token, { action: 'ban', userId: streamer.id });
      expect(owner.status).toBe(422);
      expect(owner.body.error.code).toBe('cannot_moderate_owner');
      expect(
        (
          await moderate(
            streamer.token,
            { action: 'slow-mode', seconds: 5 },
            '00000000-0000-4000-8000-000000000000',
          )
        ).status,
      ).toBe(404);
    });
  });

  it('mutes a user with a clear error until unmuted', async () => {
    const { user, socket } = await chatter();
    const res = await moderate(streamer.token, { action: 'mute', userId: user.id, minutes: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'mute', userId: user.id, until: expect.any(String) });
    expect(await say(socket, 'can I talk?')).toEqual({
      error: {
        code: 'muted',
        message: 'You are muted in this chat for 10 more minutes',
        details: { until: res.body.until },
      },
    });
    await moderate(streamer.token, { action: 'unmute', userId: user.id }).expect(200);
    expect((await say(socket, 'back')) as { ok: boolean }).toMatchObject({ ok: true });
  });

  it('bans a user from the chat of this stream only', async () => {
    const { user, socket } = await chatter();
    await moderate(admin.token, { action: 'ban', userId: user.id }).expect(200);
    expect(await say(socket, 'hello?')).toEqual({
      error: { code: 'banned', message: "You are banned from this stream's chat" },
    });
    const other = await createStream(t, streamer, { title: 'Another' });
    await join(socket, other.id);
    expect(await say(socket, 'here I may')).toMatchObject({ ok: true });
  });

  it('applies slow mode to viewers but not to the owner', async () => {
    await moderate(streamer.token, { action: 'slow-mode', seconds: 30 }).expect(200);
    const { socket } = await chatter();
    expect(await say(socket, 'one')).toMatchObject({ ok: true });
    expect(await say(socket, 'two')).toEqual({
      error: {
        code: 'slow_mode',
        message: 'Slow mode is on: one message every 30 seconds',
        details: { retryAfterSeconds: 30 },
      },
    });
    const owner = await open(streamer.token);
    const state = await join(owner, streamId);
    expect(state.slowModeSeconds).toBe(30);
    expect(await say(owner, 'one')).toMatchObject({ ok: true });
    expect(await say(owner, 'two')).toMatchObject({ ok: true });
  });

  it('pushes slow-mode changes to everyone already in the room', async () => {
    const { socket: viewer } = await chatter();
    const anonymous = await open();
    expect((await join(anonymous, streamId)).slowModeSeconds).toBe(0);
    const seen = record<{ slowModeSeconds: number }>(anonymous, 'chat:slow-mode');
    const on = next<{ slowModeSeconds: number }>(viewer, 'chat:slow-mode');
    await moderate(streamer.token, { action: 'slow-mode', seconds: 10 }).expect(200);
    expect(await on).toEqual({ slowModeSeconds: 10 });
    // The pushed value is the one chat:send enforces.
    expect(await say(viewer, 'first')).toMatchObject({ ok: true });
    expect(((await say(viewer, 'second')) as ErrorReply).error).toMatchObject({
      code: 'slow_mode',
      details: { retryAfterSeconds: 10 },
    });
    const off = next<{ slowModeSeconds: number }>(viewer, 'chat:slow-mode');
    await moderate(admin.token, { action: 'slow-mode', seconds: 0 }).expect(200);
    expect(await off).toEqual({ slowModeSeconds: 0 });
    await eventually(() => seen.length === 2, 5000, 'both changes at the anonymous viewer');
    expect(seen).toEqual([{ slowModeSeconds: 10 }, { slowModeSeconds: 0 }]);
    // A room that was not changed hears nothing.
    const other = await createStream(t, streamer, { title: 'Elsewhere' });
    const elsewhere = await open();
    await join(elsewhere, other.id);
    const quiet = record(elsewhere, 'chat:slow-mode');
    const three = next(viewer, 'chat:slow-mode', (p: { slowModeSeconds: number }) => p.slowModeSeconds === 3);
    await moderate(streamer.token, { action: 'slow-mode', seconds: 3 }).expect(200);
    await three;
    expect(quiet).toEqual([]);
  });

  it('hides messages that match the word list from everyone else', async () => {
    const set = await moderate(streamer.token, { action: 'words', words: [' Scam ', 'free money', 'scam'] });
    expect(set.body).toEqual({ action: 'words', words: ['scam', 'free money'] });
    const settings = await t.http
      .get(`/api/streams/${streamId}/moderation`)
      .set(bearer(streamer))
      .expect(200);
    expect(settings.body).toEqual({ slowModeSeconds: 0, words: ['scam', 'free money'] });
    const { socket } = await chatter();
    const watcher = await open();
    await join(watcher, streamId);
    const seen = record<ChatMessage>(watcher, 'chat:message');
    const hidden = await say(socket, 'Get FREE   money now, no SCAM');
    expect(hidden).toMatchObject({ ok: true, hidden: true });
    expect(await say(socket, 'scampi is tasty')).toMatchObject({ ok: true });
    await sleep(300);
    expect(seen.map((m) => m.text)).toEqual(['scampi is tasty']);
    const history = await t.http.get(`/api/streams/${streamId}/chat`).expect(200);
    expect(history.body.items.map((m: ChatMessage) => m.text)).toEqual(['scampi is tasty']);
  });

  it('deletes a message for everyone: event, history and room state', async () => {
    const { socket } = await chatter();
    const watcher = await open();
    await join(watcher, streamId);
    const sent = (await say(socket, 'oops')) as { message: ChatMessage };
    await say(socket, 'kept');
    const deleted = next<{ id: string }>(watcher, 'chat:deleted');
    await moderate(streamer.token, { action: 'delete', messageId: sent.message.id }).expect(200);
    expect(await deleted).toEqual({ id: sent.message.id });
    const history = await t.http.get(`/api/streams/${streamId}/chat`).expect(200);
    expect(history.body.items.map((m: ChatMessage) => m.text)).toEqual(['kept']);
    expect((await join(await open(), streamId)).messages.map((m) => m.text)).toEqual(['kept']);
  });

  describe('history route', () => {
    it('pages back through the chat by message id or time, oldest first in each page', async () => {
      const { user } = await chatter('Grace');
      await t.sql(
        `INSERT INTO chat_messages (id, stream_id, user_id, user_name, text, created_at)
         SELECT gen_random_uuid(), $1, $2, 'Grace', 'm' || g, now() - (100 - g) * interval '1 second'
           FROM generate_series(1, 7) g ORDER BY g`,
        [streamId, user.id],
      );
      const first = await t.http.get(`/api/streams/${streamId}/chat?limit=3`).expect(200);
      expect(first.body.items.map((m: ChatMessage) => m.text)).toEqual(['m5', 'm6', 'm7']);
      expect(first.body.items[0]).toEqual({
        id: first.body.nextBefore,
        user: { id: user.id, name: 'Grace' },
        text: 'm5',
        at: expect.any(String),
      });
      const second = await t.http.get(
        `/api/streams/${streamId}/chat?limit=3&before=${first.body.nextBefore}`,
      );
      expect(second.body.items.map((m: ChatMessage) => m.text)).toEqual(['m2', 'm3', 'm4']);
      const third = await t.http.get(
        `/api/streams/${streamId}/chat?limit=3&before=${second.body.nextBefore}`,
      );
      expect(third.body).toEqual({ items: [expect.objectContaining({ text: 'm1' })], nextBefore: null });
      const byTime = await t.http
        .get(`/api/streams/${streamId}/chat`)
        .query({ before: first.body.items[0].at })
        .expect(200);
      expect(byTime.body.items.map((m: ChatMessage) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4']);
    });

    it('answers 400 for a bad cursor or limit and 404 for an unknown stream', async () => {
      const bad = await t.http.get(`/api/streams/${streamId}/chat?before=yesterday`).expect(400);
      expect(bad.body.error.message).toMatch(/^The position in the history must be a message id/);
      await t.http.get(`/api/streams/${streamId}/chat?limit=0`).expect(400);
      await t.http.get(`/api/streams/00000000-0000-4000-8000-000000000000/chat`).expect(404);
    });
  });
});
