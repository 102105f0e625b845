import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp, type TestAppOptions, type TestUser } from '../support/test-app';
import { createPublisher, waitFor, type Publisher } from '../support/webrtc';

const run = promisify(execFile);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrtc = require('@roamhq/wrtc') as {
  RTCPeerConnection: typeof RTCPeerConnection;
  MediaStream: typeof MediaStream;
  nonstandard: {
    RTCVideoSource: new () => {
      createTrack(): MediaStreamTrack;
      onFrame(f: { width: number; height: number; data: Uint8ClampedArray }): void;
    };
    RTCAudioSource: new () => {
      createTrack(): MediaStreamTrack;
      onData(d: {
        samples: Int16Array;
        sampleRate: number;
        bitsPerSample: number;
        channelCount: number;
        numberOfFrames: number;
      }): void;
    };
  };
};

/** A headless publisher (like test/support/webrtc.ts) whose camera can change resolution mid-stream. */
export interface ResizablePublisher extends Publisher {
  resize(width: number, height: number): void;
}

export function createResizablePublisher(size: { width: number; height: number }): ResizablePublisher {
  let { width, height } = size;
  const pc = new wrtc.RTCPeerConnection();
  const video = new wrtc.nonstandard.RTCVideoSource();
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const vt = video.createTrack();
  const at = audio.createTrack();
  const stream = new wrtc.MediaStream([at, vt]);
  pc.addTransceiver(at, { direction: 'sendonly', streams: [stream] });
  pc.addTransceiver(vt, { direction: 'sendonly', streams: [stream] });
  let frame = new Uint8ClampedArray(width * height * 1.5);
  let n = 0;
  const vTimer = setInterval(() => {
    n++;
    for (let i = 0; i < width * height; i += 7) frame[i] = (i + n * 8) & 0xff;
    video.onFrame({ width, height, data: frame });
  }, 33);
  const samples = new Int16Array(480);
  const aTimer = setInterval(
    () =>
      audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }),
    10,
  );
  return {
    pc,
    async offer() {
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') resolve();
        });
        setTimeout(resolve, 5000);
      });
      return pc.localDescription!.sdp;
    },
    async answer(sdp: string) {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    },
    resize(w: number, h: number) {
      width = w;
      height = h;
      frame = new Uint8ClampedArray(w * h * 1.5);
    },
    close() {
      clearInterval(vTimer);
      clearInterval(aTimer);
      vt.stop();
      at.stop();
      pc.close();
    },
  };
}

/** Small, fast HLS settings for tests: a 2-rung ladder and 4 x 0.5 s parts per segment. */
export const HLS_TEST_ENV = {
  MEDIASOUP_NUM_WORKERS: '1',
  HLS_LADDER: '720p:720:1500,480p:480:800,360p:360:400',
  HLS_POSTER_SECONDS: '1',
};

export interface HlsFixture {
  t: TestApp;
  streamer: TestUser;
  newStream(): Promise<{ id: string; streamKey: string }>;
  /** Publishes over WHIP from a headless peer (`make`: test/support/webrtc.ts's by default). */
  publish<P extends Publisher = Publisher>(
    stream: { id: string; streamKey: string },
    size?: { width: number; height: number },
    make?: (size: { width: number; height: number }) => P,
  ): Promise<P>;
  end(streamId: string): Promise<void>;
  /** Ends every stream this fixture made that is still live (after a failed test, so it frees its worker slot). */
  endAll(): Promise<void>;
  text(url: string): Promise<string>;
  /** Polls a URL until it answers 200 and `ok(body)` holds. */
  waitText(url: string, ok: (body: string) => boolean, timeoutMs: number, what: string): Promise<string>;
  bytes(url: string): Promise<Buffer>;
  waitBytes(url: string, timeoutMs: number, what: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startHlsApp(opts: TestAppOptions = {}): Promise<HlsFixture> {
  const t = await startTestApp({ ...opts, env: { ...HLS_TEST_ENV, ...opts.env } });
  const streamer = await t.user('streamer');
  const peers: Publisher[] = [];
  const made: string[] = [];
  const text = async (url: string) => (await t.http.get(url).expect(200)).text;
  const f: HlsFixture = {
    t,
    streamer,
    async newStream() {
      const res = await t.http
        .post('/api/streams')
        .set('Authorization', `Bearer ${streamer.token}`)
        .send({ title: 'HLS test' })
        .expect(201);
      made.push((res.body as { id: string }).id);
      return res.body as { id: string; streamKey: string };
    },
    async publish<P extends Publisher>(
      stream: { id: string; streamKey: string },
      size = { width: 640, height: 480 },
      make?: (size: { width: number; height: number }) => P,
    ): Promise<P> {
      const pub = make ? make(size) : (createPublisher(size) as P);
      peers.push(pub);
      const res = await t.http
        .post(`/whip/${stream.id}`)
        .set('Authorization', `Bearer ${stream.streamKey}`)
        .set('Content-Type', 'application/sdp')
        .send(await pub.offer())
        .expect(201);
      await pub.answer(res.text);
      await waitFor(() => pub.pc.connectionState === 'connected', 10_000, 'publisher connected');
      return pub;
    },
    async end(streamId) {
      await t.http
        .post(`/api/streams/${streamId}/end`)
        .set('Authorization', `Bearer ${streamer.token}`)
        .expect(200);
    },
    async endAll() {
      for (const id of made.splice(0)) {
        const s = await t.http.get(`/api/streams/${id}`);
        const status = (s.body as { status?: string })?.status;
        if (status === 'live' || status === 'reconnecting') await f.end(id);
      }
      for (const p of peers.splice(0)) p.close();
    },
    text,
    async waitText(url, ok, timeoutMs, what) {
      const t0 = Date.now();
      for (;;) {
        const res = await t.http.get(url);
        if (res.status === 200 && ok(res.text)) return res.text;
        if (Date.now() - t0 > timeoutMs)
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last ${res.status})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async bytes(url) {
      const res = await t.http
        .get(url)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      return res.body as Buffer;
    },
    async waitBytes(url, timeoutMs, what) {
      const t0 = Date.now();
      for (;;) {
        const res = await t.http.get(url);
        if (res.status === 200) return f.bytes(url);
        if (Date.now() - t0 > timeoutMs)
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last ${res.status})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      for (const p of peers) p.close();
      await t.close();
    },
  };
  return f;
}

/** Decodes a file with ffprobe: the first video stream's size, how many frames decode, and whether the first is a keyframe. */
export async function probeFile(
  data: Buffer,
): Promise<{ width: number; height: number; frames: number; audio: boolean; firstKey: boolean }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-hls-')), 'seg.mp4');
  fs.writeFileSync(file, data);
  try {
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=codec_type,width,height,nb_read_frames',
      '-of',
      'json',
      file,
    ]);
    const streams = (
      JSON.parse(stdout) as {
        streams: { codec_type: string; width?: number; height?: number; nb_read_frames?: string }[];
      }
    ).streams;
    const v = streams.find((s) => s.codec_type === 'video');
    const first = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-read_intervals',
      '%+#1',
      '-show_entries',
      'packet=flags',
      '-of',
      'csv=p=0',
      file,
    ]);
    return {
      firstKey: first.stdout.trim().startsWith('K'),
      width: v?.width ?? 0,
      height: v?.height ?? 0,
      frames: Number(v?.nb_read_frames ?? 0),
      audio: streams.some((s) => s.codec_type === 'audio'),
    };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** Pids of the ffmpeg processes whose command line names the stream. */
export function ffmpegPids(streamId: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (path.basename(argv[0]) === 'ffmpeg' && argv.some((a) => a.includes(streamId))) pids.push(Number(d));
  }
  return pids;
}

export async function waitForNoFfmpeg(streamId: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (ffmpegPids(streamId).length > 0) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`ffmpeg of ${streamId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Segment and part URIs of a media playlist, in order. */
export function segmentUris(playlist: string): string[] {
  return playlist.split('\n').filter((l) => /^s\d+\.m4s$/.test(l));
}
