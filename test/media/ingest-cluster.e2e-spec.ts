import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEncoder, startIngestApp, type Encoder, type IngestApp } from '../support/encoders';
import { startTestApp, type TestApp } from '../support/test-app';
import { probeFile, segmentUris } from './hls-support';

/**
 * With Redis, the transcode of an RTMP stream runs in a worker app without an
 * SFU: the replica holding the encoder sends the encoder's own FLV to the
 * worker's ffmpeg over TCP, opened through the PubSub relay, and keeps doing
 * so across an encoder reconnection.
 */
describe('RTMP ingest with HLS in a separate worker', () => {
  const hlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hls-shared-'));
  const ladder = {
    HLS_LADDER: '720p:720:1500,480p:480:800,360p:360:400',
    HLS_POSTER_SECONDS: '1',
    HLS_DIR: hlsDir,
  };
  let f: IngestApp;
  let worker: TestApp;
  const encoders: Encoder[] = [];

  beforeAll(async () => {
    f = await startIngestApp({ env: { ...ladder, HLS_ENABLED: 'true', RUN_WORKERS_IN_PROCESS: 'false' } });
    worker = await startTestApp({
      databaseUrl: f.t.databaseUrl,
      redisPrefix: f.t.config.redisPrefix,
      env: {
        ...ladder,
        RUN_WORKERS_IN_PROCESS: 'true',
        MEDIA_ENABLED: 'false',
        INGEST_RECONNECT_GRACE_SECONDS: '4',
      },
    });
  });
  afterAll(async () => {
    for (const e of encoders) e.kill();
    await worker?.close();
    await f?.close();
    fs.rmSync(hlsDir, { recursive: true, force: true });
  });

  const playlist = async (id: string, ok: (pl: string) => boolean) => {
    const t0 = Date.now();
    let pl = '';
    while (!ok(pl)) {
      if (Date.now() - t0 > 30_000) throw new Error(`playlist never matched: ${pl}`);
      await new Promise((r) => setTimeout(r, 300));
      const res = await f.t.http.get(`/hls/${id}/480p/index.m3u8`);
      pl = res.status === 200 ? res.text : '';
    }
    return pl;
  };

  it('copies the encoder as the top rendition in the worker, and continues after a reconnection', async () => {
    const s = await f.newStream();
    const first = startEncoder({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 854, height: 480, gop: 30 });
    encoders.push(first);
    await f.waitLive(s.id, 'live', 20_000);
    const pl = await playlist(s.id, (p) => segmentUris(p).length >= 2);
    const master = (await f.t.http.get(`/hls/${s.id}/master.m3u8`).expect(200)).text;
    expect(master).toMatch(/RESOLUTION=854x480,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2"/);
    const init = (await f.t.http.get(`/hls/${s.id}/480p/r1/init.mp4`).buffer(true)).body as Buffer;
    const seg = (await f.t.http.get(`/hls/${s.id}/480p/${segmentUris(pl)[0]}`).buffer(true)).body as Buffer;
    expect(await probeFile(Buffer.concat([init, seg]))).toMatchObject({
      width: 854,
      height: 480,
      audio: true,
      firstKey: true,
    });

    first.kill('SIGKILL');
    await f.waitView(s.id, (x) => x.ingest?.state === 'reconnecting', 10_000, 'reconnecting');
    encoders.push(startEncoder({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 854, height: 480, gop: 30 }));
    await playlist(s.id, (p) => /#EXT-X-DISCONTINUITY[\s\S]*r2\/init\.mp4[\s\S]*#EXTINF/.test(p));
    await f.waitView(s.id, (x) => x.status === 'live', 5_000, 'the stream live again');
  });
});
