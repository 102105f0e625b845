/**
 * Just enough ISO-BMFF to tell whether an fMP4 fragment (`moof` + `mdat`)
 * starts on a sync sample (a keyframe), i.e. whether an LL-HLS part is
 * `INDEPENDENT=YES`, and where it sits on the media timeline, so playlists
 * state the media's own durations.
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

/**
 * True when the first sample of every track fragment in the first `moof` is
 * a sync sample; false when one is not; undefined when the fragment does not
 * say (flags only in the init segment's `trex`, or no `moof`).
 */
export function startsWithSyncSample(fragment: Buffer): boolean | undefined {
  const moof = child(fragment, 'moof');
  if (!moof) return undefined;
  let known = false;
  for (const traf of boxes(moof)) {
    if (traf.type !== 'traf') continue;
    let flags: number | undefined;
    for (const b of boxes(traf.body)) {
      const fl = b.body.readUInt32BE(0) & 0xffffff;
      if (b.type === 'tfhd') {
        let o = 8; // version/flags, track_ID
        if (fl & 0x01) o += 8;
        if (fl & 0x02) o += 4;
        if (fl & 0x08) o += 4;
        if (fl & 0x10) o += 4;
        if (fl & 0x20) flags = b.body.readUInt32BE(o);
      } else if (b.type === 'trun') {
        if (b.body.readUInt32BE(4) === 0) continue; // no samples
        let o = 8; // version/flags, sample_count
        if (fl & 0x01) o += 4;
        if (fl & 0x04) flags = b.body.readUInt32BE(o);
        else if (fl & 0x400) {
          // Per-sample fields of the first sample: duration, size, then flags.
          if (fl & 0x100) o += 4;
          if (fl & 0x200) o += 4;
          flags = b.body.readUInt32BE(o);
        }
        break;
      }
    }
    if (flags === undefined) continue;
    known = true;
    if (flags & NON_SYNC) return false;
  }
  return known ? true : undefined;
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
  fragment: Buffer,
  track: TrackTiming,
): { start: number; duration: number } | undefined {
  const moof = child(fragment, 'moof');
  if (!moof) return undefined;
  for (const traf of boxes(moof)) {
    if (traf.type !== 'traf') continue;
    let sampleDuration = track.defaultSampleDuration;
    let start: number | undefined;
    let duration = 0;
    let mine = false;
    for (const b of boxes(traf.body)) {
      const fl = b.body.readUInt32BE(0) & 0xffffff;
      if (b.type === 'tfhd') {
        mine = b.body.readUInt32BE(4) === track.trackId;
        if (!mine) break;
        let o = 8; // version/flags, track_ID
        if (fl & 0x01) o += 8;
        if (fl & 0x02) o += 4;
        if (fl & 0x08) sampleDuration = b.body.readUInt32BE(o);
      } else if (b.type === 'tfdt') {
        start = b.body[0] === 1 ? Number(b.body.readBigUInt64BE(4)) : b.body.readUInt32BE(4);
      } else if (b.type === 'trun') {
        const count = b.body.readUInt32BE(4);
        let o = 8; // version/flags, sample_count
        if (fl & 0x01) o += 4;
        if (fl & 0x04) o += 4;
        for (let i = 0; i < count; i++) {
          if (fl & 0x100) {
            duration += b.body.readUInt32BE(o);
            o += 4;
          } else duration += sampleDuration;
          if (fl & 0x200) o += 4;
          if (fl & 0x400) o += 4;
          if (fl & 0x800) o += 4;
        }
      }
    }
    if (mine && start !== undefined && duration > 0) return { start, duration };
  }
  return undefined;
}
