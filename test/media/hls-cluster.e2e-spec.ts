import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEST_REDIS_URL } from '../support/env';
import { spawnTs, type TsProcess } from '../support/processes';
import { startTestApp, type TestApp } from '../support/test-app';
import { ffmpegPids, HLS_TEST_ENV, segmentUris, startHlsApp, type HlsFixture } from './hls-support';

/**
 * With Redis: the replica holding the stream's room runs no workers; the
 * transcode runs in separate worker apps (no SFU of their own) that get
 * plain RTP from the replica through the PubSub relay. A worker shutting
 * down hands the job back and another worker continues the playlists; a
 * worker process killed with SIGKILL loses the job to another worker through
 * BullMQ's stalled-job recovery.
 */
/** A replica on Redis with an HLS folder shared with its workers, for one describe block. */
function useCluster() {
  const hlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hls-shared-'));
  let f: HlsFixture;
  const workers: TestApp[] = [];
  const children: TsProcess[] = [];

  /** `workers/main.ts` (what `npm run start:worker` runs) as a real child process on the shared Redis. */
  const spawnWorkerProcess = () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-worker-'));
    const worker = spawnTs('workers/main.ts', [], {
      ...HLS_TEST_ENV,
      NODE_ENV: 'test',
      DATABASE_URL: f.t.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: f.t.config.redisPrefix,
      DATA_DIR: dataDir,
      HLS_DIR: hlsDir,
      MEDIA_ENABLED: 'false',
      SCRYPT_COST: '1024',
      LOG_LEVEL: 'info',
    });
    children.push(worker);
    return { ...worker, dataDir };
  };

  const startWorker = async () => {
    const w = await startTestApp({
      databaseUrl: f.t.databaseUrl,
      redisPrefix: f.t.config.redisPrefix,
      env: { ...HLS_TEST_ENV, HLS_DIR: hlsDir, RUN_WORKERS_IN_PROCESS: 'true', MEDIA_ENABLED: 'false' },
    });
    workers.push(w);
    return w;
  };

  const cluster = {
    get f() {
      return f;
    },
    startWorker: () => startWorker(),
    spawnWorkerProcess: () => spawnWorkerProcess(),
  };

  beforeAll(async () => {
    // The replica: SFU and HTTP, no queue processors (the Redis default).
    f = await startHlsApp({ env: { HLS_DIR: hlsDir } });
    expect(f.t.config.runWorkersInProcess).toBe(false);
  });
  afterEach(() => f.endAll());
  afterAll(async () => {
    for (const { child } of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const w of workers.splice(0).reverse()) await w.close().catch(() => undefined);
    await f.close();
    fs.rmSync(hlsDir, { recursive: true, force: true });
  });
  return cluster;
}

describe('HLS with Redis: transcodes in worker processes, RTP relayed from the replica', () => {
  const c = useCluster();

  it('transcodes in a worker without an SFU, and a second worker continues after the first one shuts down', async () => {
    const first = await c.startWorker();
    const { stream, playlist: before } = await c.f.liveStream(2);
    expect(before).not.toContain('#EXT-X-DISCONTINUITY');

    await c.startWorker();
    // Only the worker's Nest app: TestApp.close() would also wipe the Redis prefix the cluster shares.
    await first.app.close();
    const after = await c.f.waitResumed(stream.id, '240p', 'segments from the second worker');
    expect(segmentUris(after).slice(0, segmentUris(before).length)).toEqual(segmentUris(before));
    const probed = await c.f.probeResumed(stream.id, '240p', after);
    expect(probed).toMatchObject({ width: 320, height: 240 });
    expect(probed.frames).toBeGreaterThan(0);

    await c.f.end(stream.id);
    await c.f.waitEndList(stream.id, '240p');
    const status = await c.f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(status.body).toMatchObject({ state: 'ended' });
  });
});

describe('HLS with Redis: a worker process killed with SIGKILL', () => {
  const c = useCluster();

  it('hands the job of a worker process killed with SIGKILL to another worker within 30 s, and the playlists continue', async () => {
    const a = c.spawnWorkerProcess();
    const stream = await c.f.newStream();
    await c.f.publish(stream, { width: 320, height: 240 });
    const url = `/hls/${stream.id}/240p/index.m3u8`;
    // The child boots (ts-node) and takes the only job on the queue.
    const before = await c.f.waitSegments(stream.id, '240p', 2, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\nworker process output:\n${a.output().slice(-4000)}`);
    });
    expect(before).not.toContain('#EXT-X-DISCONTINUITY');
    const [ffmpegOfA] = ffmpegPids(stream.id);
    expect(ffmpegOfA).toBeDefined();

    // The other worker is up before the kill; nothing hands it the job but the lapsed lock.
    await c.startWorker();
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;

    const after = await c.f.waitText(
      url,
      (b) => b.includes('#EXT-X-DISCONTINUITY') && /#EXT-X-PART:[^\n]*URI="r2\//.test(b),
      30_000,
      'parts of the run resumed by the other worker',
    );
    const resumedIn = Date.now() - killedAt;
    expect(resumedIn).toBeLessThan(30_000);
    expect(segmentUris(after).slice(0, segmentUris(before).length)).toEqual(segmentUris(before));

    // The killed worker's ffmpeg died with it (no orphan holding ports and waiting for RTP).
    expect(ffmpegPids(stream.id)).not.toContain(ffmpegOfA);
    expect(ffmpegPids(stream.id)).toHaveLength(1);

    const grown = await c.f.waitResumed(stream.id, '240p', 'a full segment of the resumed run', {
      timeoutMs: 15_000,
    });
    const probed = await c.f.probeResumed(stream.id, '240p', grown);
    expect(probed).toMatchObject({ width: 320, height: 240 });
    expect(probed.frames).toBeGreaterThan(0);
    const status = await c.f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(status.body).toMatchObject({ state: 'live', run: 2 });

    await c.f.end(stream.id);
    await c.f.waitEndList(stream.id, '240p');
    fs.rmSync(a.dataDir, { recursive: true, force: true });
  });
});
