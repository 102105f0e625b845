/**
 * `npm run bench:chat`: chat fan-out in one live room.
 *
 * Starts the app in its own process on a fresh database (loopback only),
 * opens N viewers spread over K client processes (websocket transport), and
 * has M signed-in senders chat at R lines per second each. Prints the
 * deliveries per second (lines received by viewers), the delivery latency
 * p50/p99 (send → receive, one clock: same machine), and the server's CPU
 * and memory, with the clients' CPU beside it to show where the cores go.
 *
 *   npm run bench:chat -- --viewers 5000 --senders 25 --rate 1 --duration 10
 *
 * Options (defaults): --viewers 5000 (≤ 20000), --senders 25 (≤ 500),
 * --rate 1 line/s per sender (the chat rate limit is 1/s, bursts of 5),
 * --duration 10 s measured (≤ 120) after --warmup 3 s, --clients 4 viewer
 * processes, --client socketio|raw, --redis (use REDIS_URL or
 * redis://127.0.0.1:6379), --batch-ms 50 (LIVE_CHAT_BATCH_MS on the server; 0 = off),
 * --replicas 1 app processes (more than one: they share the room through
 * Redis, as replicas behind a load balancer do; viewer process k connects to
 * replica k mod replicas, senders are spread the same way).
 * The database server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres; a database is created and dropped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { cpuSeconds } from '../test/support/procfs';
import { createDatabase, deleteRedisPrefix } from '../test/support/services';

interface Args {
  viewers: number;
  senders: number;
  rate: number;
  duration: number;
  warmup: number;
  clients: number;
  client: 'socketio' | 'raw';
  redis: boolean;
  batchMs: number;
  replicas: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    viewers: 5000,
    senders: 25,
    rate: 1,
    duration: 10,
    warmup: 3,
    clients: 4,
    client: 'socketio',
    redis: false,
    batchMs: 50,
    replicas: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const num = (min: number, max: number) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max)
        throw new Error(`${k} must be between ${min} and ${max}`);
      i++;
      return n;
    };
    if (k === '--viewers') a.viewers = Math.round(num(1, 20_000));
    else if (k === '--senders') a.senders = Math.round(num(1, 500));
    else if (k === '--rate') a.rate = num(0.1, 1);
    else if (k === '--duration') a.duration = num(1, 120);
    else if (k === '--warmup') a.warmup = num(0, 30);
    else if (k === '--clients') a.clients = Math.round(num(1, 16));
    else if (k === '--batch-ms') a.batchMs = Math.round(num(0, 1000));
    else if (k === '--redis') a.redis = true;
    else if (k === '--replicas') a.replicas = Math.round(num(1, 8));
    else if (k === '--client') {
      if (v !== 'socketio' && v !== 'raw') throw new Error('--client must be socketio or raw');
      a.client = v;
      i++;
    } else throw new Error(`unknown option ${k}`);
  }
  // Replicas share the room through Redis (socket.io adapter, pub/sub, presence).
  if (a.replicas > 1) a.redis = true;
  return a;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
/** Wait after the window for its last lines: anything later than this counts as lost. */
const DRAIN_MS = 3000;

function onMessage<T>(child: ChildProcess, type: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} from child within ${ms} ms`)), ms);
    const handler = (m: { type: string; error?: string }) => {
      if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(m.error));
      } else if (m.type === type) {
        clearTimeout(timer);
        child.off('message', handler);
        resolve(m as T);
      }
    };
    child.on('message', handler);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${type}`)));
  });
}

/** utime + stime of a process, in ms. */
const cpuMsOf = (pid: number) => cpuSeconds(pid) * 1000;

function memOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

function percentile(hist: number[], total: number, p: number): number {
  let seen = 0;
  const want = Math.ceil(total * p);
  for (let ms = 0; ms < hist.length; ms++) {
    seen += hist[ms];
    if (seen >= want) return ms;
  }
  return hist.length - 1;
}

function quantile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
}

async function http<T>(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await createDatabase(adminUrl, 'lc_bench');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-bench-'));
  const children: ChildProcess[] = [];
  const senders: Socket[] = [];
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `lcbench${randomBytes(3).toString('hex')}`;

  const cleanup = async () => {
    for (const s of senders) s.disconnect();
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await sleep(200);
    await db.drop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    // Leave nothing behind: presence sets, counters and queues under this run's prefix.
    if (args.redis) await deleteRedisPrefix(redisPrefix, redisUrl);
  };

  try {
    console.log(
      `bench:chat  viewers=${args.viewers} senders=${args.senders} rate=${args.rate}/s each ` +
        `duration=${args.duration}s warmup=${args.warmup}s clients=${args.clients}×${args.client} ` +
        `redis=${args.redis} replicas=${args.replicas} batch=${args.batchMs}ms  cores=${os.availableParallelism()} ` +
        `load=${os.loadavg()[0].toFixed(1)}`,
    );
    // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of the server (open in Chrome DevTools).
    const ports: number[] = [];
    const prof = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    const jwtSecret = randomBytes(32).toString('hex');
    const servers: ChildProcess[] = [];
    for (let r = 0; r < args.replicas; r++) {
      const server = fork(path.join(__dirname, 'chat-server.ts'), [], {
        execArgv: [...TS_NODE, ...prof],
        env: {
          ...process.env,
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          DATABASE_URL: db.url,
          DATA_DIR: dataDir,
          JWT_SECRET: jwtSecret,
          SCRYPT_COST: '1024',
          PUBLIC_URL: 'http://127.0.0.1:3000',
          MEDIASOUP_NUM_WORKERS: '1',
          // Several replicas on one machine: each worker takes any free WebRTC port.
          MEDIASOUP_RTC_PORT: '0',
          // Every sender registers from 127.0.0.1.
          REGISTER_ADDRESS_BURST: '100000',
          LIVE_CHAT_BATCH_MS: String(args.batchMs),
          // Every viewer comes from 127.0.0.1: the per-address limits would refuse or merge them.
          LIVE_MAX_CONNECTIONS_PER_IP: '0',
          LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP: '0',
          ...(args.redis ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : { REDIS_URL: '' }),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(server);
      servers.push(server);
      // One at a time: the first one migrates the database.
      await onMessage<{ port: number }>(server, 'ready', 120_000).then(({ port }) => ports.push(port));
    }
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    const base = bases[0];

    // Users and the stream.
    const register = (role: string, i: number) =>
      http<{ accessToken: string }>(base, 'POST', '/api/auth/register', {
        email: `bench-${role}-${i}@bench.livecart`,
        password: 'password-123',
        name: `${role} ${i}`,
        role,
      });
    const streamer = await register('streamer', 0);
    const stream = await http<{ id: string }>(
      base,
      'POST',
      '/api/streams',
      { title: 'bench' },
      streamer.accessToken,
    );
    const senderTokens: string[] = [];
    for (let i = 0; i < args.senders; i++) senderTokens.push((await register('viewer', i)).accessToken);

    // Viewers.
    const t0 = Date.now();
    const per = Math.ceil(args.viewers / args.clients);
    const viewerProcs: ChildProcess[] = [];
    for (let offset = 0, k = 0; offset < args.viewers; offset += per, k++) {
      const count = Math.min(per, args.viewers - offset);
      const url = bases[k % bases.length];
      const child = fork(
        path.join(__dirname, 'chat-viewers.ts'),
        [JSON.stringify({ url, streamId: stream.id, count, offset, client: args.client })],
        { execArgv: TS_NODE, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      children.push(child);
      viewerProcs.push(child);
    }
    await Promise.all(viewerProcs.map((c) => onMessage(c, 'ready', 300_000)));
    console.log(`${args.viewers} viewers joined in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Senders.
    for (const [i, token] of senderTokens.entries()) {
      const s = io(`${bases[i % bases.length]}/live`, {
        transports: ['websocket'],
        forceNew: true,
        auth: { token },
      });
      senders.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      await s.timeout(10_000).emitWithAck('join', { streamId: stream.id });
    }
    const acks = { ok: 0, errors: new Map<string, number>() };
    /** Send → ack of the lines sent in the window: the server's chat:send path, Postgres insert included. */
    const ackMs: number[] = [];
    let sent = 0;
    let sentInWindow = 0;
    let measuring = false;
    let seq = 0;
    const intervalMs = 1000 / args.rate;
    const timers = senders.map((s, i) =>
      setTimeout(
        () => {
          const tick = () => {
            const at = Date.now();
            const text = `bench ${at} ${seq++}`;
            sent++;
            const inWindow = measuring;
            if (inWindow) sentInWindow++;
            s.emit('chat:send', { text }, (r: { ok?: boolean; error?: { code: string } }) => {
              if (inWindow) ackMs.push(Date.now() - at);
              if (r.ok) acks.ok++;
              else acks.errors.set(r.error!.code, (acks.errors.get(r.error!.code) ?? 0) + 1);
            });
          };
          tick();
          timers[i] = setInterval(tick, intervalMs);
        },
        (i * intervalMs) / senders.length,
      ),
    );

    await sleep(args.warmup * 1000);
    const cpu0 = servers.map((sv) => cpuMsOf(sv.pid!));
    const clientCpu0 = viewerProcs.map((c) => cpuMsOf(c.pid!));
    const self0 = process.cpuUsage();
    for (const sv of servers) sv.send({ type: 'loop:start' });
    const w0 = Date.now();
    measuring = true;
    for (const c of viewerProcs) c.send({ type: 'start', at: w0 });
    await sleep(args.duration * 1000);
    measuring = false;
    const w1 = Date.now();
    for (const c of viewerProcs) c.send({ type: 'end', at: w1 });
    const serverCpus = servers.map((sv, i) => cpuMsOf(sv.pid!) - cpu0[i]);
    const serverCpu = serverCpus.reduce((a, b) => a + b, 0);
    const clientCpu = viewerProcs.reduce((n, c, i) => n + cpuMsOf(c.pid!) - clientCpu0[i], 0);
    const selfU = process.cpuUsage(self0);
    const mems = servers.map((sv) => memOf(sv.pid!));
    const mem = {
      rssMb: mems.reduce((n, m) => n + m.rssMb, 0),
      peakMb: mems.reduce((n, m) => n + m.peakMb, 0),
    };
    const loops = await Promise.all(
      servers.map((sv) => {
        const p = onMessage<{ p50: number; p99: number; max: number }>(sv, 'loop', 10_000);
        sv.send({ type: 'loop:stop' });
        return p;
      }),
    );
    // The worst replica's loop: a line is as late as the slowest replica that delivers it.
    const loop = {
      p50: Math.max(...loops.map((l) => l.p50)),
      p99: Math.max(...loops.map((l) => l.p99)),
      max: Math.max(...loops.map((l) => l.max)),
    };
    // Lines sent in the window that are still on their way get a moment to arrive.
    await sleep(DRAIN_MS);
    const results = await Promise.all(
      viewerProcs.map((c) => {
        const r = onMessage<{ deliveries: number; duplicates: number; frames: number; hist: number[] }>(
          c,
          'result',
          30_000,
        );
        c.send({ type: 'collect' });
        return r;
      }),
    );
    const windowS = (w1 - w0) / 1000;
    for (const t of timers) clearInterval(t);

    const hist = new Array<number>(results[0].hist.length).fill(0);
    let deliveries = 0;
    let duplicates = 0;
    let frames = 0;
    for (const r of results) {
      deliveries += r.deliveries;
      duplicates += r.duplicates;
      frames += r.frames;
      r.hist.forEach((n, ms) => (hist[ms] += n));
    }
    const expected = sentInWindow * args.viewers;
    const pct = (ms: number) => ((ms / 1000 / windowS) * 100).toFixed(0);
    // CPU time spent per line delivered: does not depend on how busy the machine is.
    const perDelivery = (ms: number) => (deliveries ? (ms * 1000) / deliveries : 0).toFixed(2);
    // A frame costs a write per socket on the server and a decode in the viewer whatever it carries.
    const perFrame = (ms: number) => (frames ? (ms * 1000) / frames : 0).toFixed(2);
    const capacity = (ms: number) =>
      ms > 0 ? Math.round((deliveries / ms) * 1000).toLocaleString('en') : 'n/a';
    console.log(
      [
        `window              ${windowS.toFixed(1)} s, ${sentInWindow} lines sent (${(sentInWindow / windowS).toFixed(1)}/s)`,
        `deliveries/s        ${Math.round(deliveries / windowS).toLocaleString('en')}  (${deliveries.toLocaleString('en')} received, ${(expected ? (deliveries / expected) * 100 : 0).toFixed(1)}% of sent × viewers, ${duplicates} duplicates)`,
        `latency p50 / p99   ${percentile(hist, deliveries, 0.5)} ms / ${percentile(hist, deliveries, 0.99)} ms  (max ${percentile(hist, deliveries, 1)} ms)`,
        `  of which chat:send ack p50 / p99 ${quantile(ackMs, 0.5)} ms / ${quantile(ackMs, 0.99)} ms (validation, limits, Postgres insert)`,
        `server CPU          ${pct(serverCpu)}% of one core` +
          (servers.length > 1 ? ` (replicas ${serverCpus.map((c) => `${pct(c)}%`).join(' + ')})` : '') +
          `   memory RSS ${mem.rssMb.toFixed(0)} MB (peak ${mem.peakMb.toFixed(0)} MB)`,
        `server loop delay   ${servers.length > 1 ? 'worst replica ' : ''}p50 ${loop.p50} ms / p99 ${loop.p99} ms / max ${loop.max} ms (time an event waits for the loop)`,
        `viewer procs CPU    ${pct(clientCpu)}% of one core (all ${viewerProcs.length})   senders ${pct((selfU.user + selfU.system) / 1000)}%`,
        `CPU per delivery    server ${perDelivery(serverCpu)} µs, viewer procs ${perDelivery(clientCpu)} µs ` +
          `(server alone on one core: ~${capacity(serverCpu)} deliveries/s)`,
        `chat frames         ${Math.round(frames / windowS).toLocaleString('en')}/s to viewers, ` +
          `${(frames ? deliveries / frames : 0).toFixed(1)} lines each; CPU per frame: server ${perFrame(serverCpu)} µs, ` +
          `viewer procs ${perFrame(clientCpu)} µs`,
        `machine load        ${os.loadavg()[0].toFixed(1)} (1-min average, all processes)`,
        `sender acks         ${acks.ok} ok${[...acks.errors].map(([c, n]) => `, ${n} ${c}`).join('')}  (${sent} sent in all)`,
      ].join('\n'),
    );
    for (const c of viewerProcs) c.send({ type: 'exit' });
    for (const s of senders) s.disconnect();
    const exited = Promise.all(servers.map((sv) => new Promise((r) => sv.once('exit', r))));
    for (const sv of servers) sv.send({ type: 'stop' });
    await Promise.race([exited, sleep(15_000)]);
  } finally {
    await cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
