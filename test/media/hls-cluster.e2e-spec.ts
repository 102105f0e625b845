import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app';
import { HLS_TEST_ENV, probeFile, segmentUris, startHlsApp, type HlsFixture } from './hls-support';

/**
 * With Redis: the replica holding the stream's room runs no workers; the
 * transcode runs in separate worker apps (no SFU of their own) that get
 * plain RTP from the replica through the PubSub relay. A worker shutting
 * down hands the job back and another worker continues the playlists.
 */
describe('HLS with Redis: transcodes in worker processes, RTP relayed from the replica', () => {
  const hlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hls-shared-'));
  let f: HlsFixture;
  const workers: TestApp[] = [];

  const startWorker = async () => {
    const w = await startTestApp({
      databaseUrl: f.t.databaseUrl,
      redisPrefix: f.t.config.redisPrefix,
      env: { ...HLS_TEST_ENV, HLS_DIR: hlsDir, RUN_WORKERS_IN_PROCESS: 'true', MEDIA_ENABLED: 'false' },
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    // The replica: SFU and HTTP, no queue processors (the Redis default).
    f = await startHlsApp({ env: { HLS_DIR: hlsDir } });
    expect(f.t.config.runWorkersInProcess).toBe(false);
  });
  afterEach(() => f.endAll());
  afterAll(async () => {
    for (const w of workers.splice(0).reverse()) await w.close().catch(() => undefined);
    await f.close();
    fs.rmSync(hlsDir, { recursive: true, force: true });
  });

  it('transcodes in a worker without an SFU, and a second worker continues after the first one shuts down', async () => {
    const first = await startWorker();
    const stream = await f.newStream();
    await f.publish(stream, { width: 320, height: 240 });
    const before = await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) => segmentUris(b).length >= 2,
      30_000,
      'segments from the first worker',
    );
    expect(before).not.toContain('#EXT-X-DISCONTINUITY');

    await startWorker();
    // Only the worker's Nest app: TestApp.close() would also wipe the Redis prefix the cluster shares.
    await first.app.close();
    const after = await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) =>
        b.includes('#EXT-X-DISCONTINUITY') && segmentUris(b.split('#EXT-X-DISCONTINUITY')[1]).length >= 1,
      30_000,
      'segments from the second worker',
    );
    expect(segmentUris(after).slice(0, segmentUris(before).length)).toEqual(segmentUris(before));
    const resumed = segmentUris(after.split('#EXT-X-DISCONTINUITY')[1])[0];
    const run = /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="(r\d+)\/init\.mp4"/.exec(after)![1];
    const probed = await probeFile(
      Buffer.concat([
        await f.bytes(`/hls/${stream.id}/240p/${run}/init.mp4`),
        await f.bytes(`/hls/${stream.id}/240p/${resumed}`),
      ]),
    );
    expect(probed).toMatchObject({ width: 320, height: 240 });
    expect(probed.frames).toBeGreaterThan(0);

    await f.end(stream.id);
    await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) => b.includes('#EXT-X-ENDLIST'),
      15_000,
      'ENDLIST',
    );
    const status = await f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(status.body).toMatchObject({ state: 'ended' });
  });
});
