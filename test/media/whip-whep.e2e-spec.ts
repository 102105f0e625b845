import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestService } from '../../src/streams/ingest/ingest.service';
import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import {
  postWhepOffer,
  postWhipOffer,
  publishFromProcess,
  viewOverWhep,
  useWhipApp,
  type Publishable,
} from '../support/ingest';
import { endStream } from '../support/streams';
import { eventually, sleep } from '../support/wait';
import { createPublisher } from '../support/webrtc';

const FIXTURES = path.resolve(__dirname, '../../media/sdp/fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** WHIP in, WHEP out, through a real mediasoup worker, with a real WebRTC stack on both ends. */
describe('WHIP ingest and WHEP playback', () => {
  const w = useWhipApp({
    MEDIASOUP_NUM_WORKERS: '2',
    MEDIASOUP_ICE_CONSENT_TIMEOUT: '4',
    STREAM_RECONNECT_GRACE_SECONDS: '3',
  });

  const newStream = () => w.newStream('Media test');

  async function publish(stream: Publishable) {
    const published = await w.publish(stream);
    expect(published.contentType).toMatch(/^application\/sdp/);
    return published;
  }

  const view = (streamId: string) => viewOverWhep(w.t, streamId, w.peers);

  const status = async (id: string) =>
    (await w.t.http.get(`/api/streams/${id}`).expect(200)).body.status as string;
  const sfu = () => w.t.app.get(SfuHost).sfu!;

  it('publishes over WHIP, goes live, and a WHEP viewer decodes frames', async () => {
    const stream = await newStream();
    const { location } = await publish(stream);
    expect(location).toMatch(new RegExp(`^/whip/${stream.id}/sessions/[0-9a-f-]{36}$`));
    expect(await status(stream.id)).toBe('live');

    const { viewer } = await view(stream.id);
    await eventually(() => viewer.frames() > 5, 10_000, 'decoded video frames');
    expect(viewer.lastSize()).toEqual({ width: 320, height: 240 });
    expect(viewer.audioTracks()).toBe(1);
    expect(sfu().stats().viewers).toBe(1);
  });

  it('answers with ICE-lite, every candidate and end-of-candidates, so a non-trickle client connects', async () => {
    const stream = await newStream();
    const pub = createPublisher();
    w.peers.push(pub);
    const res = await postWhipOffer(w.t, stream, await pub.offer()).expect(201);
    expect(res.text).toContain('a=ice-lite');
    expect(res.text).toMatch(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    expect(res.text).toContain('a=end-of-candidates');
    expect(res.text).toContain('a=setup:passive');
    expect(res.headers.etag).toEqual(expect.any(String));
  });

  it('frees its media on WHIP DELETE, and the stream ends when nobody publishes again within the grace', async () => {
    const stream = await newStream();
    const { location } = await publish(stream);
    const { location: whep } = await view(stream.id);
    await w.t.http.delete(whep).expect(200);
    await w.t.http.delete(location).expect(200);
    // A studio that reloads sends DELETE too: the show waits for a new session (test/media/whip-reconnect).
    expect(await status(stream.id)).toBe('reconnecting');
    expect(sfu().room(stream.id)).toBeUndefined();
    for (let i = 0; i < 100 && (await status(stream.id)) !== 'ended'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await status(stream.id)).toBe('ended');
    // The stream is over: neither its publisher nor a viewer can come back.
    await w.t.http.delete(location).expect(404);
    await postWhepOffer(w.t, stream.id, fixture('wrtc-viewer.sdp')).expect(404);
  });

  it('ends the stream when its owner ends it through the API, closing the publisher session', async () => {
    const stream = await newStream();
    await publish(stream);
    await endStream(w.t, w.streamer, stream.id);
    await eventually(() => sfu().room(stream.id) === undefined, 5000, 'room closed');
  });

  it('ends the stream when the publisher closes its connection without DELETE', async () => {
    const stream = await newStream();
    const { pub } = await publish(stream);
    pub.close(); // a DTLS close alert, but no WHIP DELETE
    for (let i = 0; i < 100 && (await status(stream.id)) !== 'ended'; i++) await sleep(100);
    expect(await status(stream.id)).toBe('ended');
    expect(sfu().room(stream.id)).toBeUndefined();
  });

  it('detects a publisher process killed with SIGKILL (ICE consent lapses) and ends the stream within 15 s', async () => {
    const stream = await newStream();
    const publisher = await publishFromProcess(w.t, stream);
    expect(publisher.output()).toContain('connected');
    expect(await status(stream.id)).toBe('live');
    publisher.child.kill('SIGKILL');
    const t0 = Date.now();
    for (let i = 0; i < 200 && (await status(stream.id)) !== 'ended'; i++) await sleep(100);
    expect(await status(stream.id)).toBe('ended');
    // ICE consent timeout is 4 s here (10 s by default): inside the 15 s budget either way.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(sfu().room(stream.id)).toBeUndefined();
  });

  it('refuses a wrong or missing stream key with 401', async () => {
    const stream = await newStream();
    const offer = fixture('wrtc-publisher.sdp');
    const wrong = await postWhipOffer(w.t, stream, offer, { key: 'sk_live_wrong' });
    expect(wrong.status).toBe(401);
    const none = await postWhipOffer(w.t, stream, offer, { key: null });
    expect(none.status).toBe(401);
    // A user's JWT is not a stream key.
    const jwt = await postWhipOffer(w.t, stream, offer, { key: w.streamer.token });
    expect(jwt.status).toBe(401);
    expect(await status(stream.id)).toBe('created');
  });

  it('refuses a second publisher with 409', async () => {
    const stream = await newStream();
    await publish(stream);
    const res = await postWhipOffer(w.t, stream, fixture('wrtc-publisher.sdp'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('publisher_exists');
  });

  it('answers bad offers with 400, 406 and 415 and a message', async () => {
    const stream = await newStream();
    const post = (body: string, contentType?: string) => postWhipOffer(w.t, stream, body, { contentType });

    const garbage = await post('hello, I am not SDP');
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.message).toEqual(expect.any(String));

    expect((await post('{"sdp":"v=0"}', 'application/json')).status).toBe(415);
    expect((await post('')).status).toBe(400);

    // Only H.265 video and G.722 audio: nothing we can take. The message names what was offered.
    const h265 = fixture('wrtc-publisher.sdp')
      .replace(/^m=video (\d+) (\S+) .*$/m, 'm=video $1 $2 49')
      .replace(/^m=audio (\d+) (\S+) .*$/m, 'm=audio $1 $2 9')
      .replace(/^a=(rtpmap|fmtp|rtcp-fb):(\d+) .*\r?\n/gm, '')
      .replace(/^(m=video .*\r?\n)/m, '$1a=rtpmap:49 H265/90000\r\n')
      .replace(/^(m=audio .*\r?\n)/m, '$1a=rtpmap:9 G722/8000\r\n');
    const unsupported = await post(h265);
    expect(unsupported.status).toBe(406);
    expect(unsupported.body.error.message).toMatch(/H265/);

    const noMux = fixture('wrtc-publisher.sdp').replace(/^a=rtcp-mux\r?\n/gm, '');
    expect((await post(noMux)).status).toBe(400);
    expect(await status(stream.id)).toBe('created');
    expect(sfu().room(stream.id)).toBeUndefined();
  });

  it('answers WHEP for a stream that is not live with 404', async () => {
    const stream = await newStream();
    const res = await postWhepOffer(w.t, stream.id, fixture('wrtc-viewer.sdp'));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/not live/);
    await postWhepOffer(w.t, '00000000-0000-4000-8000-000000000000', fixture('wrtc-viewer.sdp')).expect(404);
  });

  it('accepts trickle ICE fragments and refuses ICE restarts with 405', async () => {
    const stream = await newStream();
    const { location } = await publish(stream);
    await w.t.http
      .patch(location)
      .set('Content-Type', 'application/trickle-ice-sdpfrag')
      .send('a=ice-ufrag:abcd\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n')
      .expect(204);
    await w.t.http
      .patch(location)
      .set('Content-Type', 'application/trickle-ice-sdpfrag')
      .send('a=ice-ufrag:new1\r\na=ice-pwd:newpasswordnewpassword12\r\n')
      .expect(405);
  });

  it('answers CORS preflight on the WHIP endpoint', async () => {
    const res = await w.t.http
      .options(`/whip/00000000-0000-4000-8000-000000000000`)
      .set('Origin', 'https://studio.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-headers']).toMatch(/authorization/i);
  });

  it('replaces a crashed media worker; the publisher can go live again on the same stream', async () => {
    const stream = await newStream();
    await publish(stream);
    const pool = sfu().workerPool;
    const roomWorker = sfu().workerPidOf(stream.id)!;
    expect(roomWorker).toEqual(expect.any(Number));
    process.kill(roomWorker, 'SIGKILL');
    await eventually(() => sfu().room(stream.id) === undefined, 5000, 'room closed with its worker');
    await eventually(
      () => pool.size === 2 && !pool.stats().some((worker) => worker.pid === roomWorker),
      10_000,
      'worker replaced',
    );
    // Within the reconnect grace the stream waits for its publisher and takes a new one.
    expect(await status(stream.id)).toBe('reconnecting');
    const { pub } = await publish(stream);
    const { viewer } = await view(stream.id);
    await eventually(() => viewer.frames() > 3, 10_000, 'frames after recovery');
    pub.close();
    expect(w.t.app.get(IngestService)).toBeDefined();
  });

  it('ends a stream whose worker died when nobody reconnects within the grace period', async () => {
    const stream = await newStream();
    await publish(stream);
    const pid = sfu().workerPidOf(stream.id)!;
    process.kill(pid, 'SIGKILL');
    await eventually(() => sfu().room(stream.id) === undefined, 5000, 'room closed');
    for (let i = 0; i < 100 && (await status(stream.id)) !== 'ended'; i++) await sleep(100);
    expect(await status(stream.id)).toBe('ended');
  });
});
