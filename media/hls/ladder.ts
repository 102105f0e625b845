/**
 * The ABR ladder and the ffmpeg arguments it becomes. Pure functions, tested
 * as data: the runner only spawns what `buildFfmpegCommand` returns.
 */

/** One rung of the ladder as configured. */
export interface RenditionSpec {
  /** Directory and playlist name, e.g. `720p`. */
  name: string;
  /**
   * Lines of the picture's short side: the height of a landscape source,
   * the width of a portrait one, so `720p` of a 720x1280 phone camera is
   * 720x1280 and its 360p is 360x640.
   */
  shortSide: number;
  /** Video bitrate in bits per second. */
  videoBitrate: number;
}

/** The default ladder: 720p / 480p / 360p. */
export const DEFAULT_LADDER: readonly RenditionSpec[] = [
  { name: '720p', shortSide: 720, videoBitrate: 2_800_000 },
  { name: '480p', shortSide: 480, videoBitrate: 1_400_000 },
  { name: '360p', shortSide: 360, videoBitrate: 800_000 },
];

/** What the first frames told us about the publisher's video. */
export interface SourceInfo {
  width: number;
  height: number;
  /** Lower-case codec name (`h264`, `vp8`), as in the SDP. */
  codec: string;
  /** For H.264: the SDP profile-level-id (e.g. `42e01f`), used in CODECS of a copied rendition. */
  h264ProfileLevelId?: string;
  hasAudio: boolean;
  /** RFC 6381 codecs of the audio when it is kept as it came (an ingest's AAC); AAC-LC otherwise. */
  audioCodecs?: string;
}

/** A rendition as it will be produced for this source. */
export interface PlannedRendition {
  name: string;
  width: number;
  height: number;
  videoBitrate: number;
  /** True: the publisher's H.264 is copied, not re-encoded. */
  copy: boolean;
  /** RFC 6381 codecs of the rendition (video, then audio). */
  codecs: string;
}

export const AUDIO_BITRATE = 128_000;
/** H.264 Main 3.1 (every re-encoded rendition), and AAC-LC. */
const ENCODED_AVC = 'avc1.4d401f';
const AAC = 'mp4a.40.2';

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
/** Seconds with microsecond precision, no trailing zeros (ffmpeg duration options). */
const fmtSeconds = (n: number) => String(Number(n.toFixed(6)));

/** Whether the picture is taller than wide (a phone held upright). */
export function isPortrait(size: { width: number; height: number }): boolean {
  return size.height > size.width;
}

/**
 * The size of a rung of `shortSide` lines for a source of this size: the
 * short side becomes `shortSide`, the long side keeps the source's aspect,
 * both even (as H.264 4:2:0 needs), so a portrait source stays portrait.
 */
export function rungSize(
  source: { width: number; height: number },
  shortSide: number,
): { width: number; height: number } {
  const short = even(shortSide);
  if (isPortrait(source)) return { width: short, height: even((short * source.height) / source.width) };
  return { width: even((short * source.width) / source.height), height: short };
}

/**
 * Fits the ladder to the source, rung sizes counted on the short side
 * (`RenditionSpec.shortSide`): rungs above the source's short side are
 * dropped (never upscale); if none remain, one rung at the source size
 * stands in. The top rung is copied when the source is H.264 and `copyH264`
 * is set.
 *
 * `copyH264 = 'source'` (an RTMP/SRT encoder's own H.264): the source itself
 * is the top rendition, named after the rung of its short side (or
 * `<short side>p`), and the rungs strictly below it are encoded.
 */
export function planLadder(
  ladder: readonly RenditionSpec[],
  source: SourceInfo,
  copyH264: boolean | 'source',
): PlannedRendition[] {
  const sorted = [...ladder].sort((a, b) => b.shortSide - a.shortSide);
  const sourceShort = Math.min(source.width, source.height);
  const audio = source.audioCodecs ?? AAC;
  const withAudio = (video: string) => (source.hasAudio ? `${video},${audio}` : video);
  const encoded = (r: RenditionSpec): PlannedRendition => ({
    name: r.name,
    ...rungSize(source, r.shortSide),
    videoBitrate: r.videoBitrate,
    copy: false,
    codecs: withAudio(ENCODED_AVC),
  });
  const sourceVideo = source.h264ProfileLevelId
    ? `avc1.${source.h264ProfileLevelId.toLowerCase()}`
    : ENCODED_AVC;
  if (copyH264 === 'source' && source.codec === 'h264') {
    const same = sorted.find((r) => r.shortSide === sourceShort);
    const top: PlannedRendition = {
      name: same?.name ?? `${even(sourceShort)}p`,
      width: source.width,
      height: source.height,
      videoBitrate: same?.videoBitrate ?? sorted[0]?.videoBitrate ?? 2_800_000,
      copy: true,
      codecs: withAudio(sourceVideo),
    };
    const below = sorted.filter((r) => r.shortSide < sourceShort && r.name !== top.name).map(encoded);
    return [top, ...below];
  }
  let rungs = sorted.filter((r) => r.shortSide <= sourceShort);
  if (rungs.length === 0) {
    const smallest = sorted[sorted.length - 1];
    rungs = [
      {
        name: `${even(sourceShort)}p`,
        shortSide: sourceShort,
        videoBitrate: smallest?.videoBitrate ?? 800_000,
      },
    ];
  }
  return rungs.map((r, i) => {
    if (i > 0 || !copyH264 || source.codec !== 'h264') return encoded(r);
    return {
      name: r.name,
      width: source.width,
      height: source.height,
      videoBitrate: r.videoBitrate,
      copy: true,
      codecs: withAudio(sourceVideo),
    };
  });
}

export interface FfmpegCommandOptions {
  sdpPath: string;
  /**
   * Read an ingest's own media instead: FLV from this URL (ffmpeg listens,
   * `tcp://host:port?listen=1`). Its AAC is kept (`-c:a copy`), and a copied
   * rung is written as a fragment at every frame ffmpeg can cut at, which
   * the transcoder cuts into parts (PartCutter).
   */
  flvUrl?: string;
  renditions: PlannedRendition[];
  hasAudio: boolean;
  /**
   * Part duration in seconds (≤ 0.5 for LL-HLS), rounded to whole frames at
   * `fps` (see `partFrames`). Encoded rungs start a segment, not every part,
   * with a keyframe; a copied rung cuts parts at the publisher's keyframes.
   */
  partSeconds: number;
  /** Parts per segment (each starts with a keyframe). */
  partsPerSegment: number;
  /**
   * Encoded rungs get a keyframe every `keyframeParts` parts (a divisor of
   * `partsPerSegment`): those parts are independent, where a player may
   * start or switch renditions.
   */
  keyframeParts: number;
  fps: number;
  /** Each rendition writes `<outDir>/<name>/{init.mp4,p<n>.m4s,ffmpeg.m3u8}`. */
  outDir: string;
  /** A JPEG overwritten every `posterSeconds`, 360 lines on its short side. */
  posterPath: string;
  posterSeconds: number;
  /** x264 preset; `veryfast` keeps a 3-rung ladder within a core. */
  preset?: string;
}

export interface FfmpegCommand {
  /** The SDP file ffmpeg reads the RTP description from. */
  input: string;
  inputArgs: string[];
  /** Global filter graph (scaling branches and the poster). */
  filterComplex: string;
  outputs: { path: string; args: string[] }[];
}

/** Flattens a command to the argv ffmpeg gets (without the leading `ffmpeg`). */
export function toArgv(cmd: FfmpegCommand): string[] {
  const argv = [
    '-hide_banner',
    '-y',
    ...cmd.inputArgs,
    '-i',
    cmd.input,
    '-filter_complex',
    cmd.filterComplex,
  ];
  for (const o of cmd.outputs) argv.push(...o.args, o.path);
  return argv;
}

/**
 * How a transcode cuts its renditions: part length, parts per segment, parts
 * between keyframes; and a copied ingest rung's own part, when its frame rate
 * is not a whole number (see `copiedPartTiming`).
 */
export type PartTiming = Pick<FfmpegCommandOptions, 'partSeconds' | 'partsPerSegment' | 'keyframeParts'> & {
  copiedPart?: CopiedPart;
};

/** A copied rung's own part: whole frames at its source's frame rate, and its segments' length in them. */
export interface CopiedPart {
  frames: number;
  fps: number;
  partsPerSegment: number;
}

/**
 * A copied rung's PART-TARGET: its frames' length rounded up to FLV's
 * milliseconds (6 frames at 29.97 fps, 0.2002 s, last 0.200 or 0.201 s:
 * 0.201), so the transcoder's cutter (PartCutter) fits all of them in a part.
 */
export const copiedPartTarget = (p: CopiedPart): number =>
  Math.ceil(Math.round((p.frames / p.fps) * 1e6) / 1000) / 1000;

/** The keyframe interval (ms) most encoders use: a copied rung's parts divide it, so they start on its keyframes. */
const ENCODER_KEYFRAME_MS = 2000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Whether parts of `ms` hold whole frames at `fps`, each part then starting on a whole millisecond. */
const wholeFrames = (ms: number, fps: number) => (ms * fps) % 1000 === 0;

/**
 * The timing of a transcode that copies an ingest's H.264 (RTMP, or SRT
 * remuxed to FLV). The copied rung's parts are whole frames of the source,
 * as many as PART-TARGET holds, and a keyframe starts a part (PartCutter);
 * FLV timestamps are whole milliseconds. A part of whole frames of the
 * source that start on whole milliseconds (and whole frames of the encoded
 * rungs beside it) is always full, and one that divides the 2 s keyframe
 * interval most encoders use ends where the encoder's next keyframe starts:
 * the configured part rounded up to such a length (1/3 s at 30 fps: 0.4 s;
 * 0.2 s at 24 fps beside 30 fps rungs: 0.5 s; at 24 fps, 0.2 s parts would
 * hold 4 frames, 0.167 s, under 85 % of PART-TARGET), with segments about as
 * long as configured.
 *
 * A source whose rate is not a whole number (29.97 fps: a frame every
 * 33.367 ms) has no such length: 6 frames last 0.2002 s, over a 0.2 s
 * PART-TARGET, and parts of 5 would be under 85 % of it. Its rung gets its
 * own part (`copiedPart`): the encoded rungs' part rounded up to whole
 * frames of the source that divide the encoder's 2 s keyframe interval (6
 * frames, 0.2002 s; 0.25 s at 23.976 fps), and its own PART-TARGET
 * (`copiedPartTarget`: 0.201 s). The encoded rungs keep theirs.
 */
export function copiedPartTiming(t: PartTiming, fps: { source?: number; encoded: number }): PartTiming {
  const fractional = fps.source !== undefined && Math.abs(fps.source - Math.round(fps.source)) > 1e-6;
  const source = fps.source !== undefined && !fractional ? Math.round(fps.source) : 30;
  const want = Math.round(t.partSeconds * 1000);
  let ms = ENCODER_KEYFRAME_MS;
  for (let m = ENCODER_KEYFRAME_MS; m >= want; m--)
    if (ENCODER_KEYFRAME_MS % m === 0 && wholeFrames(m, source) && wholeFrames(m, fps.encoded)) ms = m;
  const partSeconds = ms / 1000;
  const partsPerSegment = Math.max(1, Math.round((t.partSeconds * t.partsPerSegment) / partSeconds));
  const timing = { partSeconds, partsPerSegment, keyframeParts: gcd(partsPerSegment, t.keyframeParts) };
  if (!fractional) return timing;
  const rate = fps.source!;
  const gop = Math.round((ENCODER_KEYFRAME_MS / 1000) * rate);
  let frames = gop;
  for (let k = gop; k >= 1; k--) if (gop % k === 0 && k / rate >= partSeconds) frames = k;
  const segmentSeconds = partSeconds * partsPerSegment;
  return {
    ...timing,
    copiedPart: {
      frames,
      fps: rate,
      partsPerSegment: Math.max(1, Math.round((segmentSeconds * rate) / frames)),
    },
  };
}

/** ffmpeg's cut time for a rung whose parts the transcoder cuts: under a frame at up to 100 fps. */
const CUT_FRAGMENT_SECONDS = 0.005;
/** ffmpeg's playlist of such a rung lists this many fragments: 2 s at 60 fps. */
const CUT_FRAGMENT_LIST = 120;

/** Frames per part: parts are whole frames long, so part and keyframe times fall on frames. */
export function partFrames(partSeconds: number, fps: number): number {
  return Math.max(1, Math.round(fps * partSeconds));
}

/**
 * The ffmpeg command of a live transcode. Every output is ffmpeg's own HLS
 * muxer writing fMP4 fragments of one part each (an ingest's copied rung:
 * of a frame or a few, cut into parts by PartCutter): these become the
 * LL-HLS parts, grouped into segments by our playlist writer. Encoded rungs are cut
 * by time (`split_by_time`, so a part need not start on a keyframe) and get
 * a keyframe every `keyframeParts` parts, counted from the first frame
 * (`prev_forced_t`): the muxer counts part boundaries from its first frame
 * too, so those parts (every segment's first among them) start on a
 * keyframe, at the same frame in every rendition, and only those are
 * independent (`EXT-X-PART:INDEPENDENT=YES`). A player starts at the last
 * independent part before its hold-back and switches renditions there: with
 * a keyframe every part it starts exactly PART-HOLD-BACK from live, with one
 * a segment up to a segment further (hls.js never catches up). Fixed GOP, no
 * scene cuts. A copied WHIP rung can only be cut at the publisher's
 * keyframes: each of its parts is independent, and the transcoder asks the
 * publisher for a keyframe every part.
 *
 * Input: no probing beyond what ffmpeg needs to open the decoders (the
 * transcoder read the size from the first keyframe already), no input
 * buffering, low-delay decoding.
 */
export function buildFfmpegCommand(o: FfmpegCommandOptions): FfmpegCommand {
  const frames = partFrames(o.partSeconds, o.fps);
  const part = frames / o.fps;
  const gopFrames = frames * o.keyframeParts;
  const gop = gopFrames / o.fps;
  const anyCopy = o.renditions.some((r) => r.copy);
  const inputArgs = o.flvUrl
    ? [
        // The sequence headers come first: probing is short, and what it read is kept.
        '-flags',
        'low_delay',
        '-analyzeduration',
        '500000',
        '-probesize',
        '500000',
        '-f',
        'flv',
      ]
    : [
        '-protocol_whitelist',
        'file,udp,rtp',
        '-fflags',
        '+genpts+discardcorrupt+nobuffer',
        '-flags',
        'low_delay',
        // A copied H.264 rung needs its SPS/PPS found before the muxer writes the init segment.
        '-analyzeduration',
        anyCopy ? '500000' : '100000',
        '-probesize',
        anyCopy ? '500000' : '32768',
        '-reorder_queue_size',
        '128',
      ];
  const encoded = o.renditions.filter((r) => !r.copy);
  // One decode, one fps normalisation, then a split: one branch per encoded rung plus the poster.
  const branches = encoded.length + 1;
  const labels = [...encoded.map((_, i) => `s${i}`), 'sp'];
  const graph = [`[0:v:0]fps=${o.fps},split=${branches}${labels.map((l) => `[${l}]`).join('')}`];
  encoded.forEach((r, i) =>
    graph.push(`[s${i}]scale=${r.width}:${r.height}:flags=bicubic,format=yuv420p[v${i}]`),
  );
  // The poster's short side is 360 lines, in the source's orientation (as the rungs are).
  const poster = o.renditions[0] && isPortrait(o.renditions[0]) ? '360:-2' : '-2:360';
  graph.push(`[sp]fps=1/${o.posterSeconds},scale=${poster}[poster]`);
  const outputs: FfmpegCommand['outputs'] = [];
  let enc = 0;
  for (const r of o.renditions) {
    const dir = `${o.outDir}/${r.name}`;
    const args: string[] = [];
    if (r.copy) {
      args.push('-map', '0:v:0', '-c:v', 'copy');
    } else {
      const label = `v${enc++}`;
      args.push(
        '-map',
        `[${label}]`,
        '-c:v',
        'libx264',
        '-preset',
        o.preset ?? 'veryfast',
        '-tune',
        'zerolatency',
        '-profile:v',
        'main',
        '-level:v',
        '3.1',
        '-b:v',
        `${r.videoBitrate}`,
        '-maxrate',
        `${Math.round(r.videoBitrate * 1.1)}`,
        '-bufsize',
        `${r.videoBitrate}`,
        '-g',
        `${gopFrames}`,
        '-keyint_min',
        `${gopFrames}`,
        '-sc_threshold',
        '0',
        '-force_key_frames',
        // Half a frame of slack against rounding; the first frame is forced too.
        `expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+${fmtSeconds(gop - 0.5 / o.fps)}))`,
      );
    }
    if (o.hasAudio && o.flvUrl) args.push('-map', '0:a:0', '-c:a', 'copy');
    else if (o.hasAudio) {
      args.push('-map', '0:a:0', '-c:a', 'aac', '-b:a', `${AUDIO_BITRATE}`, '-ac', '2', '-ar', '48000');
      // Audio the publisher's RTP lost comes out as silence: a hole in the audio track is a hole in
      // what a player has buffered (the video's fps filter fills its own), and players stall at it.
      args.push('-af', 'aresample=async=1');
    }
    // A copied ingest's parts are cut by the transcoder (PartCutter) from a fragment of every
    // frame ffmpeg can cut at: a cut time under any frame's length cuts at each of them.
    const cutHere = r.copy && o.flvUrl !== undefined;
    args.push(
      '-f',
      'hls',
      '-hls_time',
      fmtSeconds(cutHere ? CUT_FRAGMENT_SECONDS : part),
      '-hls_list_size',
      // The fragments the transcoder has not read yet stay listed: 2 s of them.
      cutHere ? String(CUT_FRAGMENT_LIST) : '12',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      // Microsecond ticks: every frame then starts and ends on a whole microsecond, as a
      // browser's buffered ranges do. At 1/15360 s, 30 fps frames end between microseconds and
      // Chromium reports each segment's buffered end a microsecond before the end hls.js read
      // off the same media; hls.js then looks for the next part inside the segment it has
      // (docs/benchmarks/hls.md).
      '-hls_segment_options',
      'video_track_timescale=1000000',
      '-hls_segment_filename',
      `${dir}/p%d.m4s`,
      '-hls_flags',
      r.copy && !o.flvUrl ? 'independent_segments+temp_file' : 'split_by_time+temp_file',
    );
    outputs.push({ path: `${dir}/ffmpeg.m3u8`, args });
  }
  outputs.push({
    path: o.posterPath,
    args: ['-map', '[poster]', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', '-update', '1'],
  });
  return { input: o.flvUrl ?? o.sdpPath, inputArgs, filterComplex: graph.join(';'), outputs };
}
