/**
 * npm run bench:latency — glass-to-glass latency, Chromium publisher →
 * WHIP → SFU → WHEP → Chromium viewer, on loopback (inside a loopback-only
 * network namespace, see scripts/netns-run.sh).
 *
 * The publisher draws the current time (Date.now(), ms) into a canvas as 44
 * black/white blocks that survive compression and sends canvas.captureStream();
 * the viewer decodes the blocks from each decoded video frame and subtracts.
 * Both pages run in one browser, so they share one clock.
 *
 * Also measured in the same run, for reference: the same pattern over a
 * direct browser-to-browser RTCPeerConnection (no server).
 */
import * as os from 'node:os';
import type { Page } from 'playwright-core';
import { launchChromium, webrtcPage, type InPageNegotiate } from '../test/support/browser';
import { createStream } from '../test/support/streams';
import { TIME_PATTERN } from './time-pattern';
import { startTestApp } from '../test/support/test-app';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

/** Runs in the page: draws the time pattern on a canvas, returns its stream. */
const PATTERN_LIB = `
${TIME_PATTERN}
window.startPattern = () => {
  const c = document.createElement('canvas'); c.width = 640; c.height = 360;
  const ctx = c.getContext('2d');
  const loop = () => { window.drawTime(ctx, c.width, c.height); requestAnimationFrame(loop); };
  loop();
  setInterval(() => window.drawTime(ctx, c.width, c.height), 10);
  return c.captureStream(60);
};
window.measure = (video, seconds) => new Promise((resolve) => {
  const c = document.createElement('canvas'); c.width = 640; c.height = 360;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  const samples = [];
  const end = Date.now() + seconds * 1000;
  const onFrame = () => {
    const now = Date.now();
    ctx.drawImage(video, 0, 0, c.width, c.height);
    const sent = window.readTime(ctx, c.width, c.height);
    const d = now - sent;
    if (d >= 0 && d < 10000) samples.push(d);
    if (now < end) video.requestVideoFrameCallback(onFrame); else resolve(samples);
  };
  video.requestVideoFrameCallback(onFrame);
});
`;

function stats(xs: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

async function direct(page: Page): Promise<number[]> {
  return page.evaluate(async (seconds) => {
    const w = window as unknown as {
      startPattern(): MediaStream;
      measure(v: HTMLVideoElement, s: number): Promise<number[]>;
    };
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
    const stream = w.startPattern();
    for (const t of stream.getTracks()) a.addTrack(t, stream);
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    b.ontrack = (e) => {
      video.srcObject = e.streams[0];
      void video.play();
    };
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    await new Promise((r) => setTimeout(r, 2000));
    return w.measure(video, seconds);
  }, SECONDS);
}

async function main(): Promise<void> {
  const t = await startTestApp({ env: { MEDIASOUP_NUM_WORKERS: '1', LOG_LEVEL: 'warn' } });
  const browser = await launchChromium();
  try {
    const streamer = await t.user('streamer');
    const { id, streamKey } = await createStream(t, streamer, { title: 'latency' });

    // Plain WHIP and WHEP from the page (window.negotiate: offer, POST, answer), as any client does.
    const pub = await webrtcPage(browser, t);
    await pub.addScriptTag({ content: PATTERN_LIB });
    const published = await pub.evaluate(
      async ({ id, streamKey }) => {
        const w = window as unknown as { startPattern(): MediaStream; negotiate: InPageNegotiate };
        const pc = new RTCPeerConnection();
        pc.addTransceiver(w.startPattern().getVideoTracks()[0], { direction: 'sendonly' });
        return (await w.negotiate(pc, `/whip/${id}`, { Authorization: `Bearer ${streamKey}` })).status;
      },
      { id, streamKey },
    );
    if (published !== 201) throw new Error(`WHIP answered ${published}`);
    await new Promise((r) => setTimeout(r, 2000));

    const viewer = await webrtcPage(browser, t);
    await viewer.addScriptTag({ content: PATTERN_LIB });
    const sfuSamples = await viewer.evaluate(
      async ({ id, seconds }) => {
        const w = window as unknown as {
          measure(v: HTMLVideoElement, s: number): Promise<number[]>;
          negotiate: InPageNegotiate;
        };
        const pc = new RTCPeerConnection();
        pc.addTransceiver('video', { direction: 'recvonly' });
        const track = new Promise<MediaStreamTrack>((resolve) =>
          pc.addEventListener('track', (e) => resolve(e.track)),
        );
        const { status } = await w.negotiate(pc, `/whep/${id}`, {});
        if (status !== 201) throw new Error(`WHEP answered ${status}`);
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = new MediaStream([await track]);
        document.body.append(video);
        await video.play();
        await new Promise((r) => setTimeout(r, 1500));
        return w.measure(video, seconds);
      },
      { id, seconds: SECONDS },
    );

    const directPage = await webrtcPage(browser, t);
    await directPage.addScriptTag({ content: PATTERN_LIB });
    const directSamples = await direct(directPage);

    const fmt = (name: string, xs: number[]) => {
      if (xs.length === 0) return `${name}: no frames decoded`;
      const s = stats(xs);
      return `${name}: frames=${s.n} p50=${s.p50} ms p95=${s.p95} ms max=${s.max} ms`;
    };
    console.log(
      `glass-to-glass latency over ${SECONDS} s, 640x360 canvas, Chromium ${browser.version()}, loopback, ${os.cpus().length} cores`,
    );
    console.log(fmt('  via SFU (WHIP → mediasoup → WHEP)', sfuSamples));
    console.log(fmt('  direct browser-to-browser        ', directSamples));
  } finally {
    await browser.close();
    await t.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
