import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { encoderPool } from '../support/encoder-pool';
import { startIngestApp, type IngestApp } from '../support/encoders';
import { playHls, playWhep } from '../support/player-page';
import { checkMediaPlaylist, checkPlaylistUpdate } from '../../media/hls/playlist-check';
import { checkPlaylistsWritten, ffmpegPids, probeFile, segmentUris } from './hls-support';

/**
 * RTMP and SRT encoders (Debian's ffmpeg) watched the two ways viewers
 * watch: a WHEP player in Chromium, which decodes the passed-through (or,
 * with B-frames, re-encoded) H.264 and the Opus made from the AAC; and
 * hls.js, whose top rendition is the encoder's own H.264 and AAC.
 */
describe('RTMP/SRT ingest played over WHEP and LL-HLS', () => {
  let f: IngestApp;
  let browser: Browser;
  let page: Page;
  /** Every playlist version the transcodes write, checked as written (and against the one before). */
  let written: { problems: string[]; checked: number };
  const encode = encoderPool();
  /** What the checker found in stream `id`'s playlists so far. */
  const problemsOf = (id: string) => written.problems.filter((p) => p.startsWith(`${id}/`));

  beforeAll(async () => {
    f = await startIngestApp({
      redis: false,
      env: {
        HLS_ENABLED: 'true',
        HLS_LADDER: '720p:720:1500,480p:480:800,360p:360:400',
        HLS_POSTER_SECONDS: '1',
      },
    });
    written = checkPlaylistsWritten(f.t, { keyframeParts: false });
    browser = await launchChromium();
    page = await browser.newPage({ baseURL: f.t.baseUrl });
    await page.goto('/health');
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  const live = (id: string) => f.waitLive(id, 'live', 20_000);
  /** Every segment of `pl` (the rendition at `base`), after the first run's init segment: this size, audio, a keyframe first. */
  const expectSegments = async (base: string, pl: string, size: { width: number; height: number }) => {
    const init = (await f.t.http.get(`${base}/r1/init.mp4`).buffer(true)).body as Buffer;
    for (const uri of segmentUris(pl)) {
      const seg = (await f.t.http.get(`${base}/${uri}`).buffer(true)).body as Buffer;
      expect(await probeFile(Buffer.concat([init, seg]))).toMatchObject({
        ...size,
        audio: true,
        firstKey: true,
      });
    }
  };

  it('RTMP without B-frames: WHEP decodes the H.264 as sent and Opus audio; HLS copies it as the top rendition with its AAC', async () => {
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 854, height: 480, bframes: 0, gop: 30 });
    expect((await live(s.id)).ingest?.webrtcVideo).toBe('passthrough');
    const w = await playWhep(page, `/whep/${s.id}`, 4);
    expect(w).toMatchObject({ videoCodec: 'video/H264', audioCodec: 'audio/opus', width: 854, height: 480 });
    expect(w.framesDecoded).toBeGreaterThan(40);
    expect(w.frames).toBeGreaterThan(40);
    expect(w.audioSamples).toBeGreaterThan(48_000);
    expect(w.audioRms).toBeGreaterThan(0.01);

    // HLS: the encoder's 480p as sent (its High profile in CODECS) and an encoded 360p below it, both with AAC.
    const master = await f.t.http.get(`/hls/${s.id}/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.text).toMatch(/RESOLUTION=854x480,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2"/);
    expect(master.text).toMatch(/RESOLUTION=640x360,CODECS="avc1\.4d401f,mp4a\.40\.2"/);
    expect(ffmpegPids(s.id)).toHaveLength(1);
    const t0 = Date.now();
    let pl = '';
    while (segmentUris(pl).length < 2 && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 300));
      pl = (await f.t.http.get(`/hls/${s.id}/480p/index.m3u8`)).text;
    }
    // The copied rung's parts are cut evenly on the encoder's millisecond timestamps: none over PART-TARGET.
    expect(checkMediaPlaylist(pl)).toEqual([]);
    expect(pl).toContain('#EXT-X-PART-INF:PART-TARGET=0.2\n');
    await expectSegments(`/hls/${s.id}/480p`, pl, { width: 854, height: 480 });
    const h = await playHls(page, `/hls/${s.id}/master.m3u8`, 6);
    expect(h.played).toBeGreaterThan(3);
    expect(h.frames).toBeGreaterThan(60);
    expect(h.audio).toBe(true);
    expect(h.levels.map((l) => l.height).sort()).toEqual([360, 480]);
  });

  it("RTMP at 24 fps: the copied rung's parts hold whole frames (0.5 s beside 30 fps rungs), none over PART-TARGET", async () => {
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 640, height: 360, fps: 24, gop: 48 });
    await live(s.id);
    let pl = '';
    for (const t0 = Date.now(); segmentUris(pl).length < 2 && Date.now() - t0 < 20_000;) {
      await new Promise((r) => setTimeout(r, 300));
      pl = (await f.t.http.get(`/hls/${s.id}/360p/index.m3u8`)).text;
    }
    expect(segmentUris(pl).length).toBeGreaterThanOrEqual(2);
    expect(checkMediaPlaylist(pl)).toEqual([]);
    expect(pl).toContain('#EXT-X-PART-INF:PART-TARGET=0.5\n');
  });

  it("RTMP at 29.97 fps, a keyframe every 1.8 s: the copied rung's parts are 6 frames (0.2002 s) under its own PART-TARGET, its segments one keyframe interval", async () => {
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 854, height: 480, fps: '30000/1001', gop: 54 });
    await live(s.id);
    const playlist = async (rendition: string) =>
      (await f.t.http.get(`/hls/${s.id}/${rendition}/index.m3u8`)).text;
    // Every part listed while the playlist grows to four segments: six frames each, their ends on
    // FLV's milliseconds. Each version keeps its target duration: segments close at the keyframe
    // 1.8 s in rather than at the next one 3.6 s in, over the 2 s the playlist says.
    const parts = new Map<string, number>();
    let copied = '';
    for (const t0 = Date.now(); segmentUris(copied).length < 4 && Date.now() - t0 < 30_000;) {
      await new Promise((r) => setTimeout(r, 300));
      copied = await playlist('480p');
      for (const m of copied.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="([^"]+)"/g))
        parts.set(m[2], Number(m[1]));
    }
    expect(segmentUris(copied).length).toBeGreaterThanOrEqual(4);
    expect(copied).toContain('#EXT-X-PART-INF:PART-TARGET=0.201\n');
    expect(copied).toContain('#EXT-X-TARGETDURATION:2\n');
    expect(checkMediaPlaylist(copied)).toEqual([]);
    expect(written.checked).toBeGreaterThan(40);
    expect(problemsOf(s.id)).toEqual([]);
    expect([...copied.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]).toFixed(1))).toEqual(
      segmentUris(copied).map(() => '1.8'),
    );
    // Four segments of nine parts.
    expect(parts.size).toBeGreaterThanOrEqual(36);
    expect([...parts].filter(([, d]) => d !== 0.2 && d !== 0.201)).toEqual([]);
    const encoded = await playlist('360p');
    expect(encoded).toContain('#EXT-X-PART-INF:PART-TARGET=0.2\n');
    expect(checkMediaPlaylist(encoded)).toEqual([]);
    // hls.js plays the two renditions, each with its part target.
    const h = await playHls(page, `/hls/${s.id}/master.m3u8`, 5);
    expect(h.frames).toBeGreaterThan(60);
    expect(h.levels.map((l) => l.height).sort()).toEqual([360, 480]);
  });

  it('RTMP with B-frames (OBS x264 default): WHEP still decodes (re-encoded), HLS copies the B-frames in parts of whole frames', async () => {
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 640, height: 360, bframes: 2, gop: 30 });
    const v = await live(s.id);
    expect(v.ingest).toMatchObject({ bFrames: true, webrtcVideo: 'reencoded' });
    const w = await playWhep(page, `/whep/${s.id}`, 4);
    expect(w.framesDecoded).toBeGreaterThan(40);
    expect(w).toMatchObject({ width: 640, height: 360, audioCodec: 'audio/opus' });
    // ffmpeg cuts B-frames by presentation time in decode order (parts of 0.133–0.267 s): the
    // transcoder cuts the copied rung itself, 6 frames a part, and a keyframe (one a second) starts
    // every fifth part.
    const parts = new Map<number, string>();
    let pl = '';
    for (const t0 = Date.now(); segmentUris(pl).length < 3 && Date.now() - t0 < 30_000;) {
      await new Promise((r) => setTimeout(r, 300));
      pl = (await f.t.http.get(`/hls/${s.id}/360p/index.m3u8`)).text;
      for (const m of pl.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="r1\/p(\d+)\.m4s"(,INDEPENDENT=YES)?/g))
        parts.set(Number(m[2]), `${m[1]}${m[3] ? ' independent' : ''}`);
    }
    expect(segmentUris(pl).length).toBeGreaterThanOrEqual(3);
    expect(checkMediaPlaylist(pl)).toEqual([]);
    expect(pl).toContain('#EXT-X-PART-INF:PART-TARGET=0.2\n');
    expect(parts.size).toBeGreaterThanOrEqual(15);
    for (const [n, part] of parts) expect([n, part]).toEqual([n, n % 5 === 0 ? '0.2 independent' : '0.2']);
    await expectSegments(`/hls/${s.id}/360p`, pl, { width: 640, height: 360 });
    const h = await playHls(page, `/hls/${s.id}/master.m3u8`, 5);
    expect(h.frames).toBeGreaterThan(40);
    expect(h.audio).toBe(true);
  });

  it('RTMP with a keyframe every 4 s: the owner is warned, and the first playlist a player gets already has the target duration it keeps', async () => {
    const s = await f.newStream();
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 640, height: 360, gop: 120 });
    const v = await f.waitView(
      s.id,
      (x) => x.ingest?.warnings.some((w) => w.code === 'keyframe_interval') ?? false,
      20_000,
      'the keyframe interval warning',
    );
    expect(v.ingest).toMatchObject({ keyframeIntervalSeconds: 4 });
    // A player's first request is held until it can start: by then the first segment (one keyframe
    // interval) has set the target duration, and every later version keeps it.
    const first = await f.t.http.get(`/hls/${s.id}/360p/index.m3u8`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('#EXT-X-TARGETDURATION:4\n');
    expect(first.text).toContain(',HOLD-BACK=12.0,');
    // (The versions written before it, which no player can start on, said the configured 2: the
    // checker of every version written would name that change; these are the versions served.)
    const problems: string[] = [];
    let pl = first.text;
    for (const t0 = Date.now(); segmentUris(pl).length < 3 && Date.now() - t0 < 20_000;) {
      await new Promise((r) => setTimeout(r, 300));
      const before = pl;
      pl = (await f.t.http.get(`/hls/${s.id}/360p/index.m3u8`)).text;
      problems.push(...checkPlaylistUpdate(before, pl));
    }
    expect(problems).toEqual([]);
    expect(checkMediaPlaylist(pl)).toEqual([]);
    expect([...pl.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]).toFixed(1))).toEqual(
      segmentUris(pl).map(() => '4.0'),
    );
    const h = await playHls(page, `/hls/${s.id}/master.m3u8`, 4);
    expect(h.frames).toBeGreaterThan(30);
  });

  it('SRT: WHEP decodes video and audio, and hls.js plays', async () => {
    const s = await f.newStream();
    encode({ url: `${s.srtUrl}?streamid=${s.streamKey}`, width: 640, height: 360, bframes: 0, gop: 30 });
    await live(s.id);
    const w = await playWhep(page, `/whep/${s.id}`, 4);
    expect(w.framesDecoded).toBeGreaterThan(40);
    expect(w.audioSamples).toBeGreaterThan(48_000);
    expect(w.audioRms).toBeGreaterThan(0.01);
    // Like the RTMP case: hls.js plays once the stream's playlists hold two segments (how soon a
    // stock player starts is bench:hls's measure, not this test's).
    const master = await f.t.http.get(`/hls/${s.id}/master.m3u8`);
    expect(master.status).toBe(200);
    const top = master.text.split('\n').find((l) => l.endsWith('/index.m3u8'))!;
    let pl = '';
    for (const t0 = Date.now(); segmentUris(pl).length < 2 && Date.now() - t0 < 20_000;) {
      await new Promise((r) => setTimeout(r, 300));
      pl = (await f.t.http.get(`/hls/${s.id}/${top}`)).text;
    }
    expect(segmentUris(pl).length).toBeGreaterThanOrEqual(2);
    expect(checkMediaPlaylist(pl)).toEqual([]);
    const h = await playHls(page, `/hls/${s.id}/master.m3u8`, 5);
    expect(h.frames).toBeGreaterThan(40);
    expect(h.audio).toBe(true);
  });

  it('keeps WHEP viewers and continues the HLS playlists after a discontinuity when the encoder reconnects', async () => {
    const s = await f.newStream();
    const first = encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 640, height: 360, gop: 30 });
    await live(s.id);
    const t0 = Date.now();
    while (
      !(await f.t.http.get(`/hls/${s.id}/360p/index.m3u8`)).text.includes('#EXTINF') &&
      Date.now() - t0 < 20_000
    ) {
      await new Promise((r) => setTimeout(r, 300));
    }
    const viewing = playWhep(page, `/whep/${s.id}`, 9);
    await new Promise((r) => setTimeout(r, 2500));
    first.kill('SIGKILL');
    await f.waitView(s.id, (x) => x.ingest?.state === 'reconnecting', 10_000, 'reconnecting');
    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, width: 640, height: 360, gop: 30 });
    await f.waitView(s.id, (x) => x.ingest?.state === 'live' && x.ingest.reconnects === 1, 15_000, 'back');
    // The viewer that was watching before the drop kept decoding after it (~9 s at 30 fps, minus the gap).
    expect((await viewing).framesDecoded).toBeGreaterThan(150);
    const t1 = Date.now();
    let pl = '';
    while (!/#EXT-X-DISCONTINUITY[\s\S]*r2\/init\.mp4[\s\S]*#EXTINF/.test(pl) && Date.now() - t1 < 20_000) {
      await new Promise((r) => setTimeout(r, 300));
      pl = (await f.t.http.get(`/hls/${s.id}/360p/index.m3u8`)).text;
    }
    expect(pl).toMatch(/#EXT-X-DISCONTINUITY[\s\S]*r2\/init\.mp4[\s\S]*#EXTINF/);
    await f.waitView(s.id, (x) => x.status === 'live', 5_000, 'the stream live again');
  });
});
