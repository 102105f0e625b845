/**
 * npm run bench:ingest — RTMP and SRT ingest, inside a loopback-only
 * network namespace (scripts/netns-run.sh).
 *
 * 1. Glass-to-glass, alternating RTMP and SRT runs (BENCH_RUNS each, 3 by
 *    default): bench/time-pattern-frames.ts draws the wall clock as blocks into raw
 *    1280x720 frames, Debian's ffmpeg encodes them as OBS would with B-frames
 *    off (x264 veryfast, -tune zerolatency -bf 0 -g 30, 2.5 Mbit/s, AAC) and
 *    publishes over RTMP or SRT; Chromium decodes the blocks of each frame it
 *    shows, over WHEP and with hls.js (lowLatencyMode), and subtracts. One
 *    machine, one clock. Also the CPU of the ingest while it runs: the app
 *    process, the feeder ffmpeg (and for SRT the remux ffmpeg and the
 *    livecart-srt helper), per second of wall time; the mediasoup worker and
 *    the HLS ladder are shown apart (they are the same for a WHIP stream).
 * 2. Capacity: N concurrent RTMP passthrough ingests of a pre-encoded 720p
 *    2.5 Mbit/s file (ffmpeg -re -stream_loop -1 -c copy, so the publishers
 *    cost little), HLS off, N = 1, 2, 4, 8, 12, 16 … while every publisher
 *    keeps real time (ffmpeg speed ≥ 0.97), the SFU receives ≥ 90 % of the
 *    bitrate and the ingest drops no frame. CPU per ingest (app + feeders)
 *    at each N.
 *
 * Options (environment): BENCH_SECONDS (20) measured per latency run,
 * BENCH_RUNS (3), BENCH_ONLY=latency|capacity, BENCH_MAX_INGESTS (24),
 * BENCH_BFRAMES (0): B-frames of the latency runs' encoder (OBS's x264
 * default is 2).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SfuHost } from '../src/streams/ingest/sfu.provider';
import { launchChromium } from '../test/support/browser';
import { startIngestApp, type IngestApp } from '../test/support/encoders';
import { cpuSeconds, parentOf } from '../test/support/procfs';
import { loadHlsJs } from '../test/support/player-page';
import { TIME_PATTERN } from './time-pattern';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MAX_INGESTS = Number(process.env.BENCH_MAX_INGESTS ?? 24);
const ONLY = process.env.BENCH_ONLY;
const BFRAMES = Number(process.env.BENCH_BFRAMES ?? 0);
const WIDTH = 1280;
const HEIGHT = 720;
const BITRATE = 2_500_000;

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const median = (xs: number[]) => quantile(xs, 0.5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** In the page (after TIME_PATTERN, which reads the clock off a frame): the clock off each frame on screen. */
const MEASURE_LIB = `
window.measure = (video, seconds, settleMs) => new Promise((resolve) => {
  const c = document.createElement('canvas'); c.width = 640; c.height = 360;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  const samples = [];
  let start = 0;
  const onFrame = () => {
    const now = Date.now();
    if (!start) start = now + settleMs;
    if (now >= start) {
      ctx.drawImage(video, 0, 0, c.width, c.height);
      const d = now - window.readTime(ctx, c.width, c.height);
      if (d >= 0 && d < 20000) samples.push(d);
    }
    if (now < start + seconds * 1000) video.requestVideoFrameCallback(onFrame); else resolve(samples);
  };
  video.requestVideoFrameCallback(onFrame);
});
window.whep = async (url) => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const video = document.createElement('video'); video.muted = true; video.autoplay = true; document.body.append(video);
  const stream = new MediaStream();
  pc.ontrack = (e) => { stream.addTrack(e.track); video.srcObject = stream; };
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error('WHEP ' + res.status + ' ' + await res.text());
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  void video.play();
  window.pc = pc;
  return video;
};
// hls.js as the watch page sets it up (its player is re-implemented here, not loaded from
// client-demo/): low-latency mode, catching up at up to 1.5x, and the target latency put back
// to PART-HOLD-BACK after 4 s without a stall (hls.js adds 1 s at each stall and keeps it).
window.hlsPlay = async (url) => {
  const video = document.createElement('video'); video.muted = true; document.body.append(video);
  const hls = new Hls({ lowLatencyMode: true, backBufferLength: 30, maxLiveSyncPlaybackRate: 1.5 });
  hls.config.liveMaxLatencyDurationCount = 4;
  let base, lastStall = Date.now();
  hls.on(Hls.Events.ERROR, (_, d) => { if (d.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) lastStall = Date.now(); });
  setInterval(() => {
    const t = hls.targetLatency;
    if (base === undefined && t) base = t;
    if (base !== undefined && t > base && Date.now() - lastStall >= 4000) hls.targetLatency = base;
  }, 500);
  hls.loadSource(url); hls.attachMedia(video);
  await new Promise((r) => hls.on(Hls.Events.MANIFEST_PARSED, r));
  void video.play();
  window.hls = hls;
  return video;
};
`;

/** CPU seconds (user + system) a process has used, or undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined;
  }
}

/** This process's children whose command line matches. */
function children(match: (argv: string[]) => boolean): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (parentOf(Number(d)) !== process.pid) continue;
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (match(argv)) out.push(Number(d));
    } catch {
      continue;
    }
  }
  return out;
}

const isFeeder = (a: string[]) => a.some((x) => x.startsWith('rtp://')) && a.includes('pipe:0');
const isRemux = (a: string[]) => a.includes('mpegts') && a.includes('pipe:1');
const isHelper = (a: string[]) => path.basename(a[0]) === 'livecart-srt';
const isLadder = (a: string[]) => a.some((x) => x.startsWith('tcp://') && x.includes('listen=1'));

/** CPU of groups of processes over a window, in cores (CPU-s per wall second). */
async function cpuOver(ms: number, groups: Record<string, () => number[]>): Promise<Record<string, number>> {
  const start = Object.entries(groups).map(
    ([k, f]) => [k, f().map((p) => [p, cpuSecondsOf(p)] as const)] as const,
  );
  const t0 = Date.now();
  await sleep(ms);
  const wall = (Date.now() - t0) / 1000;
  // Processes alive at both ends of the window only (a worker of a closed app may be exiting).
  return Object.fromEntries(
    start.map(([k, list]) => [
      k,
      list.reduce((a, [p, c0]) => {
        const c1 = cpuSecondsOf(p);
        return c0 === undefined || c1 === undefined ? a : a + (c1 - c0);
      }, 0) / wall,
    ]),
  );
}

function mediasoupWorkers(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0]) === 'mediasoup-worker') out.push(Number(d));
    } catch {
      continue;
    }
  }
  return out;
}

/** The time pattern, encoded as OBS would with B-frames off, published to `url`. */
function patternEncoder(url: string): ChildProcess[] {
  const source = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      path.join(__dirname, 'time-pattern-frames.ts'),
      `${WIDTH}`,
      `${HEIGHT}`,
      '30',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const srt = url.startsWith('srt:');
  const enc = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${WIDTH}x${HEIGHT}`,
      '-r',
      '30',
      '-i',
      'pipe:0',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-bf',
      String(BFRAMES),
      '-g',
      '30',
      '-b:v',
      `${BITRATE}`,
      '-maxrate',
      `${BITRATE}`,
      '-bufsize',
      `${BITRATE / 2}`,
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-f',
      srt ? 'mpegts' : 'flv',
      url,
    ],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  source.stdout.pipe(enc.stdin);
  enc.stdin.on('error', () => undefined);
  return [source, enc];
}

interface LatencyRun {
  protocol: 'rtmp' | 'srt';
  whep: number[];
  hls: number[];
  cpu: Record<string, number>;
}

async function latencyRun(browser: Browser, protocol: 'rtmp' | 'srt'): Promise<LatencyRun> {
  const f = await startIngestApp({
    redis: false,
    env: { LOG_LEVEL: 'error', HLS_ENABLED: 'true', INGEST_RECONNECT_GRACE_SECONDS: '10' },
  });
  const procs: ChildProcess[] = [];
  const pages: Page[] = [];
  try {
    const s = await f.newStream();
    const url = protocol === 'rtmp' ? `${s.rtmpUrl}/${s.streamKey}` : `${s.srtUrl}?streamid=${s.streamKey}`;
    procs.push(...patternEncoder(url));
    await f.waitView(s.id, (v) => v.ingest?.state === 'live', 30_000, 'live');
    // The ingest's own CPU while one stream flows (HLS running beside it, shown apart), once the
    // HLS job's ffmpeg runs (it starts a moment after the stream goes live).
    for (const t0 = Date.now(); children(isLadder).length === 0 && Date.now() - t0 < 15_000;)
      await sleep(200);
    await sleep(2000);
    const cpu = await cpuOver(10_000, {
      app: () => [process.pid],
      feeder: () => children(isFeeder),
      srt: () => [...children(isRemux), ...children(isHelper)],
      mediasoup: mediasoupWorkers,
      hlsLadder: () => children(isLadder),
    });
    const measure = async (kind: 'whep' | 'hls') => {
      const page = await browser.newPage({ baseURL: f.t.baseUrl });
      pages.push(page);
      await page.goto('/health');
      await page.addScriptTag({ content: TIME_PATTERN });
      await page.addScriptTag({ content: MEASURE_LIB });
      if (kind === 'hls') await loadHlsJs(page);
      return page.evaluate(
        async ([k, u, secs]) => {
          const w = window as unknown as {
            whep(u: string): Promise<HTMLVideoElement>;
            hlsPlay(u: string): Promise<HTMLVideoElement>;
            measure(v: HTMLVideoElement, s: number, settle: number): Promise<number[]>;
          };
          const video = k === 'whep' ? await w.whep(u) : await w.hlsPlay(u);
          return w.measure(video, secs, k === 'whep' ? 2000 : 6000);
        },
        [kind, kind === 'whep' ? `/whep/${s.id}` : `/hls/${s.id}/master.m3u8`, SECONDS] as const,
      );
    };
    const whep = await measure('whep');
    const hls = await measure('hls');
    return { protocol, whep, hls, cpu };
  } finally {
    for (const p of pages) await p.close().catch(() => undefined);
    for (const p of procs) p.kill('SIGKILL');
    await f.close();
  }
}

/** A 720p 2.5 Mbit/s H.264 (no B-frames, 2 s GOP) + AAC file for the capacity runs. */
function capacitySource(): string {
  const file = path.join(os.tmpdir(), 'livecart-bench-ingest-720p.flv');
  if (fs.existsSync(file)) return file;
  const r = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${WIDTH}x${HEIGHT}:rate=30`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '30',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-bf',
    '0',
    '-g',
    '60',
    '-b:v',
    `${BITRATE}`,
    '-maxrate',
    `${BITRATE}`,
    '-bufsize',
    `${BITRATE}`,
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    file,
  ]);
  if (r.status !== 0) throw new Error('could not encode the capacity source');
  return file;
}

interface CapacityStep {
  n: number;
  held: boolean;
  minSpeed: number;
  minBitrate: number;
  dropped: number;
  appCores: number;
  feederCores: number;
  mediasoupCores: number;
}

async function capacityStep(f: IngestApp, file: string, n: number): Promise<CapacityStep> {
  const streams = await Promise.all(Array.from({ length: n }, () => f.newStream()));
  const speeds = new Map<number, number>();
  const procs = streams.map((s, i) => {
    const p = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        file,
        '-c',
        'copy',
        '-f',
        'flv',
        `${s.rtmpUrl}/${s.streamKey}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d: string) => {
      const m = /speed=\s*([\d.]+)x/g;
      let last: RegExpExecArray | null = null;
      for (let x = m.exec(d); x; x = m.exec(d)) last = x;
      if (last) speeds.set(i, Number(last[1]));
    });
    return p;
  });
  try {
    await Promise.all(
      streams.map((s) => f.waitView(s.id, (v) => v.ingest?.state === 'live', 60_000, 'live')),
    );
    await sleep(5000);
    const sfu = f.t.app.get(SfuHost).sfu!;
    const bytes = async () =>
      Promise.all(
        streams.map(async (s) => {
          let b = 0;
          for (const p of sfu.room(s.id)?.producers ?? []) {
            if (p.kind === 'video') b += (await p.getStats()).reduce((a, x) => a + x.byteCount, 0);
          }
          return b;
        }),
      );
    const b0 = await bytes();
    const t0 = Date.now();
    const cpu = await cpuOver(10_000, {
      app: () => [process.pid],
      feeder: () => children(isFeeder),
      mediasoup: mediasoupWorkers,
    });
    const b1 = await bytes();
    const wall = (Date.now() - t0) / 1000;
    const rates = b1.map((b, i) => ((b - b0[i]) * 8) / wall);
    const views = await Promise.all(streams.map((s) => f.ownerView(s.id)));
    const dropped = views.reduce((a, v) => a + (v.ingest?.droppedFrames ?? 0), 0);
    const minSpeed = Math.min(...streams.map((_, i) => speeds.get(i) ?? 0));
    const minBitrate = Math.min(...rates);
    return {
      n,
      held: minSpeed >= 0.97 && minBitrate >= 0.9 * BITRATE && dropped === 0,
      minSpeed,
      minBitrate,
      dropped,
      appCores: cpu.app,
      feederCores: cpu.feeder,
      mediasoupCores: cpu.mediasoup,
    };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    for (const s of streams) {
      await f.t.http
        .post(`/api/streams/${s.id}/end`)
        .set('Authorization', `Bearer ${f.streamer.token}`)
        .catch(() => undefined);
    }
    await sleep(2000);
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `bench:ingest — ${cpus.length} cores (${cpus[0]?.model ?? '?'}), ${new Date().toISOString()}, loopback only`,
  );
  if (ONLY !== 'capacity') {
    const browser = await launchChromium();
    const runs: LatencyRun[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        for (const p of ['rtmp', 'srt'] as const) {
          const r = await latencyRun(browser, p);
          runs.push(r);
          const fmt = (xs: number[]) =>
            xs.length ? `p50=${quantile(xs, 0.5)} p95=${quantile(xs, 0.95)} (n=${xs.length})` : 'no frames';
          console.log(
            `  run ${i + 1} ${p.toUpperCase()}: WHEP ${fmt(r.whep)}; LL-HLS ${fmt(r.hls)}; CPU app ${r.cpu.app.toFixed(3)}, ` +
              `feeder ${r.cpu.feeder.toFixed(3)}, srt remux+helper ${r.cpu.srt.toFixed(3)}, mediasoup ${r.cpu.mediasoup.toFixed(3)}, HLS ladder ${r.cpu.hlsLadder.toFixed(2)} cores`,
          );
        }
      }
    } finally {
      await browser.close();
    }
    console.log(
      `glass-to-glass, 1280x720 x264 -tune zerolatency -bf ${BFRAMES} -g 30, ${SECONDS} s per viewer, ${RUNS} runs each (median [range] of the runs' values):`,
    );
    for (const p of ['rtmp', 'srt'] as const) {
      const rs = runs.filter((r) => r.protocol === p);
      const stat = (f: (r: LatencyRun) => number) => {
        const xs = rs.map(f);
        return `${median(xs)} [${Math.min(...xs)}–${Math.max(...xs)}]`;
      };
      const cores = (f: (r: LatencyRun) => number) => {
        const xs = rs.map(f);
        return `${median(xs).toFixed(3)} [${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}]`;
      };
      console.log(
        `  ${p.toUpperCase()} → WHEP p50 ${stat((r) => quantile(r.whep, 0.5))} ms, p95 ${stat((r) => quantile(r.whep, 0.95))} ms; ` +
          `→ LL-HLS p50 ${stat((r) => quantile(r.hls, 0.5))} ms, p95 ${stat((r) => quantile(r.hls, 0.95))} ms`,
      );
      console.log(
        `     ingest CPU (cores): app ${cores((r) => r.cpu.app)} + ffmpeg ${cores((r) => r.cpu.feeder + r.cpu.srt)} = ${cores((r) => r.cpu.app + r.cpu.feeder + r.cpu.srt)}; mediasoup ${cores((r) => r.cpu.mediasoup)}; HLS ladder ${cores((r) => r.cpu.hlsLadder)}`,
      );
    }
  }
  if (ONLY !== 'latency') {
    const file = capacitySource();
    const f = await startIngestApp({
      redis: false,
      env: { LOG_LEVEL: 'error', HLS_ENABLED: 'false', INGEST_MAX_SESSIONS: '200' },
    });
    try {
      console.log(
        `capacity: concurrent RTMP passthrough ingests of ${WIDTH}x${HEIGHT} ${BITRATE / 1e6} Mbit/s (HLS off)`,
      );
      for (const n of [1, 2, 4, 8, 12, 16, 20, 24].filter((x) => x <= MAX_INGESTS)) {
        const r = await capacityStep(f, file, n);
        console.log(
          `  N=${n}: ${r.held ? 'real time' : 'FALLS BEHIND'} (slowest publisher ${r.minSpeed}x, lowest SFU bitrate ${(r.minBitrate / 1e6).toFixed(2)} Mbit/s, dropped ${r.dropped}); ` +
            `cores: app ${r.appCores.toFixed(2)}, feeders ${r.feederCores.toFixed(2)}, mediasoup ${r.mediasoupCores.toFixed(2)}; ` +
            `per ingest app+ffmpeg ${((r.appCores + r.feederCores) / n).toFixed(3)}`,
        );
        if (!r.held) break;
      }
    } finally {
      await f.close();
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
