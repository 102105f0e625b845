/**
 * RTMP/SRT ingest fixtures: an app with the listeners on free loopback
 * ports, and Debian's ffmpeg as the encoder (a test pattern and a tone,
 * H.264 + AAC, published in real time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import { eventually } from './wait';
import { freePort, startTestApp, type TestApp, type TestAppOptions, type TestUser } from './test-app';

/** A UDP port nobody is bound to on loopback now (SRT listens on UDP). */
export async function freeUdpPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ok = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

export interface IngestApp {
  t: TestApp;
  streamer: TestUser;
  rtmpPort: number;
  srtPort: number;
  newStream(): Promise<{ id: string; streamKey: string; rtmpUrl: string; srtUrl: string }>;
  /** GET /api/streams/:id as the owner. */
  ownerView(id: string): Promise<Record<string, unknown> & { status: string; ingest: IngestView | null }>;
  /** Polls the owner's view until `ok` holds. */
  waitView(
    id: string,
    ok: (v: Record<string, unknown> & { status: string; ingest: IngestView | null }) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Record<string, unknown> & { status: string; ingest: IngestView | null }>;
  /** Polls the owner's view until the stream and its encoder are live (15 s unless told). */
  waitLive(
    id: string,
    what?: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown> & { status: string; ingest: IngestView | null }>;
  /** Resolves once the stream's SFU producers receive fresh video (and with `audio`, audio too) within 5 s. */
  mediaArrives(id: string, opts?: { audio?: boolean; what?: string }): Promise<void>;
  close(): Promise<void>;
}

export interface IngestView {
  state: string;
  protocol: string;
  bFrames: boolean;
  webrtcVideo: string;
  video: { codec: string; profile: string; width: number; height: number } | null;
  audio: { codec: string; sampleRate: number; channels: number } | null;
  bitrateKbps: number;
  droppedFrames: number;
  reconnects: number;
  warnings: { code: string; message: string; fix: string }[];
  lastError: { code: string; message: string } | null;
}

export async function startIngestApp(opts: TestAppOptions = {}): Promise<IngestApp> {
  const rtmpPort = await freePort();
  const srtPort = await freeUdpPort();
  const t = await startTestApp({
    ...opts,
    env: {
      MEDIASOUP_NUM_WORKERS: '1',
      HLS_ENABLED: 'false',
      INGEST_ENABLED: 'true',
      INGEST_PUBLIC_HOST: '127.0.0.1',
      RTMP_LISTEN_IP: '127.0.0.1',
      RTMP_PORT: String(rtmpPort),
      SRT_LISTEN_IP: '127.0.0.1',
      SRT_PORT: String(srtPort),
      INGEST_RECONNECT_GRACE_SECONDS: '4',
      INGEST_HANDSHAKE_TIMEOUT_SECONDS: '3',
      ...opts.env,
    },
  });
  const streamer = await t.user('streamer');
  const auth = `Bearer ${streamer.token}`;
  type View = Record<string, unknown> & { status: string; ingest: IngestView | null };
  const ownerView = async (id: string) =>
    (await t.http.get(`/api/streams/${id}`).set('Authorization', auth).expect(200)).body as View;
  const waitView = async (id: string, ok: (v: View) => boolean, timeoutMs: number, what: string) => {
    const t0 = Date.now();
    for (;;) {
      const v = await ownerView(id);
      if (ok(v)) return v;
      if (Date.now() - t0 > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(v)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Bytes the stream's SFU producers received so far (video, audio). */
  const producerBytes = async (id: string) => {
    const room = t.app.get(SfuHost).sfu?.room(id);
    const out = { video: 0, audio: 0 };
    for (const p of room?.producers ?? []) {
      const stats = await p.getStats();
      out[p.kind] += stats.reduce((a, s) => a + s.byteCount, 0);
    }
    return out;
  };
  return {
    t,
    streamer,
    rtmpPort,
    srtPort,
    async newStream() {
      const res = await t.http
        .post('/api/streams')
        .set('Authorization', auth)
        .send({ title: 'ingest test' })
        .expect(201);
      return res.body as { id: string; streamKey: string; rtmpUrl: string; srtUrl: string };
    },
    ownerView,
    waitView,
    waitLive: (id, what = 'live', timeoutMs = 15_000) =>
      waitView(id, (x) => x.status === 'live' && x.ingest?.state === 'live', timeoutMs, what),
    async mediaArrives(id, { audio = false, what = 'media at the SFU' } = {}) {
      const before = await producerBytes(id);
      await eventually(
        async () => {
          const now = await producerBytes(id);
          return now.video > before.video + 20_000 && (!audio || now.audio > before.audio + 2_000);
        },
        5000,
        what,
      );
    },
    close: () => t.close(),
  };
}

export interface Encoder {
  proc: ChildProcess;
  stderr: string[];
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export interface EncoderOptions {
  /** `rtmp://…/live/<key>`, `rtmps://…`, or `srt://…?streamid=<key>`. */
  url: string;
  width?: number;
  height?: number;
  /** x264 B-frames (OBS's default is 2); 0 for passthrough. */
  bframes?: number;
  /** Frames a second (default 30), or a rate as ffmpeg writes it (`30000/1001`). */
  fps?: number | string;
  /** Keyframe interval in frames. */
  gop?: number;
  /** libx265 instead of libx264 (only over SRT: ffmpeg's FLV muxer has no HEVC). */
  hevc?: boolean;
  audio?: boolean;
  /** Seconds of media; unset: until killed. */
  seconds?: number;
}

/** How the owner's view describes {@link startEncoder}'s defaults passed through over `protocol`. */
export const passthroughIngest = (protocol: 'rtmp' | 'rtmps' | 'srt') => ({
  protocol,
  bFrames: false,
  webrtcVideo: 'passthrough',
  video: { codec: 'h264', width: 640, height: 360 },
  audio: { codec: 'aac', sampleRate: 48000 },
});

/** Debian's ffmpeg publishing a test pattern and a tone in real time, as OBS would. */
export function startEncoder(o: EncoderOptions): Encoder {
  const size = `${o.width ?? 640}x${o.height ?? 360}`;
  const srt = o.url.startsWith('srt:');
  const argv = [
    '-hide_banner',
    '-loglevel',
    // ENCODER_LOG_LEVEL=verbose shows what the encoder saw, when a test needs explaining.
    process.env.ENCODER_LOG_LEVEL ?? 'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${o.fps ?? 30}`,
  ];
  if (o.audio !== false) argv.push('-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  if (o.seconds) argv.push('-t', String(o.seconds));
  argv.push('-map', '0:v');
  if (o.hevc) argv.push('-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error');
  else {
    argv.push(
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'high',
      '-bf',
      String(o.bframes ?? 0),
      '-pix_fmt',
      'yuv420p',
    );
  }
  argv.push('-g', String(o.gop ?? 30), '-b:v', '800k');
  if (o.audio !== false) argv.push('-map', '1:a', '-c:a', 'aac', '-b:a', '96k');
  argv.push('-f', srt ? 'mpegts' : 'flv', o.url);
  const proc = spawn('ffmpeg', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => stderr.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return {
    proc,
    stderr,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (proc.exitCode === null) proc.kill(signal);
    },
  };
}
