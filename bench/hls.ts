/**
 * npm run bench:hls — the LL-HLS path end to end, inside a loopback-only
 * network namespace (scripts/netns-run.sh):
 *
 *   Chromium publisher (canvas time pattern, WHIP) → SFU → plain RTP →
 *   ffmpeg ladder → LL-HLS → hls.js in Chromium (lowLatencyMode)
 *
 * Prints, for the default ladder re-encoded from VP8, the same from H.264,
 * and the same ladder with the top rendition copied from an H.264 publisher
 * (BENCH_ONLY=vp8,h264,copy picks scenarios):
 *   - glass-to-glass latency p50 / p95 (the time pattern of bench:latency:
 *     the publisher draws Date.now() as blocks, the viewer decodes them from
 *     each played frame; one browser, one clock),
 *   - time from the WHIP answer to the first playable part / segment,
 *   - ffmpeg CPU-seconds per second of video (utime+stime of the ffmpeg
 *     process over 5 s windows, median; real time speed, so wall = video).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser';
import { createStream } from '../test/support/streams';
import { TIME_PATTERN } from './time-pattern';
import { startTestApp, type TestApp } from '../test/support/test-app';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WIDTH = Number(process.env.BENCH_WIDTH ?? 1280);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 720);
const PRESET = process.env.HLS_X264_PRESET ?? 'veryfast';
/** USER_HZ: /proc stat times are in ticks of 1/100 s on Linux. */
const CLK = 100;

const PATTERN_LIB = `
${TIME_PATTERN}
window.publish = async (url, key, codec, w, h) => {
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const ctx = c.getContext('2d');
  setInterval(() => window.drawTime(ctx, c.width, c.height), 10);
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
window.playAndMeasure = (streamId, seconds) => new Promise((resolve, reject) => {
  // The watch page's own player (client-demo/js/player.js): its hls.js settings and its latency keeping.
  import('/js/player.js').then(async ({ createPlayer }) => {
    const video = document.createElement('video'); video.muted = true; document.body.append(video);
    const player = createPlayer({ videoEl: video, streamId });
    await player.start('hls');
    const hls = player.hls;
    window.hls = hls;
    const c = document.createElement('canvas'); c.width = 640; c.height = 360;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    const samples = [];
    const edge = [];
    const pdt = [];
    let stalls = 0;
    hls.on(Hls.Events.ERROR, (_, data) => { if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) stalls++; });
    let end = 0;
    const onFrame = () => {
      const now = Date.now();
      if (!end && video.currentTime > 0) end = now + 3000 + seconds * 1000;
      ctx.drawImage(video, 0, 0, c.width, c.height);
      const d = now - window.readTime(ctx, c.width, c.height);
      // The first 3 s settle the player at its live edge.
      if (end && now > end - seconds * 1000 && d >= 0 && d < 20000) {
        samples.push(d); edge.push(hls.latency * 1000);
        // The playlist's program date-time of the frame on screen minus its real capture time.
        if (hls.playingDate) pdt.push(hls.playingDate.getTime() - (now - d));
      }
      if (!end || now < end) video.requestVideoFrameCallback(onFrame);
      else { const target = hls.targetLatency, level = hls.levels?.[hls.currentLevel]?.height; player.close(); resolve({ samples, edge, pdt, target, level, stalls }); }
    };
    video.requestVideoFrameCallback(onFrame);
  }, reject);
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

function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK;
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

interface Result {
  name: string;
  firstPartMs: number;
  firstSegmentMs: number;
  cpu: number[];
  latency: number[];
  /** hls.js's own distance from the playlist's live edge while measuring (ms), and its target (s). */
  edge: number[];
  /** EXT-X-PROGRAM-DATE-TIME of the frame on screen minus its capture time (ms): how well pins are timed. */
  pdt: number[];
  target?: number;
  /** Playback stalls hls.js reported while measuring. */
  stalls?: number;
  /** The worker's estimate of part publication lag behind capture (s). */
  lag?: number;
  /** The worker's start-up, in ms from the job's start: plain RTP open, first keyframe's size, ffmpeg listening, first part. */
  startup?: { openMs?: number; sizeMs?: number; ffmpegListeningMs?: number; firstPartMs?: number };
  speed?: number;
  level?: number;
  ladder: string;
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
    },
  });
  const pages: Page[] = [];
  try {
    const streamer = await t.user('streamer');
    const { id, streamKey } = await createStream(t, streamer, { title: 'bench' });
    const pub = await browser.newPage({ baseURL: t.baseUrl });
    pages.push(pub);
    await pub.goto('/');
    await pub.addScriptTag({ content: PATTERN_LIB });
    const published = await pub.evaluate(
      ([url, key, c, w, h]) =>
        (window as unknown as { publish(...a: unknown[]): Promise<number> }).publish(url, key, c, w, h),
      [`/whip/${id}`, streamKey, codec, WIDTH, HEIGHT] as const,
    );
    const top = await waitFor(
      async () => {
        const r = await t.http.get(`/hls/${id}/master.m3u8`);
        return r.status === 200 ? /^(\w+)\/index\.m3u8$/m.exec(r.text)?.[1] : undefined;
      },
      30_000,
      'master playlist',
    );
    const playlist = async (re: RegExp) => {
      const r = await t.http.get(`/hls/${id}/${top}/index.m3u8`);
      return r.status === 200 && re.test(r.text) ? Date.now() : undefined;
    };
    const firstPart = await waitFor(() => playlist(/#EXT-X-PART:/), 30_000, 'first part');
    const firstSegment = await waitFor(() => playlist(/^s0\.m4s$/m), 30_000, 'first segment');
    const ladder = (await t.http.get(`/hls/${id}/master.m3u8`)).text
      .split('\n')
      .filter((l) => l.startsWith('#EXT-X-STREAM-INF'))
      .map((l) => /RESOLUTION=(\d+x\d+)/.exec(l)?.[1])
      .join(' ');

    const viewer = await browser.newPage({ baseURL: t.baseUrl });
    pages.push(viewer);
    await viewer.goto('/');
    await viewer.addScriptTag({ content: PATTERN_LIB });
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
    const measured = await viewer.evaluate(
      ([src, s]) =>
        (
          window as unknown as {
            playAndMeasure(
              a: string,
              b: number,
            ): Promise<{
              samples: number[];
              edge: number[];
              pdt: number[];
              target?: number;
              level?: number;
              stalls: number;
            }>;
          }
        ).playAndMeasure(src, s),
      [id, SECONDS] as const,
    );
    await sampler;
    return {
      name,
      firstPartMs: firstPart - published,
      firstSegmentMs: firstSegment - published,
      cpu,
      latency: measured.samples,
      edge: measured.edge,
      pdt: measured.pdt,
      target: measured.target,
      stalls: measured.stalls,
      ...(await (async () => {
        const st = (await t.http.get(`/api/streams/${id}/hls`)).body as {
          lagSeconds?: number;
          speed?: number;
          firstPartMs?: number;
          startup?: Result['startup'];
        };
        return {
          lag: st.lagSeconds,
          speed: st.speed,
          startup: { ...st.startup, firstPartMs: st.firstPartMs },
        };
      })()),
      level: measured.level,
      ladder,
    };
  } finally {
    for (const p of pages) await p.close().catch(() => undefined);
    await t.close();
  }
}

async function main(): Promise<void> {
  const browser = await launchChromium();
  const results: Result[] = [];
  try {
    // BENCH_ONLY=vp8|h264|copy runs one scenario (comma-separated for several).
    const only = process.env.BENCH_ONLY?.split(',');
    const scenarios: [key: string, name: string, codec: 'vp8' | 'h264', copy: boolean][] = [
      ['vp8', 'default ladder, VP8 publisher, all renditions encoded', 'vp8', false],
      ['h264', 'default ladder, H.264 publisher, all renditions encoded', 'h264', false],
      ['copy', 'default ladder, H.264 publisher, top rendition copied', 'h264', true],
    ];
    for (const [key, name, codec, copy] of scenarios)
      if (!only || only.includes(key)) results.push(await scenario(browser, name, codec, copy));
  } finally {
    await browser.close();
  }
  console.log(
    `bench:hls — ${WIDTH}x${HEIGHT} canvas publisher (Chromium ${browser.version()}), ${SECONDS} s measured per run, x264 ${PRESET}, ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), loopback only`,
  );
  for (const r of results) {
    console.log(`  ${r.name}  [ladder ${r.ladder}; player at ${r.level ?? '?'}p]`);
    console.log(
      `    publish → first playable part ${r.firstPartMs} ms, first full segment ${r.firstSegmentMs} ms`,
    );
    if (r.startup)
      console.log(
        `    worker start-up (ms after the job started): plain RTP open ${r.startup.openMs}, first keyframe's size ${r.startup.sizeMs}, ffmpeg listening ${r.startup.ffmpegListeningMs}, first part ${r.startup.firstPartMs}`,
      );
    console.log(
      r.latency.length
        ? `    LL-HLS glass-to-glass: frames=${r.latency.length} p50=${quantile(r.latency, 0.5)} ms p95=${quantile(r.latency, 0.95)} ms`
        : '    LL-HLS glass-to-glass: no frames decoded',
    );
    if (r.edge.length)
      console.log(
        `    of which behind the playlist's live edge (hls.js latency): p50=${Math.round(quantile(r.edge, 0.5))} ms, target ${r.target?.toFixed(2)} s, ${r.stalls ?? '?'} stalls; worker part lag ${r.lag?.toFixed(2)} s, ffmpeg speed ${r.speed}x`,
      );
    if (r.pdt.length)
      console.log(
        `    program date-time error (PDT of the frame on screen − its capture): p50=${Math.round(quantile(r.pdt, 0.5))} ms, p5=${Math.round(quantile(r.pdt, 0.05))} ms, p95=${Math.round(quantile(r.pdt, 0.95))} ms`,
      );
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
