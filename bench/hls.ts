/**
 * npm run bench:hls — the LL-HLS path end to end, inside a loopback-only
 * network namespace (scripts/netns-run.sh):
 *
 *   Chromium publisher (canvas time pattern, WHIP) → SFU → plain RTP →
 *   ffmpeg ladder → LL-HLS → two players side by side, both started at the
 *   WHIP answer (before any playlist exists):
 *     - stock hls.js, default config (lowLatencyMode on), from
 *       node_modules/hls.js/dist in a plain page: what a site embedding the
 *       stream with hls.js gets;
 *     - the watch page's own player (`/watch/<id>?mode=hls`).
 *
 * For each player: glass-to-glass latency p50 / p95 over BENCH_SECONDS (30)
 * after 3 s of settling (the time pattern of bench:latency: the publisher
 * draws Date.now() as blocks, the viewer decodes them from each played frame;
 * one browser, one clock), stalls in that window, time from the WHIP answer
 * to the first frame, hls.js error events. Then ffmpeg reads the top
 * rendition's LL-HLS playlist (as players built on ffmpeg do), and the
 * ffmpeg CPU per second of video is sampled.
 *
 * BENCH_NOISE=1 lays faint noise over the publisher's picture, so the
 * renditions reach their bitrates (the plain pattern compresses to parts of
 * a few KB, which is what hls.js's bandwidth estimate then sees).
 * BENCH_ONLY=vp8,h264,copy picks scenarios (default h264: the default ladder
 * encoded from an H.264 publisher); BENCH_BUSY=1 runs a busy loop on one core
 * beside it; HLS_PART_MS, HLS_PARTS_PER_SEGMENT, HLS_KEYFRAME_PARTS and
 * HLS_X264_PRESET go to the app; BENCH_HLS_TRACE=1 prints, for each stall,
 * what hls.js loaded, buffered and switched in the 3 s before it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser';
import { cpuSeconds } from '../test/support/procfs';
import { createStream } from '../test/support/streams';
import { TIME_PATTERN } from './time-pattern';
import { startTestApp, type TestApp } from '../test/support/test-app';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WIDTH = Number(process.env.BENCH_WIDTH ?? 1280);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 720);
const PRESET = process.env.HLS_X264_PRESET ?? 'veryfast';

const PUBLISH_LIB = `
${TIME_PATTERN}
window.publish = async (url, key, codec, w, h) => {
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const ctx = c.getContext('2d');
  // BENCH_NOISE=1: a faint noise layer (8 frames, cycled) over the pattern, so the renditions reach
  // their bitrates as a camera's would; the pattern alone makes parts of a few KB.
  const noise = ${process.env.BENCH_NOISE === '1'} ? Array.from({ length: 8 }, () => {
    const n = document.createElement('canvas'); n.width = w; n.height = h;
    const nctx = n.getContext('2d'); const img = nctx.createImageData(w, h);
    for (let i = 0; i < img.data.length; i += 4) { const v = Math.random() * 255; img.data[i] = img.data[i + 1] = img.data[i + 2] = v; img.data[i + 3] = 255; }
    nctx.putImageData(img, 0, 0); return n;
  }) : [];
  let frame = 0;
  // Drawn every 10 ms (a frame shows the time within 10 ms of its capture); with noise every 33 ms, as
  // blending the noise 100 times a second would take a core of its own.
  setInterval(() => {
    window.drawTime(ctx, c.width, c.height);
    if (noise.length) { ctx.globalAlpha = 0.15; ctx.drawImage(noise[frame++ % noise.length], 0, 0); ctx.globalAlpha = 1; }
  }, noise.length ? 33 : 10);
  const stream = c.captureStream(30);
  const pc = new RTCPeerConnection();
  const tr = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream] });
  const caps = RTCRtpSender.getCapabilities('video').codecs;
  const want = caps.filter((x) => x.mimeType.toLowerCase() === 'video/' + codec
    && (codec !== 'h264' || /packetization-mode=1/.test(x.sdpFmtpLine || '')));
  tr.setCodecPreferences([...want, ...caps.filter((x) => !want.includes(x))]);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 2000); });
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + key }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error('WHIP ' + res.status + ' ' + await res.text());
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  window.pc = pc;
  // Hold the resolution (the canvas is the camera): WebRTC would otherwise start small while its bandwidth estimate ramps up.
  const p = tr.sender.getParameters();
  p.degradationPreference = 'maintain-resolution';
  if (p.encodings && p.encodings[0]) p.encodings[0].maxBitrate = 4000000;
  await tr.sender.setParameters(p).catch(() => undefined);
  return Date.now();
};
`;

/**
 * The measurement, run in a viewer page (page.evaluate, so the watch page's CSP does not apply):
 * \`window.measure(getPlayer, published, seconds)\` where \`getPlayer()\` returns the page's
 * { video, hls } (the hls.js instance may be replaced when a player restarts). From the first
 * frame on screen it lets 3 s settle, then decodes the time pattern of every frame for \`seconds\`.
 */
const MEASURE_LIB = `
${TIME_PATTERN}
window.HLS_TRACE = ${process.env.BENCH_HLS_TRACE === '1'};
window.TRACE = [];
window.note = (text) => { if (window.HLS_TRACE) window.TRACE.push([Date.now(), text]); };
window.measure = (getPlayer, published, seconds) => new Promise((resolve) => {
  const c = document.createElement('canvas'); c.width = 640; c.height = 360;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  const samples = [], edge = [], pdt = [], errors = {}, stallLog = [], levels = [];
  // BENCH_HLS_TRACE=1: what hls.js loads and appends, and what the video does (and stock hls.js's own log).
  const note = window.note;
  const trace = () => window.TRACE.map(([t, text]) => [t - published, text]);
  const ahead = () => video && video.buffered.length ? (video.buffered.end(video.buffered.length - 1) - video.currentTime).toFixed(2) : '-';
  let waitingSince = 0;
  let firstFrame, start = 0, end = 0, lastFrameAt = 0, done = false, stalls = 0, stallErrors = 0, hooked = null, video = null;
  const inWindow = () => start && Date.now() >= start && Date.now() <= end;
  const hook = setInterval(() => {
    const p = getPlayer();
    if (!p || !p.video) return;
    if (p.video !== video) {
      video = p.video;
      video.addEventListener('waiting', () => { if (inWindow()) stalls++; waitingSince = Date.now(); note('video waiting at ' + video.currentTime.toFixed(2) + ', buffer ahead ' + ahead()); });
      // Each stall from the first frame on: when (s after the first frame) and how long (ms).
      video.addEventListener('playing', () => {
        if (waitingSince && firstFrame) stallLog.push([((waitingSince - published - firstFrame) / 1000).toFixed(1), Date.now() - waitingSince]);
        waitingSince = 0;
        note('video playing at ' + video.currentTime.toFixed(2) + ', buffer ahead ' + ahead());
      });
      video.requestVideoFrameCallback(onFrame);
    }
    if (p.hls && p.hls !== hooked) {
      hooked = p.hls;
      // 'hlsError' is Hls.Events.ERROR: the watch page's hls.js is not a global.
      p.hls.on('hlsLevelSwitched', (_e, d) => levels.push(d.level + (firstFrame ? '@' + ((Date.now() - published - firstFrame) / 1000).toFixed(1) : '')));
      if (window.HLS_TRACE) {
        const id = (d) => 'L' + d.frag.level + ' sn' + d.frag.sn + (d.part ? ' p' + d.part.index : '');
        p.hls.on('hlsFragLoading', (_e, d) => note('load ' + id(d)));
        p.hls.on('hlsFragLoaded', (_e, d) => {
          const l = (d.part || d.frag).stats.loading;
          note('loaded ' + id(d) + ' (waited ' + Math.round(l.first - l.start) + ' ms for the first byte, ' + Math.round(l.end - l.first) + ' ms more; ' + (d.part || d.frag).stats.loaded + ' B)');
        });
        p.hls.on('hlsFragBuffered', (_e, d) => note('buffered ' + id(d) + ', buffer ahead ' + ahead()));
        p.hls.on('hlsLevelLoading', (_e, d) => note('playlist load L' + d.level + ' ' + d.url.replace(/^.*\\//, '')));
        p.hls.on('hlsLevelLoaded', (_e, d) => note('playlist loaded L' + d.level + ' (ends sn' + d.details.endSN + ' p' + (d.details.partList ? d.details.partList.length : 0) + ')'));
        p.hls.on('hlsLevelSwitching', (_e, d) => note('switching to L' + d.level));
        p.hls.on('hlsLevelSwitched', (_e, d) => note('switched to L' + d.level));
      }
      p.hls.on('hlsError', (_e, d) => {
        note('error ' + d.details + (d.fatal ? ' (fatal)' : ''));
        const k = d.details + (d.fatal ? ' (fatal)' : '');
        errors[k] = (errors[k] || 0) + 1;
        if (d.details === 'bufferStalledError' && inWindow()) stallErrors++;
      });
    }
  }, 10);
  const onFrame = () => {
    const now = Date.now();
    lastFrameAt = now;
    const hls = getPlayer().hls;
    if (!firstFrame && video.currentTime > 0) {
      firstFrame = now - published;
      start = now + 3000; end = start + seconds * 1000;
    }
    if (start && now >= start) {
      ctx.drawImage(video, 0, 0, c.width, c.height);
      const d = now - window.readTime(ctx, c.width, c.height);
      if (d >= 0 && d < 20000) {
        samples.push(d);
        if (hls) {
          edge.push(hls.latency * 1000);
          // The playlist's program date-time of the frame on screen minus its real capture time.
          if (hls.playingDate) pdt.push(hls.playingDate.getTime() - (now - d));
        }
      }
    }
    if (!end || now < end) video.requestVideoFrameCallback(onFrame);
    else {
      clearInterval(hook);
      done = true;
      resolve({ samples, edge, pdt, target: hls && hls.targetLatency, level: hls && hls.levels && hls.levels[hls.currentLevel] && hls.levels[hls.currentLevel].height, stalls, stallErrors, errors, firstFrame, stallLog, levels, trace: trace() });
    }
  };
  // No first frame at all, or frames that stopped for good: give up after the measured time plus a minute.
  setTimeout(() => {
    if (done) return;
    clearInterval(hook);
    const frozeAt = firstFrame ? (lastFrameAt - published - firstFrame) / 1000 : undefined;
    resolve({ samples, edge, pdt, stalls, stallErrors, errors, firstFrame, stallLog, levels, frozeAt, trace: trace() });
  }, seconds * 1000 + 60000);
});
`;

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

function ffmpegPid(streamId: string): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const argv = cmd.split('\0');
    if (argv[0].endsWith('/ffmpeg') && argv.some((a) => a.includes(streamId))) return Number(d);
  }
  return undefined;
}

async function waitFor<T>(f: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Measured {
  samples: number[];
  /** hls.js's own distance from the playlist's live edge while measuring (ms), and its target (s). */
  edge: number[];
  /** EXT-X-PROGRAM-DATE-TIME of the frame on screen minus its capture time (ms): how well pins are timed. */
  pdt: number[];
  target?: number;
  level?: number;
  /** The video's 'waiting' events in the measured window (after the first 3 s), and hls.js's bufferStalledError. */
  stalls: number;
  stallErrors: number;
  /** hls.js ERROR events from the start, by details. */
  errors: Record<string, number>;
  /** ms from the WHIP answer to the first frame on screen (the player started at the answer). */
  firstFrame?: number;
  /** BENCH_HLS_TRACE=1: [ms after publish, what happened]. */
  trace?: [number, string][];
  /** Every stall from the first frame on: [seconds after the first frame, ms stalled]. */
  stallLog?: [string, number][];
  /** Levels hls.js switched to, in order, with the second after the first frame. */
  levels?: string[];
  /** Frames stopped for good this many seconds after the first frame (the run gave up on the player). */
  frozeAt?: number;
}

interface Result {
  name: string;
  firstPartMs: number;
  firstSegmentMs: number;
  cpu: number[];
  stock: Measured;
  own: Measured;
  /** The worker's estimate of part publication lag behind capture (s). */
  lag?: number;
  /** The worker's start-up, in ms from the job's start: plain RTP open, first keyframe's size, ffmpeg spawned, ffmpeg listening, first part. */
  startup?: {
    openMs?: number;
    sizeMs?: number;
    spawnMs?: number;
    ffmpegListeningMs?: number;
    firstPartMs?: number;
  };
  speed?: number;
  ladder: string;
  /** kbit/s of each rendition's last complete segments. */
  bitrates: string;
  /** ffmpeg reading the top rendition's LL-HLS playlist: frames decoded (3 s asked for), or why not. */
  ffmpegRead: string;
}

const HLS_JS = require.resolve('hls.js/dist/hls.min.js');
/** A plain page of the app's origin (served by the bench, not the app): no CSP, hls.js from node_modules. */
const PLAIN_PAGE = '/__bench/plain.html';

async function plainPage(browser: Browser, baseUrl: string, withHls: boolean): Promise<Page> {
  const page = await browser.newPage({ baseURL: baseUrl });
  await page.route(`**${PLAIN_PAGE}`, (r) =>
    r.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><body>${withHls ? '<script src="/__bench/hls.min.js"></script>' : ''}</body></html>`,
    }),
  );
  await page.route('**/__bench/hls.min.js', (r) =>
    r.fulfill({ contentType: 'text/javascript', path: HLS_JS }),
  );
  await page.goto(PLAIN_PAGE);
  return page;
}

/** Stock hls.js, default config but lowLatencyMode (on by default too), started at `published`. */
async function playStock(page: Page, master: string, published: number): Promise<Measured> {
  await page.evaluate(MEASURE_LIB);
  return page.evaluate(
    ([src, pub, secs]) => {
      const w = window as unknown as {
        Hls: new (c: object) => { loadSource(s: string): void; attachMedia(v: HTMLVideoElement): void };
        measure(get: () => unknown, published: number, seconds: number): Promise<Measured>;
        HLS_TRACE: boolean;
        note(text: string): void;
      };
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      document.body.append(video);
      // BENCH_HLS_TRACE=1: hls.js's own log (not its debug level) goes into the trace.
      const log = (...a: unknown[]) => w.note(a.map(String).join(' '));
      const debug = w.HLS_TRACE
        ? { debug: { log, info: log, warn: log, error: log, debug: () => undefined } }
        : {};
      const hls = new w.Hls({ lowLatencyMode: true, ...debug });
      hls.loadSource(src);
      hls.attachMedia(video);
      return w.measure(() => ({ video, hls }), pub, secs);
    },
    [master, published, SECONDS] as const,
  );
}

/** The watch page's own player (`<livecart-player>`, exposed as window.player), opened at `published`. */
async function playOwn(page: Page, streamId: string, published: number): Promise<Measured> {
  await page.goto(`/watch/${streamId}?mode=hls`);
  await page.evaluate(MEASURE_LIB);
  return page.evaluate(
    ([pub, secs]) => {
      const w = window as unknown as {
        player?: { video: HTMLVideoElement | null; hls: unknown };
        measure(get: () => unknown, published: number, seconds: number): Promise<Measured>;
      };
      return w.measure(() => w.player && { video: w.player.video, hls: w.player.hls }, pub, secs);
    },
    [published, SECONDS] as const,
  );
}

/** ffmpeg reads the LL-HLS media playlist as players built on it do: frames it decodes of 3 s. */
function ffmpegReads(url: string): Promise<string> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn('ffmpeg', ['-hide_banner', '-i', url, '-t', '3', '-map', '0:v:0', '-f', 'null', '-'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      const frames = [...err.matchAll(/frame=\s*(\d+)/g)].pop()?.[1];
      resolve(
        code === 0 && frames
          ? `${frames} frames in ${((Date.now() - t0) / 1000).toFixed(1)} s`
          : `failed (exit ${code}): ${err.trim().split('\n').slice(-2).join(' | ')}`,
      );
    });
  });
}

async function scenario(
  browser: Browser,
  name: string,
  codec: 'vp8' | 'h264',
  copy: boolean,
): Promise<Result> {
  const t: TestApp = await startTestApp({
    redis: false,
    env: {
      MEDIASOUP_NUM_WORKERS: '1',
      LOG_LEVEL: 'warn',
      HLS_COPY_H264: copy ? 'true' : 'false',
      HLS_X264_PRESET: PRESET,
      // Part length and segment size to try other LL-HLS timings (the app's defaults otherwise).
      ...(process.env.HLS_PART_MS ? { HLS_PART_MS: process.env.HLS_PART_MS } : {}),
      ...(process.env.HLS_PARTS_PER_SEGMENT
        ? { HLS_PARTS_PER_SEGMENT: process.env.HLS_PARTS_PER_SEGMENT }
        : {}),
      ...(process.env.HLS_KEYFRAME_PARTS ? { HLS_KEYFRAME_PARTS: process.env.HLS_KEYFRAME_PARTS } : {}),
    },
  });
  const pages: Page[] = [];
  try {
    const streamer = await t.user('streamer');
    const { id, streamKey } = await createStream(t, streamer, { title: 'bench' });
    const pub = await plainPage(browser, t.baseUrl, false);
    const stockPage = await plainPage(browser, t.baseUrl, true);
    const ownPage = await browser.newPage({ baseURL: t.baseUrl });
    pages.push(pub, stockPage, ownPage);
    await pub.evaluate(PUBLISH_LIB);
    const published = await pub.evaluate(
      ([url, key, c, w, h]) =>
        (window as unknown as { publish(...a: unknown[]): Promise<number> }).publish(url, key, c, w, h),
      [`/whip/${id}`, streamKey, codec, WIDTH, HEIGHT] as const,
    );
    // Both players start at the WHIP answer, before any playlist exists, side by side.
    const stock = playStock(stockPage, `/hls/${id}/master.m3u8`, published);
    const own = playOwn(ownPage, id, published);
    // The top rendition: the master lists the lowest first.
    const top = await waitFor(
      async () => {
        const r = await t.http.get(`/hls/${id}/master.m3u8`);
        return r.status === 200 ? [...r.text.matchAll(/^(\w+)\/index\.m3u8$/gm)].pop()?.[1] : undefined;
      },
      30_000,
      'master playlist',
    );
    const playlist = async (re: RegExp) => {
      const r = await t.http.get(`/hls/${id}/${top}/index.m3u8`);
      return r.status === 200 && re.test(r.text) ? Date.now() : undefined;
    };
    const firstPart = await waitFor(() => playlist(/#EXT-X-PART:/), 30_000, 'first part');
    const firstSegment = await waitFor(() => playlist(/^#EXTINF:/m), 30_000, 'first segment');
    const ladder = (await t.http.get(`/hls/${id}/master.m3u8`)).text
      .split('\n')
      .filter((l) => l.startsWith('#EXT-X-STREAM-INF'))
      .map((l) => /RESOLUTION=(\d+x\d+)/.exec(l)?.[1])
      .join(' ');
    const pid = ffmpegPid(id);
    const cpu: number[] = [];
    const sampler = (async () => {
      if (!pid) return;
      for (let i = 0; i < Math.floor(SECONDS / 5); i++) {
        const c0 = cpuSeconds(pid);
        const w0 = Date.now();
        await new Promise((r) => setTimeout(r, 5000));
        cpu.push((cpuSeconds(pid) - c0) / ((Date.now() - w0) / 1000));
      }
    })();
    const [stockResult, ownResult] = await Promise.all([stock, own]);
    await sampler;
    const ffmpegRead = await ffmpegReads(`${t.baseUrl}/hls/${id}/${top}/index.m3u8`);
    // What each rendition's last five complete segments weigh: the bitrate players download.
    const rates: string[] = [];
    for (const [, name] of (await t.http.get(`/hls/${id}/master.m3u8`)).text.matchAll(
      /^(\w+)\/index\.m3u8$/gm,
    )) {
      const pl = (await t.http.get(`/hls/${id}/${name}/index.m3u8`)).text;
      const segs = [...pl.matchAll(/^#EXTINF:([\d.]+),\n(s\d+\.m4s)$/gm)].slice(-5);
      let bytes = 0;
      let secs = 0;
      for (const [, d, uri] of segs) {
        bytes += ((await t.http.get(`/hls/${id}/${name}/${uri}`).buffer(true)).body as Buffer).length;
        secs += Number(d);
      }
      if (secs > 0) rates.push(`${name} ${Math.round((bytes * 8) / secs / 1000)}`);
    }
    const st = (await t.http.get(`/api/streams/${id}/hls`)).body as {
      lagSeconds?: number;
      speed?: number;
      firstPartMs?: number;
      startup?: Result['startup'];
    };
    return {
      name,
      // Server-side times (Node's clock, read after the browser's: both are this machine's wall clock).
      firstPartMs: firstPart - published,
      firstSegmentMs: firstSegment - published,
      cpu,
      stock: stockResult,
      own: ownResult,
      lag: st.lagSeconds,
      speed: st.speed,
      startup: { ...st.startup, firstPartMs: st.firstPartMs },
      ladder,
      bitrates: rates.join(', '),
      ffmpegRead,
    };
  } finally {
    for (const p of pages) await p.close().catch(() => undefined);
    await t.close();
  }
}

function report(label: string, m: Measured): void {
  const errors = Object.entries(m.errors)
    .map(([k, n]) => `${k}×${n}`)
    .join(', ');
  console.log(
    m.samples.length
      ? `    ${label}: glass-to-glass p50=${quantile(m.samples, 0.5)} ms p95=${quantile(m.samples, 0.95)} ms (${m.samples.length} frames); first frame ${m.firstFrame} ms after publish; ${m.stalls} stalls (${m.stallErrors} bufferStalledError) after the first 3 s; errors: ${errors || 'none'}`
      : `    ${label}: no frames decoded; errors: ${errors || 'none'}`,
  );
  if (m.frozeAt !== undefined)
    console.log(
      `      FROZE: no frame after ${m.frozeAt.toFixed(1)} s from the first frame (the run gave up on it)`,
    );
  if (m.edge.length)
    console.log(
      `      behind the playlist's live edge (hls.js latency) p50=${Math.round(quantile(m.edge, 0.5))} ms, target ${m.target?.toFixed(2)} s, playing ${m.level ?? '?'}p` +
        (m.pdt.length
          ? `; PDT of the frame on screen − capture p50=${Math.round(quantile(m.pdt, 0.5))} ms (p5 ${Math.round(quantile(m.pdt, 0.05))}, p95 ${Math.round(quantile(m.pdt, 0.95))})`
          : ''),
    );
  if (m.stallLog?.length || m.levels?.length)
    console.log(
      `      stalls [s after first frame, ms]: ${JSON.stringify(m.stallLog ?? [])}; level switches: ${JSON.stringify(m.levels ?? [])}`,
    );
  // With BENCH_HLS_TRACE=1: the start-up, to half a second after the first frame.
  if (m.trace?.length && m.firstFrame !== undefined) {
    console.log(`      trace of the start-up (first frame at ${m.firstFrame} ms):`);
    for (const [t, text] of m.trace) if (t <= m.firstFrame + 500) console.log(`        ${t} ${text}`);
  }
  // With BENCH_HLS_TRACE=1: what happened from 3 s before each stall to its end.
  for (const [at, ms] of m.stallLog ?? []) {
    const from = (m.firstFrame ?? 0) + Number(at) * 1000;
    console.log(`      trace of the stall at ${at} s (${ms} ms):`);
    for (const [t, text] of m.trace ?? [])
      if (t >= from - 3000 && t <= from + ms + 500) console.log(`        ${t} ${text}`);
  }
  // With BENCH_HLS_TRACE=1: from 3 s before the last frame of a player that froze, to the end.
  if (m.frozeAt !== undefined && m.firstFrame !== undefined) {
    const from = m.firstFrame + m.frozeAt * 1000;
    console.log(`      trace of the freeze at ${m.frozeAt.toFixed(1)} s:`);
    for (const [t, text] of m.trace ?? []) if (t >= from - 3000) console.log(`        ${t} ${text}`);
  }
}

async function main(): Promise<void> {
  const browser = await launchChromium();
  const results: Result[] = [];
  // BENCH_BUSY=1: a busy loop takes one core for the whole run, as other work on a viewer's machine would.
  const busy = process.env.BENCH_BUSY === '1' ? spawn(process.execPath, ['-e', 'for(;;){}']) : undefined;
  try {
    // BENCH_ONLY=vp8|h264|copy runs one scenario (comma-separated for several); H.264 encoded by default.
    const only = (process.env.BENCH_ONLY ?? 'h264').split(',');
    const scenarios: [key: string, name: string, codec: 'vp8' | 'h264', copy: boolean][] = [
      ['vp8', 'default ladder, VP8 publisher, all renditions encoded', 'vp8', false],
      ['h264', 'default ladder, H.264 publisher, all renditions encoded', 'h264', false],
      ['copy', 'default ladder, H.264 publisher, top rendition copied', 'h264', true],
    ];
    for (const [key, name, codec, copy] of scenarios)
      if (only.includes(key)) results.push(await scenario(browser, name, codec, copy));
  } finally {
    busy?.kill('SIGKILL');
    await browser.close();
  }
  console.log(
    `bench:hls — ${WIDTH}x${HEIGHT} canvas publisher (Chromium ${browser.version()}), ${SECONDS} s measured per player after 3 s, x264 ${PRESET}, ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), loopback only${busy ? ', a busy loop on one core' : ''}`,
  );
  for (const r of results) {
    console.log(`  ${r.name}  [ladder ${r.ladder}; kbit/s ${r.bitrates}]`);
    console.log(
      `    publish → first playable part ${r.firstPartMs} ms, first full segment ${r.firstSegmentMs} ms`,
    );
    if (r.startup)
      console.log(
        `    worker start-up (ms after the job started): plain RTP open ${r.startup.openMs}, first keyframe's size ${r.startup.sizeMs}, ffmpeg spawned ${r.startup.spawnMs}, listening ${r.startup.ffmpegListeningMs}, first part ${r.startup.firstPartMs}; part lag ${r.lag?.toFixed(2)} s, ffmpeg speed ${r.speed}x`,
      );
    report('stock hls.js (default config)', r.stock);
    report('watch page player', r.own);
    console.log(`    ffmpeg -i <top>/index.m3u8: ${r.ffmpegRead}`);
    console.log(
      r.cpu.length
        ? `    ffmpeg CPU: median ${quantile(r.cpu, 0.5).toFixed(2)} cores (CPU-s per s of video) over ${r.cpu.length} windows of 5 s [${r.cpu.map((c) => c.toFixed(2)).join(' ')}]`
        : '    ffmpeg CPU: ffmpeg process not found',
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
