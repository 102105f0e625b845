/**
 * The LL-HLS media playlist of one rendition. ffmpeg 5.1 has no LL-HLS
 * muxer, so ffmpeg writes fMP4 fragments of one part each (or the
 * transcoder cuts them, part-cutter.ts) and this writer
 * groups `partsPerSegment` parts into a segment (the segment file is the
 * concatenation of its parts: fMP4 fragments concatenate into a valid
 * segment). The playlist is append-only (`EVENT`): the live URL becomes the
 * replay when `end()` adds `EXT-X-ENDLIST`. Its state is plain JSON, so a
 * transcode resumed after a crash continues it with `EXT-X-DISCONTINUITY`.
 */
import { totalDuration } from './durations';

export interface Part {
  uri: string;
  /** Seconds. */
  duration: number;
  /** Wall-clock of capture of the part's first frame (ms since epoch). */
  pdt: number;
  /** Starts with a keyframe (`INDEPENDENT=YES`); absent means yes (state written before parts could be dependent). */
  independent?: boolean;
}

export interface Segment {
  msn: number;
  uri: string;
  duration: number;
  pdt: number;
  /** The first segment of a resumed transcode. */
  discontinuity: boolean;
  /** The init segment (`EXT-X-MAP`) of the run this segment belongs to. */
  mapUri: string;
  parts: Part[];
}

export interface PlaylistState {
  /** EXT-X-MEDIA-SEQUENCE: the first segment's number (absent: 0, a state written before FIRST_MSN). */
  firstMsn?: number;
  partTarget: number;
  partsPerSegment: number;
  /** Parts of the first segment of each run (absent: partsPerSegment); see PlaylistOptions. */
  firstSegmentParts?: number;
  targetDuration: number;
  /** Complete segments; only the last SEGMENTS_WITH_PARTS (those listed with their parts) keep `parts`. */
  segments: Segment[];
  /** The segment being filled, parts first. */
  open?: Omit<Segment, 'uri' | 'duration'>;
  /**
   * The run in progress: its init segment, whether its first segment is a
   * discontinuity, and whether segments close at keyframes (see startRun).
   */
  run?: {
    mapUri: string;
    discontinuity: boolean;
    keyframeSegments?: boolean;
    /** With keyframeSegments: the longest keyframe interval seen in this run, in seconds. */
    keyframeInterval?: number;
  };
  preloadHint?: string;
  ended: boolean;
}

/**
 * Where another rendition's playlist stands (`EXT-X-RENDITION-REPORT`, RFC
 * 8216bis 4.4.5.4): a player switching to it asks for its next part with a
 * blocking reload at once, instead of loading its playlist first.
 */
export interface RenditionReport {
  /** That playlist's URI, relative to the one the report is in. */
  uri: string;
  /** The media sequence number of its last part (or, without parts, of its last segment). */
  lastMsn: number;
  /** The index of its last part within segment `lastMsn`. */
  lastPart?: number;
}

export interface PlaylistOptions {
  /** Part duration in seconds (≤ 0.5 for LL-HLS). */
  partTarget: number;
  partsPerSegment: number;
  /**
   * The first segment of each run closes after this many parts (its last
   * part must end before a keyframe). Players start only on a playlist with
   * a complete segment (hls.js reports a playlist of parts alone as empty)
   * and PART-HOLD-BACK of media: a first segment of HOLD_BACK_PARTS parts
   * makes both true a segment sooner. Default: partsPerSegment.
   */
  firstSegmentParts?: number;
}

/** PART-HOLD-BACK in parts: the RFC's recommended three Part Target Durations. */
export const HOLD_BACK_PARTS = 3;

/**
 * Parts are listed for the open segment and the last complete one. RFC
 * 8216bis 6.2.2 wants them gone once more than three target durations from
 * the end, and hls.js (1.7), after switching renditions at the end of a
 * segment, asks for the next segment's first part only once it is the first
 * part listed: with three complete segments' parts that took two more
 * segments (a ~4 s stall), with one it takes one, mostly covered by the
 * buffer (docs/benchmarks/hls.md).
 */
const SEGMENTS_WITH_PARTS = 1;
/**
 * The first segment's media sequence number. Not 0: hls.js (1.7) keeps
 * segment 0 out of its fragment tracker when it loads it by parts (a part's
 * segment number is taken with `sn || -1`), so it marks segment 0's parts
 * unloaded after each append and reloads its last part in a loop until the
 * buffer runs dry: a stall of 0.4-1 s about a second after the first frame,
 * in every stream, and a target latency raised by a second for the rest of
 * it (docs/benchmarks/hls.md).
 */
export const FIRST_MSN = 1;
/**
 * The Skip Boundary of Playlist Delta Updates (`CAN-SKIP-UNTIL`), in target
 * durations: the RFC's minimum, six. The playlist is `EVENT` (the whole show
 * stays seekable) and an LL-HLS player reloads it several times a second, so
 * without delta updates each reload carries the whole show so far.
 */
export const SKIP_BOUNDARY_TARGETS = 6;
/** A segment waiting for a keyframe closes anyway at this many times its usual parts. */
const MAX_SEGMENT_FACTOR = 6;
/** A part shorter than this share of PART-TARGET may only be the last of its segment (RFC 8216bis 4.4.4.9). */
const MIN_PART_SHARE = 0.85;

/**
 * Seconds to the microsecond, no trailing zeros. Part durations come
 * rounded to the microsecond so they add up to the media's timeline
 * (transcoder.ts, partDuration); fewer digits would make a playlist end
 * before the media it lists.
 */
const fmt = (n: number) => n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0');
/** PART-TARGET, rounded up: no part's stated duration may exceed it. */
const fmtCeil = (n: number) => fmt(Math.ceil(n * 1e6 - 1e-6) / 1e6);

export class LlHlsPlaylist {
  /** The rendered lines of the first `segments` segments, listed without parts, and their last EXT-X-MAP. */
  private listed: { segments: number; text: string; map?: string } = { segments: 0, text: '' };

  private constructor(private readonly s: PlaylistState) {}

  static create(o: PlaylistOptions): LlHlsPlaylist {
    return new LlHlsPlaylist({
      firstMsn: FIRST_MSN,
      partTarget: o.partTarget,
      partsPerSegment: o.partsPerSegment,
      ...(o.firstSegmentParts !== undefined &&
        o.firstSegmentParts < o.partsPerSegment && { firstSegmentParts: o.firstSegmentParts }),
      // EXTINF rounded to the nearest integer may not exceed it (RFC 8216bis 4.4.3.1): a rung of
      // 29.97 fps, segments of 2.002 s at most, has 2 (and HOLD-BACK 6 s), not 3.
      targetDuration: Math.max(1, Math.round(o.partTarget * o.partsPerSegment)),
      segments: [],
      ended: false,
    });
  }

  static restore(state: PlaylistState): LlHlsPlaylist {
    return new LlHlsPlaylist(JSON.parse(JSON.stringify(state)) as PlaylistState);
  }

  toJSON(): PlaylistState {
    return JSON.parse(JSON.stringify(this.s)) as PlaylistState;
  }

  /** Its state as it is (not a copy: for saving it at once; `toJSON` gives a copy). */
  get state(): Readonly<PlaylistState> {
    return this.s;
  }

  get segments(): readonly Segment[] {
    return this.s.segments;
  }

  get ended(): boolean {
    return this.s.ended;
  }

  /** The media sequence number of the next segment to complete. */
  get nextMsn(): number {
    return this.s.open?.msn ?? this.msnAt(this.s.segments.length);
  }

  /** The media sequence number of the segment at `index` in the list. */
  private msnAt(index: number): number {
    return (this.s.firstMsn ?? 0) + index;
  }

  /**
   * A new ffmpeg run (first start or a resume after a crash) with its own
   * init segment. Any half-filled segment of the previous run is closed as
   * a short segment; the next segment carries `EXT-X-DISCONTINUITY`.
   * Returns that closed segment, if any.
   *
   * `keyframeSegments`: the rendition's keyframes are the encoder's (a copied
   * RTMP/SRT source), not ours, so segments close at its keyframes: every
   * segment starts with a keyframe whatever the encoder's keyframe interval.
   * A segment closes at the first keyframe once it has its usual number of
   * parts, or at an earlier one when waiting a keyframe interval more would
   * take it over EXT-X-TARGETDURATION: that is set by the first segment (the
   * first keyframe interval, when longer than the usual segment), before a
   * player can start (`PlaylistSummary.startable`), and RFC 8216 forbids it
   * to change. An encoder with a keyframe every 1.8 s would otherwise make
   * segments of 3.6 s in a playlist that said 2.
   */
  startRun(mapUri: string, opts: { keyframeSegments?: boolean } = {}): Segment | undefined {
    const closed = this.closeOpen();
    const resumed = this.s.segments.length > 0 || this.s.run !== undefined;
    this.s.run = { mapUri, discontinuity: resumed, ...(opts.keyframeSegments && { keyframeSegments: true }) };
    this.s.ended = false;
    this.s.preloadHint = undefined;
    return closed;
  }

  /**
   * Appends a part; returns the segment it completed, whose file the caller
   * writes (the concatenation of `segment.parts`).
   */
  addPart(part: Part, nextPartUri?: string): Segment | undefined {
    if (!this.s.run) throw new Error('addPart before startRun');
    const byKeyframe = this.s.run.keyframeSegments === true;
    const usual = this.usualParts();
    let closed: Segment | undefined;
    // A keyframe also closes a segment whose last part was cut short before it (an encoder's
    // keyframe between our part boundaries): a short part may only end a segment (RFC 8216bis 4.4.4.9).
    const open = this.s.open;
    if (byKeyframe && open && part.independent !== false) {
      const last = open.parts[open.parts.length - 1];
      const afterShort = last !== undefined && last.duration < MIN_PART_SHARE * this.s.partTarget;
      const interval = this.sinceKeyframe(open.parts);
      const run = this.s.run;
      if (interval !== undefined) run.keyframeInterval = Math.max(run.keyframeInterval ?? 0, interval);
      // Waiting for the next keyframe would make the segment longer than the target duration says.
      const overrun =
        run.keyframeInterval !== undefined &&
        Math.round(totalDuration(open.parts) + run.keyframeInterval) > this.s.targetDuration;
      if (open.parts.length >= usual || afterShort || overrun) closed = this.closeOpen();
    }
    if (!this.s.open) {
      this.s.open = {
        msn: this.msnAt(this.s.segments.length),
        pdt: part.pdt,
        discontinuity: this.s.run.discontinuity,
        mapUri: this.s.run.mapUri,
        parts: [],
      };
      this.s.run.discontinuity = false;
    }
    this.s.open.parts.push(part);
    this.s.preloadHint = nextPartUri;
    if (closed) return closed;
    const max = byKeyframe ? this.s.partsPerSegment * MAX_SEGMENT_FACTOR : this.usualParts();
    return this.s.open.parts.length >= max ? this.closeOpen() : undefined;
  }

  /** Seconds from the last independent of `parts` to their end (none: undefined). */
  private sinceKeyframe(parts: readonly Part[]): number | undefined {
    for (let i = parts.length - 1; i >= 0; i--)
      if (parts[i].independent !== false) return totalDuration(parts.slice(i));
    return undefined;
  }

  /** Parts the open (or next) segment closes at: fewer for the first segment of a run. */
  private usualParts(): number {
    const s = this.s;
    const mapUri = s.open?.mapUri ?? s.run?.mapUri;
    const firstOfRun = s.segments.length === 0 || s.segments[s.segments.length - 1].mapUri !== mapUri;
    return firstOfRun && s.firstSegmentParts ? s.firstSegmentParts : s.partsPerSegment;
  }

  private closeOpen(): Segment | undefined {
    const o = this.s.open;
    if (!o || o.parts.length === 0) return undefined;
    this.s.open = undefined;
    const seg: Segment = {
      ...o,
      uri: `s${o.msn}.m4s`,
      duration: totalDuration(o.parts),
    };
    // TARGETDURATION is an upper bound of EXTINF rounded to an integer: set by the first segment
    // (see startRun); raised later only by an encoder whose keyframes come later than ever before.
    this.s.targetDuration = Math.max(this.s.targetDuration, Math.round(seg.duration));
    this.s.segments.push(seg);
    // A segment no longer listed with its parts forgets them: the state is saved at every part, and
    // with every part of the show in it, saving it took longer than a part lasts two hours in.
    const older = this.s.segments.length - 1 - SEGMENTS_WITH_PARTS;
    if (older >= 0 && this.s.segments[older].parts.length > 0)
      this.s.segments[older] = { ...this.s.segments[older], parts: [] };
    return seg;
  }

  /** This playlist's rendition report, for the others' playlists: none before its first part, or once ended. */
  report(uri: string): RenditionReport | undefined {
    if (this.s.ended) return undefined;
    const open = this.s.open;
    if (open && open.parts.length > 0) return { uri, lastMsn: open.msn, lastPart: open.parts.length - 1 };
    const last = this.s.segments.at(-1);
    if (!last) return undefined;
    return last.parts.length > 0
      ? { uri, lastMsn: last.msn, lastPart: last.parts.length - 1 }
      : { uri, lastMsn: last.msn };
  }

  /** The stream ended: closes the open segment (returned) and adds `EXT-X-ENDLIST`. */
  end(): Segment | undefined {
    const closed = this.closeOpen();
    this.s.ended = true;
    this.s.preloadHint = undefined;
    return closed;
  }

  /** The playlist's text; a live one ends with the other renditions' `reports`. */
  render(reports: readonly RenditionReport[] = []): string {
    const s = this.s;
    const holdBack = HOLD_BACK_PARTS * s.partTarget;
    const head = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      `#EXT-X-TARGETDURATION:${s.targetDuration}`,
      `#EXT-X-PART-INF:PART-TARGET=${fmtCeil(s.partTarget)}`,
      // HOLD-BACK (for players without LL-HLS, such as ffmpeg's) is the RFC's minimum, three target durations.
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${fmt(holdBack)},HOLD-BACK=${fmt(3 * s.targetDuration)},` +
        `CAN-SKIP-UNTIL=${fmt(SKIP_BOUNDARY_TARGETS * s.targetDuration)}`,
      // No EXT-X-START: the RFC keeps its offset three target durations from a live end, and hls.js
      // would start there and ExoPlayer aim there instead of at PART-HOLD-BACK (docs/api.md).
      '#EXT-X-PLAYLIST-TYPE:EVENT',
      `#EXT-X-MEDIA-SEQUENCE:${s.firstMsn ?? 0}`,
      '#EXT-X-INDEPENDENT-SEGMENTS',
    ];
    const withParts = s.ended ? s.segments.length : Math.max(0, s.segments.length - SEGMENTS_WITH_PARTS);
    // Lines of segments listed without parts never change: they are rendered once (a show's
    // playlist is rendered at every part, and grows all show long).
    if (this.listed.segments > withParts) this.listed = { segments: 0, text: '' };
    let map = this.listed.map;
    let lines: string[] = [];
    const header = (seg: { discontinuity: boolean; mapUri: string; pdt: number }) => {
      if (seg.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
      if (seg.mapUri !== map) {
        map = seg.mapUri;
        lines.push(`#EXT-X-MAP:URI="${seg.mapUri}"`);
      }
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(seg.pdt).toISOString()}`);
    };
    const partLines = (parts: Part[]) => {
      for (const p of parts)
        lines.push(
          `#EXT-X-PART:DURATION=${fmt(p.duration)},URI="${p.uri}"${p.independent === false ? '' : ',INDEPENDENT=YES'}`,
        );
    };
    const text = (ls: string[]) => (ls.length === 0 ? '' : ls.join('\n') + '\n');
    for (let i = this.listed.segments; i < withParts; i++) {
      header(s.segments[i]);
      lines.push(`#EXTINF:${fmt(s.segments[i].duration)},`, s.segments[i].uri);
    }
    this.listed = { segments: withParts, text: this.listed.text + text(lines), map };
    lines = [];
    for (const seg of s.segments.slice(withParts)) {
      header(seg);
      partLines(seg.parts);
      lines.push(`#EXTINF:${fmt(seg.duration)},`, seg.uri);
    }
    if (!s.ended) {
      if (s.open) {
        header(s.open);
        partLines(s.open.parts);
      }
      if (s.preloadHint) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${s.preloadHint}"`);
      for (const r of reports)
        lines.push(
          `#EXT-X-RENDITION-REPORT:URI="${r.uri}",LAST-MSN=${r.lastMsn}` +
            (r.lastPart === undefined ? '' : `,LAST-PART=${r.lastPart}`),
        );
    } else {
      lines.push('#EXT-X-ENDLIST');
    }
    return text(head) + this.listed.text + text(lines);
  }
}

/**
 * What a rendered playlist (or a delta update of one) holds, read in one pass:
 * where it stands for blocking reload (`_HLS_msn` / `_HLS_part`), whether a
 * player can start on it, and the last part it names.
 */
export interface PlaylistSummary {
  /** Last complete segment's media sequence number (-1: none yet). */
  lastMsn: number;
  /** Parts of segment `lastMsn + 1` already listed. */
  trailingParts: number;
  ended: boolean;
  /**
   * Whether a player can start on it at PART-HOLD-BACK from its end (RFC
   * 8216bis §4.4.3.8, Apple's LL-HLS rules): it ended, or it lists at least
   * that much media, a complete segment among it. A live playlist with less
   * would put a player's start before its first part: it starts at the very
   * edge with nothing buffered and stalls, and a player that does not catch
   * up (stock hls.js) stays behind by every stall. A first request is held
   * until this holds. (Of a delta update: of the media it still lists.)
   */
  startable: boolean;
  /** The last part listed or preload-hinted (`r<run>/p<n>.m4s`), if any. */
  lastPart?: { run: number; n: number };
}

/**
 * Reads a playlist this module rendered. A viewer's blocking reload asks this
 * of the whole playlist, which grows all show long (~130 KB an hour), so it
 * reads the header and the end: the last segment's number comes from its URI,
 * and only the lines after it are read one by one.
 */
export function readPlaylist(text: string): PlaylistSummary {
  const head = text.slice(0, headerEnd(text));
  const seq = numberAfter(head, '#EXT-X-MEDIA-SEQUENCE:') ?? 0;
  const skipped = numberAfter(head, '#EXT-X-SKIP:SKIPPED-SEGMENTS=') ?? 0;
  const last = text.lastIndexOf(EXTINF);
  const segments = last < 0 ? skipped : segmentsThrough(text, last, seq, skipped);
  const tail = readTail(text, last);
  // hls.js reports a playlist of parts alone as empty (levelEmptyError). Without a hold-back (not
  // LL-HLS) any media will do; parts are rounded to the microsecond in the text.
  const holdBack = numberAfter(head, 'PART-HOLD-BACK=');
  const enough = holdBack === undefined ? Number.MIN_VALUE : holdBack - 1e-3;
  const startable = tail.ended || (last >= 0 && walkBack(text, last, tail.duration, enough).media >= enough);
  const lastPartAt = Math.max(text.lastIndexOf('#EXT-X-PART:'), text.lastIndexOf('#EXT-X-PRELOAD-HINT:'));
  const uri = lastPartAt < 0 ? null : PART_URI.exec(text.slice(lastPartAt, lineAfter(text, lastPartAt)));
  return {
    lastMsn: seq + segments - 1,
    trailingParts: tail.parts,
    ended: tail.ended,
    startable,
    ...(uri && { lastPart: { run: Number(uri[1]), n: Number(uri[2]) } }),
  };
}

/**
 * How many segments the show has up to the one whose EXTINF is at `at`: read
 * off its URI (`s<msn>.m4s`, as this module names segments), else counted
 * (after `skipped` ones a delta update left out).
 */
function segmentsThrough(text: string, at: number, seq: number, skipped: number): number {
  const uriAt = lineAfter(text, at);
  const msn = SEGMENT_URI.exec(text.slice(uriAt, lineAfter(text, uriAt)));
  if (msn) return Number(msn[1]) - seq + 1;
  let n = skipped;
  for (let i = text.indexOf(EXTINF); i >= 0 && i <= at; i = text.indexOf(EXTINF, i + EXTINF.length)) n++;
  return n;
}

const SEGMENT_URI = /^s(\d+)\.m4s\n?$/;

/**
 * What follows the last segment (whose EXTINF is at `last`; -1: none): the
 * open segment's parts, then a preload hint, reports or the end.
 */
function readTail(text: string, last: number): { parts: number; duration: number; ended: boolean } {
  const tail = { parts: 0, duration: 0, ended: false };
  for (const line of text.slice(last < 0 ? 0 : lineAfter(text, lineAfter(text, last))).split('\n')) {
    if (line.startsWith('#EXT-X-PART:')) {
      tail.parts++;
      tail.duration += numberAfter(line, 'DURATION=') ?? 0;
    } else if (line === '#EXT-X-ENDLIST') tail.ended = true;
  }
  return tail;
}

/**
 * From the segment whose EXTINF is at `from` back, adds segments' durations
 * to `media` until it reaches `target`: `at` is then the EXTINF of the
 * segment before the last one added (-1 when media ran out first).
 */
function walkBack(text: string, from: number, media: number, target: number): { at: number; media: number } {
  let at = from;
  while (at >= 0 && media < target) {
    media += parseFloat(text.slice(at + EXTINF.length, text.indexOf(',', at)));
    at = text.lastIndexOf(EXTINF, at - 1);
  }
  return { at, media };
}

const EXTINF = '#EXTINF:';
const PART_URI = /URI="r(\d+)\/p(\d+)\.m4s"/;

/** The number right after the first `prefix` in `text`, if any. */
function numberAfter(text: string, prefix: string): number | undefined {
  const at = text.indexOf(prefix);
  if (at < 0) return undefined;
  const n = parseFloat(text.slice(at + prefix.length, at + prefix.length + 24));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The Playlist Delta Update of a rendered playlist (RFC 8216bis 6.2.5.1,
 * `_HLS_skip=YES`): the segments that end at least the Skip Boundary
 * (`CAN-SKIP-UNTIL`) before the playlist's end are replaced by one
 * `EXT-X-SKIP`, with their tags. The first segment kept gets the
 * `EXT-X-MAP` it plays with if that tag was skipped. A playlist that
 * declares no Skip Boundary, or has nothing that old, comes back as it is.
 */
export function deltaUpdate(text: string): string {
  const boundary = numberAfter(text, 'CAN-SKIP-UNTIL=');
  if (boundary === undefined) return text;
  const last = text.lastIndexOf(EXTINF);
  if (last < 0) return text;
  const k = walkBack(text, last, readTail(text, last).duration, boundary).at;
  if (k < 0) return text;
  // Never all of them: a delta update lists at least one segment.
  if (k === last) return text;
  // k is the last segment skipped; the first kept one's tags start after its URI line.
  const first = lineAfter(text, lineAfter(text, k));
  const header = headerEnd(text);
  const skipped = segmentsThrough(
    text,
    k,
    numberAfter(text.slice(0, header), '#EXT-X-MEDIA-SEQUENCE:') ?? 0,
    0,
  );
  const firstTags = text.slice(first, text.indexOf(EXTINF, first));
  const mapAt = text.lastIndexOf('#EXT-X-MAP:', first);
  const map =
    firstTags.includes('#EXT-X-MAP:') || mapAt < header ? '' : text.slice(mapAt, lineAfter(text, mapAt));
  const discontinuity = firstTags.startsWith(DISCONTINUITY) ? DISCONTINUITY : '';
  return (
    text.slice(0, header) +
    `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}\n` +
    discontinuity +
    map +
    text.slice(first + discontinuity.length)
  );
}

const DISCONTINUITY = '#EXT-X-DISCONTINUITY\n';

/** Where the line after the one at `at` starts (the text's length after its last line). */
function lineAfter(text: string, at: number): number {
  const eol = text.indexOf('\n', at);
  return eol < 0 ? text.length : eol + 1;
}

/** Where the first tag of a Media Segment (or of the open one's parts) starts: the header's end. */
function headerEnd(text: string): number {
  for (let at = 0; at < text.length; at = lineAfter(text, at)) if (isSegmentTag(text, at)) return at;
  return text.length;
}

/** Whether the line at `at` is a tag of a Media Segment in the playlists this module writes. */
const isSegmentTag = (text: string, at: number) =>
  text.startsWith(EXTINF, at) ||
  text.startsWith('#EXT-X-PART:', at) ||
  text.startsWith('#EXT-X-MAP:', at) ||
  text.startsWith('#EXT-X-PROGRAM-DATE-TIME:', at) ||
  text.startsWith(DISCONTINUITY, at);

/**
 * Whether a playlist already satisfies a blocking reload for `msn` (and
 * `part` of it, if given), per RFC 8216bis §6.2.5.2.
 */
export function satisfies(pos: PlaylistSummary, msn: number, part?: number): boolean {
  if (pos.ended || msn <= pos.lastMsn) return true;
  if (msn === pos.lastMsn + 1 && part !== undefined) return part < pos.trailingParts;
  return false;
}

/** One variant of the master playlist. */
export interface MasterVariant {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
  fps: number;
}

/**
 * The master playlist: one variant per rendition, with BANDWIDTH, RESOLUTION
 * and CODECS, the lowest bandwidth first. A player starts with the first
 * variant listed (hls.js, Safari): started on the top rendition, stock hls.js
 * gave up loads of it at once on an estimate made from held LL-HLS requests
 * and switched down, stalling seconds it never made up; from the lowest it
 * only switches up, which abandons nothing.
 */
export function renderMaster(renditions: MasterVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of [...renditions].sort((a, b) => a.bandwidth - b.bandwidth)) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},AVERAGE-BANDWIDTH=${Math.round(r.bandwidth * 0.9)},` +
        `RESOLUTION=${r.width}x${r.height},CODECS="${r.codecs}",FRAME-RATE=${r.fps.toFixed(3)}`,
      `${r.name}/index.m3u8`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Parts a client may ask for ahead of the playlist: the preload hint and the one after it. */
const PARTS_AHEAD = 2;

/**
 * Whether a part that does not exist yet may still appear, so a request for
 * it is worth holding (RFC 8216bis: a preload-hinted part is requested before
 * it exists): the playlist is live, and `uri` (`r<run>/p<n>.m4s`) is of the
 * run the playlist lists last and at most PARTS_AHEAD parts past its last
 * listed part. Anything else (another run, a part long gone or far ahead,
 * an ended stream) will not appear in time and is answered 404 at once.
 */
export function partMayAppear(playlist: PlaylistSummary, uri: string): boolean {
  const want = /^r(\d+)\/p(\d+)\.m4s$/.exec(uri);
  const last = playlist.lastPart;
  if (!want || playlist.ended || !last || Number(want[1]) !== last.run) return false;
  const n = Number(want[2]);
  return n >= last.n - 1 && n <= last.n + PARTS_AHEAD;
}
