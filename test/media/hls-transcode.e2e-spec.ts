import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildFfmpegCommand, DEFAULT_LADDER, FIRST_MSN, planLadder, readPlaylist } from '../../media';
import { videoTrackTiming } from '../../media/hls/fmp4';
import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import { heldDuring } from '../support/held-requests';
import { eventually } from '../support/wait';
import {
  ffmpegPids,
  probeFile,
  segmentUris,
  startHlsApp,
  waitForNoFfmpeg,
  type HlsFixture,
} from './hls-support';

/**
 * A WHIP publisher → the SFU → plain RTP → ffmpeg → LL-HLS, in the embedded
 * default (the transcode runs in the app process, next to the SFU).
 */
const run = promisify(execFile);

describe('HLS transcoding of a live stream (embedded, in-process worker)', () => {
  let f: HlsFixture;

  beforeAll(async () => {
    f = await startHlsApp({ redis: false });
  });
  afterEach(async () => {
    await f.endAll();
    // Every playlist written meanwhile followed the RFC's rules (media/hls/playlist-check.ts).
    expect(f.takePlaylistProblems()).toEqual([]);
  });
  afterAll(() => f.close());

  it('publishes a master playlist whose renditions decode at the promised sizes, never above the source', async () => {
    const stream = await f.newStream();
    await f.publish(stream, { width: 640, height: 480 });
    const master = await f.waitText(`/hls/${stream.id}/master.m3u8`, () => true, 20_000, 'master playlist');
    expect(master).toContain('#EXT-X-STREAM-INF');
    expect(master).toMatch(/BANDWIDTH=\d+,.*RESOLUTION=640x480,CODECS="avc1\.4d401f,mp4a\.40\.2"/);
    expect(master).toMatch(/RESOLUTION=480x360/);
    expect(master).not.toContain('720p/index.m3u8');

    for (const [name, width, height] of [
      ['480p', 640, 480],
      ['360p', 480, 360],
    ] as const) {
      const pl = await f.waitSegments(stream.id, name, 2);
      // Parts of 6 frames (0.2 s at 30 fps); players hold back three of them.
      expect(pl).toMatch(/#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0\.6,/);
      expect(pl).toContain('#EXT-X-PART-INF:PART-TARGET=0.2\n');
      expect(pl).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="r1\/p\d+\.m4s"/);
      // Where the other rendition stands, for a player switching to it (and no report of itself).
      const other = name === '480p' ? '360p' : '480p';
      expect(pl).toMatch(
        new RegExp(
          `\n#EXT-X-RENDITION-REPORT:URI="\\.\\./${other}/index\\.m3u8",LAST-MSN=\\d+,LAST-PART=\\d+\n`,
        ),
      );
      expect(pl).not.toContain(`URI="../${name}/index.m3u8"`);
      const pdts = pl.split('\n').filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:'));
      expect(pdts.length).toBeGreaterThanOrEqual(segmentUris(pl).length);
      for (const d of pdts) expect(Math.abs(Date.now() - Date.parse(d.slice(25)))).toBeLessThan(60_000);
      const parts = [...pl.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="([^"]+)"/g)];
      expect(parts.length).toBeGreaterThan(0);
      for (const p of parts) expect(Number(p[1])).toBeLessThanOrEqual(0.2);
      // A keyframe starts every other part (HLS_KEYFRAME_PARTS=2), at the same frame in every
      // rendition: players start and switch there.
      const independent = [...pl.matchAll(/#EXT-X-PART:[^\n]*URI="r1\/p(\d+)\.m4s"(,INDEPENDENT=YES)?/g)];
      expect(independent.length).toBeGreaterThan(1);
      for (const m of independent)
        expect([m[1], m[2]]).toEqual([m[1], Number(m[1]) % 2 === 0 ? ',INDEPENDENT=YES' : undefined]);
      // The first segment is the hold-back's three parts rounded up to a keyframe: four, 0.8 s.
      expect(pl).toMatch(/#EXTINF:0\.8,\ns1\.m4s\n/);
      const init = await f.bytes(`/hls/${stream.id}/${name}/r1/init.mp4`);
      // Microsecond ticks: frames start and end where a browser's buffered ranges say they do.
      expect(videoTrackTiming(init)?.timescale).toBe(1_000_000);
      for (const uri of segmentUris(pl)) {
        const probed = await probeFile(
          Buffer.concat([init, await f.bytes(`/hls/${stream.id}/${name}/${uri}`)]),
        );
        expect(probed).toMatchObject({ width, height, audio: true, firstKey: true });
        // s1 holds the first four parts (24 frames), the others ten (60).
        expect(probed.frames).toBeGreaterThan(uri === 's1.m4s' ? 12 : 30);
      }
    }
    // The checker of afterEach read these playlists as they were written.
    expect(f.playlistsChecked).toBeGreaterThan(10);
    await f.end(stream.id);
  });

  it('holds the first requests of a live stream until a player can start, rather than 404', async () => {
    const stream = await f.newStream();
    // Asked before the stream is live, or for a stream that does not exist: 404 at once.
    await f.t.http.get(`/hls/${stream.id}/master.m3u8`).expect(404);
    await f.t.http.get(`/hls/${stream.id}/360p/index.m3u8`).expect(404);
    await f.t.http.get(`/hls/${randomUUID()}/master.m3u8`).expect(404);
    await f.publish(stream, { width: 640, height: 480 });
    // Right after the WHIP answer, before ffmpeg made anything: the answers wait for the playlists.
    const [master, media] = await Promise.all([
      f.t.http.get(`/hls/${stream.id}/master.m3u8`),
      f.t.http.get(`/hls/${stream.id}/360p/index.m3u8`),
    ]);
    expect(master.status).toBe(200);
    expect(master.text).toContain('360p/index.m3u8');
    expect(media.status).toBe(200);
    // A player can start on it: a complete segment, and PART-HOLD-BACK (1 s) of media.
    expect(readPlaylist(media.text).startable).toBe(true);
    expect(segmentUris(media.text)[0]).toBe(`s${FIRST_MSN}.m4s`);
    // A rendition the master does not list is not waited for.
    const { held } = await heldDuring(f.t.app, () =>
      f.t.http.get(`/hls/${stream.id}/1080p/index.m3u8`).expect(404),
    );
    expect(held).toEqual([]);
    await f.end(stream.id);
  });

  it("plays in ffmpeg's HLS reader (players built on ffmpeg read the LL-HLS URL as plain HLS)", async () => {
    const { stream } = await f.liveStream(2);
    const { stderr } = await run('ffmpeg', [
      '-hide_banner',
      '-i',
      `${f.t.baseUrl}/hls/${stream.id}/240p/index.m3u8`,
      '-t',
      '2',
      '-map',
      '0:v:0',
      '-f',
      'null',
      '-',
    ]);
    const frames = Number([...stderr.matchAll(/frame=\s*(\d+)/g)].pop()?.[1] ?? 0);
    expect(frames).toBeGreaterThanOrEqual(50);
    await f.end(stream.id);
  });

  it('serves playlists uncached and media immutable, with HLS content types', async () => {
    const { stream, playlist: pl } = await f.liveStream();
    const master = await f.t.http.get(`/hls/${stream.id}/master.m3u8`).expect(200);
    expect(master.headers['content-type']).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(master.headers['cache-control']).toBe('no-cache');
    const seg = await f.t.http.get(`/hls/${stream.id}/240p/${segmentUris(pl)[0]}`).expect(200);
    expect(seg.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(seg.headers['content-type']).toMatch(/^video\/iso\.segment/);
    const init = await f.t.http.get(`/hls/${stream.id}/240p/r1/init.mp4`).expect(200);
    expect(init.headers['content-type']).toMatch(/^video\/mp4/);
    const poster = await f.waitBytes(`/hls/${stream.id}/poster.jpg`, 10_000, 'poster');
    expect(poster.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const jpg = await f.t.http.get(`/hls/${stream.id}/poster.jpg`).expect(200);
    expect(jpg.headers['content-type']).toMatch(/^image\/jpeg/);
    await f.t.http.get(`/hls/${stream.id}/..%2F..%2Fetc/index.m3u8`).expect(400);
    await f.t.http.get(`/hls/${stream.id}/240p/r1/secret.txt`).expect(400);
    await f.t.http.get(`/hls/${stream.id}/240p/index.m3u8?_HLS_part=1`).expect(400);
    await f.t.http.get(`/hls/${stream.id}/240p/index.m3u8?_HLS_msn=abc`).expect(400);
    await f.t.http.get(`/hls/not-a-uuid/master.m3u8`).expect(400);
    await f.end(stream.id);
  });

  it('holds a blocking playlist reload until the requested part exists', async () => {
    const { stream, playlist: pl } = await f.liveStream();
    const msn = FIRST_MSN + segmentUris(pl).length; // the segment being filled
    // The next segment's fifth part: at least five parts (1 s) after `pl`, so it cannot exist
    // before the request arrives, and within the server's wait (three segments).
    const { held, result: res } = await heldDuring(f.t.app, () =>
      f.t.http.get(`/hls/${stream.id}/240p/index.m3u8?_HLS_msn=${msn + 1}&_HLS_part=4`).expect(200),
    );
    expect(held).toEqual([`${stream.id}/240p/index.m3u8`]);
    expect(FIRST_MSN + segmentUris(res.text).length).toBeGreaterThanOrEqual(msn + 1);
    await f.t.http.get(`/hls/${stream.id}/240p/index.m3u8?_HLS_msn=${msn + 50}`).expect(400);
    await f.end(stream.id);
  });

  it('resumes the same playlists after a discontinuity when ffmpeg is killed mid-stream', async () => {
    const { stream, playlist: before } = await f.liveStream(2);
    const pids = ffmpegPids(stream.id);
    expect(pids.length).toBe(1);
    process.kill(pids[0], 'SIGKILL');
    const after = await f.waitResumed(stream.id, '240p', 'segments of the resumed run', {
      ok: (b) => /r2\/init\.mp4/.test(b),
    });
    // The same playlist grows: every segment listed before is still there, in order.
    expect(segmentUris(after).slice(0, segmentUris(before).length)).toEqual(segmentUris(before));
    const probed = await f.probeResumed(stream.id, '240p', after);
    expect(probed).toMatchObject({ width: 320, height: 240 });
    const status = await f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(status.body).toMatchObject({ state: 'live', run: 2 });
    await f.end(stream.id);
  });

  it('plans the ladder again when the publisher changes resolution mid-stream, after a discontinuity', async () => {
    const stream = await f.newStream();
    const pub = await f.publish(stream, { width: 640, height: 480 });
    await f.waitSegments(stream.id, '360p', 1);
    expect(await f.text(`/hls/${stream.id}/master.m3u8`)).toContain('480p/index.m3u8');
    // 480x360 fits the 360p rung exactly: 480p goes, 360p goes on with a new init segment.
    pub.resize(480, 360);
    const master = await f.waitText(
      `/hls/${stream.id}/master.m3u8`,
      (b) => !b.includes('480p/index.m3u8'),
      20_000,
      'a master playlist planned for 480x360',
    );
    expect(master).toMatch(/RESOLUTION=480x360,.*\n360p\/index\.m3u8/);
    const pl = await f.waitResumed(stream.id, '360p', 'a segment of the re-planned run', {
      ok: (b) => /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="r2\/init\.mp4"/.test(b),
      // ffmpeg restarts with the new plan, then needs a keyframe and a full segment: 3-9 s
      // alone, but a CI run on a busy VM once took over 20 s.
      timeoutMs: 40_000,
    });
    const probed = await f.probeResumed(stream.id, '360p', pl);
    expect(probed).toMatchObject({ width: 480, height: 360, firstKey: true });
    const status = await f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(status.body).toMatchObject({ state: 'live', run: 2, source: { width: 480, height: 360 } });
    await f.end(stream.id);
  }, 120_000);

  it('closes the playlists with EXT-X-ENDLIST when the stream ends, and the replay stays at the same URL', async () => {
    const { stream } = await f.liveStream(2);
    const live = await f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(live.body).toMatchObject({ state: 'live', streamStatus: 'live' });
    expect(live.body.segments).toBeGreaterThanOrEqual(1);
    // The speed is ffmpeg's own, from its status lines, which come on ffmpeg's schedule (the first
    // ones say N/A), not with the segments: it is reported once ffmpeg has said it.
    let speed = 0;
    await eventually(
      async () => {
        speed = (await f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200)).body.speed as number;
        return speed > 0;
      },
      10_000,
      'a reported encode speed',
    );
    expect(speed).toBeGreaterThan(0);
    await f.end(stream.id);
    const replay = await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) => b.includes('#EXT-X-ENDLIST'),
      15_000,
      'ENDLIST',
    );
    expect(replay).not.toContain('#EXT-X-PRELOAD-HINT');
    for (const uri of segmentUris(replay)) await f.t.http.get(`/hls/${stream.id}/240p/${uri}`).expect(200);
    await waitForNoFfmpeg(stream.id);
    const done = await f.t.http.get(`/api/streams/${stream.id}/hls`).expect(200);
    expect(done.body).toMatchObject({ state: 'ended', streamStatus: 'ended' });
    const metrics = await f.t.http.get('/metrics').expect(200);
    expect(metrics.text).toContain('livecart_hls_transcodes');
  });

  it('keeps the SFU free of plain transports once the stream ended', async () => {
    const { stream } = await f.liveStream();
    await f.end(stream.id);
    await waitForNoFfmpeg(stream.id);
    expect(f.t.app.get(SfuHost).sfu!.room(stream.id)).toBeUndefined();
  });
});

describe("the encoded rungs' audio, with real ffmpeg", () => {
  it('fills audio the publisher lost with silence: a hole in it would stall every player there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-audio-'));
    try {
      // Opus as a WHIP publisher sends it, with 200 ms of packets lost 2 s in.
      const opus = path.join(dir, 'opus.mka');
      const gappy = path.join(dir, 'gap.mka');
      const ffmpeg = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args]);
      await ffmpeg(
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
        '-t',
        '4',
        '-c:a',
        'libopus',
        opus,
      );
      await ffmpeg('-i', opus, '-c', 'copy', '-bsf:a', 'noise=drop=between(pts*tb\\,2\\,2.2)', gappy);
      const gaps = async (file: string) => {
        const { stdout } = await run('ffprobe', [
          ...[
            '-v',
            'error',
            '-select_streams',
            'a',
            '-show_entries',
            'packet=pts_time',
            '-of',
            'csv=p=0',
            file,
          ],
        ]);
        const t = stdout.split('\n').filter(Boolean).map(Number);
        return t.slice(1).filter((x, i) => x - t[i] > 0.05).length;
      };
      expect(await gaps(gappy)).toBe(1);
      // The audio options of an encoded rung's output, as the transcoder gives them.
      const { outputs } = buildFfmpegCommand({
        sdpPath: path.join(dir, 'stream.sdp'),
        hasAudio: true,
        renditions: planLadder(
          DEFAULT_LADDER,
          { width: 640, height: 360, codec: 'vp8', hasAudio: true },
          false,
        ),
        partSeconds: 0.2,
        partsPerSegment: 10,
        keyframeParts: 2,
        fps: 30,
        outDir: dir,
        posterPath: path.join(dir, 'poster.jpg'),
        posterSeconds: 1,
      });
      const args = outputs[0].args;
      const audio = args.slice(args.indexOf('0:a:0') - 1, args.indexOf('-f'));
      const out = path.join(dir, 'out.mp4');
      await ffmpeg('-i', gappy, ...audio, out);
      expect(await gaps(out)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
