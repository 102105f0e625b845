/**
 * The rules of RFC 8216bis (HLS, 2nd edition, with Low-Latency HLS) and of
 * Apple's LL-HLS authoring rules that livecart's playlists promise, as a
 * checker the tests run over every playlist the server writes: stock players
 * (hls.js, Safari, ExoPlayer, ffmpeg) rely on them, and our own player is
 * one of them. Each function returns the broken rules as sentences (empty:
 * none). The checks read the text only, not our writer's state.
 */
import { totalDuration } from './durations';

/** Slack for numbers printed with five decimals. */
const EPS = 1e-4;

interface ParsedPart {
  duration: number;
  uri: string;
  independent: boolean;
}

interface ParsedSegment {
  msn: number;
  uri: string;
  duration: number;
  pdt?: number;
  discontinuity: boolean;
  map?: string;
  parts: ParsedPart[];
}

export interface ParsedMediaPlaylist {
  version?: number;
  targetDuration?: number;
  partTarget?: number;
  partHoldBack?: number;
  holdBack?: number;
  canBlockReload: boolean;
  mediaSequence: number;
  /** EXT-X-SKIP's SKIPPED-SEGMENTS: a Playlist Delta Update (0: a whole playlist). */
  skippedSegments: number;
  /** CAN-SKIP-UNTIL: the Skip Boundary, when the server offers delta updates. */
  canSkipUntil?: number;
  discontinuitySequence: number;
  independentSegments: boolean;
  type?: string;
  segments: ParsedSegment[];
  /** Parts after the last complete segment (the segment being filled). */
  openParts: ParsedPart[];
  openPdt?: number;
  preloadHints: string[];
  /** EXT-X-RENDITION-REPORT tags, as written (numbers NaN where missing or not numbers). */
  renditionReports: { uri?: string; lastMsn: number; lastPart?: number }[];
  ended: boolean;
}

const attr = (line: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|[:,])${name}=("[^"]*"|[^,]*)`).exec(line);
  return m ? m[1].replace(/^"|"$/g, '') : undefined;
};
const num = (line: string, name: string): number | undefined => {
  const v = attr(line, name);
  return v === undefined ? undefined : Number(v);
};

/** The tags whose value is one number, and the field each sets. */
const NUMBER_TAGS = new Map<string, 'version' | 'targetDuration' | 'mediaSequence' | 'discontinuitySequence'>(
  [
    ['#EXT-X-VERSION', 'version'],
    ['#EXT-X-TARGETDURATION', 'targetDuration'],
    ['#EXT-X-MEDIA-SEQUENCE', 'mediaSequence'],
    ['#EXT-X-DISCONTINUITY-SEQUENCE', 'discontinuitySequence'],
  ],
);

export function parseMediaPlaylist(text: string): ParsedMediaPlaylist {
  const p: ParsedMediaPlaylist = {
    canBlockReload: false,
    mediaSequence: 0,
    skippedSegments: 0,
    discontinuitySequence: 0,
    independentSegments: false,
    segments: [],
    openParts: [],
    preloadHints: [],
    renditionReports: [],
    ended: false,
  };
  let pending: Omit<ParsedSegment, 'uri' | 'duration' | 'msn'> & { duration?: number } = {
    discontinuity: false,
    parts: [],
  };
  let map: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const tag = line.split(':')[0];
    const value = line.slice(tag.length + 1);
    const numberField = NUMBER_TAGS.get(tag);
    if (numberField) {
      p[numberField] = Number(value);
      continue;
    }
    switch (tag) {
      case '#EXT-X-PART-INF':
        p.partTarget = num(line, 'PART-TARGET');
        break;
      case '#EXT-X-SERVER-CONTROL':
        p.canBlockReload = attr(line, 'CAN-BLOCK-RELOAD') === 'YES';
        p.partHoldBack = num(line, 'PART-HOLD-BACK');
        p.holdBack = num(line, 'HOLD-BACK');
        p.canSkipUntil = num(line, 'CAN-SKIP-UNTIL');
        break;
      case '#EXT-X-SKIP':
        p.skippedSegments += num(line, 'SKIPPED-SEGMENTS') ?? NaN;
        break;
      case '#EXT-X-INDEPENDENT-SEGMENTS':
        p.independentSegments = true;
        break;
      case '#EXT-X-PLAYLIST-TYPE':
        p.type = value;
        break;
      case '#EXT-X-MAP':
        map = attr(line, 'URI');
        break;
      case '#EXT-X-DISCONTINUITY':
        pending.discontinuity = true;
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        pending.pdt = Date.parse(value);
        break;
      case '#EXT-X-PART':
        pending.parts.push({
          duration: num(line, 'DURATION') ?? NaN,
          uri: attr(line, 'URI') ?? '',
          independent: attr(line, 'INDEPENDENT') === 'YES',
        });
        break;
      case '#EXT-X-RENDITION-REPORT':
        p.renditionReports.push({
          uri: attr(line, 'URI'),
          lastMsn: num(line, 'LAST-MSN') ?? NaN,
          ...(attr(line, 'LAST-PART') === undefined ? {} : { lastPart: num(line, 'LAST-PART') }),
        });
        break;
      case '#EXT-X-PRELOAD-HINT':
        if (attr(line, 'TYPE') === 'PART') p.preloadHints.push(attr(line, 'URI') ?? '');
        break;
      case '#EXTINF':
        pending.duration = parseFloat(value);
        break;
      case '#EXT-X-ENDLIST':
        p.ended = true;
        break;
      default:
        if (!line.startsWith('#') && pending.duration !== undefined) {
          p.segments.push({
            ...pending,
            msn: p.mediaSequence + p.skippedSegments + p.segments.length,
            uri: line,
            duration: pending.duration,
            map,
          });
          pending = { discontinuity: false, parts: [] };
        }
    }
  }
  p.openParts = pending.parts;
  p.openPdt = pending.pdt;
  return p;
}

export interface MediaCheckOptions {
  /**
   * Renditions encoded with a keyframe every this many parts, counted from each run's first
   * part: parts `r<R>/p<N>.m4s` whose N is a multiple must be INDEPENDENT=YES.
   */
  keyframeParts?: number;
}

/** The rules one media playlist must follow on its own. */
export function checkMediaPlaylist(text: string, opts: MediaCheckOptions = {}): string[] {
  const out: string[] = [];
  if (!text.startsWith('#EXTM3U')) out.push('the playlist does not start with #EXTM3U');
  const p = parseMediaPlaylist(text);
  if (p.targetDuration === undefined || !Number.isInteger(p.targetDuration) || p.targetDuration <= 0)
    out.push('EXT-X-TARGETDURATION is missing or not a positive integer');
  const target = p.targetDuration ?? 0;
  const lowLatency = p.partTarget !== undefined;
  // RFC 8216bis 4.4.3.1: each EXTINF, rounded to the nearest integer, at most the target duration.
  for (const s of p.segments) {
    if (!(s.duration > 0)) out.push(`segment ${s.msn} (${s.uri}) has no positive duration`);
    if (Math.round(s.duration) > target)
      out.push(`segment ${s.msn} lasts ${s.duration} s, over EXT-X-TARGETDURATION ${target} once rounded`);
    if (!s.map) out.push(`segment ${s.msn} comes before any EXT-X-MAP`);
  }
  // 4.4.3.8: HOLD-BACK at least three target durations (the default is exactly that).
  if (p.holdBack !== undefined && p.holdBack < 3 * target - EPS)
    out.push(`HOLD-BACK ${p.holdBack} is under three target durations (${3 * target})`);
  // 4.4.3.8: a Skip Boundary at least six target durations; 4.4.5.2: a delta update only from a
  // server that offers them, skipping a whole number of segments, all older than the boundary.
  if (p.canSkipUntil !== undefined && !(p.canSkipUntil >= 6 * target - EPS))
    out.push(`CAN-SKIP-UNTIL ${p.canSkipUntil} is under six target durations (${6 * target})`);
  if (p.skippedSegments !== 0) {
    if (!Number.isInteger(p.skippedSegments) || p.skippedSegments < 0)
      out.push(`EXT-X-SKIP skips ${p.skippedSegments} segments`);
    if (p.canSkipUntil === undefined) out.push('EXT-X-SKIP in a playlist without CAN-SKIP-UNTIL');
    if ((p.version ?? 1) < 9) out.push(`EXT-X-VERSION ${p.version} is too old for EXT-X-SKIP`);
    const listed = totalDuration(p.segments) + totalDuration(p.openParts);
    if (p.canSkipUntil !== undefined && listed < p.canSkipUntil - EPS)
      out.push(`a delta update skips segments within the Skip Boundary (${listed.toFixed(3)} s listed)`);
  }
  const allParts = [...p.segments.flatMap((s) => s.parts), ...p.openParts];
  if (lowLatency) {
    const pt = p.partTarget!;
    if ((p.version ?? 1) < 6) out.push(`EXT-X-VERSION ${p.version} is too old for EXT-X-PART-INF`);
    if (!p.canBlockReload) out.push('a playlist with parts must say CAN-BLOCK-RELOAD=YES');
    // 4.4.3.8: PART-HOLD-BACK at least twice the part target, three times recommended (Apple: three).
    if (p.partHoldBack === undefined) out.push('a playlist with parts must give PART-HOLD-BACK');
    else if (p.partHoldBack < 3 * pt - EPS)
      out.push(`PART-HOLD-BACK ${p.partHoldBack} is under three part targets (${3 * pt})`);
    // 4.4.4.9: parts last at most the part target, and at least 85 % of it unless independent or
    // the last of their segment (the open segment's newest part may turn out to be its last).
    for (const part of allParts)
      if (!(part.duration > 0) || part.duration > pt + EPS)
        out.push(`part ${part.uri} lasts ${part.duration} s, over PART-TARGET ${pt}`);
    for (const parts of [...p.segments.map((s) => s.parts), p.openParts])
      for (const part of parts.slice(0, -1))
        if (!part.independent && part.duration < 0.85 * pt - EPS)
          out.push(`part ${part.uri} lasts ${part.duration} s, under 85 % of PART-TARGET ${pt} mid-segment`);
    // A complete segment's parts add up to it (the segment is their concatenation).
    for (const s of p.segments) {
      if (s.parts.length === 0) continue;
      const sum = totalDuration(s.parts);
      if (Math.abs(sum - s.duration) > 0.001)
        out.push(`segment ${s.msn} lasts ${s.duration} s but its parts add up to ${sum.toFixed(5)} s`);
    }
    // Parts are listed for the newest segments, and for none older than the oldest listed.
    let seenParts = false;
    for (const s of p.segments) {
      if (s.parts.length > 0) seenParts = true;
      else if (seenParts) out.push(`segment ${s.msn} lists no parts after a segment that does`);
    }
    // 6.2.2: parts SHOULD leave the playlist once more than three target durations from its end
    // (a player that far back loads whole segments).
    let fromEnd = 0;
    stale: for (const parts of [...p.segments.map((s) => s.parts), p.openParts].reverse())
      for (const part of [...parts].reverse()) {
        fromEnd += part.duration;
        if (fromEnd > 3 * target + EPS) {
          out.push(
            `part ${part.uri} is still listed ${fromEnd.toFixed(3)} s from the end, over three target durations`,
          );
          break stale;
        }
      }
    // 4.4.5.3 / Apple: a live playlist hints the next part, once; an ended one hints nothing.
    if (p.ended && p.preloadHints.length > 0) out.push('an ended playlist still has a preload hint');
    if (!p.ended && p.preloadHints.length !== 1)
      out.push(`a live playlist with parts needs one part preload hint, not ${p.preloadHints.length}`);
    for (const h of p.preloadHints)
      if (allParts.some((x) => x.uri === h)) out.push(`the preload hint ${h} is a part already listed`);
    // 4.4.5.4: a report names a playlist and its last segment (and part). The renditions here are
    // cut from one ffmpeg in step, so a report is within a segment of this playlist's own end.
    const own = p.mediaSequence + p.skippedSegments + p.segments.length - (p.openParts.length > 0 ? 0 : 1);
    for (const r of p.renditionReports) {
      if (!r.uri) out.push('a rendition report without URI');
      if (!Number.isInteger(r.lastMsn) || r.lastMsn < 0) out.push(`rendition report ${r.uri}: bad LAST-MSN`);
      else if (Math.abs(r.lastMsn - own) > 1)
        out.push(`rendition report ${r.uri}: LAST-MSN ${r.lastMsn} is not within a segment of ${own}`);
      if (r.lastPart !== undefined && (!Number.isInteger(r.lastPart) || r.lastPart < 0))
        out.push(`rendition report ${r.uri}: bad LAST-PART`);
    }
  }
  const uris = allParts.map((x) => x.uri);
  if (new Set(uris).size !== uris.length) out.push('a part URI is listed twice');
  // Independence: every segment starts with a keyframe when the playlist says so (and ours always do).
  for (const s of p.segments) {
    if (s.parts.length > 0 && !s.parts[0].independent)
      out.push(`segment ${s.msn} starts with part ${s.parts[0].uri}, not INDEPENDENT=YES`);
  }
  if (p.openParts.length > 0 && !p.openParts[0].independent)
    out.push(`the open segment starts with part ${p.openParts[0].uri}, not INDEPENDENT=YES`);
  const every = opts.keyframeParts;
  if (every !== undefined)
    for (const part of allParts) {
      const n = /\/p(\d+)\.m4s$/.exec(part.uri)?.[1];
      if (n !== undefined && Number(n) % every === 0 && !part.independent)
        out.push(`part ${part.uri} is not INDEPENDENT=YES`);
    }
  if (lowLatency && !p.independentSegments && allParts.some((x) => !x.independent) && allParts.length > 0)
    out.push('parts are marked independent or not, but EXT-X-INDEPENDENT-SEGMENTS is missing');
  // Program date-times: every segment has one (pins are timed by them), they never go back,
  // and within a run (no discontinuity) each segment starts where the previous one ended.
  let prev: ParsedSegment | undefined;
  for (const s of p.segments) {
    if (s.pdt === undefined || Number.isNaN(s.pdt))
      out.push(`segment ${s.msn} has no EXT-X-PROGRAM-DATE-TIME`);
    else if (prev?.pdt !== undefined) {
      const expected = prev.pdt + prev.duration * 1000;
      if (s.discontinuity ? s.pdt < expected - 1 : Math.abs(s.pdt - expected) > 2)
        out.push(
          `segment ${s.msn}'s date-time ${new Date(s.pdt).toISOString()} ${s.discontinuity ? 'goes back before' : 'does not follow'} the end of segment ${prev.msn} (${new Date(expected).toISOString()})`,
        );
    }
    // A new init segment (a new encoder run) comes after a discontinuity.
    if (prev && s.map !== prev.map && !s.discontinuity)
      out.push(`segment ${s.msn} changes EXT-X-MAP without EXT-X-DISCONTINUITY`);
    prev = s;
  }
  if (prev?.pdt !== undefined && p.openPdt !== undefined && p.openParts.length > 0) {
    if (p.openPdt < prev.pdt + prev.duration * 1000 - 1)
      out.push("the open segment's date-time goes back before the last segment's end");
  }
  if (p.ended && p.openParts.length > 0) out.push('an ended playlist lists parts after its last segment');
  return out;
}

/**
 * Rules between two versions of one media playlist (`before`, then `after`):
 * a live playlist only grows. Segments keep their media sequence number, URI,
 * date-time and discontinuity sequence (RFC 8216bis 6.2.1-6.2.2), and an
 * ended playlist stays ended.
 */
export function checkPlaylistUpdate(before: string, after: string): string[] {
  const out: string[] = [];
  const a = parseMediaPlaylist(before);
  const b = parseMediaPlaylist(after);
  if (a.ended && !b.ended) out.push('an ended playlist went live again');
  if (b.mediaSequence < a.mediaSequence) out.push('EXT-X-MEDIA-SEQUENCE went down');
  // 4.4.3.1 / 6.2.1: the target durations are fixed for the playlist's life.
  if (a.targetDuration !== b.targetDuration)
    out.push(`EXT-X-TARGETDURATION changed from ${a.targetDuration} to ${b.targetDuration}`);
  if (a.partTarget !== b.partTarget) out.push(`PART-TARGET changed from ${a.partTarget} to ${b.partTarget}`);
  const lastA = a.mediaSequence + a.segments.length - 1;
  const lastB = b.mediaSequence + b.segments.length - 1;
  if (lastB < lastA) out.push(`the playlist lost segments (last ${lastA}, then ${lastB})`);
  if (a.type === 'EVENT' && b.mediaSequence !== a.mediaSequence)
    out.push('an EVENT playlist removed segments from its start');
  // Discontinuity sequence of each segment: the playlist's, plus the discontinuities up to it.
  const dseq = (p: ParsedMediaPlaylist) => {
    const m = new Map<number, { uri: string; pdt?: number; d: number }>();
    let d = p.discontinuitySequence;
    for (const s of p.segments) {
      if (s.discontinuity) d++;
      m.set(s.msn, { uri: s.uri, pdt: s.pdt, d });
    }
    return m;
  };
  const ma = dseq(a);
  const mb = dseq(b);
  for (const [msn, sa] of ma) {
    const sb = mb.get(msn);
    if (!sb) continue;
    if (sb.uri !== sa.uri) out.push(`segment ${msn} changed from ${sa.uri} to ${sb.uri}`);
    if (sb.d !== sa.d) out.push(`segment ${msn} moved from discontinuity sequence ${sa.d} to ${sb.d}`);
    if (sb.pdt !== sa.pdt) out.push(`segment ${msn} changed its date-time`);
  }
  return out;
}

/** The rules of a master playlist. */
export function checkMasterPlaylist(text: string): string[] {
  const out: string[] = [];
  if (!text.startsWith('#EXTM3U')) out.push('the playlist does not start with #EXTM3U');
  const lines = text.split('\n').map((l) => l.trim());
  let variants = 0;
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    variants++;
    const uri = lines[i + 1];
    if (!uri || uri.startsWith('#')) out.push(`variant ${variants} has no URI line after it`);
    if (!(Number(attr(line, 'BANDWIDTH')) > 0)) out.push(`variant ${uri} has no BANDWIDTH`);
    if (!attr(line, 'CODECS')) out.push(`variant ${uri} has no CODECS`);
    if (!/^\d+x\d+$/.test(attr(line, 'RESOLUTION') ?? '')) out.push(`variant ${uri} has no RESOLUTION`);
  });
  if (variants === 0) out.push('the master playlist has no variant');
  return out;
}
