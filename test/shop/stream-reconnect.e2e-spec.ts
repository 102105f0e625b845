import { PUBSUB } from '../../src/infra/infra.module';
import type { PubSub } from '../../src/infra/pubsub';
import { STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from '../../src/room/channels';
import { StreamsService } from '../../src/streams/streams.service';
import { eventually } from '../support/wait';
import { listenToRoom } from '../support/room';
import { connect, join } from '../support/live-client';
import { bearer, type TestUser, useTestApp } from '../support/test-app';

/**
 * The publisher state machine behind "a show survives the streamer's
 * browser": a lost publisher puts a live stream in `reconnecting` for the
 * grace, a publisher back in time resumes the same stream, and only End or
 * the grace's end ends it. Driven here through StreamsService, the API every
 * ingest uses (test/media/whip-reconnect drives it with real WHIP publishers).
 */
/**
 * The configured grace. The first test does a viewer's join and the stream lists between the loss
 * and the publisher's return, all inside the grace: at 2 s a loaded machine ran past it (the
 * stream had ended when the publisher came back).
 */
const GRACE_S = 6;

describe('a live stream waits for its publisher', () => {
  const t = useTestApp({
    redis: false,
    env: { STREAM_RECONNECT_GRACE_SECONDS: String(GRACE_S), MEDIA_ENABLED: 'false' },
  });
  let streams: StreamsService;
  let streamer: TestUser;
  const lifecycle: StreamLifecycleEvent[] = [];

  beforeAll(async () => {
    streams = t.app.get(StreamsService);
    streamer = await t.user('streamer');
    await t.app.get<PubSub>(PUBSUB).subscribe(STREAM_LIFECYCLE_CHANNEL, (m) => {
      lifecycle.push(m as StreamLifecycleEvent);
    });
  });

  async function liveStream(): Promise<string> {
    const s = await t.http.post('/api/streams').set(bearer(streamer)).send({ title: 'Show' }).expect(201);
    const r = await streams.publisherConnected(s.body.id);
    expect(r.resumed).toBe(false);
    return s.body.id as string;
  }
  const get = async (id: string) => (await t.http.get(`/api/streams/${id}`).expect(200)).body;

  it('reconnecting, then live again: the same stream, announced to the room and the replicas', async () => {
    const id = await liveStream();
    const room = await listenToRoom(t, id);
    const startedAt = (await get(id)).startedAt;

    await streams.publisherLost(id, { reason: 'tab closed' });
    const waiting = await get(id);
    expect(waiting).toMatchObject({ id, status: 'reconnecting', startedAt, endedAt: null });
    const until = Date.parse(waiting.reconnectUntil);
    expect(until - Date.now()).toBeGreaterThan(GRACE_S * 1000 - 1000);
    expect(until - Date.now()).toBeLessThanOrEqual(GRACE_S * 1000 + 100);
    // Losing it again changes nothing: the grace runs from the first loss.
    await streams.publisherLost(id, { reason: 'again' });
    expect((await get(id)).reconnectUntil).toBe(waiting.reconnectUntil);
    const listed = await t.http.get('/api/streams?status=reconnecting').expect(200);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(id);
    const live = await t.http.get('/api/streams?status=live').expect(200);
    expect(live.body.items.map((s: { id: string }) => s.id)).toContain(id);

    // A viewer joining meanwhile is told, and so is a viewer already there.
    const viewer = await connect(t.baseUrl);
    const state = await join(viewer, id);
    expect(state).toMatchObject({
      status: 'reconnecting',
      reconnectUntil: waiting.reconnectUntil,
      final: null,
    });
    viewer.disconnect();
    expect(room.events).toContainEqual({
      event: 'stream:status',
      data: { status: 'reconnecting', reconnectUntil: waiting.reconnectUntil },
    });

    const back = await streams.publisherConnected(id);
    expect(back.resumed).toBe(true);
    expect(await get(id)).toMatchObject({ id, status: 'live', reconnectUntil: null, startedAt });
    await eventually(() => room.events.some((e) => e.event === 'stream:status' && e.data.status === 'live'));
    expect(lifecycle).toContainEqual(
      expect.objectContaining({ streamId: id, status: 'live', resumed: true }),
    );
    // Past the grace it is still live: the publisher came back.
    await new Promise((r) => setTimeout(r, GRACE_S * 1000 + 500));
    expect((await get(id)).status).toBe('live');
    await room.stop();
  });

  it('ends when nobody comes back within the grace', async () => {
    const id = await liveStream();
    const room = await listenToRoom(t, id);
    await streams.publisherLost(id, { reason: 'network lost' });
    await eventually(async () => (await get(id)).status === 'ended', GRACE_S * 1000 + 4000);
    expect((await get(id)).reconnectUntil).toBeNull();
    expect(room.events).toContainEqual({ event: 'stream:status', data: { status: 'ended' } });
    expect(lifecycle).toContainEqual(expect.objectContaining({ streamId: id, status: 'ended' }));
    // Too late: a publisher that comes back now is refused.
    await expect(streams.publisherConnected(id)).rejects.toMatchObject({ status: 409, code: 'stream_ended' });
    await room.stop();
  });

  it('refuses a publisher back after its grace even before any sweep ended the stream', async () => {
    const id = await liveStream();
    await streams.publisherLost(id, { reason: 'gone' });
    await t.sql(`UPDATE streams SET reconnect_deadline = now() - interval '1 second' WHERE id = $1`, [id]);
    await expect(streams.publisherConnected(id)).rejects.toMatchObject({ code: 'stream_ended' });
    expect((await get(id)).status).toBe('ended');
  });

  it('ends at once on End, reconnecting or not', async () => {
    const id = await liveStream();
    await streams.publisherLost(id, { reason: 'studio reloading' });
    const ended = await t.http.post(`/api/streams/${id}/end`).set(bearer(streamer)).expect(200);
    expect(ended.body).toMatchObject({ status: 'ended', reconnectUntil: null });
  });

  it('takes a grace from the caller (an encoder ingest has its own) and ends at once with none', async () => {
    const id = await liveStream();
    await streams.publisherLost(id, { reason: 'encoder dropped', graceSeconds: 1 });
    const until = Date.parse((await get(id)).reconnectUntil);
    expect(until - Date.now()).toBeLessThanOrEqual(1100);
    await eventually(async () => (await get(id)).status === 'ended', 5000);
    const other = await liveStream();
    await streams.publisherLost(other, { reason: 'no grace', graceSeconds: 0 });
    expect((await get(other)).status).toBe('ended');
  });
});
