import * as net from 'node:net';
import { Logger } from '@nestjs/common';
import { IngestStatusRepository } from '../../src/ingest/ingest-status.repository';
import { encoderPool } from '../support/encoder-pool';
import { passthroughIngest, startIngestApp, type IngestApp } from '../support/encoders';
import { eventually } from '../support/wait';

/** node-media-server's RTMP client: it can send enhanced-RTMP tags (HEVC), which Debian's ffmpeg 5.1 cannot. */
interface NmsRtmpClient {
  connect(url: string): Promise<void>;
  sendConnect(): Promise<unknown>;
  sendCreateStream(): Promise<unknown>;
  sendPublish(name: string): Promise<unknown>;
  sendPacket(p: { codec_type: number; dts: number; size: number; data: Buffer }): void;
  disconnect(): void;
  onStatusCallback: (code: string, info: { description?: string }) => void;
  onCloseCallback: () => void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RtmpClient = require('node-media-server/src/protocol/rtmp_client.js') as new () => NmsRtmpClient;

/**
 * RTMP ingest with Debian's ffmpeg as the encoder: the stream key in the
 * stream name, the stream live on the SFU, refusals, reconnection within the
 * grace, key rotation, and clients that are not RTMP at all.
 */
describe('RTMP ingest', () => {
  let f: IngestApp;
  /** Every line the app logged, and every key a test used: no line may carry a key. */
  const logged: string[] = [];
  const keys: string[] = [];
  const spies = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
    jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    }),
  );
  const consoleSpy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(' '));
  });
  const encode = encoderPool();

  beforeAll(async () => {
    f = await startIngestApp({ redis: false });
  });
  afterAll(async () => {
    await f.close();
    for (const spy of [...spies, consoleSpy]) spy.mockRestore();
  });

  it('takes OBS-style settings (rtmp://HOST:1935/live + key): the stream goes live and its media reaches the SFU', async () => {
    const s = await f.newStream();
    keys.push(s.streamKey);
    expect(s.rtmpUrl).toBe(`rtmp://127.0.0.1:${f.rtmpPort}/live`);
    expect(s.srtUrl).toBe(`srt://127.0.0.1:${f.srtPort}`);
    expect(s.rtmpUrl).not.toContain(s.streamKey);
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, bframes: 0 });
    const v = await f.waitLive(s.id);
    expect(v.ingest).toMatchObject({ ...passthroughIngest('rtmp'), warnings: [] });
    expect(v.ingest!.audio!.channels).toBe(1);
    expect(v.ingest!.video!.profile).toMatch(/^High/);
    await f.mediaArrives(s.id, { audio: true });
    const v2 = await f.ownerView(s.id);
    expect(v2.ingest!.bitrateKbps).toBeGreaterThan(100);
    // Public and others' views carry no URLs, no ingest, never the key.
    const pub = (await f.t.http.get(`/api/streams/${s.id}`).expect(200)).body as Record<string, unknown>;
    expect(pub).not.toHaveProperty('rtmpUrl');
    expect(pub).not.toHaveProperty('ingest');
    expect(JSON.stringify(pub)).not.toContain(s.streamKey);
    expect(JSON.stringify(v2)).not.toContain(s.streamKey);
  });

  it('refuses a wrong key with a message the encoder prints, and logs nothing of the key', async () => {
    const s = await f.newStream();
    keys.push(s.streamKey, 'sk_live_wrong-key-123');
    const e = encode({ url: `${s.rtmpUrl}/sk_live_wrong-key-123`, seconds: 5 });
    expect(await e.exited).not.toBe(0);
    expect(e.stderr.join('\n')).toContain('Wrong or missing stream key');
    expect((await f.ownerView(s.id)).status).toBe('created');
    expect(logged.some((l) => /publish refused: wrong or missing key/.test(l))).toBe(true);
  });

  it('re-encodes the WebRTC video of an encoder with B-frames (OBS x264 default) and tells the owner how to fix it', async () => {
    const s = await f.newStream();
    keys.push(s.streamKey);
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, bframes: 2 });
    const v = await f.waitLive(s.id);
    expect(v.ingest).toMatchObject({ bFrames: true, webrtcVideo: 'reencoded' });
    expect(v.ingest!.warnings).toEqual([
      expect.objectContaining({ code: 'b_frames', fix: expect.stringMatching(/Max B-frames to 0/) }),
    ]);
    await f.mediaArrives(s.id);
  });

  it('refuses a second publisher while the first is live', async () => {
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}` });
    await f.waitLive(s.id);
    const second = encode({ url: `${s.rtmpUrl}/${s.streamKey}`, seconds: 5 });
    expect(await second.exited).not.toBe(0);
    expect(second.stderr.join('\n')).toContain('already has a publisher');
    expect((await f.ownerView(s.id)).ingest?.state).toBe('live');
  });

  it('continues the same stream when the encoder is killed and reconnects within the grace; ends it past the grace', async () => {
    const s = await f.newStream();
    const first = encode({ url: `${s.rtmpUrl}/${s.streamKey}` });
    await f.waitLive(s.id);
    first.kill('SIGKILL');
    await f.waitView(s.id, (x) => x.ingest?.state === 'reconnecting', 10_000, 'reconnecting');
    // The stream waits for its encoder as for a lost WHIP publisher: viewers see it reconnecting.
    await f.waitView(s.id, (x) => x.status === 'reconnecting', 5_000, 'the stream reconnecting');
    encode({ url: `${s.rtmpUrl}/${s.streamKey}` });
    const back = await f.waitLive(s.id, 'live again');
    expect(back).toMatchObject({ status: 'live', ingest: { reconnects: 1 } });
    await f.mediaArrives(s.id, { what: 'media again' });

    encode.killAll('SIGKILL');
    // Grace is 4 s in these tests.
    const ended = await f.waitView(s.id, (x) => x.status === 'ended', 12_000, 'ended after the grace');
    expect(ended.ingest?.state).toBe('disconnected');
    const late = encode({ url: `${s.rtmpUrl}/${s.streamKey}`, seconds: 5 });
    expect(await late.exited).not.toBe(0);
    expect(late.stderr.join('\n')).toContain('has ended');
  });

  it("reads an ended stream's encoder as disconnected before its replica has rewritten the status", async () => {
    // The stream's row says ended before the replica that held the encoder hears of it and writes
    // "disconnected": that window held open, with the status written while the encoder was away.
    const s = await f.newStream();
    await f.t.sql(`UPDATE streams SET status = 'ended', ended_at = now() WHERE id = $1`, [s.id]);
    const at = new Date().toISOString();
    await f.t.app.get(IngestStatusRepository).put(s.id, {
      state: 'reconnecting',
      protocol: 'rtmp',
      remoteAddress: '127.0.0.1',
      connectedAt: at,
      updatedAt: at,
      video: null,
      audio: null,
      bFrames: false,
      webrtcVideo: 'passthrough',
      bitrateKbps: 0,
      fps: 0,
      droppedFrames: 0,
      keyframeIntervalSeconds: null,
      reconnects: 0,
      warnings: [],
      lastError: null,
    });
    expect((await f.ownerView(s.id)).ingest).toMatchObject({ state: 'disconnected', protocol: 'rtmp' });
  });

  it('drops a live session when the key is rotated; the new key takes over within the grace', async () => {
    const s = await f.newStream();
    const e = encode({ url: `${s.rtmpUrl}/${s.streamKey}` });
    await f.waitLive(s.id);
    const rotated = await f.t.http
      .post(`/api/streams/${s.id}/key`)
      .set('Authorization', `Bearer ${f.streamer.token}`)
      .expect(200);
    const newKey = (rotated.body as { streamKey: string; rtmpUrl: string }).streamKey;
    keys.push(s.streamKey, newKey);
    expect((rotated.body as { rtmpUrl: string }).rtmpUrl).toBe(s.rtmpUrl);
    expect(await e.exited).not.toBe(0);
    expect(e.stderr.join('\n')).toContain('stream key was replaced');
    const old = encode({ url: `${s.rtmpUrl}/${s.streamKey}`, seconds: 5 });
    expect(await old.exited).not.toBe(0);
    encode({ url: `${s.rtmpUrl}/${newKey}` });
    await f.waitLive(s.id, 'live with the new key');
  });

  it('refuses HEVC sent over enhanced RTMP by name, and tells the owner', async () => {
    const s = await f.newStream();
    keys.push(s.streamKey);
    const client = new RtmpClient();
    const statuses: { code: string; description?: string }[] = [];
    let closed = false;
    client.onStatusCallback = (code, info) => statuses.push({ code, description: info.description });
    client.onCloseCallback = () => (closed = true);
    await client.connect(`${s.rtmpUrl}/${s.streamKey}`);
    await client.sendConnect();
    await client.sendCreateStream();
    await client.sendPublish(s.streamKey);
    // ExVideoTagHeader: IsExHeader | FrameType key (1) | PacketType SequenceStart (0), FourCC hvc1, then a config.
    const body = Buffer.concat([Buffer.from([0x90]), Buffer.from('hvc1'), Buffer.alloc(23, 1)]);
    client.sendPacket({ codec_type: 9, dts: 0, size: body.length, data: body });
    await eventually(() => closed, 5000, 'the server to close the connection');
    expect(statuses.map((x) => x.code)).toEqual(['NetStream.Publish.Start', 'NetStream.Publish.Rejected']);
    expect(statuses[1].description).toMatch(/HEVC video is not supported: set the encoder to H\.264/);
    const v = await f.waitView(s.id, (x) => x.ingest?.lastError != null, 5000, 'the refusal');
    expect(v.status).toBe('created');
    expect(v.ingest?.lastError).toMatchObject({
      code: 'unsupported_codec',
      message: expect.stringMatching(/^HEVC/),
    });
  });

  it('logged no stream key, whatever happened above', () => {
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(logged.filter((l) => l.includes(k))).toEqual([]);
    expect(logged.length).toBeGreaterThan(0);
  });

  it('stays up and releases the socket of a client that sends garbage or stalls mid-handshake', async () => {
    const connect = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const c = net.connect(f.rtmpPort, '127.0.0.1', () => resolve(c));
        c.once('error', reject);
        // Read what the server sends (its handshake): a paused socket never sees the server close.
        c.resume();
      });
    const closed = (c: net.Socket) => new Promise<number>((r) => c.once('close', () => r(Date.now())));

    const garbage = await connect();
    const gClosed = closed(garbage);
    garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await gClosed;

    // RTMP's version byte, then random bytes past the handshake: a protocol error.
    const noise = await connect();
    const nClosed = closed(noise);
    noise.on('error', () => undefined);
    noise.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536 * 2 + 4096, 0xab)]));
    await nClosed;

    // C0 and half of C1, then nothing: dropped after INGEST_HANDSHAKE_TIMEOUT_SECONDS (3 s here).
    const stall = await connect();
    const t0 = Date.now();
    const sClosed = closed(stall);
    stall.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(700)]));
    const at = await sClosed;
    expect(at - t0).toBeGreaterThanOrEqual(2500);
    expect(at - t0).toBeLessThan(8000);

    // Still serving.
    await f.t.http.get('/health').expect(200);
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}` });
    await f.waitLive(s.id, 'live after the garbage');
  });
});
