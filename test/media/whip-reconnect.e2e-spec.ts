import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import { eventually } from '../support/wait';
import { postWhepOffer, useWhipApp, type Publishable } from '../support/ingest';
import { endStream } from '../support/streams';
import { createViewer } from '../support/webrtc';
import { segmentUris, startHlsApp, type HlsFixture } from './hls-support';

/**
 * A show survives the streamer's browser: a publisher that closes its
 * connection, vanishes or sends WHIP DELETE puts the stream in
 * `reconnecting`; a new WHIP session with the key resumes the same stream,
 * WebRTC viewers play it again, and HLS goes on after a discontinuity.
 */
describe('WHIP publisher lost and back', () => {
  const w = useWhipApp({
    MEDIASOUP_NUM_WORKERS: '1',
    MEDIASOUP_ICE_CONSENT_TIMEOUT: '4',
    STREAM_RECONNECT_GRACE_SECONDS: '20',
  });

  const newStream = () => w.newStream('Show');
  const publish = (stream: Publishable) => w.publish(stream);

  async function watch(streamId: string) {
    const viewer = createViewer();
    w.peers.push(viewer);
    const res = await postWhepOffer(w.t, streamId, await viewer.offer());
    if (res.status !== 201) return { status: res.status, body: res.body };
    await viewer.answer(res.text);
    await eventually(() => viewer.frames() > 3, 10_000, 'decoded frames');
    return { status: 201, viewer };
  }

  const get = async (id: string) => (await w.t.http.get(`/api/streams/${id}`).expect(200)).body;
  const waitStatus = async (id: string, status: string, ms = 10_000) => {
    const end = Date.now() + ms;
    while ((await get(id)).status !== status) {
      if (Date.now() > end) throw new Error(`stream ${id} never became ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('a closed tab: reconnecting, then a new session with the key resumes the same stream for viewers', async () => {
    const stream = await newStream();
    const { pub } = await publish(stream);
    expect((await watch(stream.id)).status).toBe(201);
    const startedAt = (await get(stream.id)).startedAt;

    pub.close(); // what a closed or reloaded tab does: its peer connection goes, no DELETE
    await waitStatus(stream.id, 'reconnecting');
    expect(w.t.app.get(SfuHost).sfu!.room(stream.id)).toBeUndefined();
    const meanwhile = await watch(stream.id);
    expect(meanwhile).toMatchObject({ status: 404, body: { error: { code: 'stream_reconnecting' } } });

    await publish(stream);
    const back = await get(stream.id);
    expect(back).toMatchObject({ id: stream.id, status: 'live', startedAt, reconnectUntil: null });
    expect((await watch(stream.id)).status).toBe(201);
  });

  it('WHIP DELETE is the end of a session, not of the show', async () => {
    const stream = await newStream();
    const { location } = await publish(stream);
    await w.t.http.delete(location).expect(200);
    expect((await get(stream.id)).status).toBe('reconnecting');
    await publish(stream);
    expect((await get(stream.id)).status).toBe('live');
    await endStream(w.t, w.streamer, stream.id);
    expect((await get(stream.id)).status).toBe('ended');
    expect(w.t.app.get(SfuHost).sfu!.room(stream.id)).toBeUndefined();
  });
});

describe('HLS across a publisher reconnect', () => {
  let f: HlsFixture;

  beforeAll(async () => {
    f = await startHlsApp({ redis: false, env: { STREAM_RECONNECT_GRACE_SECONDS: '30' } });
  });
  afterEach(() => f.endAll());
  afterAll(() => f.close());

  it('continues the same playlists after a discontinuity, and ends them with the stream', async () => {
    const stream = await f.newStream();
    const first = await f.publish(stream, { width: 320, height: 240 });
    const before = await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) => segmentUris(b).length >= 2,
      30_000,
      'segments',
    );
    first.close();
    await f.waitText(
      `/api/streams/${stream.id}`,
      (b) => JSON.parse(b).status === 'reconnecting',
      10_000,
      'reconnecting',
    );
    await new Promise((r) => setTimeout(r, 1500));
    await f.publish(stream, { width: 320, height: 240 });
    const after = await f.waitResumed(stream.id, '240p', 'segments after the reconnect');
    expect(segmentUris(after).slice(0, segmentUris(before).length)).toEqual(segmentUris(before));
    expect(after).not.toContain('#EXT-X-ENDLIST');
    await f.end(stream.id);
    await f.waitEndList(stream.id, '240p', 20_000);
    // The replay is listed.
    await f.waitText(
      `/api/streams/${stream.id}`,
      (b) => JSON.parse(b).replayAvailable === true,
      10_000,
      'replay',
    );
    const replays = await f.t.http.get('/api/streams?status=ended&replay=1').expect(200);
    expect(replays.body.items.map((s: { id: string }) => s.id)).toContain(stream.id);
  });
});
