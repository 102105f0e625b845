/**
 * Just enough ISO-BMFF to tell whether an fMP4 fragment (`moof` + `mdat`)
 * starts on a sync sample (a keyframe), i.e. whether an LL-HLS part is
 * `INDEPENDENT=YES`, and where it sits on the media timeline, so playlists
 * state the media's own durations. A fragment is read once (readFragment);
 * both questions are answered from what that read found.
 */

function* boxes(buf: Buffer, start = 0, end = buf.length): Generator<{ type: string; body: Buffer }> {
  let i = start;
  while (i + 8 <= end) {
    let size = buf.readUInt32BE(i);
    const type = buf.toString('latin1', i + 4, i + 8);
    let head = 8;
    if (size === 1) {
      if (i + 16 > end) return;
      size = Number(buf.readBigUInt64BE(i + 8));
      head = 16;
    } else if (size === 0) size = end - i;
    if (size < head || i + size > end) return;
    yield { type, body: buf.subarray(i + head, i + size) };
    i += size;
  }
}

/** The body of `buf`'s first box of `type`. */
const child = (buf: Buffer, type: string): Buffer | undefined =>
  [...boxes(buf)].find((b) => b.type === type)?.body;

const NON_SYNC = 0x10000;

/** One track's samples in a fragment (a `traf`), as far as its boxes say. */
export interface TrackFragment {
  trackId: number;
  /** `tfdt`, in the track's timescale. */
  decodeTime?: number;
  /** The first sample's flags: trun's first-sample or per-sample flags, else tfhd's default. */
  firstSampleFlags?: number;
  /** The samples' durations that the boxes state (trun per sample, else tfhd's default). */
  statedDuration: number;
  /** Samples whose duration is left to the init segment's `trex` default. */
  unstatedSamples: number;
}

/** The track fragments of `fragment`'s first `moof`; empty when there is none. */
export function readFragment(fragment: Buffer): TrackFragment[] {
  const moof = child(fragment, 'moof');
  const out: TrackFragment[] = [];
  for (const traf of moof ? boxes(moof) : []) {
    if (traf.type !== 'traf') continue;
    const t: TrackFragment = { trackId: -1, statedDuration: 0, unstatedSamples: 0 };
    let defaultDuration: number | undefined;
    let defaultFlags: number | undefined;
    let firstFlags: number | undefined;
    let samplesBefore = 0;
    for (const b of boxes(traf.body)) {
      const fl = b.body.readUInt32BE(0) & 0xffffff;
      if (b.type === 'tfhd') {
        t.trackId = b.body.readUInt32BE(4);
        let o = 8; // version/flags, track_ID
        if (fl & 0x01) o += 8; // base_data_offset
        if (fl & 0x02) o += 4; // sample_description_index
        if (fl & 0x08) {
          defaultDuration = b.body.readUInt32BE(o);
          o += 4;
        }
        if (fl & 0x10) o += 4; // default_sample_size
        if (fl & 0x20) defaultFlags = b.body.readUInt32BE(o);
      } else if (b.type === 'tfdt') {
        t.decodeTime = b.body[0] === 1 ? Number(b.body.readBigUInt64BE(4)) : b.body.readUInt32BE(4);
      } else if (b.type === 'trun') {
        const count = b.body.readUInt32BE(4);
        let o = 8; // version/flags, sample_count
        if (fl & 0x01) o += 4; // data_offset
        const first = count > 0 && samplesBefore === 0;
        if (fl & 0x04) {
          if (first) firstFlags = b.body.readUInt32BE(o);
          o += 4;
        }
        for (let i = 0; i < count; i++) {
          if (fl & 0x100) {
            t.statedDuration += b.body.readUInt32BE(o);
            o += 4;
          } else if (defaultDuration !== undefined) t.statedDuration += defaultDuration;
          else t.unstatedSamples++;
          if (fl & 0x200) o += 4;
          if (fl & 0x400) {
            if (first && i === 0) firstFlags ??= b.body.readUInt32BE(o);
            o += 4;
          }
          if (fl & 0x800) o += 4;
        }
        samplesBefore += count;
      }
    }
    t.firstSampleFlags = firstFlags ?? defaultFlags;
    out.push(t);
  }
  return out;
}

/**
 * True when the first sample of every track fragment is a sync sample;
 * false when one is not; undefined when the fragment does not say (flags
 * only in the init segment's `trex`, or no `moof`).
 */
export function startsWithSyncSample(fragment: readonly TrackFragment[]): boolean | undefined {
  const known = fragment.filter((t) => t.firstSampleFlags !== undefined);
  if (known.length === 0) return undefined;
  return known.every((t) => !(t.firstSampleFlags! & NON_SYNC));
}

/** The video track of an init segment (`moov`): its id, timescale and default sample duration. */
export interface TrackTiming {
  trackId: number;
  timescale: number;
  defaultSampleDuration: number;
}

/** The video track's timing from an init segment (the first track when none is video); undefined if unreadable. */
export function videoTrackTiming(init: Buffer): TrackTiming | undefined {
  const moov = child(init, 'moov');
  if (!moov) return undefined;
  const tracks: (TrackTiming & { video: boolean })[] = [];
  for (const trak of boxes(moov)) {
    if (trak.type !== 'trak') continue;
    const tkhd = child(trak.body, 'tkhd');
    const mdia = child(trak.body, 'mdia');
    const mdhd = mdia && child(mdia, 'mdhd');
    const hdlr = mdia && child(mdia, 'hdlr');
    if (!tkhd || !mdhd) continue;
    tracks.push({
      trackId: tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12),
      timescale: mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12),
      defaultSampleDuration: 0,
      video: hdlr?.toString('latin1', 8, 12) === 'vide',
    });
  }
  const mvex = child(moov, 'mvex');
  for (const trex of mvex ? boxes(mvex) : []) {
    if (trex.type !== 'trex') continue;
    const t = tracks.find((x) => x.trackId === trex.body.readUInt32BE(4));
    if (t) t.defaultSampleDuration = trex.body.readUInt32BE(12);
  }
  const track = tracks.find((t) => t.video) ?? tracks[0];
  if (!track || !(track.timescale > 0)) return undefined;
  return {
    trackId: track.trackId,
    timescale: track.timescale,
    defaultSampleDuration: track.defaultSampleDuration,
  };
}

/**
 * Where a fragment's samples of `track` sit on the media timeline, in the
 * track's timescale: its decode time (`tfdt`) and the sum of its sample
 * durations. Undefined when the fragment does not say.
 */
export function fragmentTiming(
  fragment: readonly TrackFragment[],
  track: TrackTiming,
): { start: number; duration: number } | undefined {
  const t = fragment.find((x) => x.trackId === track.trackId);
  if (!t || t.decodeTime === undefined) return undefined;
  const duration = t.statedDuration + t.unstatedSamples * track.defaultSampleDuration;
  return duration > 0 ? { start: t.decodeTime, duration } : undefined;
}
