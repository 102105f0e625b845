/**
 * `npm run bench:hls-viewers`: what serving one LL-HLS media playlist to many
 * viewers costs the app, late in a long show.
 *
 * Boots the app (in this process, fresh database, Redis at TEST_REDIS_URL or
 * REDIS_URL or the local one, as in cluster mode) and forks one process that
 * plays the transcoder in its worker and the viewers:
 *  - the transcoder: a media playlist of a show already BENCH_HOURS long
 *    (at the app's part settings: 0.2 s parts, 2 s segments by default) is
 *    written into the app's HLS store, then one more part every part, as the
 *    transcoder writes it (and announces it on the app's pub/sub);
 *  - BENCH_VIEWERS viewers follow it as LL-HLS players do: each asks for the
 *    next part with a blocking reload and `_HLS_skip=YES` (delta updates),
 *    and asks for the one after as soon as it is answered. With
 *    BENCH_PARTS=1 each also asks, at the same time, for the part the last
 *    answer hinted (a 37 KB file: 1.5 Mbit/s in 0.2 s parts), held until it
 *    is written, and goes on once both are answered.
 * Over BENCH_SECONDS it prints the app's CPU (share of one core), playlist
 * (and part) answers per second, how long after a part was written the
 * viewers waiting for it had their answers (p50, p99, max), and the
 * viewers' own CPU. With parts, that process receives every viewer's copy
 * of each part at once, and the time that takes is in the figures.
 *
 * Environment (all optional): BENCH_VIEWERS=200, BENCH_HOURS=2,
 * BENCH_SECONDS=20, BENCH_SKIP=1 (0: full playlists, no delta updates),
 * BENCH_PARTS=0.
 * The database server is TEST_DATABASE_URL, else DATABASE_URL, else the
 * local PostgreSQL.
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { LocalHlsStorage, readPlaylist } from '../media';
import { addParts, liveShow } from '../media/hls/fixtures';
import { createApp } from '../src/app.factory';
import { loadConfig, type AppConfig } from '../src/config/config';
import { AnnouncedHlsStorage } from '../src/hls/announced-storage';
import { RedisPubSub } from '../src/infra/pubsub';
import { createDatabase, deleteRedisPrefix } from '../test/support/services';

const env = process.env;
const num = (name: string, def: number) => {
  const n = env[name] === undefined || env[name] === '' ? def : Number(env[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
};
const VIEWERS = num('BENCH_VIEWERS', 200);
const HOURS = num('BENCH_HOURS', 2);
const SECONDS = num('BENCH_SECONDS', 20);
const SKIP = env.BENCH_SKIP !== '0';
const PARTS = env.BENCH_PARTS === '1';
/** A part's file: 0.2 s at 1.5 Mbit/s. */
const PART = randomBytes(37_500);
const REDIS_URL = env.TEST_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Before measuring: every viewer has its first answer and follows the live edge. */
const WARM_UP_MS = 3000;

interface Job {
  base: string;
  hlsDir: string;
  streamId: string;
  /** The app's pub/sub, where the transcoder announces what it writes. */
  redisPrefix: string;
  /** The app's part settings (its defaults unless HLS_PART_MS etc. are set). */
  hls: Pick<AppConfig['hls'], 'partMs' | 'partsPerSegment' | 'keyframeParts'>;
}
interface Result {
  answers: number;
  parts: number;
  /** ms from a part's write to each answer that listed it first, for requests waiting for it. */
  lateness: number[];
  errors: string[];
  /** The viewers' own process's CPU (share of one core): near 100 %, it is the bench that limits. */
  viewersCpu: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function main(): Promise<void> {
  const db = await createDatabase(
    env.TEST_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    'lc_bench',
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-'));
  const prefix = `lcb${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    PAYMENT_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    PORT: '3000',
    MEDIASOUP_RTC_PORT: '0',
    // HLS_PART_MS and the other HLS settings, when set.
    ...Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('HLS_'))),
    // Every viewer comes from 127.0.0.1.
    HLS_MAX_BLOCKING_PER_CLIENT: '0',
    // Only HTTP is measured.
    RTMP_ENABLED: 'false',
    SRT_ENABLED: 'false',
  });
  const app = await createApp(config, db.url);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  try {
    const { partMs, partsPerSegment, keyframeParts } = config.hls;
    const job: Job = {
      base: `http://127.0.0.1:${port}`,
      hlsDir: config.hls.dir,
      streamId: randomUUID(),
      hls: { partMs, partsPerSegment, keyframeParts },
      redisPrefix: prefix,
    };
    const child = fork(__filename, ['viewers'], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
    let cpu0 = process.cpuUsage();
    let t0 = performance.now();
    const result = await new Promise<Result>((resolve, reject) => {
      child.on('message', (m: { measuring?: true; result?: Result }) => {
        if (m.measuring) {
          cpu0 = process.cpuUsage();
          t0 = performance.now();
        }
        if (m.result) resolve(m.result);
      });
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`the viewers' process exited (${code})`)));
      child.send(job);
    });
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - t0) / 1000;
    child.kill();
    const l = result.lateness;
    console.log(
      `${VIEWERS} viewers, a ${HOURS} h show, ${SKIP ? 'delta updates' : 'full playlists'}, ${wall.toFixed(1)} s:\n` +
        `  app CPU ${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(1)} % of a core, ` +
        `${Math.round(result.answers / wall)} playlist${PARTS ? ` and ${Math.round(result.parts / wall)} part` : ''} answers/s\n` +
        `  a part's waiting viewers answered after p50 ${pct(l, 50).toFixed(0)} ms, ` +
        `p99 ${pct(l, 99).toFixed(0)} ms, max ${Math.max(...l).toFixed(0)} ms (${l.length} answers)\n` +
        `  the viewers' process: ${result.viewersCpu.toFixed(1)} % of a core; errors: ${result.errors.length}${result.errors.length ? ` (first: ${result.errors[0]})` : ''}`,
    );
  } finally {
    await app.close();
    await db.drop();
    await deleteRedisPrefix(prefix, REDIS_URL);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The forked process: the transcoder's playlist writes and the viewers. */
async function viewers(job: Job): Promise<Result> {
  // As the transcoder writes in a worker process: announcing each playlist on the app's pub/sub.
  const redis = new Redis(REDIS_URL);
  const storage = new AnnouncedHlsStorage(
    new LocalHlsStorage(job.hlsDir),
    new RedisPubSub(redis, redis.duplicate(), `${job.redisPrefix}:`),
  );
  const key = `${job.streamId}/720p/index.m3u8`;
  const url = `${job.base}/hls/${key}`;
  const { partMs, partsPerSegment, keyframeParts } = job.hls;
  const timing = {
    partSeconds: partMs / 1000,
    partsPerSegment,
    keyframeParts,
    start: Date.now() - HOURS * 3600_000,
  };
  let n = Math.round((HOURS * 3600_000) / partMs);
  const pl = liveShow(n, timing);
  await storage.write(key, pl.render());

  /** When the playlist listing each part (`msn/part`) began to be written. */
  const written = new Map<string, number>();
  const result: Result = { answers: 0, parts: 0, lateness: [], errors: [], viewersCpu: 0 };
  let measuring = false;
  let stop = false;
  const writer = setInterval(() => {
    // The part's file first, then the playlist that lists it, as the transcoder writes them.
    const part = storage.write(`${job.streamId}/720p/r1/p${n}.m4s`, PART);
    addParts(pl, n++, 1, timing);
    const at = pl.report('')!;
    void part.then(() => {
      written.set(`${at.lastMsn}/${at.lastPart}`, performance.now());
      return storage.write(key, pl.render());
    });
  }, partMs);

  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const get = (query: string, target = `${url}?${query}${SKIP ? '&_HLS_skip=YES' : ''}`) =>
    new Promise<string>((resolve, reject) => {
      http
        .get(target, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(body)
              : reject(new Error(`${res.statusCode}: ${body.slice(0, 200)}`)),
          );
        })
        .on('error', reject);
    });

  const viewer = async () => {
    let pos = readPlaylist(await get('x=1'));
    while (!stop) {
      // The part after the last one listed: the open segment's next, as hls.js asks.
      const msn = pos.lastMsn + 1;
      const part = pos.trailingParts;
      const hinted = PARTS && pos.lastPart ? `r${pos.lastPart.run}/p${pos.lastPart.n}.m4s` : undefined;
      try {
        const [next] = await Promise.all([
          get(`_HLS_msn=${msn}&_HLS_part=${part}`),
          hinted && get('', `${job.base}/hls/${job.streamId}/720p/${hinted}`),
        ]);
        pos = readPlaylist(next);
        if (measuring && hinted) result.parts++;
      } catch (e) {
        if (measuring) result.errors.push((e as Error).message);
        continue;
      }
      const at = written.get(`${msn}/${part}`);
      if (!measuring) continue;
      result.answers++;
      if (at !== undefined) result.lateness.push(performance.now() - at);
    }
  };
  const running = Promise.all(Array.from({ length: VIEWERS }, viewer));
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  measuring = true;
  process.send!({ measuring: true });
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(cpu0);
  result.viewersCpu = ((cpu.user + cpu.system) / 1e6 / SECONDS) * 100;
  measuring = false;
  stop = true;
  clearInterval(writer);
  // Delivered before the process exits (an IPC message still queued at exit is lost).
  await new Promise((r) => process.send!({ result }, r));
  await running.catch(() => undefined);
  return result;
}

if (process.argv[2] === 'viewers') {
  process.once('message', (job: Job) => void viewers(job).then(() => process.exit(0)));
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
