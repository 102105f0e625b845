import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { MediaSession, PlainRtpSource } from '../sfu/plain-output';
import {
  AUDIO_BITRATE,
  buildFfmpegCommand,
  copiedPartTarget,
  copiedPartTiming,
  type PartTiming,
  partFrames,
  planLadder,
  type PlannedRendition,
  type RenditionSpec,
} from './ladder';
import { HOLD_BACK_PARTS, LlHlsPlaylist, renderMaster, type Segment } from './playlist';
import {
  fragmentTiming,
  initTracks,
  readFragment,
  startsWithSyncSample,
  type TrackFragment,
  type TrackTiming,
  videoTrackTiming,
} from './fmp4';
import { PartCutter } from './part-cutter';
import { allocateRtpPair, allocateTcpPort, waitTcpListening, waitUdpBound, type VideoSize } from './probe';
import { VideoRtpTap } from './rtp-tap';
import { startFfmpeg, warmUpFfmpeg, type FfmpegProcess } from './runner';
import type { HlsStorage } from './storage';
import { TranscodeStateStore } from './transcode-state';

export interface TranscodeOptions {
  streamId: string;
  storage: HlsStorage;
  source: PlainRtpSource;
  /** Local scratch folder for ffmpeg's own output (not served). */
  workDir: string;
  /** The address RTP reaches this process on, and the ports to pick from. */
  rtpHost: string;
  rtpPorts: { min: number; max: number };
  ladder: readonly RenditionSpec[];
  copyH264: boolean;
  /** x264 preset of the encoded rungs (default veryfast). */
  preset?: string;
  partSeconds: number;
  partsPerSegment: number;
  /** Parts between the encoded rungs' keyframes (divides partsPerSegment; default: one per segment). */
  keyframeParts?: number;
  fps: number;
  posterSeconds: number;
  /** Set when the stream ended: ffmpeg stops cleanly and the playlists get EXT-X-ENDLIST. */
  signal: AbortSignal;
  /** Set when this process gives the run up (worker shutdown): ffmpeg is killed and the run fails, to be retried. */
  cancel?: AbortSignal;
  /** No new part for this long while live: ffmpeg is killed and the run fails (default 10 s). */
  stallMs?: number;
  /**
   * An RTMP/SRT encoder that dropped may reconnect within this long (ms):
   * the next run waits for it instead of failing (default 0).
   */
  reconnectWaitMs?: number;
  ffmpegPath?: string;
  onProgress?: (p: TranscodeProgress) => void;
  /** The ffmpeg process of this run (tests kill it to see the resume). */
  onFfmpeg?: (p: FfmpegProcess) => void;
  log?: (msg: string) => void;
}

export interface TranscodeProgress {
  state: 'probing' | 'live' | 'ended';
  /** 1 for the first run; each resume after a failure adds one. */
  run: number;
  source?: { width: number; height: number; codec: string };
  renditions: { name: string; width: number; height: number; copy: boolean }[];
  /** Segments and parts written by this stream's top rendition over all runs. */
  segments: number;
  parts: number;
  /** ffmpeg speed (1 = real time). */
  speed: number;
  /** Seconds between the capture of the newest part's end and its publication. */
  lagSeconds: number;
  /** ms from this run's start to its first published part. */
  firstPartMs?: number;
  /** ms from this run's start to: the plain RTP opened, the first keyframe's size known, ffmpeg spawned, ffmpeg listening. */
  startup?: { openMs?: number; sizeMs?: number; spawnMs?: number; ffmpegListeningMs?: number };
}

/** A new publisher resolution must hold this long (then a keyframe confirms it) before the ladder is planned again. */
const RESIZE_SETTLE_MS = 1500;

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** The SDP ffmpeg reads, with the video on ffmpeg's own ports (the tap forwards there). */
function retargetVideo(sdp: string, ports: { rtp: number; rtcp: number }): string {
  let inVideo = false;
  return sdp
    .split('\r\n')
    .map((line) => {
      if (line.startsWith('m=')) {
        inVideo = line.startsWith('m=video ');
        return inVideo ? line.replace(/^m=video \d+/, `m=video ${ports.rtp}`) : line;
      }
      return inVideo && line.startsWith('a=rtcp:') ? `a=rtcp:${ports.rtcp}` : line;
    })
    .join('\r\n');
}

export class TranscodeFailedError extends Error {}

/**
 * Ends a stream's playlists when no transcode is running (the stream ended
 * while its job waited for a retry): EXT-X-ENDLIST, so the replay plays.
 */
export async function finalizeHls(storage: HlsStorage, streamId: string): Promise<boolean> {
  const { state, store } = await TranscodeStateStore.load(storage, streamId);
  const names = Object.keys(state.playlists);
  for (const name of names) {
    const pl = LlHlsPlaylist.restore(state.playlists[name]);
    if (pl.ended) continue;
    await writeSegment(storage, streamId, name, pl.end());
    state.playlists[name] = pl.state;
    await storage.write(`${streamId}/${name}/index.m3u8`, pl.render());
  }
  await store.save(state.runs, state.playlists);
  return names.length > 0;
}

/**
 * Writes the segment a playlist just closed, if any: the concatenation of its parts, read from
 * `cache` or else from storage.
 */
async function writeSegment(
  storage: HlsStorage,
  streamId: string,
  rendition: string,
  closed: Segment | undefined,
  cache?: Map<string, Buffer>,
): Promise<void> {
  if (!closed) return;
  const bufs: Buffer[] = [];
  for (const { uri } of closed.parts) {
    const b = cache?.get(uri) ?? (await storage.read(`${streamId}/${rendition}/${uri}`));
    if (b) bufs.push(b);
  }
  await storage.write(`${streamId}/${rendition}/${closed.uri}`, Buffer.concat(bufs));
}

/** A rendition's video track and the decode time its run's first part started at. */
interface MediaTimeline {
  track: TrackTiming;
  origin?: number;
}

/**
 * A part's duration as the playlist states it: from its end on the media
 * timeline (the fragment's own decode time and sample durations since the
 * run's first part) to where the playlist already stands, both to the
 * microsecond. So the parts add up to the media to within a microsecond,
 * however long the stream runs. ffmpeg's EXTINF is rounded (0.333333 for
 * 1/3 s), and for a copied rung it comes off millisecond timestamps (0.36699
 * for a part of 0.366016 s); a playlist that ends earlier than the media it
 * lists makes hls.js reload the last part in a loop, or wait seconds at a
 * segment boundary, until a later playlist lines up again. The EXTINF is the
 * fallback when the fragment does not say.
 */
export function partDuration(
  timeline: MediaTimeline | undefined,
  fragment: readonly TrackFragment[],
  playlistSec: number,
  extinf: number,
): number {
  const t = timeline && fragmentTiming(fragment, timeline.track);
  if (!timeline || !t) return extinf;
  timeline.origin ??= t.start - Math.round(playlistSec * timeline.track.timescale);
  const end = (t.start + t.duration - timeline.origin) / timeline.track.timescale;
  const d = Math.round(end * 1e6) / 1e6 - Math.round(playlistSec * 1e6) / 1e6;
  return d > 0 ? Math.round(d * 1e6) / 1e6 : extinf;
}

/** ffmpeg's own playlist: the finished fragment files in order, with their durations. */
function ffmpegParts(text: string): { n: number; duration: number }[] {
  const out: { n: number; duration: number }[] = [];
  let dur: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXTINF:')) dur = parseFloat(line.slice(8));
    else if (dur !== undefined && /^p\d+\.m4s$/.test(line.trim())) {
      out.push({ n: Number(line.trim().slice(1, -4)), duration: dur });
      dur = undefined;
    }
  }
  return out;
}

/**
 * One run of a live transcode: plain RTP from the SFU → the first
 * keyframe (source size, read off the RTP) → ffmpeg (ladder of fMP4 parts + poster) → parts, segments and
 * LL-HLS playlists in storage. Resolves when the stream ended and the
 * playlists are closed; rejects when ffmpeg died or stalled (the job
 * retries, and the next run continues the playlists after a discontinuity).
 */
export async function runTranscode(o: TranscodeOptions): Promise<TranscodeProgress> {
  let waitMs = 0;
  for (;;) {
    const r = await runOnce(o, waitMs);
    if (r === 'resized') waitMs = 0;
    else if (r === 'reconnecting') waitMs = o.reconnectWaitMs ?? 0;
    else return r;
  }
}

/**
 * One ffmpeg run. Ends with the stream (progress), or asks for another run:
 * 'resized' (the source changed size), 'reconnecting' (an RTMP/SRT encoder
 * dropped; the next run waits `waitMs` for it to come back).
 */
async function runOnce(
  o: TranscodeOptions,
  waitMs: number,
): Promise<TranscodeProgress | 'resized' | 'reconnecting'> {
  const log = o.log ?? (() => undefined);
  const id = o.streamId;
  const { state, store } = await TranscodeStateStore.load(o.storage, id);
  state.runs += 1;
  const run = state.runs;
  /** This run's playlists, by rendition. */
  const playlists = new Map<string, LlHlsPlaylist>();
  const saveState = () =>
    store.save(state.runs, {
      ...state.playlists,
      ...Object.fromEntries([...playlists].map(([name, pl]) => [name, pl.state])),
    });
  const runDir = path.join(o.workDir, id, `r${run}`);
  await fs.rm(runDir, { recursive: true, force: true });
  await fs.mkdir(runDir, { recursive: true });
  const t0 = Date.now();
  const progress: TranscodeProgress = {
    state: 'probing',
    run,
    renditions: [],
    segments: 0,
    parts: 0,
    speed: 0,
    lagSeconds: 0,
  };
  const report = () => o.onProgress?.({ ...progress });
  report();

  const warmedUp = warmUpFfmpeg(o.ffmpegPath);
  const taken = new Set<number>();
  const target = {
    host: o.rtpHost,
    video: await allocateRtpPair(o.rtpHost, o.rtpPorts, taken),
    audio: await allocateRtpPair(o.rtpHost, o.rtpPorts, taken),
    // Where ffmpeg reads an RTMP/SRT ingest's own media, if the stream has one.
    stream: await allocateTcpPort(o.rtpHost, o.rtpPorts, taken),
  };
  // ffmpeg's own video ports: the tap forwards there.
  const ffmpegVideo = await allocateRtpPair(o.rtpHost, o.rtpPorts, taken);
  let session: MediaSession | undefined;
  let ffmpeg: FfmpegProcess | undefined;
  let tap: VideoRtpTap | undefined;
  const keyframeTimers: NodeJS.Timeout[] = [];
  try {
    session = await o.source.open(id, target, waitMs);
    const s = session;
    const sdpPath = path.join(runDir, 'stream.sdp');
    progress.startup = { openMs: Date.now() - t0 };
    let probed: VideoSize | undefined;
    let t: VideoRtpTap | undefined;
    if (s.kind === 'flv') {
      // An ingest knows its size from the encoder's SPS.
      probed = { width: s.video.width, height: s.video.height, codec: 'h264' };
    } else {
      await fs.writeFile(sdpPath, retargetVideo(s.sdp, ffmpegVideo));
      // The source size comes with the first keyframe: read it off the RTP, then plan the ladder.
      tap = await VideoRtpTap.open(o.rtpHost, target.video, s.video.codec);
      t = tap;
      await s.start();
      const keyframes = setInterval(() => void s.requestKeyFrame().catch(() => undefined), 300);
      keyframeTimers.push(keyframes);
      probed = await t.firstKeyframe(15_000, o.signal);
      clearInterval(keyframes);
    }
    progress.startup.sizeMs = Date.now() - t0;
    if (o.signal.aborted || !probed) return await finish();
    progress.source = probed;
    const hasAudio = s.kind === 'flv' ? s.audio !== undefined : s.hasAudio;
    const plan = planLadder(
      o.ladder,
      {
        ...probed,
        h264ProfileLevelId: s.video.profileLevelId,
        hasAudio,
        audioCodecs: s.kind === 'flv' ? s.audio?.codecs : undefined,
      },
      // An ingest's own H.264 is the top rendition; the ladder below it is encoded.
      s.kind === 'flv' ? 'source' : o.copyH264,
    );
    progress.renditions = plan.map((r) => ({ name: r.name, width: r.width, height: r.height, copy: r.copy }));
    log(
      `stream ${id} run ${run}: source ${probed.width}x${probed.height} ${probed.codec}; ladder ${plan.map((r) => r.name + (r.copy ? '(copy)' : '')).join(' ')}`,
    );
    await o.storage.write(
      `${id}/master.m3u8`,
      renderMaster(
        plan.map((r) => ({
          ...r,
          bandwidth: Math.round((r.videoBitrate + (hasAudio ? AUDIO_BITRATE : 0)) * 1.1),
          fps: r.copy && s.kind === 'flv' && s.video.fps ? s.video.fps : o.fps,
        })),
      ),
    );

    const configured: PartTiming = {
      partSeconds: o.partSeconds,
      partsPerSegment: o.partsPerSegment,
      keyframeParts: o.keyframeParts ?? o.partsPerSegment,
    };
    // A copied ingest's parts are cut on its millisecond timestamps (see copiedPartTiming).
    const timing =
      s.kind === 'flv' && plan.some((r) => r.copy)
        ? copiedPartTiming(configured, { source: s.video.fps, encoded: o.fps })
        : configured;
    const { partsPerSegment, keyframeParts } = timing;
    // Parts are whole frames: 0.333 s at 30 fps is 10 frames, exactly 1/3 s.
    const partSeconds = partFrames(timing.partSeconds, o.fps) / o.fps;
    // A run's first segment is the hold-back's parts (rounded up to a keyframe): players start once
    // it is complete, a segment sooner.
    const firstSegmentParts = Math.min(
      partsPerSegment,
      Math.ceil(HOLD_BACK_PARTS / keyframeParts) * keyframeParts,
    );
    // A copied ingest rung: the encoder's keyframes close its segments, its parts are cut by the
    // transcoder (PartCutter), and at 29.97 fps they are parts of their own (see copiedPartTiming).
    const ingestCopy = (r: PlannedRendition) => r.copy && s.kind === 'flv';
    for (const r of plan) {
      const prior = state.playlists[r.name];
      const own = ingestCopy(r) ? timing.copiedPart : undefined;
      const pl = prior
        ? LlHlsPlaylist.restore(prior)
        : LlHlsPlaylist.create(
            own
              ? {
                  partTarget: copiedPartTarget(own),
                  partsPerSegment: own.partsPerSegment,
                  firstSegmentParts: Math.min(own.partsPerSegment, firstSegmentParts),
                }
              : { partTarget: partSeconds, partsPerSegment, firstSegmentParts },
          );
      await writeSegment(
        o.storage,
        id,
        r.name,
        pl.startRun(`r${run}/init.mp4`, { keyframeSegments: ingestCopy(r) }),
      );
      playlists.set(r.name, pl);
      await fs.mkdir(path.join(runDir, r.name), { recursive: true });
    }
    progress.segments = Math.max(0, ...[...playlists.values()].map((p) => p.segments.length));

    await warmedUp;
    const posterPath = path.join(runDir, 'poster.jpg');
    const cmd = buildFfmpegCommand({
      sdpPath,
      flvUrl:
        s.kind === 'flv'
          ? `tcp://${urlHost(o.rtpHost)}:${target.stream}?listen=1&listen_timeout=10000`
          : undefined,
      renditions: plan,
      hasAudio,
      ...timing,
      fps: o.fps,
      outDir: runDir,
      posterPath,
      posterSeconds: o.posterSeconds,
      preset: o.preset,
    });
    // A fresh keyframe while ffmpeg starts: the tap keeps the packets from it on and hands them
    // to ffmpeg once it listens, so its first frame decodes without waiting for another one.
    // (An RTMP/SRT encoder cannot be asked for keyframes: the ingest keeps its last GOP instead.)
    const keyframe = () => {
      if (s.kind !== 'flv') void s.requestKeyFrame().catch(() => undefined);
    };
    keyframe();
    ffmpeg = startFfmpeg(cmd, {
      ffmpegPath: o.ffmpegPath,
      onStart: (line) => {
        if (progress.startup) progress.startup.spawnMs = Date.now() - t0;
        log(`ffmpeg: ${line}`);
      },
    });
    o.onFfmpeg?.(ffmpeg);
    let firstPartSeen = false;
    // Media time 0 of this run: the capture (arrival) of the keyframe ffmpeg starts with.
    let keyframeAt: number | undefined;
    let startFailed = false;
    if (s.kind === 'flv') {
      void waitTcpListening(target.stream, 5000)
        .then(async (bound) => {
          if (bound && progress.startup) progress.startup.ffmpegListeningMs = Date.now() - t0;
          keyframeAt = await s.start();
        })
        .catch((e: Error) => {
          log(`stream ${id} run ${run}: the ingest's media did not reach ffmpeg: ${e.message}`);
          startFailed = true;
        });
    } else {
      void waitUdpBound(ffmpegVideo.rtp, 5000).then((bound) => {
        if (bound && progress.startup) progress.startup.ffmpegListeningMs = Date.now() - t0;
        keyframeAt = t?.forward({ host: o.rtpHost, ...ffmpegVideo });
      });
    }
    // Until the first part shows ffmpeg decoding, ask for a keyframe every part. A copied rung is
    // cut at the publisher's keyframes, so it keeps asking.
    const copying = plan.some((r) => r.copy) && s.kind !== 'flv';
    const kf = setInterval(() => {
      if (copying || !firstPartSeen) keyframe();
    }, partSeconds * 1000);
    keyframeTimers.push(kf);

    progress.state = 'live';
    const seen = new Map<string, number>(plan.map((r) => [r.name, -1]));
    const initDone = new Set<string>();
    const partCache = new Map<string, Map<string, Buffer>>(plan.map((r) => [r.name, new Map()]));
    let runStartPdt: number | undefined;
    // Where each rendition's playlist stands on its media timeline: the seconds its parts add up
    // to so far, and how the next part's end is read off the media (see partDuration).
    const cumulative = new Map<string, number>(plan.map((r) => [r.name, 0]));
    const timelines = new Map<string, MediaTimeline>();
    let lastPartAt = Date.now();
    let posterMtime = 0;

    // A copied ingest's parts are cut here, from ffmpeg's fragment of every frame it can cut at
    // (see PartCutter), at most the rung's PART-TARGET long, and numbered by the cutter.
    const cutters = new Map<string, PartCutter>();

    const poll = async (end = false): Promise<void> => {
      for (const r of plan) await pollRendition(r, end);
      const st = await fs.stat(posterPath).catch(() => undefined);
      if (st && st.mtimeMs !== posterMtime) {
        posterMtime = st.mtimeMs;
        const jpg = await fs.readFile(posterPath).catch(() => undefined);
        if (jpg && jpg.length > 0) await o.storage.write(`${id}/poster.jpg`, jpg);
      }
      progress.speed = ffmpeg?.progress.speed ?? 0;
    };
    const pollRendition = async (r: PlannedRendition, end: boolean): Promise<void> => {
      const dir = path.join(runDir, r.name);
      const text = await fs.readFile(path.join(dir, 'ffmpeg.m3u8'), 'utf8').catch(() => '');
      const fresh = ffmpegParts(text).filter((p) => p.n > seen.get(r.name)!);
      if (fresh.length === 0 && !(end && cutters.has(r.name))) return;
      if (fresh.length > 0 && fresh[0].n > seen.get(r.name)! + 1)
        log(
          `stream ${id} run ${run}: ${r.name} lost ffmpeg's fragments ${seen.get(r.name)! + 1}–${fresh[0].n - 1}`,
        );
      if (fresh.length > 0 && !initDone.has(r.name)) {
        const init = await fs.readFile(path.join(dir, 'init.mp4'));
        await o.storage.write(`${id}/${r.name}/r${run}/init.mp4`, init);
        initDone.add(r.name);
        const track = videoTrackTiming(init);
        if (track) timelines.set(r.name, { track });
        if (ingestCopy(r))
          cutters.set(r.name, new PartCutter(initTracks(init), playlists.get(r.name)!.state.partTarget));
      }
      let added = 0;
      const cutter = cutters.get(r.name);
      for (const p of fresh) {
        const file = path.join(dir, `p${p.n}.m4s`);
        const data = await fs.readFile(file);
        await fs.rm(file, { force: true });
        seen.set(r.name, p.n);
        if (!cutter) {
          await publish(r, data, p.n, p.duration);
          added++;
          continue;
        }
        cutter.push(data);
        for (const part of cutter.take()) {
          await publish(r, part.data, part.index, part.duration);
          added++;
        }
      }
      for (const part of end && cutter ? cutter.take(true) : []) {
        await publish(r, part.data, part.index, part.duration);
        added++;
      }
      if (added === 0 && !end) return;
      // Where the other renditions stand, as their playlists were last written (rendition reports).
      const reports = plan.flatMap((x) =>
        x === r ? [] : (playlists.get(x.name)!.report(`../${x.name}/index.m3u8`) ?? []),
      );
      await o.storage.write(`${id}/${r.name}/index.m3u8`, playlists.get(r.name)!.render(reports));
      await saveState();
    };
    /** Stores part `n` of rendition `r` and adds it to the playlist; `extinf`: its length if the media does not say. */
    const publish = async (r: PlannedRendition, data: Buffer, n: number, extinf: number): Promise<void> => {
      const pl = playlists.get(r.name)!;
      const cache = partCache.get(r.name)!;
      const uri = `r${run}/p${n}.m4s`;
      await o.storage.write(`${id}/${r.name}/${uri}`, data);
      const now = Date.now();
      const startSec = cumulative.get(r.name)!;
      const fragment = readFragment(data);
      const duration = partDuration(timelines.get(r.name), fragment, startSec, extinf);
      // Capture time of media time 0 of this run: the keyframe it started with, or else when
      // the first part came out, minus its length.
      runStartPdt ??= keyframeAt ?? now - duration * 1000;
      cumulative.set(r.name, startSec + duration);
      cache.set(uri, data);
      // A part starts with a keyframe when the fragment says so; if it does not say, when it
      // falls on the encoded rungs' keyframe interval or belongs to a copied rung.
      const independent = startsWithSyncSample(fragment) ?? (r.copy || n % keyframeParts === 0);
      const closed = pl.addPart(
        { uri, duration, pdt: runStartPdt + startSec * 1000, independent },
        `r${run}/p${n + 1}.m4s`,
      );
      if (closed) {
        await writeSegment(o.storage, id, r.name, closed, cache);
        for (const x of closed.parts) cache.delete(x.uri);
      }
      if (r === plan[0]) {
        progress.parts++;
        progress.segments = pl.segments.length;
        progress.lagSeconds = Math.max(0, (now - (runStartPdt + (startSec + duration) * 1000)) / 1000);
        progress.firstPartMs ??= now - t0;
        firstPartSeen = true;
        lastPartAt = now;
      }
    };

    const stallMs = o.stallMs ?? 10_000;
    let outcome: 'ended' | 'exited' | 'gone' | 'stalled' | 'cancelled' | 'resized' | undefined;
    // The publisher changed resolution: once a keyframe confirms it after a moment (publishers
    // step sizes up and down while their bandwidth settles), this run ends and the next one plans
    // the ladder for the new size, after a discontinuity.
    let settle: NodeJS.Timeout | undefined;
    let confirming = false;
    const offKeyframe = t?.onKeyframe((size) => {
      if (size.width === probed.width && size.height === probed.height) {
        clearTimeout(settle);
        settle = undefined;
        confirming = false;
      } else if (confirming) {
        t?.hold();
        outcome ??= 'resized';
      } else
        settle ??= setTimeout(() => {
          confirming = true;
          keyframe();
        }, RESIZE_SETTLE_MS);
    });
    const aborted = new Promise<void>((r) => o.signal.addEventListener('abort', () => r(), { once: true }));
    void aborted.then(() => (outcome ??= 'ended'));
    void ffmpeg.exited.then(() => (outcome ??= 'exited'));
    void s.gone.then(() => (outcome ??= 'gone'));
    o.cancel?.addEventListener('abort', () => (outcome ??= 'cancelled'), { once: true });
    if (o.signal.aborted) outcome = 'ended';
    while (!outcome) {
      await new Promise((r) => setTimeout(r, 100));
      await poll();
      report();
      if (Date.now() - lastPartAt > stallMs + (progress.parts === 0 ? 10_000 : 0)) outcome ??= 'stalled';
      if (startFailed) outcome ??= 'gone';
    }
    clearInterval(kf);
    clearTimeout(settle);
    offKeyframe?.();
    // An RTMP/SRT encoder dropped (it may reconnect) or changed size: this run ends, the next one
    // continues the playlists after a discontinuity, with the encoder's new settings.
    const ingestGone = outcome === 'gone' && s.kind === 'flv' ? s.goneReason() : undefined;
    if (ingestGone === 'reconnecting' || ingestGone === 'resized') {
      await ffmpeg.stop();
      await poll(true);
      await saveState();
      log(
        `stream ${id} run ${run}: the encoder ${ingestGone === 'resized' ? 'changed its picture size' : 'dropped'}; a new run follows`,
      );
      return ingestGone;
    }
    if (outcome === 'gone') {
      // The room closed: usually the stream is ending; its signal follows in a moment.
      await Promise.race([aborted, new Promise((r) => setTimeout(r, 3000))]);
      if (o.signal.aborted) outcome = 'ended';
    }
    const exit =
      outcome === 'ended' || outcome === 'gone' || outcome === 'resized'
        ? await ffmpeg.stop()
        : outcome === 'stalled' || outcome === 'cancelled'
          ? (ffmpeg.kill(), await ffmpeg.exited)
          : await ffmpeg.exited;
    // ffmpeg is done: what a cutter still holds is this run's last part.
    await poll(true);
    if (outcome === 'ended') {
      for (const [name, pl] of playlists) {
        await writeSegment(o.storage, id, name, pl.end(), partCache.get(name));
        await o.storage.write(`${id}/${name}/index.m3u8`, pl.render());
      }
      await saveState();
      progress.state = 'ended';
      report();
      return { ...progress };
    }
    await saveState();
    if (outcome === 'resized') {
      log(
        `stream ${id} run ${run}: the publisher went from ${probed.width}x${probed.height} to ${t?.size?.width}x${t?.size?.height}; planning the ladder again`,
      );
      return 'resized';
    }
    throw new TranscodeFailedError(
      `ffmpeg run ${run} of stream ${id} ${outcome === 'stalled' ? 'stalled (no new part)' : outcome === 'cancelled' ? 'was cancelled (worker shutting down)' : outcome === 'gone' ? 'lost its source' : `exited (code ${exit.code}, signal ${exit.signal})`}: ${exit.stderrTail.slice(-5).join(' | ')}`,
    );
  } finally {
    for (const k of keyframeTimers) clearInterval(k);
    ffmpeg?.kill();
    tap?.close();
    await session?.close();
    await fs.rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  async function finish(): Promise<TranscodeProgress> {
    await saveState();
    await finalizeHls(o.storage, id);
    progress.state = 'ended';
    return { ...progress };
  }
}
