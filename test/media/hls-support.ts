import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { checkMasterPlaylist, checkMediaPlaylist, checkPlaylistUpdate } from '../../media/hls/playlist-check';
import type { HlsStorage } from '../../media';
import { HLS_STORAGE } from '../../src/hls/hls.constants';
import { launchChromium, playerPast } from '../support/browser';
import { publishOverWhip, type Peers, type Publishable } from '../support/ingest';
import { createStream, endStream } from '../support/streams';
import { startTestApp, type TestApp, type TestAppOptions, type TestUser } from '../support/test-app';
import { sleep } from '../support/wait';
import type { Publisher } from '../support/webrtc';

const run = promisify(execFile);

/** Small, fast HLS settings for tests: a 2-rung ladder and 4 x 0.5 s parts per segment. */
export const HLS_TEST_ENV = {
  MEDIASOUP_NUM_WORKERS: '1',
  HLS_LADDER: '720p:720:1500,480p:480:800,360p:360:400',
  HLS_POSTER_SECONDS: '1',
};

export interface HlsFixture {
  t: TestApp;
  streamer: TestUser;
  newStream(): Promise<Publishable>;
  /** Publishes over WHIP from a headless peer (640x480 unless told); `resize()` changes its camera mid-stream. */
  publish(stream: Publishable, size?: { width: number; height: number }): Promise<Publisher>;
  /** A new stream published at 320x240, once its 240p playlist lists `segments` segments (returned with it). */
  liveStream(segments?: number): Promise<{ stream: Publishable; playlist: string }>;
  end(streamId: string): Promise<void>;
  /** Ends every stream this fixture made that is still live (after a failed test, so it frees its worker slot). */
  endAll(): Promise<void>;
  text(url: string): Promise<string>;
  /** Polls a URL until it answers 200 and `ok(body)` holds. */
  waitText(url: string, ok: (body: string) => boolean, timeoutMs: number, what: string): Promise<string>;
  /** Polls a rendition's media playlist until it lists `count` complete segments; returns it. */
  waitSegments(streamId: string, rendition: string, count: number, timeoutMs?: number): Promise<string>;
  /**
   * Polls a rendition's media playlist until a complete segment follows a discontinuity (a resumed
   * or re-planned run) and `ok` holds (30 s unless told); returns it.
   */
  waitResumed(
    streamId: string,
    rendition: string,
    what: string,
    opts?: { ok?: (playlist: string) => boolean; timeoutMs?: number },
  ): Promise<string>;
  /** Decodes the first segment after the playlist's discontinuity, with its run's init segment. */
  probeResumed(streamId: string, rendition: string, playlist: string): ReturnType<typeof probeFile>;
  /** Polls a rendition's media playlist until it is closed with EXT-X-ENDLIST (15 s unless told); returns it. */
  waitEndList(streamId: string, rendition: string, timeoutMs?: number): Promise<string>;
  /**
   * What the playlist checker (media/hls/playlist-check.ts) found in the playlists this app's
   * transcodes wrote since the last call, one sentence each, naming the file (each version of
   * each playlist is checked as written, and against the version before it).
   */
  takePlaylistProblems(): string[];
  /** How many playlist versions the checker has read (it sees this process's transcodes only). */
  readonly playlistsChecked: number;
  bytes(url: string): Promise<Buffer>;
  waitBytes(url: string, timeoutMs: number, what: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startHlsApp(opts: TestAppOptions = {}): Promise<HlsFixture> {
  const t = await startTestApp({ ...opts, env: { ...HLS_TEST_ENV, ...opts.env } });
  const streamer = await t.user('streamer');
  const checker = checkPlaylistsWritten(t);
  const problems = checker.problems;
  const peers: Peers = [];
  const made: string[] = [];
  const text = async (url: string) => (await t.http.get(url).expect(200)).text;
  /** Polls a URL every 200 ms until it answers 200 and `ok(body)` holds. */
  const poll = async (url: string, ok: (body: string) => boolean, timeoutMs: number, what: string) => {
    const t0 = Date.now();
    for (;;) {
      const res = await t.http.get(url);
      if (res.status === 200 && ok(res.text)) return res.text;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last ${res.status})`);
      await sleep(200);
    }
  };
  const f: HlsFixture = {
    t,
    streamer,
    async newStream() {
      const stream = await createStream(t, streamer, { title: 'HLS test' });
      made.push(stream.id);
      return stream;
    },
    async publish(stream, size = { width: 640, height: 480 }) {
      return (await publishOverWhip(t, stream, peers, size)).pub;
    },
    async liveStream(segments = 1) {
      const stream = await f.newStream();
      await f.publish(stream, { width: 320, height: 240 });
      return { stream, playlist: await f.waitSegments(stream.id, '240p', segments) };
    },
    async end(streamId) {
      await endStream(t, streamer, streamId);
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
    takePlaylistProblems: () => [...new Set(problems.splice(0))],
    get playlistsChecked() {
      return checker.checked;
    },
    waitText: poll,
    waitSegments(streamId, rendition, count, timeoutMs = 30_000) {
      return f.waitText(
        `/hls/${streamId}/${rendition}/index.m3u8`,
        (b) => segmentUris(b).length >= count,
        timeoutMs,
        `${count} segments of ${rendition}`,
      );
    },
    waitResumed(streamId, rendition, what, { ok = () => true, timeoutMs = 30_000 } = {}) {
      return f.waitText(
        `/hls/${streamId}/${rendition}/index.m3u8`,
        (b) => resumedSegments(b).length >= 1 && ok(b),
        timeoutMs,
        what,
      );
    },
    async probeResumed(streamId, rendition, playlist) {
      const run = /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="(r\d+)\/init\.mp4"/.exec(playlist)?.[1];
      if (!run) throw new Error(`no run starts at the discontinuity of:\n${playlist}`);
      return probeFile(
        Buffer.concat([
          await f.bytes(`/hls/${streamId}/${rendition}/${run}/init.mp4`),
          await f.bytes(`/hls/${streamId}/${rendition}/${resumedSegments(playlist)[0]}`),
        ]),
      );
    },
    waitEndList(streamId, rendition, timeoutMs = 15_000) {
      return f.waitText(
        `/hls/${streamId}/${rendition}/index.m3u8`,
        (b) => b.includes('#EXT-X-ENDLIST'),
        timeoutMs,
        `EXT-X-ENDLIST in ${rendition}`,
      );
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
      await poll(url, () => true, timeoutMs, what);
      return f.bytes(url);
    },
    async close() {
      for (const p of peers) p.close();
      await t.close();
    },
  };
  return f;
}

/**
 * Runs the playlist checker on every playlist the app's storage is given to write (the
 * transcodes of this process), as it is written. The parts that HLS_KEYFRAME_PARTS puts a
 * keyframe in must be independent, unless `keyframeParts: false` (an RTMP/SRT encoder's copied
 * rung has the encoder's keyframes).
 */
export function checkPlaylistsWritten(
  t: TestApp,
  opts: { keyframeParts?: false } = {},
): { problems: string[]; checked: number } {
  const out = { problems: [] as string[], checked: 0 };
  let storage: HlsStorage;
  try {
    storage = t.app.get<HlsStorage>(HLS_STORAGE, { strict: false });
  } catch {
    return out;
  }
  const keyframeParts = opts.keyframeParts === false ? undefined : t.config.hls.keyframeParts;
  const last = new Map<string, string>();
  const write = storage.write.bind(storage);
  storage.write = async (key, data) => {
    if (key.endsWith('.m3u8')) {
      const text = data.toString();
      const before = last.get(key);
      const found = key.endsWith('/master.m3u8')
        ? checkMasterPlaylist(text)
        : [
            ...checkMediaPlaylist(text, { keyframeParts }),
            ...(before === undefined ? [] : checkPlaylistUpdate(before, text)),
          ];
      for (const p of found) out.problems.push(`${key}: ${p}`);
      out.checked++;
      last.set(key, text);
    }
    return write(key, data);
  };
  return out;
}

/** For one describe block: an HLS app (in process, no Redis) and Chromium to watch it in. */
export function useHlsInChromium(): { readonly f: HlsFixture; readonly browser: Browser } {
  let f: HlsFixture;
  let browser: Browser;
  beforeAll(async () => {
    f = await startHlsApp({ redis: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.endAll();
    await f?.close();
  });
  return {
    get f() {
      return f;
    },
    get browser() {
      return browser;
    },
  };
}

/** Opens the watch page in HLS mode and waits until its video has played 3 s. */
export async function playOverHls(page: Page, baseUrl: string, streamId: string): Promise<void> {
  await page.goto(`${baseUrl}/watch/${streamId}?mode=hls`);
  await playerPast(page, 3, { timeout: 30_000 });
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
    await sleep(100);
  }
}

/** Segment and part URIs of a media playlist, in order. */
export function segmentUris(playlist: string): string[] {
  return playlist.split('\n').filter((l) => /^s\d+\.m4s$/.test(l));
}

/** The segments a media playlist lists between its first discontinuity and the next (none without one). */
export function resumedSegments(playlist: string): string[] {
  return segmentUris(playlist.split('#EXT-X-DISCONTINUITY')[1] ?? '');
}
